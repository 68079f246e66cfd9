"""Letters to citizens (issue 16): who may issue one for which unit, issuing it (numbered, logged, audited),
and the counts the reports show.

Who: an admin for any unit; a head for their unit and those below; and a one-stop desk official, for their
own unit only. "Desk official" is read from the reception points (compliance/feedback/points.py): an
official whose unit has an active point receives citizens there, so the unit has a desk and its staff
write to the people it serves. An official of a unit without a point (a back office) issues none.

An apology counts as on time when its day comes before the promised one (the receipt's return date), as
the one-stop rules ask the slip to be sent before the deadline passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.feedback.letter_form import CheckedForm, letter_date, shown_date
from compliance.feedback.letter_templates import APOLOGY, THANKS, LetterTemplate
from compliance.office.officials import Actor
from compliance.office.units import is_live, tree_sorted
from compliance.privacy import audit
from storage.clock import LOCAL_TZ
from storage.models import Official, Role, Unit
from storage.models_feedback import ReceptionPoint
from storage.models_letters import CitizenLetter

NUMBER_TRIES = 5  # two desks issuing at the same moment: the loser takes the next number


@dataclass(frozen=True)
class LetterCounts:
    apologies: int = 0
    on_time: int = 0  # apologies sent before the promised day
    thanks: int = 0


@dataclass(frozen=True)
class LetterFacts:
    """What the PDF prints, in its order; every text as issued."""

    parent: str | None  # the office above the issuing unit ("UBND xã Bình Lục"), upper-cased when printed
    office: str
    number: str  # "Số: 12/PXL"
    place_date: str  # "Bình Lục, ngày 30 tháng 11 năm 2026"
    title: str
    paragraphs: tuple[str, ...]
    signer_title: str
    signature_note: str
    signer_name: str
    recipients: tuple[str, ...]


async def _has_desk(session: AsyncSession, unit_id: int) -> bool:
    found = await session.scalar(
        select(ReceptionPoint.id)
        .where(ReceptionPoint.unit_id == unit_id, ReceptionPoint.active.is_(True))
        .limit(1)
    )
    return found is not None


async def may_issue(session: AsyncSession, actor: Actor, unit: Unit) -> bool:
    if unit.merged_into_id is not None:
        return False
    if actor.may_manage(unit):
        return True
    return actor.role is Role.OFFICIAL and actor.unit_id == unit.id and await _has_desk(session, unit.id)


async def may_write_letters(session: AsyncSession, actor: Actor) -> bool:
    """Whether `actor` writes letters for some unit (their page links to the letters)."""
    if actor.is_admin or actor.is_head:
        return True
    return actor.unit_id is not None and await _has_desk(session, actor.unit_id)


async def issuable_units(session: AsyncSession, actor: Actor) -> list[Unit]:
    """The units `actor` may write letters for, as a tree reads."""
    query = select(Unit).where(is_live())
    if actor.is_admin:
        pass
    elif actor.is_head and actor.unit_path is not None:
        query = query.where(Unit.path.startswith(actor.unit_path))
    elif actor.unit_id is not None and await _has_desk(session, actor.unit_id):
        query = query.where(Unit.id == actor.unit_id)
    else:
        return []
    return tree_sorted((await session.scalars(query)).all())


async def office_names(session: AsyncSession, unit: Unit) -> tuple[str | None, str]:
    """(the unit's parent's name, or None at the top; the unit's name): the letter's top left."""
    parent = await session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
    return (parent.name if parent is not None else None), unit.name


async def usual_signer(session: AsyncSession, unit: Unit) -> tuple[str, str]:
    """(title, name) of the unit's head, for the signature block's first guess; empty when it has none."""
    head = await session.scalar(
        select(Official)
        .where(Official.unit_id == unit.id, Official.role == Role.HEAD)
        .order_by(Official.id)
        .limit(1)
    )
    if head is None:
        return "", ""
    return (head.title or ""), head.full_name


async def last_place(session: AsyncSession, unit: Unit) -> str:
    """Where the unit's last letter was signed: offices sign in one place, typed once."""
    fields = await session.scalar(
        select(CitizenLetter.fields)
        .where(CitizenLetter.unit_id == unit.id)
        .order_by(CitizenLetter.id.desc())
        .limit(1)
    )
    return str(fields.get("place", "")) if fields else ""


def recipients_of(values: dict[str, str]) -> str:
    """The "Nơi nhận" lines as typed, or the usual two: the citizen, and the office's own copy (Lưu: VT)."""
    return values.get("recipients") or f"Ông/Bà {values['citizen']}\nLưu: VT"


def body_values(form: CheckedForm, office: str) -> dict[str, str]:
    values = {name: value for name, value in form.values.items()}
    for name, day in form.dates.items():
        values[name] = shown_date(day)
    values["office"] = office
    return values


def facts_for(
    template: LetterTemplate,
    form: CheckedForm,
    *,
    parent: str | None,
    office: str,
    number: int | None,
    day: date,
) -> LetterFacts:
    """The letter as it will print; `number` None for a preview (the number is given when it is issued)."""
    values = body_values(form, office)
    return LetterFacts(
        parent=parent,
        office=office,
        number=f"Số: {number if number is not None else '…'}/{template.number_suffix}",
        place_date=letter_date(values["place"], day),
        title=template.title.vi,
        paragraphs=tuple(line for line in template.render(values).split("\n") if line.strip()),
        signer_title=values["signer_title"],
        signature_note=template.signature_note.vi,
        signer_name=values["signer_name"],
        recipients=tuple(recipients_of(values).split("\n")),
    )


def facts_of(letter: CitizenLetter) -> LetterFacts:
    """A logged letter's PDF again, from what was stored when it was issued."""
    f: dict[str, Any] = letter.fields
    return LetterFacts(
        parent=f.get("parent"),
        office=f["office"],
        number=f"Số: {letter.number}/{f['number_suffix']}",
        place_date=letter_date(f["place"], letter.sent_on),
        title=f["title"],
        paragraphs=tuple(line for line in letter.body.split("\n") if line.strip()),
        signer_title=f["signer_title"],
        signature_note=f["signature_note"],
        signer_name=f["signer_name"],
        recipients=tuple(f["recipients"].split("\n")) if f.get("recipients") else (),
    )


async def _next_number(session: AsyncSession, unit_id: int, kind: str, year: int) -> int:
    last = await session.scalar(
        select(func.max(CitizenLetter.number)).where(
            CitizenLetter.unit_id == unit_id, CitizenLetter.kind == kind, CitizenLetter.year == year
        )
    )
    return (last or 0) + 1


async def issue_letter(
    session: AsyncSession,
    *,
    unit: Unit,
    template: LetterTemplate,
    form: CheckedForm,
    actor: Actor,
    now: datetime,
) -> CitizenLetter:
    """Number, log and audit a letter. The caller checked `may_issue` and the form."""
    day = now.astimezone(LOCAL_TZ).date()
    parent, office = await office_names(session, unit)
    due = form.dates.get("due_on") if template.kind == APOLOGY else None
    fields = {
        **form.values,
        "recipients": recipients_of(form.values),
        "parent": parent,
        "office": office,
        "title": template.title.vi,
        "signature_note": template.signature_note.vi,
        "number_suffix": template.number_suffix,
    }
    body = "\n".join(facts_for(template, form, parent=parent, office=office, number=None, day=day).paragraphs)
    for attempt in range(NUMBER_TRIES):
        letter = CitizenLetter(
            unit_id=unit.id,
            kind=template.kind,
            template_code=template.code,
            template_version=template.version,
            year=day.year,
            number=await _next_number(session, unit.id, template.kind, day.year),
            fields=fields,
            body=body,
            due_on=due,
            sent_on=day,
            on_time=(day < due) if due is not None else None,
            by_id=actor.id,
            created_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(letter)
        except IntegrityError:
            if attempt == NUMBER_TRIES - 1:
                raise
            continue
        break
    await audit.record(
        session,
        actor=actor,
        action="feedback.letter.issue",
        subject=f"letter:{letter.id}",
        # The citizen's name stays in the letter's row, not in the audit log every admin reads.
        after={
            "unit_id": unit.id,
            "kind": letter.kind,
            "number": f"{letter.number}/{template.number_suffix}",
            "template": f"{template.code}-{template.version}",
            "on_time": letter.on_time,
        },
    )
    return letter


async def letters_of(
    session: AsyncSession, *, units: Sequence[Unit], start: datetime, end: datetime, limit: int = 200
) -> list[CitizenLetter]:
    """The letters of `units` (each alone, not its subtree) issued in [start, end), newest first."""
    ids = [unit.id for unit in units]
    if not ids:
        return []
    rows = await session.scalars(
        select(CitizenLetter)
        .where(
            CitizenLetter.unit_id.in_(ids), CitizenLetter.created_at >= start, CitizenLetter.created_at < end
        )
        .order_by(CitizenLetter.created_at.desc(), CitizenLetter.id.desc())
        .limit(limit)
    )
    return list(rows)


def _sums() -> tuple[Any, Any, Any]:
    return (
        func.sum(case((CitizenLetter.kind == APOLOGY, 1), else_=0)),
        func.sum(case((CitizenLetter.on_time.is_(True), 1), else_=0)),
        func.sum(case((CitizenLetter.kind == THANKS, 1), else_=0)),
    )


async def subtree_counts(
    session: AsyncSession, *, top: Unit | None, start: datetime, end: datetime
) -> LetterCounts:
    """A subtree's letters in [start, end); `top` None: the whole office (an admin's dashboard)."""
    if top is not None:
        return (await unit_letter_counts(session, unit_ids=[top.id], start=start, end=end))[top.id]
    row = (
        await session.execute(
            select(*_sums()).where(CitizenLetter.created_at >= start, CitizenLetter.created_at < end)
        )
    ).one()
    return LetterCounts(*(int(value or 0) for value in row))


async def unit_letter_counts(
    session: AsyncSession, *, unit_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, LetterCounts]:
    """Each requested unit's subtree's letters issued in [start, end) (every requested id is a key)."""
    if not unit_ids:
        return {}
    rows = await session.execute(
        select(Unit.path, *_sums())
        .join(Unit, Unit.id == CitizenLetter.unit_id)
        .where(CitizenLetter.created_at >= start, CitizenLetter.created_at < end)
        .group_by(Unit.path)
    )
    totals = {unit_id: [0, 0, 0] for unit_id in unit_ids}
    # A path ("/1/4/9/") lists the unit and its ancestors: each letter's unit adds into those asked for,
    # a walk up the path rather than a test against every requested unit (a report asks for 2 000).
    for path, apologies, on_time, thanks in rows.all():
        for ancestor in (int(part) for part in path.strip("/").split("/") if part):
            total = totals.get(ancestor)
            if total is not None:
                total[0] += int(apologies or 0)
                total[1] += int(on_time or 0)
                total[2] += int(thanks or 0)
    return {unit_id: LetterCounts(*total) for unit_id, total in totals.items()}
