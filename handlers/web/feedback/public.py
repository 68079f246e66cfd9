"""Reserved for issue 16's parallel work; its owner replaces this with the pages."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    return []
