"""Retention of what citizens left with the office (issue 16): the details of a rating, and the citizen named
in a letter, are erased once they are older than the office's period (CITIZEN_DATA_RETENTION_DAYS).

Erased, never deleted: a rating's answers and a letter's number, kind, dates and unit are the reports'
figures, and the figures of a past period must read the same after a purge.

A rating loses its contact, its comment and its dossier number together, since a comment can hold a name or a
phone number as well as a contact can, and a dossier number finds the person in the desk's register. A
flagged rating whose follow-up is still open keeps them (the head needs them to answer the citizen) until
twice the period; then they go whatever the follow-up says, so an unanswered flag cannot keep them forever.
The consent flag stays: it says the citizen once agreed, names no one, and explains why a contact was kept.

A letter keeps no file: its PDF is made again from the row (compliance.feedback.letters.facts_of), so
erasing the row's citizen erases every later copy. The citizen's name and the receipt number become
ERASED in the fields, in the body and in the free texts; "Nơi nhận" keeps only the office's own copy lines,
since an address typed there cannot be told apart from an office's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Boolean, ColumnElement, and_, false, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.content import ContentError
from compliance.feedback.letter_form import DATE_FIELDS, shown_date
from compliance.feedback.letter_templates import KIND_FIELDS, LetterTemplate, find_template, shipped_templates
from storage.clock import LOCAL_TZ
from storage.models_feedback import CitizenRating, RatingFollowUp
from storage.models_letters import CitizenLetter

RATINGS: Final = "citizen_ratings"
LETTERS: Final = "citizen_letters"
ERASED: Final = "—"  # as an erased official's name reads (compliance.privacy.erasure)
ERASED_ON: Final = "erased_on"  # the letter field that marks it erased, with the local day
# The citizen's identifying fields of a letter, and the free texts that may repeat them.
IDENTIFYING: Final = ("citizen", "receipt_number")
FREE_TEXTS: Final = ("reason", "thanks_for", "dossier_type")
# "Nơi nhận" lines kept: the office's archive copy ("Lưu: VT"), which names no one outside the office.
OFFICE_COPY: Final = re.compile(r"^[-–•\s]*Lưu\b", re.IGNORECASE)
BATCH: Final = 200


@dataclass(frozen=True)
class CitizenCounts:
    ratings: int
    letters: int


def _follow_up_open() -> ColumnElement[bool]:
    """A flag the head still has to answer: flagged, not set aside as spam, and no follow-up yet or the
    latest one not resolved (as compliance.feedback.followup reads a flag's state)."""
    latest_resolved = (
        select(RatingFollowUp.resolved)
        .where(RatingFollowUp.rating_id == CitizenRating.id)
        .order_by(RatingFollowUp.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return and_(
        CitizenRating.flagged.is_(True),
        CitizenRating.set_aside_at.is_(None),
        not_(func.coalesce(latest_resolved, false(), type_=Boolean)),
    )


def ratings_past(now: datetime, keep: timedelta) -> ColumnElement[bool]:
    """The ratings whose details are erased at `now`: past the period and not needed for an open
    follow-up, or past twice the period whatever the follow-up."""
    has_details = or_(
        CitizenRating.contact.is_not(None),
        CitizenRating.comment.is_not(None),
        CitizenRating.dossier_number.is_not(None),
    )
    return and_(
        has_details,
        CitizenRating.created_at < now - keep,
        or_(CitizenRating.created_at < now - 2 * keep, not_(_follow_up_open())),
    )


def letters_past(now: datetime, keep: timedelta) -> ColumnElement[bool]:
    return and_(CitizenLetter.created_at < now - keep, CitizenLetter.fields[ERASED_ON].as_string().is_(None))


def _without(text: str, secrets: Iterable[str]) -> str:
    """`text` with each secret, as a whole word, replaced by ERASED (a short name like "An" must not take
    the "an" out of "Lan" or "Anh"; Vietnamese words are syllables, so "An" in "An toàn" goes too, which
    errs on the citizen's side)."""
    for secret in secrets:
        text = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", ERASED, text)
    return text


def _shown_values(fields: dict[str, Any], kind: str) -> dict[str, str]:
    """The values the body was rendered from, as issue_letter put them in (dates shown day first)."""
    values: dict[str, str] = {}
    for name in KIND_FIELDS[kind]:
        value = str(fields.get(name) or "")
        if name in DATE_FIELDS and value:
            value = shown_date(date.fromisoformat(value))
        values[name] = value
    values["office"] = str(fields.get("office") or "")
    return values


def _rendered(letter: CitizenLetter, values: dict[str, str], template: LetterTemplate | None) -> str | None:
    if template is None or template.kind != letter.kind:
        return None
    return "\n".join(line for line in template.render(values).split("\n") if line.strip())


def erased_letter(
    letter: CitizenLetter, *, now: datetime, templates: Mapping[tuple[str, int], LetterTemplate] | None = None
) -> tuple[dict[str, Any], str]:
    """The letter's fields and body with the citizen taken out. `templates`: the shipped ones by code and
    version, read once for a whole purge (None: looked up for this letter)."""
    key = (letter.template_code, letter.template_version)
    template = templates.get(key) if templates is not None else find_template(*key)
    fields = dict(letter.fields)
    secrets = sorted(
        {str(fields[name]) for name in IDENTIFYING if fields.get(name) and fields[name] != ERASED},
        key=len,
        reverse=True,  # a receipt number holding the name's letters is replaced whole first
    )
    for name in IDENTIFYING:
        if fields.get(name):
            fields[name] = ERASED
    for name in FREE_TEXTS:
        if fields.get(name):
            fields[name] = _without(str(fields[name]), secrets)
    kept = [line for line in str(fields.get("recipients") or "").split("\n") if OFFICE_COPY.match(line)]
    fields["recipients"] = "\n".join([ERASED, *kept])
    fields[ERASED_ON] = now.astimezone(LOCAL_TZ).date().isoformat()
    # The body made again from the template when it still renders to the stored body exactly (the erased
    # values then sit where the template put them); otherwise, as for an office's template since removed,
    # the secrets are replaced where they appear.
    body = letter.body
    if _rendered(letter, _shown_values(letter.fields, letter.kind), template) == letter.body:
        body = _rendered(letter, _shown_values(fields, letter.kind), template) or body
    else:
        body = _without(body, secrets)
    return fields, body


def _templates() -> dict[tuple[str, int], LetterTemplate]:
    """The templates by code and version, read once for a purge (each lookup reads the directory). A broken
    file an office added must not stop the erasure: without templates, the words are replaced instead."""
    try:
        return {(t.code, t.version): t for t in shipped_templates()}
    except ContentError:
        return {}


async def _erase_letters(session: AsyncSession, past: ColumnElement[bool], now: datetime) -> int:
    ids = list((await session.scalars(select(CitizenLetter.id).where(past).order_by(CitizenLetter.id))).all())
    templates = _templates() if ids else {}
    for start in range(0, len(ids), BATCH):
        letters = await session.scalars(
            select(CitizenLetter).where(CitizenLetter.id.in_(ids[start : start + BATCH]))
        )
        for letter in letters.all():
            letter.fields, letter.body = erased_letter(letter, now=now, templates=templates)
        await session.flush()
    return len(ids)


async def purge(session: AsyncSession, *, now: datetime, keep: timedelta, dry_run: bool) -> CitizenCounts:
    """Ratings and letters past `keep` at `now`: counted when `dry_run`, otherwise erased in the caller's
    transaction (retention.purge audits the figures)."""
    ratings, letters = ratings_past(now, keep), letters_past(now, keep)
    if dry_run:
        return CitizenCounts(
            int(await session.scalar(select(func.count()).select_from(CitizenRating).where(ratings)) or 0),
            int(await session.scalar(select(func.count()).select_from(CitizenLetter).where(letters)) or 0),
        )
    result = await session.execute(
        update(CitizenRating)
        .where(ratings)
        .values(contact=None, comment=None, dossier_number=None)
        .execution_options(synchronize_session=False)
    )
    erased_ratings = int(getattr(result, "rowcount", 0) or 0)
    return CitizenCounts(erased_ratings, await _erase_letters(session, letters, now))
