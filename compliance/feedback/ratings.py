"""A citizen's rating of a reception point: the form's answers checked, cleaned and stored.

The answers arrive from a public page, so every value is checked here, in the domain, whatever the page
did: levels in range, texts NFC-cleaned and bounded, a contact only with the consent line ticked (Luật
91/2025/QH15), the official on duty only someone on the staff list of the point's unit. A refused answer is
a `RatingRefused` naming the fields; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.feedback import followup
from compliance.text import clean_text
from storage.models import Official, OfficialStatus
from storage.models_feedback import CitizenRating

LEVELS: Final = range(1, 6)  # 1 Rất không hài lòng … 5 Rất hài lòng (the SIPAS survey's five levels)
TRIPS: Final = range(1, 4)  # 1, 2, 3 = "3 or more"
# A rating at or below this, or a "yes" to being asked beyond the rules, reaches the unit's head.
FLAG_AT_OR_BELOW: Final = 2
COMMENT_LONGEST: Final = 1000
DOSSIER_LONGEST: Final = 40
CONTACT_LONGEST: Final = 120
LOCALES: Final = frozenset({"vi", "en"})
# Who may be named as the official on duty: someone on the staff list who has not left or been erased.
ON_STAFF: Final = (OfficialStatus.INVITED, OfficialStatus.ACTIVE, OfficialStatus.UNREACHABLE)


@dataclass(frozen=True)
class RatingAnswers:
    """The form's answers as typed; optional ones are None (or "") when not answered."""

    overall: int
    attitude: int
    trips: int
    asked_beyond_rules: bool | None  # None: not answered, which the form does not accept
    papers_posted: bool | None = None
    progress_lookup: bool | None = None
    comment: str | None = None
    dossier_number: str | None = None
    official_id: int | None = None
    contact: str | None = None
    contact_consent: bool = False
    locale: str = "vi"


class RatedPoint(Protocol):
    """The point a rating is for: a ReceptionPoint, or the public page's read of one."""

    @property
    def id(self) -> int: ...

    @property
    def unit_id(self) -> int: ...


