"""The admins' pages, one module per feature (broadcasts live in handlers.web.broadcasts)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from handlers.web.admin import (
    activation,
    audit,
    calendar,
    campaigns,
    console,
    export,
    pledges,
    schedules,
    staff,
    units,
    units_merge,
)


def routes() -> list[BaseRoute]:
    return [
        *console.routes(),
        *staff.routes(),
        *units.routes(),
        *units_merge.routes(),
        *audit.routes(),
        *calendar.routes(),
        *campaigns.routes(),
        *schedules.routes(),
        *pledges.routes(),
        *export.routes(),
        *activation.routes(),
    ]
