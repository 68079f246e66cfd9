"""Citizens' details past the office's period (CITIZEN_DATA_RETENTION_DAYS): a rating's contact, comment and
dossier number are erased unless an open follow-up still needs them (and at twice the period anyway); a
letter's citizen is erased from its fields, body and reprinted PDF; the reports' figures read the same
before and after; the dry run changes nothing; the run is audited with counts only. Every time is given
relative to an explicit `now`, so the tests hold whatever day they run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from compliance.feedback.letter_form import CheckedForm, check_form
from compliance.feedback.letter_pdf import letter_pdf
from compliance.feedback.letter_templates import find_template
from compliance.feedback.letters import LetterCounts, facts_of, issue_letter, subtree_counts
from compliance.feedback.points import create_point
from compliance.feedback.ratings import is_flagged
from compliance.office.officials import actor_of
from compliance.privacy import retention, retention_citizens
from compliance.privacy.audit import as_json
from compliance.reports.satisfaction import SatisfactionFigures, unit_figures
from storage.clock import LOCAL_TZ, utcnow
from storage.engine import Database
from storage.models import Official, Unit
from storage.models_broadcast import AuditEntry
from storage.models_feedback import CitizenRating, RatingFollowUp
from storage.models_letters import CitizenLetter
from tests.db_snapshot import changed_tables, snapshot
from tests.web_admin_office import populate

KEEP = timedelta(days=365)
NAME = "Nguyễn Văn An"
RECEIPT = "000.12.34.H05-0007"
CONTACT = "0912 345 678"
COMMENT = f"Tôi là {NAME}, cán bộ hướng dẫn chưa rõ."
ADMIN = "Vũ Thị Quản"
# The ratings of the scene, by what each shows: (days old, overall level, follow-ups as resolved flags).
# A level of 1 flags the rating for the head.
RATINGS: dict[str, tuple[int, int, tuple[bool, ...]]] = {
    "old_unflagged": (400, 5, ()),
    "old_flag_open": (400, 1, ()),
    "old_flag_resolved": (400, 1, (False, True)),
    "old_flag_reopened": (400, 1, (True, False)),  # resolved, then a later entry that is not
    "very_old_flag_open": (800, 1, ()),
    "fresh_unflagged": (100, 5, ()),
    "old_spam_flag": (400, 1, ()),  # set aside by an admin: no follow-up awaited
}
ERASED = {"old_unflagged", "old_flag_resolved", "very_old_flag_open", "old_spam_flag"}


def apology_form(day: datetime, citizen: str = NAME) -> CheckedForm:
    today = day.astimezone(LOCAL_TZ).date()
    form = check_form(
        "apology",
        {
            "citizen": citizen,
            "dossier_type": "Đăng ký biến động đất đai",
            "receipt_number": RECEIPT,
            "received_on": (today - timedelta(days=20)).strftime("%d/%m/%Y"),
            "due_on": (today + timedelta(days=1)).strftime("%d/%m/%Y"),
            "reason": f"Hồ sơ của ông {citizen} cần xác minh thêm nguồn gốc sử dụng đất.",
            "new_date": (today + timedelta(days=6)).strftime("%d/%m/%Y"),
            "place": "Bình Lục",
            "signer_title": "Chánh Văn phòng",
            "signer_name": "Lê Thị Hoa",
            "recipients": f"- Ông {citizen}, thôn Đông, xã Bình Lục;\n- Lưu: VT, MC.",
        },
        today=today,
        calendar=None,
    )
    assert isinstance(form, CheckedForm), form
    return form


def thanks_form(day: datetime) -> CheckedForm:
    form = check_form(
        "thanks",
        {
            "citizen": NAME,
            "thanks_for": "góp ý về việc niêm yết thủ tục",
            "dossier_type": "",
            "receipt_number": "",
            "place": "Bình Lục",
            "signer_title": "Chánh Văn phòng",
            "signer_name": "Lê Thị Hoa",
            "recipients": "",
        },
        today=day.astimezone(LOCAL_TZ).date(),
        calendar=None,
    )
    assert isinstance(form, CheckedForm), form
    return form


async def seed(database: Database, now: datetime) -> dict[str, int]:
    """The ratings of RATINGS at Văn phòng's point, each with a contact, a comment and a dossier number;
    three letters 400 days old (two apologies, one thank-you) and one 10 days old. Ids by name."""
    people = await populate(database)
    ids: dict[str, int] = {}
    async with database.unit_of_work() as session:
        office = await session.scalar(select(Unit).where(Unit.name == "Văn phòng"))
        admin = await session.get(Official, people[ADMIN])
        assert office is not None and admin is not None
        point = await create_point(session, unit=office, desk=None, actor=None)
        # Stored as the form stores them (compliance.feedback.ratings), written here directly so that the
        # scene does not depend on the form's path, which its own tests cover.
        for n, (name, (days, level, follow_ups)) in enumerate(RATINGS.items()):
            rating = CitizenRating(
                point_id=point.id,
                unit_id=office.id,
                created_at=now - timedelta(days=days, minutes=n),
                overall=level,
                attitude=level,
                trips=1,
                comment=COMMENT,
                dossier_number=RECEIPT,
                contact=CONTACT,
                contact_consent=True,
                address_hash="a" * 64,
                flagged=is_flagged(level, level, False),
                set_aside_at=now - timedelta(days=days - 1) if name == "old_spam_flag" else None,
                set_aside_by_id=admin.id if name == "old_spam_flag" else None,
            )
            session.add(rating)
            await session.flush()
            for k, resolved in enumerate(follow_ups):
                session.add(
                    RatingFollowUp(
                        rating_id=rating.id,
                        contacted=True,
                        resolved=resolved,
                        by_id=admin.id,
                        created_at=now - timedelta(days=days - 1 - k),
                    )
                )
            ids[name] = rating.id
        await session.flush()
        apology, thanks = find_template("xin-loi"), find_template("cam-on")
        assert apology is not None and thanks is not None
        for name, template, form_of, days in (
            ("old_apology", apology, apology_form, 400),
            ("old_apology_2", apology, apology_form, 390),
            ("old_thanks", thanks, thanks_form, 400),
            ("fresh_apology", apology, apology_form, 10),
        ):
            at = now - timedelta(days=days)
            letter = await issue_letter(
                session, unit=office, template=template, form=form_of(at), actor=actor_of(admin), now=at
            )
            ids[name] = letter.id
    return ids


async def figures(database: Database, now: datetime) -> tuple[SatisfactionFigures, LetterCounts]:
    """What the reports count over the three years behind `now`: Văn phòng's ratings and the letters."""
    start = now - timedelta(days=3 * 365)
    async with database.unit_of_work() as session:
        office = await session.scalar(select(Unit.id).where(Unit.name == "Văn phòng"))
        assert office is not None
        rated = (await unit_figures(session, unit_ids=[office], start=start, end=now))[office]
        return rated, await subtree_counts(session, top=None, start=start, end=now)


