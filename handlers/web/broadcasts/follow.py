"""Following plan updates on the web: the list, each one's status page, reminders, stopping, the Excel.

The same domain calls as the chat's /broadcasts (handlers.telegram.broadcast_status): an admin follows every
broadcast, a head the ones they sent (compliance.broadcasts.sending.may_manage_broadcast); any other id is a
page not found.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote

from starlette.responses import Response

from compliance.broadcasts import by_unit, followup, uploads
from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts.files import recipients_excel
from compliance.broadcasts.followup import RemindOutcome
from compliance.broadcasts.sending import StopOutcome
from compliance.broadcasts.status import ACTIVE
from handlers.commands import Access
from handlers.i18n import _
from handlers.views import broadcast_status as views
from handlers.views.broadcasts import broadcast_text
from handlers.web.context import WebContext, int_param, is_number, page
from handlers.web.errors import NotFound
from storage.clock import local_today
from storage.models import Official
from storage.models_broadcast import Broadcast

LIST_LIMIT = 50
PER_PAGE = 50
# The status page reloads itself this often while the broadcast is still going out.
REFRESH_SECONDS = 5
NOTICES = {"reminded", "nothing", "stopped", "cancelled", "over", "created"}


@page(access=Access.MANAGER)
async def list_page(context: WebContext) -> Response:
    lines = await followup.recent(context.session, actor=context.me, limit=LIST_LIMIT)
    not_joined: dict[int, int] = {}
    for line in lines:
        broadcast = await context.session.get(Broadcast, line.id)
        assert broadcast is not None  # recent() just read it
        not_joined[line.id] = await broadcasts.count_not_joined_of(context.session, broadcast)
    return context.render(
        "broadcasts/list.html",
        title=_("Plan updates"),
        lines=lines,
        not_joined=not_joined,
        status_name=views.status_name,
        may_compose=broadcasts.may_broadcast(context.me),
    )


async def _managed(context: WebContext) -> Broadcast:
    broadcast_id = int_param(context.request.path_params.get("broadcast_id"))
    broadcast = await context.session.get(Broadcast, broadcast_id)
    if broadcast is None or not await broadcasts.may_manage_broadcast(
        context.session, actor=context.me, broadcast=broadcast
    ):
        raise NotFound()
    return broadcast


def _page_number(context: WebContext) -> int:
    raw = context.request.query_params.get("page", "1")
    return max(int(raw), 1) - 1 if is_number(raw, 6) else 0


@page(access=Access.MANAGER)
async def status_page(context: WebContext) -> Response:
    broadcast = await _managed(context)
    session, me = context.session, context.me
    found = await followup.detail(session, actor=me, broadcast_id=broadcast.id)
    units = await by_unit.unit_figures(session, actor=me, broadcast_id=broadcast.id)
    page_number = _page_number(context)
    pending = await by_unit.not_acknowledged(
        session, actor=me, broadcast_id=broadcast.id, page=page_number, per_page=PER_PAGE
    )
    if found is None or units is None or pending is None:
        raise NotFound()
    sender = await session.get(Official, broadcast.created_by_id)
    stored = await uploads.of_broadcast(session, broadcast.id)
    notice = context.request.query_params.get("done", "")
    return context.render(
        "broadcasts/status.html",
        title=_("Plan update no. {id}").format(id=broadcast.id),
        line=found.line,
        broadcast=broadcast,
        copy_text=broadcast_text(sender=sender.full_name if sender else "", text=broadcast.text),
        units=units,
        pending=pending,
        page_number=page_number + 1,
        pages=max(1, -(-pending.total // PER_PAGE)),
        not_joined=await broadcasts.count_not_joined_of(session, broadcast),
        refresh=REFRESH_SECONDS if broadcast.status in ACTIVE else None,
        status_name=views.status_name,
        channel_name=views.channel_name,
        file_name=stored.name if stored else broadcast.attachment_name,
        notice=notice if notice in NOTICES else "",
        count=context.request.query_params.get("n", ""),
    )


@page(access=Access.MANAGER)
async def remind(context: WebContext) -> Response:
    broadcast = await _managed(context)
    result = await followup.remind_now(
        context.session, actor=context.me, broadcast_id=broadcast.id, today=local_today()
    )
    if result.outcome is RemindOutcome.NOT_ALLOWED:
        raise NotFound()
    done = "reminded" if result.outcome is RemindOutcome.PLANNED else "nothing"
    return context.redirect(f"/broadcasts/{broadcast.id}?done={done}&n={result.planned}")


@page(access=Access.MANAGER)
async def stop(context: WebContext) -> Response:
    broadcast = await _managed(context)
    result = await broadcasts.stop(context.session, actor=context.me, broadcast_id=broadcast.id)
    if result.outcome is StopOutcome.NOT_ALLOWED:
        raise NotFound()
    done = {StopOutcome.STOPPED: "stopped", StopOutcome.CANCELLED: "cancelled"}.get(result.outcome, "over")
    return context.redirect(f"/broadcasts/{broadcast.id}?done={done}&n={result.unsent}")


@page(access=Access.MANAGER)
async def excel(context: WebContext) -> Response:
    broadcast = await _managed(context)
    rows = await followup.recipient_rows(context.session, actor=context.me, broadcast_id=broadcast.id)
    if rows is None:
        raise NotFound()
    states = views.recipient_states()
    title, header = views.recipients_sheet()
    content = recipients_excel(
        rows, sheet_title=title, header=header, state_label=lambda state: states.get(state, state)
    )
    document = views.recipients_document(content, broadcast.id, broadcast.send_at, len(rows))
    assert document.attachment is not None
    return Response(
        content=content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{document.attachment.file_name}"'},
    )


def _disposition(name: str, *, fallback: str) -> str:
    """The sender's own file name (Vietnamese, as RFC 6266 allows), with a plain ASCII one for old clients."""
    suffix = PurePosixPath(name).suffix.lower()
    ascii_name = fallback + (suffix if suffix.isascii() and suffix[1:].isalnum() else "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@page(access=Access.MANAGER)
async def attachment(context: WebContext) -> Response:
    """The document uploaded with it, for the sender to check what went out."""
    broadcast = await _managed(context)
    stored = await uploads.of_broadcast(context.session, broadcast.id)
    if stored is None:
        raise NotFound()
    return Response(
        content=stored.content,
        media_type=stored.media_type,
        headers={"content-disposition": _disposition(stored.name, fallback=f"broadcast-{broadcast.id}")},
    )