class RatingRefused(ValueError):
    """The answers cannot be stored as they are: `fields` names each wrong one (the form's field names)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(fields)))
        self.fields = fields


# Reasons a field is refused: the page turns each into a sentence in the citizen's language.
OUT_OF_RANGE: Final = "out_of_range"
TOO_LONG: Final = "too_long"
NEEDS_CONSENT: Final = "needs_consent"
NOT_ON_STAFF: Final = "not_on_staff"


def clean_comment(text: str) -> str:
    """NFC and without invisible characters, line by line (a comment may have paragraphs); blank runs of
    lines collapse to one."""
    lines = [clean_text(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()


def is_flagged(overall: int, attitude: int, asked_beyond_rules: bool) -> bool:
    return asked_beyond_rules or overall <= FLAG_AT_OR_BELOW or attitude <= FLAG_AT_OR_BELOW


async def on_duty_choices(session: AsyncSession, unit_id: int) -> list[Official]:
    """The staff of the point's unit a citizen may name, in the list's own order (the page sorts them)."""
    return list(
        (
            await session.scalars(
                select(Official).where(
                    Official.unit_id == unit_id,
                    Official.status.in_(ON_STAFF),
                    Official.erased_at.is_(None),
                )
            )
        ).all()
    )


_RATINGS: Final = cast(Table, CitizenRating.__table__)
_INSERT: Final = insert(_RATINGS).returning(_RATINGS.c.id)


@dataclass(frozen=True)
class _Cleaned:
    comment: str | None
    dossier_number: str | None
    contact: str | None


async def _check(session: AsyncSession, point: RatedPoint, answers: RatingAnswers) -> _Cleaned:
    wrong: dict[str, str] = {}
    for name, value, allowed in (
        ("overall", answers.overall, LEVELS),
        ("attitude", answers.attitude, LEVELS),
        ("trips", answers.trips, TRIPS),
    ):
        if value not in allowed:
            wrong[name] = OUT_OF_RANGE
    if answers.asked_beyond_rules is None:
        wrong["asked_beyond_rules"] = OUT_OF_RANGE
    comment = clean_comment(answers.comment or "") or None
    if comment is not None and len(comment) > COMMENT_LONGEST:
        wrong["comment"] = TOO_LONG
    dossier = clean_text(answers.dossier_number or "") or None
    if dossier is not None and len(dossier) > DOSSIER_LONGEST:
        wrong["dossier_number"] = TOO_LONG
    contact = clean_text(answers.contact or "") or None
    if contact is not None and len(contact) > CONTACT_LONGEST:
        wrong["contact"] = TOO_LONG
    elif contact is not None and not answers.contact_consent:
        wrong["contact"] = NEEDS_CONSENT
    if answers.locale not in LOCALES:
        wrong["locale"] = OUT_OF_RANGE
    if answers.official_id is not None:
        official = await session.get(Official, answers.official_id)
        if (
            official is None
            or official.unit_id != point.unit_id
            or official.status not in ON_STAFF
            or official.erased_at is not None
        ):
            wrong["official_id"] = NOT_ON_STAFF
    if wrong:
        raise RatingRefused(wrong)
    return _Cleaned(comment, dossier, contact)


def _row(
    point: RatedPoint, answers: RatingAnswers, cleaned: _Cleaned, address_hash: str, now: datetime
) -> dict[str, object]:
    return dict(
        point_id=point.id,
        unit_id=point.unit_id,
        created_at=now,
        overall=answers.overall,
        attitude=answers.attitude,
        trips=answers.trips,
        papers_posted=answers.papers_posted,
        progress_lookup=answers.progress_lookup,
        asked_beyond_rules=bool(answers.asked_beyond_rules),
        comment=cleaned.comment,
        dossier_number=cleaned.dossier_number,
        official_id=answers.official_id,
        # Without the consent line the contact is not even kept: _check refused it above.
        contact=cleaned.contact,
        contact_consent=answers.contact_consent and cleaned.contact is not None,
        locale=answers.locale,
        address_hash=address_hash,
        flagged=is_flagged(answers.overall, answers.attitude, bool(answers.asked_beyond_rules)),
    )


async def record_rating(
    session: AsyncSession,
    *,
    point: RatedPoint,
    answers: RatingAnswers,
    address_hash: str,
    now: datetime,
) -> int:
    """Store one rating of `point` (raises RatingRefused, storing nothing, when an answer is wrong), flag it
    for the head when it asks for attention, and hand it to the follow-up (the head's notice); its id."""
    cleaned = await _check(session, point, answers)
    row = _row(point, answers, cleaned, address_hash, now)
    # One statement built once, executed with the values: the ORM's unit of work (and building the insert
    # each time) cost the busy public form most of its time. Only a flagged rating is loaded back.
    connection = await session.connection()
    rating_id = await connection.scalar(_INSERT, row)
    assert rating_id is not None
    if row["flagged"]:
        rating = await session.get(CitizenRating, rating_id)
        assert rating is not None
        await followup.rating_recorded(session, rating, now=now)
    return int(rating_id)


@dataclass(frozen=True)
class NewRating:
    """One submitted form, waiting to be stored with others (record_many)."""

    point: RatedPoint
    answers: RatingAnswers
    address_hash: str
    now: datetime


async def record_many(session: AsyncSession, new: Sequence[NewRating]) -> list[RatingRefused | None]:
    """Store each rating as record_rating does, in the session's one transaction: for each, None when
    stored or the RatingRefused that stored nothing of it. The plain ones (no official named, nothing for
    the head) go in one statement: at a hundred ratings a second, a statement and a commit per rating, not
    the work, were what set the form's pace."""
    outcomes: list[RatingRefused | None] = []
    plain: list[dict[str, object]] = []
    for item in new:
        answers = item.answers
        try:
            if answers.official_id is None and not is_flagged(
                answers.overall, answers.attitude, bool(answers.asked_beyond_rules)
            ):
                cleaned = await _check(session, item.point, answers)  # reads nothing without an official
                plain.append(_row(item.point, answers, cleaned, item.address_hash, item.now))
            else:
                await record_rating(
                    session, point=item.point, answers=answers, address_hash=item.address_hash, now=item.now
                )
        except RatingRefused as exc:
            outcomes.append(exc)
        else:
            outcomes.append(None)
    if plain:
        await (await session.connection()).execute(insert(_RATINGS), plain)
    return outcomes
