"""Which star rubric the office scores its units by (issue 16): an office setting holding the rubric's code,
chosen by an admin among the files in content/rubrics/ (the shipped sample, or the province's own version
an office drops there); unset means the shipped default.

Every reader of the stars (the ranking page, the chat's /report and its Excel, Monday's summaries, the admins'
entry page) asks here, so a new choice shows everywhere at once: the kept office ranking is keyed by the
rubric's code (compliance.reports.star_ranking) and so is ranked again by the new one.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.feedback.rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from compliance.office.office_settings import change_office_setting
from compliance.office.officials import Actor
from storage.models_campaign import OfficeSetting

RUBRIC_SETTING: Final = "stars_rubric"


async def office_rubric_code(session: AsyncSession) -> str:
    """The code the office chose, or the default when no admin ever chose one."""
    value = await session.scalar(select(OfficeSetting.value).where(OfficeSetting.name == RUBRIC_SETTING))
    return value or DEFAULT_RUBRIC


async def office_rubric(session: AsyncSession) -> Rubric:
    """The office's rubric. Raises ContentError when the chosen file has since become unreadable or gone:
    scoring by another rubric than the one chosen would show stars the office did not decide on, so the
    callers go without stars (and log it) until an admin fixes the file or chooses another."""
    return load_rubric(await office_rubric_code(session))


async def set_office_rubric(session: AsyncSession, code: str, *, actor: Actor | None) -> bool:
    """Choose the rubric by its code; False when it already was the one. Raises ContentError (nothing
    changed) when no such rubric can be read: a choice is saved only for a rubric the stars can use."""
    code = code.strip()
    load_rubric(code)
    before = await office_rubric_code(session)
    if before == code:
        return False
    await change_office_setting(
        session,
        RUBRIC_SETTING,
        code,
        actor=actor,
        action="settings.stars_rubric",
        before={"rubric": before},
        after={"rubric": code},
    )
    return True
