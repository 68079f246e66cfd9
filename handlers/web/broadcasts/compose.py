"""Composing a plan update on the web: the form → the preview → confirm, as the chat's /broadcast does.

The draft between preview and confirm is carried in the preview's hidden fields and checked again in full
on confirm (the sender's reach, the units, the time, the text's length); an uploaded document is stored
once at the preview (compliance.broadcasts.uploads) and referenced by id, so a restart between the two
loses nothing. Confirming writes the broadcast and its outbox rows in one transaction
(compliance.broadcasts.sending.create), then the file is tied to it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from starlette.responses import Response

from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts import uploads
from compliance.broadcasts.sending import Draft, Target, TargetKind
from compliance.broadcasts.uploads import FileProblem
from compliance.office.officials import Actor
from handlers.commands import Access
from handlers.i18n import _, fmt_number
from handlers.views import broadcast as chat_views
from handlers.views.broadcasts import broadcast_copy
from handlers.web.broadcasts.tree import unit_tree
from handlers.web.context import WebContext, is_number, page
from handlers.web.errors import Refused
from storage.clock import utcnow
from storage.models import Unit
from storage.models_broadcast import BroadcastFile

TARGET_KINDS = tuple(kind.value for kind in TargetKind)
MAX_UNITS = 5000
DRAFT_KEY = re.compile(r"[A-Za-z0-9_-]{32}")


@dataclass
class Form:
    """What the form sent, as typed: shown again when something is wrong."""

    text: str = ""
    target: str = TargetKind.ALL.value
    units: list[int] = field(default_factory=list)
    when: str = "now"
    send_date: str = ""
    send_time: str = ""
    ack: str = "1"
    file_id: int | None = None
    # Made at preview; confirm looks it up first, so sending the confirm twice makes one broadcast.
    draft_key: str = ""


@dataclass
class Checked:
    draft: Draft | None
    errors: list[str]
    stored: BroadcastFile | None = None
    scheduled: bool = False


def _read(context: WebContext) -> Form:
    form = context.form
    raw_units = form.getlist("unit") if form is not None else []
    units = [int(v) for v in raw_units if isinstance(v, str) and is_number(v, 11)][:MAX_UNITS]
    file_id = context.field("file_id")
    return Form(
        text=context.field("text"),
        target=context.field("target", TargetKind.ALL.value),
        units=list(dict.fromkeys(units)),
        when="later" if context.field("when") == "later" else "now",
        send_date=context.field("send_date")[:20],
        send_time=context.field("send_time")[:10],
        ack="0" if context.field("ack") == "0" else "1",
        file_id=int(file_id) if is_number(file_id, 11) else None,
        draft_key=key if DRAFT_KEY.fullmatch(key := context.field("draft_key")) else "",
    )


def _file_problem(problem: FileProblem, limit: int) -> str:
    if problem is FileProblem.TOO_LARGE:
        return _("The file is too large: at most {mb} MB.").format(mb=fmt_number(limit // (1024 * 1024)))
    if problem is FileProblem.EMPTY:
        return _("The file is empty.")
    return _(
        "This type of file cannot be sent. Attach a PDF, a Word or Excel document, or a JPEG or PNG picture."
    )


async def _chosen_units(context: WebContext, ids: list[int]) -> tuple[list[Unit], bool]:
    """The chosen units, and whether every id named a unit within the sender's reach."""
    if not ids:
        return [], True
    units = list((await context.session.scalars(select(Unit).where(Unit.id.in_(ids)))).all())
    within = [u for u in units if context.me.may_manage(u)]
    return within, len(within) == len(ids)


