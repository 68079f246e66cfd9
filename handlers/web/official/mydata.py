"""/mydata: what the bot holds about the person (the chat's /mydata), and the same JSON file."""

from __future__ import annotations

import json

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.privacy import personal_data
from handlers.commands import Access
from handlers.i18n import _
from handlers.views import personal_data as views
from handlers.web.context import WebContext, page
from handlers.web.errors import NotFound
from handlers.web.official.downloads import attachment


@page(access=Access.MEMBER)
async def summary(context: WebContext) -> Response:
    data = await personal_data.collect(context.session, official_id=context.me.id)
    if data is None:
        raise NotFound()
    return context.render("official/mydata.html", title=_("My data"), summary=views.summary_text(data))


@page(access=Access.MEMBER)
async def download(context: WebContext) -> Response:
    data = await personal_data.collect(context.session, official_id=context.me.id)
    if data is None:
        raise NotFound()
    content = json.dumps(data.data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    return Response(
        content=content,
        media_type="application/json; charset=utf-8",
        headers=attachment(f"du-lieu-ca-nhan-{context.me.id}.json"),
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/mydata", summary, methods=["GET"]),
        Route("/mydata.json", download, methods=["GET"]),
    ]
