"""The head's follow-up of a flagged rating (issue 16): the notice that reaches the unit's head the same
working day through the outbox (every channel they hold), and the follow-ups they record afterwards.

A flagged rating (a level of 1–2, or a "yes" to being asked beyond the rules) is the citizen's complaint:
the head must hear of it while the desk still remembers the day. Outside the working day the notice waits
for the next working day's start rather than waking a head at night or on Tết.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.delivery.outbox import enqueue
from compliance.office.accounts import Address
from compliance.office.officials import Actor
from compliance.practice.calendar import LOCAL_TZ, WorkCalendar
from compliance.privacy import audit
from compliance.privacy.consent import consented
from compliance.reports.satisfaction_lists import newest
from compliance.text import clean_text
from storage.clock import utcnow
from storage.models import AccountStatus, Channel, ChannelAccount, Official, OfficialStatus, Role, Unit
from storage.models_feedback import CitizenRating, RatingFollowUp, ReceptionPoint

KIND: Final = "rating_flagged"
# The office day a notice may arrive in (local time): a one-stop desk's hours.
DAY_STARTS: Final = time(8, 0)
DAY_ENDS: Final = time(17, 0)
# Tết and its bridges are at most a fortnight: a month always holds a working day.
LOOK_AHEAD_DAYS: Final = 31
# The follow-up page, as a path: the notice carries it and each channel's view puts the site's address
# (PUBLIC_URL, which the domain does not know) in front.
FOLLOWUP_PATH: Final = "/dashboard/ratings/{rating_id}"


def followup_path(rating_id: int) -> str:
    return FOLLOWUP_PATH.format(rating_id=rating_id)


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
    citizen's consent, and the follow-up page's path. Texts are stored raw; the view escapes them."""
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
        "path": followup_path(rating.id),
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


# The head's record of what was done: a short account, not a case file.
NOTE_LONGEST: Final = 2000
TOO_LONG: Final = "too_long"
NOTHING: Final = "nothing"  # neither ticked nor written: nothing to record


class FollowUpRefused(ValueError):
    """A follow-up that cannot be recorded as it is (`reason` one of TOO_LONG, NOTHING); nothing stored."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def clean_note(text: str) -> str:
    """NFC and without invisible characters, line by line; blank runs of lines collapse to one. (The
    comment's own rule; ratings.py imports this module, so it is not borrowed from there.)"""
    kept: list[str] = []
    for line in (clean_text(part) for part in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()


async def managed_rating(session: AsyncSession, actor: Actor, rating_id: int) -> CitizenRating | None:
    """The rating if it is of a unit the actor manages (a head: theirs and below; an admin: any)."""
    rating = await session.get(CitizenRating, rating_id)
    if rating is None:
        return None
    unit = await session.get(Unit, rating.unit_id)
    return rating if unit is not None and actor.may_manage(unit) else None


async def record_follow_up(
    session: AsyncSession,
    *,
    rating: CitizenRating,
    actor: Actor,
    contacted: bool,
    resolved: bool,
    note: str | None,
) -> RatingFollowUp:
    """One entry of the rating's follow-up history, audited; the caller checked managed_rating()."""
    cleaned = clean_note(note or "") or None
    if cleaned is not None and len(cleaned) > NOTE_LONGEST:
        raise FollowUpRefused(TOO_LONG)
    if not (contacted or resolved or cleaned):
        raise FollowUpRefused(NOTHING)
    entry = RatingFollowUp(
        rating_id=rating.id,
        contacted=contacted,
        resolved=resolved,
        note=cleaned,
        by_id=actor.id,
        created_at=utcnow(),
    )
    session.add(entry)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="feedback.followup",
        subject=f"rating:{rating.id}",
        after={"contacted": contacted, "resolved": resolved, "note": cleaned, "unit_id": rating.unit_id},
    )
    return entry


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    by: str
    contacted: bool
    resolved: bool
    note: str | None


async def history(session: AsyncSession, rating_id: int) -> list[HistoryEntry]:
    """The rating's follow-ups, oldest first, each with who recorded it."""
    rows = await session.execute(
        select(RatingFollowUp, Official.full_name)
        .join(Official, Official.id == RatingFollowUp.by_id)
        .where(RatingFollowUp.rating_id == rating_id)
        .order_by(RatingFollowUp.id)
    )
    return [HistoryEntry(f.created_at, name, f.contacted, f.resolved, f.note) for f, name in rows.all()]


NEW: Final = "new"
CONTACTED: Final = "contacted"
RESOLVED: Final = "resolved"


@dataclass(frozen=True)
class FlaggedLine:
    """A flagged rating in a list, with its state by its latest follow-up."""

    rating: CitizenRating
    unit_name: str
    desk: str | None
    state: str  # NEW, CONTACTED (or noted), RESOLVED
    last_at: datetime | None


async def flagged_ratings(
    session: AsyncSession, *, root: Unit | None, start: datetime, end: datetime, limit: int = 200
) -> list[FlaggedLine]:
    """The flagged ratings of a subtree (None: the whole office) in [start, end), newest first, the
    unresolved before the resolved; set-aside ones left out (they are spam, not complaints)."""
    flagged = and_(CitizenRating.flagged, CitizenRating.set_aside_at.is_(None))
    ids = await newest(session, root=root, start=start, end=end, condition=flagged, limit=limit)
    query = (
        select(CitizenRating, Unit.name, ReceptionPoint.desk)
        .join(Unit, Unit.id == CitizenRating.unit_id)
        .join(ReceptionPoint, ReceptionPoint.id == CitizenRating.point_id)
        .where(CitizenRating.id.in_(ids))
        .order_by(CitizenRating.created_at.desc(), CitizenRating.id.desc())
    )
    found = (await session.execute(query)).all()
    # The latest follow-up of each, in a second query on the listed ids (a join on the latest ids' grouped
    # subquery took SQLite a nested loop over every rating).
    last: dict[int, RatingFollowUp] = {}
    follow_ups = await session.scalars(
        select(RatingFollowUp).where(RatingFollowUp.rating_id.in_([rating.id for rating, _, _ in found]))
    )
    for entry in follow_ups.all():
        if entry.rating_id not in last or entry.id > last[entry.rating_id].id:
            last[entry.rating_id] = entry
    lines = []
    for rating, unit_name, desk in found:
        latest = last.get(rating.id)
        state = NEW if latest is None else (RESOLVED if latest.resolved else CONTACTED)
        lines.append(FlaggedLine(rating, unit_name, desk, state, latest.created_at if latest else None))
    lines.sort(key=lambda line: line.state == RESOLVED)  # stable: newest first within each group
    return lines
