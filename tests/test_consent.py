"""Consent (Luật 91/2025/QH15) on Telegram and in the domain: the notice right after the phone is shared,
nothing processed until it is answered, a decline that unlinks, a new notice version asked again, and a
withdrawal end to end: reminders stop, every account is unlinked, web sessions end, the ledger stays."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from compliance.broadcasts import followup
from compliance.broadcasts import sending as broadcasts
from compliance.broadcasts.sending import REMIND_KIND, Draft, Target, TargetKind
from compliance.office.accounts import ChannelUser, find_official, link
from compliance.office.officials import actor_of
from compliance.office.staff_import import import_staff
from compliance.office.web_access import open_for_official, signed_in
from compliance.pledge import ledger
from compliance.privacy import consent, notice
from storage.clock import ShiftedClock, use_clock, utcnow
from storage.engine import Database
from storage.models import (
    AccountStatus,
    Channel,
    ChannelAccount,
    Official,
    OfficialStatus,
    OutboxMessage,
    Role,
)
from storage.models_broadcast import AuditEntry
from storage.models_consent import Consent
from storage.models_pledge import Signature
from storage.models_practice import DailyReminder
from tests.factories import FakeUser, buttons, contact, press
from tests.harness import BotHarness
from tests.staff_files import OFFICE, xlsx_bytes
from tests.test_planner import MONDAY, _populate, local, run_ticks

LAN = FakeUser(7001, "Lan", "Nguyễn", "en")  # Nguyễn Thị Lan, 0912 000 004, not linked yet
HUY = FakeUser(7002, "Huy", "Đỗ", "en")  # Đỗ Quang Huy, 0912 000 005


@pytest.fixture
async def staff(database: Database) -> Database:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
    return database


@pytest.fixture
def second_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shipped notice and a version 2 of it, as an office would add one."""
    directory = tmp_path / "privacy"
    directory.mkdir()
    shipped = notice.CONTENT_DIR / "notice-1.yaml"
    shutil.copy(shipped, directory / "notice-1.yaml")
    text = shipped.read_text(encoding="utf-8").replace("version: 1", "version: 2")
    (directory / "notice-2.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(notice, "CONTENT_DIR", directory)
    notice.current_notice.cache_clear()
    yield directory
    notice.current_notice.cache_clear()


@pytest.fixture
async def joined(database: Database) -> Database:
    """The planner's office: four of five joined (with a consent, as the fixtures give), two signed."""
    with use_clock(ShiftedClock(local(MONDAY, 1) - timedelta(days=7))):
        await _populate(database)
    return database


async def official_named(database: Database, name: str) -> Official:
    async with database.unit_of_work() as session:
        found = await session.scalar(select(Official).where(Official.full_name == name))
        assert found is not None
        return found


async def consents_of(database: Database, official_id: int) -> list[Consent]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(Consent).where(Consent.official_id == official_id))).all())


async def audited(database: Database, action: str) -> list[AuditEntry]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == action))).all())


async def share_phone(harness: BotHarness, user: FakeUser, phone: str) -> list[dict[str, Any]]:
    """Share the phone; the bot's answers (the link, then the notice with its buttons)."""
    before = len(harness.server.messages_to(user.id))
    await harness.server.inject(contact(user, phone))
    await harness.server.wait_for(lambda: len(harness.server.messages_to(user.id)) >= before + 2)
    return harness.server.messages_to(user.id)[before:]


def is_notice(sent: dict[str, Any], version: int = 1) -> bool:
    data = [b["callback_data"] for b in buttons(sent)]
    return data == [f"cs:yes:{version}", f"cs:no:{version}"] and "Notice on the processing" in sent["text"]


