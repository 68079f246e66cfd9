"""The audit log on the web: filtered by action, actor and dates, fifty entries a page, each change shown
before → after in the same words as the chat's /audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compliance.privacy import audit
from compliance.privacy.audit import AuditFilter, AuditLine
from handlers.commands import Access
from handlers.i18n import _
from handlers.views import audit as views
from handlers.web.context import WebContext, is_number, page

PER_PAGE = 50


@dataclass(frozen=True)
class Shown:
    at: object
    actor: str
    action: str
    subject: str
    changes: list[tuple[str, str, str]]  # (field, before, after), in words


def _changes(line: AuditLine) -> list[tuple[str, str, str]]:
    shown = []
    for change in audit.changes(line.before, line.after):
        before = views.value_words(change.key, change.before) if change.had_before else "—"
        after = views.value_words(change.key, change.after) if change.has_after else "—"
        shown.append((views.key_label(change.key), before, after))
    return shown


def _day(value: str, errors: dict[str, str], key: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[key] = _("Write the date as in the calendar field (YYYY-MM-DD).")
        return None


@page(access=Access.ADMIN)
async def audit_page(context: WebContext) -> Response:
    params = context.request.query_params
    errors: dict[str, str] = {}
    action = params.get("action", "")[:60]
    actor = params.get("actor", "").strip()[:100]
    start = _day(params.get("from", ""), errors, "from")
    end = _day(params.get("to", ""), errors, "to")
    raw_page = params.get("page", "1")
    number = int(raw_page) if is_number(raw_page, 6) else 1
    where = AuditFilter(action=action or None, actor=actor or None, start=start, end=end)
    lines, total = await audit.search(context.session, where, page=max(number, 1) - 1, per_page=PER_PAGE)
    names = await audit.subject_names(context.session, lines)
    pages = max(1, -(-total // PER_PAGE))
    kept = {
        k: v
        for k, v in (
            ("action", action),
            ("actor", actor),
            ("from", params.get("from", "")),
            ("to", params.get("to", "")),
        )
        if v
    }
    actions = [(code, views.action_label(code)) for code in await audit.actions_used(context.session)]
    return context.render(
        "admin/audit.html",
        status=400 if errors else 200,
        title=_("Audit log"),
        entries=[
            Shown(
                line.at,
                views.actor_text(line.actor),
                views.action_label(line.action),
                views.subject_text(line.subject, names),
                _changes(line),
            )
            for line in lines
        ],
        total=total,
        page_number=number,
        pages=pages,
        actions=actions,
        chosen={"action": action, "actor": actor, "from": params.get("from", ""), "to": params.get("to", "")},
        errors=errors,
        prev_query=urlencode({**kept, "page": number - 1}) if number > 1 else None,
        next_query=urlencode({**kept, "page": number + 1}) if number < pages else None,
    )


def routes() -> list[BaseRoute]:
    return [Route("/admin/audit", audit_page, methods=["GET"])]
