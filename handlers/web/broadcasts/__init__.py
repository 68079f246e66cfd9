"""The broadcasts pages: admins and heads compose plan updates and follow their delivery and confirmation."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from handlers.web.broadcasts import compose, follow


def routes() -> list[BaseRoute]:
    return [
        Route("/broadcasts", follow.list_page, methods=["GET"]),
        Route("/broadcasts/new", compose.compose, methods=["GET", "POST"]),
        Route("/broadcasts/preview", compose.preview, methods=["POST"]),
        Route("/broadcasts/confirm", compose.confirm, methods=["POST"]),
        Route("/broadcasts/{broadcast_id}", follow.status_page, methods=["GET"]),
        Route("/broadcasts/{broadcast_id}/remind", follow.remind, methods=["POST"]),
        Route("/broadcasts/{broadcast_id}/stop", follow.stop, methods=["POST"]),
        Route("/broadcasts/{broadcast_id}/recipients.xlsx", follow.excel, methods=["GET"]),
        Route("/broadcasts/{broadcast_id}/file", follow.attachment, methods=["GET"]),
    ]