async def test_the_notice_comes_first_and_nothing_is_processed_until_it_is_answered(
    staff: Database, harness: BotHarness
) -> None:
    linked, shown = await share_phone(harness, LAN, "0912000004")
    assert "linked" in linked["text"] and is_notice(shown)
    # The notice says what is kept, who sees it, how long, the rights and the ledger's hashes.
    for words in ("signatures", "self-checks", "quiz answers", "head of your unit", "2 years", "withdraw"):
        assert words in shown["text"]
    assert "hashes" in shown["text"] and "91/2025/QH15" in shown["text"]
    lan = await official_named(staff, "Nguyễn Thị Lan")
    # Silence is no consent: /me is not answered, the notice is shown again; no consent is stored.
    again = await harness.say(LAN, "/me")
    assert is_notice(again) and "Nguyễn Thị Lan" not in again["text"]
    assert await consents_of(staff, lan.id) == []
    done = await harness.send(press(LAN, shown, "cs:yes:1"), to_chat=LAN.id)
    assert "consent is recorded" in done["text"] and "/withdraw" in done["text"]
    await harness.server.wait_for(lambda: "Welcome" in harness.server.messages_to(LAN.id)[-1]["text"])
    (given,) = await consents_of(staff, lan.id)
    assert (given.notice_version, given.channel, given.withdrawn_at) == (1, "telegram", None)
    (entry,) = await audited(staff, "consent.give")
    assert entry.actor_id == lan.id and entry.after is not None and entry.after["notice_version"] == 1
    assert "Nguyễn Thị Lan" in (await harness.say(LAN, "/me"))["text"]  # now processed


async def test_declining_unlinks_the_account_and_keeps_the_person_on_the_list(
    staff: Database, harness: BotHarness
) -> None:
    _linked, shown = await share_phone(harness, HUY, "0912000005")
    declined = await harness.send(press(HUY, shown, "cs:no:1"), to_chat=HUY.id)
    assert "did not agree" in declined["text"] and "administrators" in declined["text"]
    huy = await official_named(staff, "Đỗ Quang Huy")
    assert huy.status is not OfficialStatus.LEFT and huy.unit_id is not None  # still on the staff list
    async with staff.unit_of_work() as session:
        assert await find_official(session, ChannelUser.telegram(HUY.id)) is None
    assert await consents_of(staff, huy.id) == []
    (entry,) = await audited(staff, "consent.decline")
    assert entry.actor_id == huy.id and entry.after is not None and entry.after["accounts_unlinked"] == 1
    stranger = (await harness.say(HUY, "/me"))["text"]  # a stranger again: told how to join
    assert not is_notice(await harness.say(HUY, "/help")) and "Huy" not in stranger


async def test_a_new_notice_version_is_asked_again(
    staff: Database, harness: BotHarness, second_notice: Path
) -> None:
    lan = await official_named(staff, "Nguyễn Thị Lan")
    async with staff.unit_of_work() as session:
        await link(session, lan, ChannelUser.telegram(LAN.id))
        session.add(Consent(official_id=lan.id, notice_version=1, channel="zalo"))
    asked = await harness.say(LAN, "/me")
    assert is_notice(asked, version=2)
    # A press of version 1's button (an old message) records nothing and shows the new version.
    shown = await harness.send(press(LAN, asked, "cs:yes:1"), to_chat=LAN.id)
    assert is_notice(shown, version=2)
    assert [c.notice_version for c in await consents_of(staff, lan.id)] == [1]
    await harness.send(press(LAN, asked, "cs:yes:2"), to_chat=LAN.id)
    assert sorted(c.notice_version for c in await consents_of(staff, lan.id)) == [1, 2]


