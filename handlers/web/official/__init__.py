"""The official's own pages: the pledge, the weekly self-check, quizzes, plan updates, their data."""

from __future__ import annotations

from starlette.routing import BaseRoute

from handlers.web.official import consent, mydata, pledge, quiz, selfcheck, updates


def routes() -> list[BaseRoute]:
    return [
        *pledge.routes(),
        *selfcheck.routes(),
        *quiz.routes(),
        *updates.routes(),
        *mydata.routes(),
        *consent.routes(),
    ]
