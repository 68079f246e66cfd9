"""python -m bot privacy purge: the dry run counts and changes nothing; the real run deletes what is past
retention (and only that), erases someone who left two years ago with their ledger still verifying, and is
audited. Times are relative to the run, so the test holds whatever day it runs."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from compliance.office.officials import actor_of
from compliance.office.staff_import import import_staff
from compliance.pledge import ledger
from compliance.pledge import signing as pledges
from storage.clock import utcnow
from storage.engine import Database
from storage.models import Channel, Official, OfficialStatus, OutboxMessage
from storage.models_broadcast import AuditEntry
from storage.models_pledge import Signature
from storage.models_web import WebSignIn
from storage.models_zalo import ActivationAttempt
from tests.db_snapshot import changed_tables, snapshot
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes


async def seed(database: Database) -> int:
    """Old and fresh rows of each kind checked; Đỗ Quang Huy signed, then left three years ago."""
    now = utcnow()
    old, fresh = now - timedelta(days=800), now - timedelta(days=2)
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        published = await pledges.publish(
            session, template=template(), unit=None, material=False, publisher_id=None
        )
        assert published.version is not None
        people = {p.full_name: p for p in (await session.scalars(select(Official))).all()}
        huy, lan = people["Đỗ Quang Huy"], people["Nguyễn Thị Lan"]
        for person in (huy, lan):
            await pledges.sign(
                session,
                actor=actor_of(person),
                version_id=published.version.id,
                typed_name=person.full_name,
                locale="vi",
                chat_id=1,
                message_id=1,
            )
        for n, at in enumerate((old, fresh)):
            session.add(
                WebSignIn(
                    token_hash=f"{n:064d}", official_id=lan.id, issued_by="test", created_at=at, expires_at=at
                )
            )
            session.add(ActivationAttempt(channel="zalo", external_id="x", at=at))
            for status in ("sent", "pending"):
                session.add(
                    OutboxMessage(
                        dedupe_key=f"{status}-{n}",
                        kind="reminder",
                        channel=Channel.TELEGRAM,
                        address="1",
                        official_id=lan.id,
                        status=status,
                        created_at=at,
                    )
                )
        await session.flush()
        huy.status = OfficialStatus.LEFT
        await session.flush()
        huy.updated_at = now - timedelta(days=3 * 365)  # left three years ago (set after onupdate)
        return huy.id


async def count(database: Database, model: type[object]) -> int:
    async with database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_purge_dry_run_then_real(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    huy = await seed(database)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    before = await snapshot(database)
    assert await asyncio.to_thread(main, ["privacy", "purge", "--dry-run"]) == 0
    shown = capsys.readouterr().out
    assert "Dry run" in shown and "Web sign-in links: 1 (kept 30 days)" in shown
    assert "Messages sent by the bot: 1 (kept 365 days)" in shown and "Officials who left" in shown
    assert changed_tables(before, await snapshot(database)) == []

    assert await asyncio.to_thread(main, ["privacy", "purge"]) == 0
    assert "Purged" in capsys.readouterr().out
    assert await count(database, WebSignIn) == 1 and await count(database, ActivationAttempt) == 1
    async with database.unit_of_work() as session:
        kept = set((await session.scalars(select(OutboxMessage.dedupe_key))).all())
        assert kept == {"pending-0", "sent-1", "pending-1"}  # the old sent one went; pending ones stay
        left = await session.get(Official, huy)
        assert (
            left is not None and left.erased_at is not None and left.full_name == "—" and left.phone is None
        )
        assert await session.scalar(select(func.count()).select_from(Signature)) == 2
        assert (await ledger.verify(session)).ok
        (entry,) = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.purge"))
        ).all()
        assert entry.actor_label == "cli" and entry.after is not None
        assert (
            entry.after["deleted"]["web_signins"] == 1 and entry.after["deleted"]["departed_officials"] == 1
        )
    # A second run finds nothing more.
    again = await snapshot(database)
    assert await asyncio.to_thread(main, ["privacy", "purge", "--dry-run"]) == 0
    assert ": 1 (" not in capsys.readouterr().out and changed_tables(again, await snapshot(database)) == []