async def _check(context: WebContext, data: Form, *, upload: bool) -> Checked:
    me, errors = context.me, []
    text = broadcasts.clean_broadcast_text(data.text)
    stored: BroadcastFile | None = None
    content: bytes | None = None
    checked_file: uploads.Checked | None = None
    uploaded = context.upload("file") if upload else None
    if uploaded is not None:
        # One byte past the limit is enough to refuse it: the rest of a huge file never enters memory.
        content = await uploaded.read(context.config.upload_limit + 1)
        verdict = uploads.check(uploaded.filename or "", content, limit=context.config.upload_limit)
        if isinstance(verdict, FileProblem):
            errors.append(_file_problem(verdict, context.config.upload_limit))
        else:
            checked_file = verdict
    elif data.file_id is not None:
        stored = await uploads.draft_file(context.session, actor=me, file_id=data.file_id)
        if stored is None:
            errors.append(_("The attached file of this draft is no longer available. Attach it again."))
    with_file = checked_file is not None or stored is not None
    if not text:
        errors.append(_("The text is empty. Write the plan update."))
    else:
        length, limit = broadcasts.utf16_length(text), broadcasts.text_limit(with_attachment=with_file)
        if length > limit:
            too_long = _("With a file the text can have at most {limit} characters, and yours has {length}.")
            errors.append(
                too_long.format(limit=fmt_number(limit), length=fmt_number(length))
                if with_file
                else chat_views.text_too_long(length, limit).text
            )
    if data.target not in TARGET_KINDS:
        errors.append(_("Choose who should receive it."))
        return Checked(None, errors)
    kind = TargetKind(data.target)
    unit_ids: tuple[int, ...] = ()
    if kind is TargetKind.UNITS:
        units, all_within = await _chosen_units(context, data.units)
        if not all_within:
            errors.append(_("Some of the chosen units are not yours to send to. Choose again."))
        elif not units:
            errors.append(_("Choose at least one unit."))
        unit_ids = tuple(sorted(u.id for u in units))
    now = utcnow()
    send_at: datetime = now
    if data.when == "later":
        moment = broadcasts.parse_send_time(f"{data.send_date} {data.send_time}", now=now)
        if moment is None:
            errors.append(_("The date and time must be in the future, within a year."))
        else:
            send_at = moment
    if errors:
        return Checked(None, errors)
    target = Target(kind, unit_ids)
    if await broadcasts.count_recipients(context.session, actor=me, target=target) == 0:
        return Checked(None, [_("Nobody would receive it: choose other recipients.")])
    if checked_file is not None and content is not None:
        stored = await uploads.store(context.session, actor=me, checked=checked_file, content=content)
    draft = Draft(
        text=text,
        target=target,
        send_at=send_at,
        requires_ack=data.ack == "1",
        attachment_kind=uploads.DOCUMENT if stored is not None else None,
        attachment_file_id=uploads.file_ref(stored) if stored is not None else None,
        attachment_name=stored.name if stored is not None else None,
    )
    return Checked(draft, [], stored, scheduled=data.when == "later")


def _may_compose(actor: Actor) -> None:
    if not broadcasts.may_broadcast(actor):
        raise Refused(chat_views.not_allowed().text)


async def _form_page(context: WebContext, data: Form, errors: list[str], status: int = 200) -> Response:
    stored = (
        await uploads.draft_file(context.session, actor=context.me, file_id=data.file_id)
        if data.file_id is not None
        else None
    )
    return context.render(
        "broadcasts/compose.html",
        status=status,
        title=_("New plan update"),
        form=data,
        errors=errors,
        units_tree=await unit_tree(context.session, actor=context.me, chosen=set(data.units)),
        admin=context.me.is_admin,
        kept_file=stored,
        text_limit=broadcasts.text_limit(with_attachment=False),
        caption_limit=broadcasts.text_limit(with_attachment=True),
        upload_mb=context.config.upload_limit // (1024 * 1024),
    )


@page(access=Access.MANAGER)
async def compose(context: WebContext) -> Response:
    """GET: an empty form; POST (the preview's "Change"): the draft's fields shown again."""
    _may_compose(context.me)
    data = _read(context) if context.request.method == "POST" else Form()
    return await _form_page(context, data, [])


@page(access=Access.MANAGER)
async def preview(context: WebContext) -> Response:
    _may_compose(context.me)
    data = _read(context)
    checked = await _check(context, data, upload=True)
    if checked.draft is None:
        return await _form_page(context, data, checked.errors, status=400)
    draft = checked.draft
    if checked.stored is not None:
        data.file_id = checked.stored.id
    data.draft_key = secrets.token_urlsafe(24)
    copy = broadcast_copy(
        {
            "b": 0,
            "content": {
                "sender": context.me.full_name,
                "text": draft.text,
                "requires_ack": draft.requires_ack,
                "attachment_kind": None,
                "attachment_file_id": None,
            },
        }
    )
    return context.render(
        "broadcasts/preview.html",
        title=_("Preview"),
        form=data,
        copy=copy,
        file_name=draft.attachment_name,
        recipients=await broadcasts.count_recipients(context.session, actor=context.me, target=draft.target),
        not_joined=await broadcasts.count_not_joined(context.session, actor=context.me, target=draft.target),
        send_at=draft.send_at if checked.scheduled else None,
    )


@page(access=Access.MANAGER)
async def confirm(context: WebContext) -> Response:
    _may_compose(context.me)
    data = _read(context)
    if data.draft_key and (
        made := await broadcasts.made_from_draft(context.session, actor=context.me, draft_key=data.draft_key)
    ):
        return context.redirect(f"/broadcasts/{made.id}?done=created&n={made.total}")
    checked = await _check(context, data, upload=False)
    if checked.draft is None:
        return await _form_page(context, data, checked.errors, status=400)
    broadcast = await broadcasts.create(
        context.session, actor=context.me, draft=checked.draft, draft_key=data.draft_key or None
    )
    if checked.stored is not None:
        checked.stored.broadcast_id = broadcast.id
    return context.redirect(f"/broadcasts/{broadcast.id}?done=created&n={broadcast.total}")