async def purge(database: Database, now: datetime, *, dry_run: bool) -> retention.PurgeReport:
    async with database.unit_of_work() as session:
        return await retention.purge(session, now=now, dry_run=dry_run, citizen_keep=KEEP)


async def test_ratings_lose_their_details_after_the_period_unless_a_follow_up_is_open(
    database: Database,
) -> None:
    now = datetime.now(UTC)
    ids = await seed(database, now)
    reported = await figures(database, now)
    before = await snapshot(database)

    dry = await purge(database, now, dry_run=True)
    assert dry.counts[retention_citizens.RATINGS] == len(ERASED)
    assert dry.keep_days[retention_citizens.RATINGS] == KEEP.days
    assert changed_tables(before, await snapshot(database)) == []

    real = await purge(database, now, dry_run=False)
    assert real.counts[retention_citizens.RATINGS] == len(ERASED)
    async with database.unit_of_work() as session:
        for name, rating_id in ids.items():
            if name not in RATINGS:
                continue
            rating = await session.get(CitizenRating, rating_id)
            assert rating is not None
            details = (rating.contact, rating.comment, rating.dossier_number)
            if name in ERASED:
                assert details == (None, None, None), name
            else:
                assert details == (CONTACT, COMMENT, RECEIPT), name
            # The answers and the consent given at the time stay: the figures and the history.
            assert rating.overall == RATINGS[name][1] and rating.contact_consent
    assert await figures(database, now) == reported
    again = await purge(database, now, dry_run=True)
    assert again.counts[retention_citizens.RATINGS] == 0

    # A year later the open flag is 765 days old, past twice the period: erased, follow-up or not.
    later = await purge(database, now + KEEP, dry_run=False)
    assert later.counts[retention_citizens.RATINGS] == 3  # the two open flags and the fresh one
    async with database.unit_of_work() as session:
        kept = await session.get(CitizenRating, ids["old_flag_open"])
        assert kept is not None and kept.contact is None and kept.comment is None


