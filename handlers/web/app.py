"""create_app(): the Starlette application of the pages; the process adds its own routes (health, webhook)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from handlers.web import admin, auth, broadcasts, dashboard, feedback, files, home, official
from handlers.web.config import WebConfig
from handlers.web.security import AttemptLimiter, SecurityHeaders, ServerTiming
from handlers.web.templating import build_environment

STATIC = Path(__file__).resolve().parent / "static"
# Each feature's pages: a module with routes() -> list of routes.
FEATURES = (auth, home, official, dashboard, admin, broadcasts, files, feedback)


def create_app(config: WebConfig, *, extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    routes: list[BaseRoute] = [*extra_routes]
    for feature in FEATURES:
        routes.extend(feature.routes())
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC), name="static"))
    app = Starlette(routes=routes, middleware=[Middleware(ServerTiming), Middleware(SecurityHeaders)])
    app.state.config = config
    app.state.templates = build_environment()
    app.state.signin_limiter = AttemptLimiter(limit=config.signin_attempts_per_minute, window_seconds=60)
    return app
