"""GET /f/<token>: a picture or document sent by a link, because the chat (Zalo) carries no files.

No sign-in: the URL is the capability (192 random bits, made for one recipient, expiring; only its hash
is stored), so only whoever got the message can open it, and Zalo's servers can fetch a picture without
a session. Pictures of the two types Zalo shows (PNG, JPEG) are served inline; anything else goes as a
download, so a browser never renders a file of ours as a page (nosniff and no-referrer are global, see
handlers.web.security).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.delivery.shared_files import PHOTO, open_shared
from handlers.commands import Access
from handlers.web.context import WebContext, page
from handlers.web.errors import NotFound
from handlers.web.official.downloads import attachment
from storage.clock import utcnow

INLINE_TYPES = frozenset({"image/png", "image/jpeg"})
# The reader's own browser may keep it an hour; shared caches never (the link is someone's capability).
CACHE_CONTROL = "private, max-age=3600"


@page(access=Access.ANYONE)
async def shared_file(context: WebContext) -> Response:
    token = context.request.path_params["token"]
    opened = await open_shared(context.session, token=token, now=utcnow())
    if opened is None:
        raise NotFound()
    headers = attachment(opened.name)
    if opened.kind == PHOTO and opened.media_type in INLINE_TYPES:
        # The same RFC 6266 names, shown in place rather than saved.
        headers["content-disposition"] = headers["content-disposition"].replace("attachment;", "inline;", 1)
    headers["cache-control"] = CACHE_CONTROL
    return Response(opened.content, media_type=opened.media_type, headers=headers)


def routes() -> list[BaseRoute]:
    return [Route("/f/{token}", shared_file, methods=["GET"])]
