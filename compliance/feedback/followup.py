"""The head's follow-up of a flagged rating (issue 16): the notice that reaches the unit's head the same
working day through the outbox (every channel they hold), and the follow-ups they record afterwards.

A flagged rating (a level of 1–2, or a "yes" to being asked beyond the rules) is the citizen's complaint:
the head must hear of it while the desk still remembers the day. Outside the working day the notice waits
for the next working day's start rather than waking a head at night or on Tết.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.outbox import enqueue
from compliance.office.accounts import Address
from compliance.practice.calendar import LOCAL_TZ, WorkCalendar
from compliance.privacy.consent import consented
from storage.models import AccountStatus, Channel, ChannelAccount, Official, OfficialStatus, Role, Unit
from storage.models_feedback import CitizenRating, ReceptionPoint

KIND: Final = "rating_flagged"
# The office day a notice may arrive in (local time): a one-stop desk's hours.
DAY_STARTS: Final = time(8, 0)
DAY_ENDS: Final = time(17, 0)
# Tết and its bridges are at most a fortnight: a month always holds a working day.
LOOK_AHEAD_DAYS: Final = 31
FOLLOWUP_PATH: Final = "/feedback/followup/{rating_id}"
# The address the head's link starts with; the server sets it from PUBLIC_URL at start-up (see
# use_public_url). The default is the settings' own default, for a process that never sets it.
_site: dict[str, str] = {"url": "http://127.0.0.1:8080"}


def use_public_url(public_url: str) -> None:
    """The web pages' address as the heads' phones reach it (PUBLIC_URL), for the follow-up links."""
    _site["url"] = public_url.rstrip("/")


def followup_path(rating_id: int) -> str:
    return FOLLOWUP_PATH.format(rating_id=rating_id)


def followup_url(rating_id: int) -> str:
    return _site["url"] + followup_path(rating_id)


async def delivery_time(session: AsyncSession, now: datetime) -> datetime:
    """`now` if it falls in a working day's office hours, else the next working day's start (UTC)."""
    local = now.astimezone(LOCAL_TZ)
    today = local.date()
    calendar = await WorkCalendar.load(session, start=today, end=today + timedelta(days=LOOK_AHEAD_DAYS))
    if calendar.is_working_day(today):
        if DAY_STARTS <= local.time() < DAY_ENDS:
            return now
        if local.time() < DAY_STARTS:
            return _start_of(today)
    day = today + timedelta(days=1)
    while day <= calendar.end and not calendar.is_working_day(day):
        day += timedelta(days=1)
    return _start_of(day)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, DAY_STARTS, LOCAL_TZ).astimezone(UTC)


async def recipients(session: AsyncSession, unit_id: int) -> list[int]:
    """The heads of the unit, else of the nearest unit above with one, else the admins: those still here
    who agreed to the privacy notice (nobody is written to on the bot's initiative without it)."""
    unit = await session.get(Unit, unit_id)
    ladder = [int(p) for p in unit.path.strip("/").split("/") if p][::-1] if unit is not None else []
    reachable = (Official.status != OfficialStatus.LEFT, Official.erased_at.is_(None), consented())
    rows = (
        await session.execute(
            select(Official.id, Official.unit_id).where(
                Official.unit_id.in_(ladder), Official.role == Role.HEAD, *reachable
            )
        )
    ).all()
    for rung in ladder:
        found = sorted(official_id for official_id, head_unit in rows if head_unit == rung)
        if found:
            return found
    admins = await session.scalars(select(Official.id).where(Official.role == Role.ADMIN, *reachable))
    return sorted(admins.all())


async def notice_payload(session: AsyncSession, rating: CitizenRating) -> dict[str, Any]:
    """What the head reads: the point, the answers, the comment, the dossier, the contact only with the
    citizen's consent, and the follow-up page's link. Texts are stored raw; the view escapes them."""
    point = await session.get(ReceptionPoint, rating.point_id)
    unit = await session.get(Unit, rating.unit_id)
    payload: dict[str, Any] = {
        "rating_id": rating.id,
        "unit_name": unit.name if unit is not None else "",
        "desk": point.desk if point is not None else None,
        "at": rating.created_at.isoformat(),
        "overall": rating.overall,
        "attitude": rating.attitude,
        "trips": rating.trips,
        "papers_posted": rating.papers_posted,
        "progress_lookup": rating.progress_lookup,
        "asked_beyond_rules": rating.asked_beyond_rules,
        "comment": rating.comment,
        "dossier_number": rating.dossier_number,
        "url": followup_url(rating.id),
    }
    if rating.official_id is not None:
        official = await session.get(Official, rating.official_id)
        payload["official_name"] = official.full_name if official is not None else None
    if rating.contact_consent and rating.contact:
        payload["contact"] = rating.contact
    return payload


async def rating_recorded(session: AsyncSession, rating: CitizenRating, *, now: datetime) -> None:
    """Called by record_rating after each stored rating, in its transaction: a flagged one plans one notice
    per channel account of each recipient (recipients()), at the same working day's time."""
    if not rating.flagged or rating.set_aside_at is not None:
        return
    heads = await recipients(session, rating.unit_id)
    if not heads:
        return
    accounts = (
        await session.execute(
            select(ChannelAccount.official_id, ChannelAccount.channel, ChannelAccount.chat_id)
            .where(
                ChannelAccount.official_id.in_(heads),
                ChannelAccount.status != AccountStatus.UNLINKED,
                ChannelAccount.channel != Channel.WEB,
            )
            .order_by(ChannelAccount.official_id, ChannelAccount.id)
        )
    ).all()
    if not accounts:
        return
    payload = await notice_payload(session, rating)
    not_before = await delivery_time(session, now)
    for official_id, channel, chat_id in accounts:
        await enqueue(
            session,
            dedupe_key=f"{KIND}:{rating.id}:{official_id}:{channel.value}",
            kind=KIND,
            to=Address(channel, chat_id),
            official_id=official_id,
            payload=payload,
            not_before=not_before,
        )
