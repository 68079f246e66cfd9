"""New joiners' signing deadline: N working days (an office setting, 5 by default) after they joined.

Who is a joiner: someone who reached the bot (joined_at: linked an account on some channel) after the
pledge version their unit follows was published. The clock starts at joining, not at being put on the
staff list, because until then the bot has no way to show them the pledge or remind them; and people who
were there when the version came out are asked by the publication itself (pledge_resign), not given a
joiner's deadline. The deadline is the N-th working day after the joining day (compliance.practice.
calendar: weekends, public holidays and the office's overrides are skipped), to its end.

Until then each working day's reminder asks them to sign and names the deadline (compliance.pledge.
reminders); the day after, their unit's head is told once (table overdue_notices), on every channel the
head has, and the reports count them as "overdue" (a lapse of its own, in place of "not signed").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.office_settings import change_office_setting
from compliance.office.officials import Actor
from compliance.pledge.signing import VersionMap
from compliance.practice.calendar import WorkCalendar
from storage.clock import LOCAL_TZ
from storage.models import Official, OfficialStatus
from storage.models_campaign import OfficeSetting
from storage.models_pledge import Signature

DAYS_TO_SIGN: Final = "sign_within_days"
DEFAULT_DAYS: Final = 5
MIN_DAYS: Final = 1
MAX_DAYS: Final = 60
# How far back joiners are looked for: beyond any deadline the setting allows (60 working days and Tết).
LOOKBACK: Final = timedelta(days=200)
JOINED_STATES: Final = (OfficialStatus.ACTIVE, OfficialStatus.UNREACHABLE)


async def days_to_sign(session: AsyncSession) -> int:
    value = await session.scalar(select(OfficeSetting.value).where(OfficeSetting.name == DAYS_TO_SIGN))
    if value is None or not value.isdigit():
        return DEFAULT_DAYS
    return min(max(int(value), MIN_DAYS), MAX_DAYS)


async def set_days_to_sign(session: AsyncSession, days: int, *, actor: Actor | None = None) -> bool:
    """Set the office's N; False when it already was N. Raises ValueError outside MIN_DAYS..MAX_DAYS."""
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValueError(f"days to sign must be {MIN_DAYS}..{MAX_DAYS}")
    before = await days_to_sign(session)
    if before == days:
        return False
    await change_office_setting(
        session,
        DAYS_TO_SIGN,
        str(days),
        actor=actor,
        action="settings.days_to_sign",
        before={"days": before},
        after={"days": days},
    )
    return True


def nth_working_day_after(calendar: WorkCalendar, day: date, n: int) -> date:
    """The n-th working day after `day` (`day` itself not counted)."""
    found, current = 0, day
    while found < n:
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            found += 1
    return current


async def calendar_around(session: AsyncSession, start: date, end: date) -> WorkCalendar:
    """A calendar from `start` to far enough past `end` for any deadline the setting allows."""
    return await WorkCalendar.load(session, start=start, end=end + timedelta(days=MAX_DAYS * 2 + 30))


@dataclass(frozen=True)
class Joiner:
    official_id: int
    full_name: str
    unit_id: int
    version_id: int
    joined_on: date  # local day
    deadline: date  # the last local day to sign on
    signed_at: datetime | None

    def overdue_at(self, moment: datetime) -> bool:
        """The deadline's day is over and no signature came by then."""
        passed = moment.astimezone(LOCAL_TZ).date() > self.deadline
        return passed and (self.signed_at is None or self.signed_at > moment)


async def joiners(
    session: AsyncSession, versions: VersionMap, *, at: datetime, days: int | None = None
) -> list[Joiner]:
    """Who joined after their unit's version was published, in the LOOKBACK before `at`, with deadlines
    and their first signature of that version (any time, the caller compares with its own instant)."""
    days = days if days is not None else await days_to_sign(session)
    rows = (
        await session.execute(
            select(Official.id, Official.full_name, Official.unit_id, Official.joined_at).where(
                Official.unit_id.is_not(None),
                Official.joined_at.is_not(None),
                Official.joined_at >= at - LOOKBACK,
                Official.joined_at <= at,
                Official.status.in_(JOINED_STATES),
            )
        )
    ).all()
    candidates: list[tuple[int, str, int, datetime, int]] = []
    for official_id, full_name, unit_id, joined_at in rows:
        version = versions.for_unit(unit_id)
        if (
            unit_id is not None
            and joined_at is not None
            and version is not None
            and joined_at > version.published_at
        ):
            candidates.append((official_id, full_name, unit_id, joined_at, version.id))
    if not candidates:
        return []
    ids = [c[0] for c in candidates]
    first_signed: dict[tuple[int, int], datetime] = {}
    for start in range(0, len(ids), 500):
        signatures = await session.execute(
            select(Signature.official_id, Signature.pledge_version_id, Signature.signed_at).where(
                Signature.official_id.in_(ids[start : start + 500]), Signature.on_behalf_of_unit.is_(False)
            )
        )
        for official_id, version_id, signed_at in signatures.all():
            key = (official_id, version_id)
            if key not in first_signed or signed_at < first_signed[key]:
                first_signed[key] = signed_at
    joined_days = [c[3].astimezone(LOCAL_TZ).date() for c in candidates]
    calendar = await calendar_around(session, min(joined_days), max(joined_days))
    # a province's joiners share a few hundred joining days: each deadline is counted once
    deadline_of = {day: nth_working_day_after(calendar, day, days) for day in set(joined_days)}
    return [
        Joiner(
            official_id,
            full_name,
            unit_id,
            version_id,
            joined_on,
            deadline_of[joined_on],
            first_signed.get((official_id, version_id)),
        )
        for (official_id, full_name, unit_id, _joined_at, version_id), joined_on in zip(
            candidates, joined_days, strict=True
        )
    ]


async def overdue_ids(session: AsyncSession, versions: VersionMap, *, at: datetime) -> set[int]:
    """Joiners whose deadline had passed unsigned at `at` (the reports' "overdue" lapse)."""
    return {j.official_id for j in await joiners(session, versions, at=at) if j.overdue_at(at)}
