"""Everyone on the list in a head's reach, with their states over a period (joined, signed, self-checks,
quiz, reminders read), and the lapses by name drawn from it: not joined, unreachable, not signed, two
self-checks missed in a row, no reminder read. Seven queries over the whole subtree, none per person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office import staff_roll
from compliance.pledge import deadlines
from compliance.pledge.signing import versions_by_unit
from compliance.reports.period import Period
from compliance.text import TextKey, vietnamese_key, vietnamese_name_key
from storage.clock import LOCAL_TZ
from storage.models import Official, OfficialStatus, Unit
from storage.models_pledge import Signature
from storage.models_practice import DailyReminder, QuizAttempt, SelfCheck

# "overdue": a joiner past their signing deadline (compliance.pledge.deadlines), in place of "not_signed"
LAPSE_ORDER = ("not_joined", "unreachable", "overdue", "not_signed", "missed_twice", "never_read")


class Lapse(NamedTuple):  # a tuple: a province's report makes twenty thousand of them
    official_id: int
    full_name: str
    unit_name: str
    kind: str  # one of LAPSE_ORDER
    unit_id: int = 0


@dataclass(slots=True)
class Person:
    """One person on the list at the period's cut-off and what they did in the period."""

    official_id: int
    full_name: str
    title: str | None
    unit_id: int
    unit_name: str
    joined: bool
    unreachable: bool
    needs_signing: bool  # a pledge applied to their unit at the cut-off
    signed_at: datetime | None = None
    on_time: int = 0
    late: int = 0
    missed: int = 0
    missed_twice: bool = False
    quizzes: int = 0
    quiz_score: float = 0.0  # sum of the quizzes' shares of right answers
    reminders: int = 0
    read: int = 0
    overdue: bool = False  # a joiner whose signing deadline passed unsigned by the cut-off
    signed_in_year: bool = False  # a personal signature in the cut-off's calendar year (yearly campaigns)

    @property
    def lapses(self) -> list[str]:
        """Someone who never joined has one lapse: the rest (signing, self-checks) follows from it."""
        if not self.joined:
            return ["not_joined"]
        found = ["unreachable"] if self.unreachable else []
        if self.needs_signing and self.signed_at is None:
            found.append("overdue" if self.overdue else "not_signed")
        if self.missed_twice:
            found.append("missed_twice")
        if self.reminders and not self.read:
            found.append("never_read")
        return found


def signing_year(period: Period, at: datetime) -> int:
    """The calendar year a period's "signed in <year>" figure counts: its last day's, or today's while it
    runs (the cut-off of a period ending on 31/12 is the first instant of the next year: not that one)."""
    return min(period.end, at.astimezone(LOCAL_TZ).date()).year


