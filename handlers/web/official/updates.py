"""/updates: the plan updates this person received, newest first; the document of one they received;
"Đã nhận" counted by the chat button's own acknowledgement (compliance.broadcasts.received)."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.broadcasts import received as inbox
from compliance.broadcasts import uploads
from compliance.broadcasts.status import AckOutcome
from handlers.commands import Access
from handlers.i18n import _
from handlers.web.context import WebContext, int_param, page
from handlers.web.errors import NotFound
from handlers.web.official.downloads import attachment


@page(access=Access.MEMBER)
async def updates(context: WebContext) -> Response:
    found = await inbox.received(context.session, official_id=context.me.id)
    return context.render(
        "official/updates.html",
        title=_("Plan updates"),
        updates=found,
        confirmed=context.request.query_params.get("confirmed"),
    )


async def _mine(context: WebContext) -> inbox.Received:
    broadcast_id = int_param(context.request.path_params.get("broadcast"))
    found = await inbox.received_one(context.session, official_id=context.me.id, broadcast_id=broadcast_id)
    if found is None:
        raise NotFound()  # not sent to this person: the same answer as no such update
    return found


@page(access=Access.MEMBER)
async def document(context: WebContext) -> Response:
    update = await _mine(context)
    stored = await uploads.of_broadcast(context.session, update.id)
    if stored is None:
        # A document sent from the chat stays at Telegram: it is in the person's chat, not here.
        raise NotFound(_("This update's document is in your chat with the bot."))
    return Response(
        content=stored.content,
        media_type=stored.media_type,
        headers=attachment(stored.name),
    )


@page(access=Access.MEMBER)
async def acknowledge(context: WebContext) -> Response:
    update = await _mine(context)
    result = await inbox.acknowledge_own_copy(context.session, actor=context.me, broadcast_id=update.id)
    if result.outcome is AckOutcome.NOT_RECIPIENT:
        raise NotFound()
    return context.redirect(f"/updates?confirmed={update.id}#update-{update.id}")


def routes() -> list[BaseRoute]:
    return [
        Route("/updates", updates, methods=["GET"]),
        Route("/updates/{broadcast}/file", document, methods=["GET"]),
        Route("/updates/{broadcast}/ack", acknowledge, methods=["POST"]),
    ]