async def test_withdrawal_by_telegram_stops_everything_but_the_ledger(
    staff: Database, harness: BotHarness
) -> None:
    lan = await official_named(staff, "Nguyễn Thị Lan")
    async with staff.unit_of_work() as session:
        await link(session, lan, ChannelUser.telegram(LAN.id))
        await link(session, lan, ChannelUser(Channel.ZALO, "a1b2c3"))
        session.add(Consent(official_id=lan.id, notice_version=1, channel="telegram"))
        web = await open_for_official(session, official_id=lan.id, opened_by="link")
        assert web is not None
        waiting = OutboxMessage(dedupe_key="waiting", kind="reminder", channel=Channel.TELEGRAM, payload={})
        session.add(waiting)
        waiting.address, waiting.official_id = str(LAN.id), lan.id
    asked = await harness.say(LAN, "/withdraw")
    assert [b["callback_data"] for b in buttons(asked)] == ["wd:ok", "wd:no"] and "hashes" in asked["text"]
    kept = await harness.send(press(LAN, asked, "wd:no"), to_chat=LAN.id)
    assert "stays" in kept["text"] and (await consents_of(staff, lan.id))[0].withdrawn_at is None
    done = await harness.send(press(LAN, asked, "wd:ok"), to_chat=LAN.id)
    assert "withdrawn" in done["text"] and "hashes" in done["text"]
    (given,) = await consents_of(staff, lan.id)
    assert given.withdrawn_at is not None and given.withdrawn_channel == "telegram"
    async with staff.unit_of_work() as session:
        accounts = (
            await session.scalars(select(ChannelAccount).where(ChannelAccount.official_id == lan.id))
        ).all()
        assert {a.status for a in accounts} == {AccountStatus.UNLINKED} and len(accounts) == 2
        assert await signed_in(session, token=web.token) is None
        given_up = await session.scalar(
            select(OutboxMessage.status).where(OutboxMessage.dedupe_key == "waiting")
        )
        assert given_up == "failed"
    (entry,) = await audited(staff, "consent.withdraw")
    assert (
        entry.after is not None
        and entry.after["accounts_unlinked"] == 2
        and entry.after["sessions_revoked"] == 1
    )


async def test_reminders_are_planned_only_for_people_with_a_current_consent(
    joined: Database,
) -> None:
    """Four joined: one withdraws, one was linked before consent existed (no row): neither is planned
    anything; the ledger of the one who withdrew still verifies."""
    async with joined.unit_of_work() as session:
        people = sorted((await session.scalars(select(Official))).all(), key=lambda p: p.id)[:4]
        withdrew, never, *others = people
        stopped = await consent.withdraw(session, actor=actor_of(withdrew), channel="web")
        assert stopped.outcome is consent.Outcome.WITHDRAWN
        await session.execute(delete(Consent).where(Consent.official_id == never.id))
        signatures = await session.scalar(select(func.count()).select_from(Signature))
    wednesday = MONDAY + timedelta(days=2)
    await run_ticks(joined, local(wednesday, 6), local(wednesday, 18), timedelta(hours=1))
    async with joined.unit_of_work() as session:
        planned = dict(
            (
                await session.execute(
                    select(OutboxMessage.official_id, func.count()).group_by(OutboxMessage.official_id)
                )
            ).all()
        )
        reminders = set((await session.scalars(select(DailyReminder.official_id))).all())
        assert withdrew.id not in planned and never.id not in planned
        assert withdrew.id not in reminders and never.id not in reminders
        assert all(planned.get(person.id) for person in others) and {p.id for p in others} <= reminders
        assert await session.scalar(select(func.count()).select_from(Signature)) == signatures
        assert (await ledger.verify(session)).ok


async def test_a_plan_updates_reminder_skips_someone_who_withdrew(joined: Database) -> None:
    """The copy went to their chat before they withdrew: the sender's "remind them" does not follow it."""
    async with joined.unit_of_work() as session:
        admin = Official(
            full_name="Quản trị", name_key="quản trị", role=Role.ADMIN, status=OfficialStatus.ACTIVE
        )
        session.add(admin)
        await session.flush()
        draft = Draft(
            text="Kế hoạch số 15", target=Target(TargetKind.ALL), send_at=utcnow(), requires_ack=True
        )
        broadcast_id = (await broadcasts.create(session, actor=actor_of(admin), draft=draft)).id
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast_id).values(status="sent")
        )
        copies = set((await session.scalars(select(OutboxMessage.official_id))).all())
        withdrew = await session.get(Official, min(i for i in copies if i is not None))
        assert withdrew is not None and len(copies) == 4
        await consent.withdraw(session, actor=actor_of(withdrew), channel="telegram")
        result = await followup.remind_now(
            session, actor=actor_of(admin), broadcast_id=broadcast_id, today=utcnow().date()
        )
        reminded = set(
            (
                await session.scalars(
                    select(OutboxMessage.official_id).where(OutboxMessage.kind == REMIND_KIND)
                )
            ).all()
        )
    assert result.planned == 3 and reminded == copies - {withdrew.id}