async def test_letters_lose_the_citizen_and_keep_what_the_reports_count(database: Database) -> None:
    now = datetime.now(UTC)
    ids = await seed(database, now)
    reported = await figures(database, now)
    async with database.unit_of_work() as session:
        fresh_before = await session.get(CitizenLetter, ids["fresh_apology"])
        assert fresh_before is not None
        fresh_fields, fresh_body = dict(fresh_before.fields), fresh_before.body
        numbers = {
            letter.id: (
                letter.number,
                letter.kind,
                letter.year,
                letter.sent_on,
                letter.due_on,
                letter.on_time,
            )
            for letter in (await session.scalars(select(CitizenLetter))).all()
        }
    before = await snapshot(database)
    assert (await purge(database, now, dry_run=True)).counts[retention_citizens.LETTERS] == 3
    assert changed_tables(before, await snapshot(database)) == []

    assert (await purge(database, now, dry_run=False)).counts[retention_citizens.LETTERS] == 3
    async with database.unit_of_work() as session:
        for name in ("old_apology", "old_apology_2", "old_thanks"):
            letter = await session.get(CitizenLetter, ids[name])
            assert letter is not None
            facts = facts_of(letter)
            printed = "\n".join([*facts.paragraphs, *facts.recipients])
            assert NAME not in as_json(letter.fields) + letter.body + printed, name
            assert RECEIPT not in as_json(letter.fields) + letter.body, name
            assert letter.fields["citizen"] == retention_citizens.ERASED
            assert f"Ông/Bà {retention_citizens.ERASED}" in letter.body  # made again from the template
            assert letter.fields[retention_citizens.ERASED_ON] == now.astimezone(LOCAL_TZ).date().isoformat()
            assert letter_pdf(facts).startswith(b"%PDF")
        apology = await session.get(CitizenLetter, ids["old_apology"])
        assert apology is not None
        assert apology.fields["recipients"] == f"{retention_citizens.ERASED}\n- Lưu: VT, MC."
        assert apology.fields["reason"] == "Hồ sơ của ông — cần xác minh thêm nguồn gốc sử dụng đất."
        assert apology.fields["dossier_type"] == "Đăng ký biến động đất đai"
        fresh = await session.get(CitizenLetter, ids["fresh_apology"])
        assert fresh is not None and fresh.fields == fresh_fields and fresh.body == fresh_body
        after = {
            letter.id: (
                letter.number,
                letter.kind,
                letter.year,
                letter.sent_on,
                letter.due_on,
                letter.on_time,
            )
            for letter in (await session.scalars(select(CitizenLetter))).all()
        }
    assert after == numbers
    assert await figures(database, now) == reported
    # Erased once: a second run finds nothing.
    assert (await purge(database, now, dry_run=False)).counts[retention_citizens.LETTERS] == 0


async def test_the_purge_is_audited_with_counts_only(database: Database) -> None:
    now = datetime.now(UTC)
    await seed(database, now)
    await purge(database, now, dry_run=True)
    async with database.unit_of_work() as session:
        found = await session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.purge"))
        assert found.all() == []  # a dry run writes no audit entry
    await purge(database, now, dry_run=False)
    async with database.unit_of_work() as session:
        (entry,) = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.purge"))
        ).all()
    assert entry.after is not None
    assert entry.after["deleted"][retention_citizens.RATINGS] == len(ERASED)
    assert entry.after["deleted"][retention_citizens.LETTERS] == 3
    written = as_json(entry.after)
    assert NAME not in written and CONTACT not in written and RECEIPT not in written


async def test_the_command_takes_the_period_from_the_setting(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed(database, utcnow())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    # 150 days: the open flags, 400 days old, are past twice the period; the 100-day-old rating is not.
    monkeypatch.setenv("CITIZEN_DATA_RETENTION_DAYS", "150")
    assert await asyncio.to_thread(main, ["privacy", "purge", "--dry-run"]) == 0
    shown = capsys.readouterr().out
    assert "Citizens' ratings (contact, comment and dossier number erased): 6 (kept 150 days)" in shown
    assert "Letters to citizens (the citizen's name and receipt number erased): 3 (kept 150 days)" in shown
    monkeypatch.setenv("CITIZEN_DATA_RETENTION_DAYS", "30")
    assert await asyncio.to_thread(main, ["privacy", "purge"]) == 0
    assert "Purged" in capsys.readouterr().out
    async with database.unit_of_work() as session:
        named = await session.scalars(
            select(CitizenLetter.created_at).where(CitizenLetter.fields["citizen"].as_string() == NAME)
        )
        (still,) = named.all()  # only the 10-day-old letter is within 30 days
        assert still > utcnow() - timedelta(days=30)
        ratings = await session.scalars(
            select(CitizenRating.contact).where(CitizenRating.contact.is_not(None))
        )
        assert ratings.all() == []  # every rating is 100 days old or more: past twice 30 days