async def roster(
    session: AsyncSession,
    members: ColumnElement[bool],
    units: list[Unit],
    period: Period,
    at: datetime,
    weeks: list[date],
    *,
    whole: bool = False,
) -> list[Person]:
    """Everyone on the list at `at` among `members`, their states in the period (self-checks and quizzes
    of `weeks`); in unit order (units as given), then by name. For the whole office (`whole`) the activity
    tables are read without the officials beside them: the rows of people not on the list are dropped
    here, which costs less than a join row by row."""
    names = {u.id: u.name for u in units}
    versions = await versions_by_unit(session, as_of=at)
    # the version each unit signs, looked up once per unit rather than once per person and signature
    pledge = {u.id: version.id if (version := versions.for_unit(u.id)) is not None else None for u in units}
    connection = await session.connection()  # Core rows: plain columns, no ORM row processing
    unreachable = Official.status == OfficialStatus.UNREACHABLE  # a flag: no enum conversion per row
    rows = await connection.execute(
        select(Official.id, Official.full_name, Official.title, Official.unit_id)
        .add_columns(staff_roll.joined(at), unreachable)
        .where(members, staff_roll.on_list(at))
    )
    people: dict[int, Person] = {}
    in_scope = staff_roll.among(members, whole=whole)
    for official_id, full_name, title, unit_id, has_joined, is_unreachable in rows.all():
        if unit_id not in names:
            continue
        people[official_id] = Person(
            official_id,
            full_name,
            title,
            unit_id,
            names[unit_id],
            bool(has_joined),
            bool(is_unreachable),
            pledge[unit_id] is not None,
        )
    # plain rows, the first signature kept here: grouping them in SQL cost a sort of the whole ledger
    signatures = await connection.execute(
        select(Signature.official_id, Signature.pledge_version_id, Signature.signed_at).where(
            in_scope(Signature.official_id), Signature.on_behalf_of_unit.is_(False), Signature.signed_at <= at
        )
    )
    year_start = datetime(signing_year(period, at), 1, 1, tzinfo=LOCAL_TZ)
    for official_id, version_id, signed_at in signatures.all():
        person = people.get(official_id)
        if person is None:
            continue
        if signed_at >= year_start:
            person.signed_in_year = True
        if version_id == pledge[person.unit_id] and (
            person.signed_at is None or signed_at < person.signed_at
        ):
            person.signed_at = signed_at
    for official_id in await deadlines.overdue_ids(session, versions, at=at):
        if (person := people.get(official_id)) is not None:
            person.overdue = True
    checks = await connection.execute(
        select(SelfCheck.official_id, SelfCheck.status, func.count())
        .where(in_scope(SelfCheck.official_id), SelfCheck.week.in_(weeks))
        .group_by(SelfCheck.official_id, SelfCheck.status)
    )
    for official_id, status, count in checks.all():
        if (person := people.get(official_id)) is not None:
            if status == "done":
                person.on_time = int(count)
            elif status == "late":
                person.late = int(count)
            elif status == "missed":
                person.missed = int(count)
    # the last two weeks closed by the period's end, even when the period is a single week
    last_closed = period.end - timedelta(days=6)
    last_closed -= timedelta(days=last_closed.weekday())
    missed_twice = await connection.scalars(
        select(SelfCheck.official_id)
        .where(
            in_scope(SelfCheck.official_id),
            SelfCheck.week.in_([last_closed - timedelta(days=7), last_closed]),
            SelfCheck.status == "missed",
        )
        .group_by(SelfCheck.official_id)
        .having(func.count() == 2)
    )
    for official_id in missed_twice.all():
        if (person := people.get(official_id)) is not None:
            person.missed_twice = True
    quizzes = await connection.execute(
        select(
            QuizAttempt.official_id, func.count(), func.sum(QuizAttempt.score * 1.0 / QuizAttempt.answered)
        )
        .where(
            in_scope(QuizAttempt.official_id),
            QuizAttempt.practice.is_(False),
            QuizAttempt.week.in_(weeks),
            QuizAttempt.finished_at.is_not(None),
            QuizAttempt.answered > 0,
        )
        .group_by(QuizAttempt.official_id)
    )
    for official_id, count, score in quizzes.all():
        if (person := people.get(official_id)) is not None:
            person.quizzes, person.quiz_score = int(count), float(score or 0)
    reminders = await connection.execute(
        select(
            DailyReminder.official_id,
            func.count(),
            func.sum(case((DailyReminder.read_at.is_not(None), 1), else_=0)),
        )
        .where(
            in_scope(DailyReminder.official_id),
            DailyReminder.day >= period.start,
            DailyReminder.day <= period.end,
        )
        .group_by(DailyReminder.official_id)
    )
    for official_id, count, read in reminders.all():
        if (person := people.get(official_id)) is not None:
            person.reminders, person.read = int(count), int(read or 0)
    # each unit's people sorted apart (units come in order): fewer comparisons than one sort of everyone
    by_unit: dict[int, list[Person]] = {u.id: [] for u in units}
    for person in people.values():
        by_unit[person.unit_id].append(person)
    ordered: list[Person] = []
    for members_of_unit in by_unit.values():
        members_of_unit.sort(key=lambda p: vietnamese_name_key(p.full_name))
        ordered += members_of_unit
    return ordered


def lapses_of(people: list[Person]) -> list[Lapse]:
    """The lapses by name, the most pressing kind first, then by unit and name. `people` come in reading
    order (the roster's): within a unit their position is their name's order, so no name is keyed twice."""
    rank = {kind: n for n, kind in enumerate(LAPSE_ORDER)}
    unit_keys: dict[int, TextKey] = {}
    found: list[tuple[int, TextKey, int, Lapse]] = []
    make = tuple.__new__  # what Lapse(...) does, without its Python-level __new__: 20 000 lapses
    for position, person in enumerate(people):
        for kind in person.lapses:
            unit_key = unit_keys.get(person.unit_id)
            if unit_key is None:
                unit_key = unit_keys[person.unit_id] = vietnamese_key(person.unit_name)
            lapse = make(
                Lapse, (person.official_id, person.full_name, person.unit_name, kind, person.unit_id)
            )
            found.append((rank[kind], unit_key, position, lapse))
    found.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in found]
