"""The administrator's first-day checklist, shown by /start and /admin until the office is set up (its text
is handlers.views.admin.checklist_text)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.setup import checklist
from handlers.views.admin import checklist_text


async def admin_checklist(session: AsyncSession) -> str | None:
    return checklist_text(await checklist(session))
