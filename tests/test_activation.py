"""Activation codes: the alphabet and what people type, one live code per person, single use, expiry, the
wrong-code limit, linking (found again by the account, audited) and a unit's codes issued in bulk."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, func, select

from compliance.office.accounts import ChannelUser, find_with_account, link
from compliance.office.activation import (
    ALPHABET,
    CODE_LENGTH,
    CannotIssue,
    Outcome,
    Redeemed,
    issue,
    issue_for_unit,
    live_code_hints,
    new_code,
    normalise,
    prune_attempts,
    redeem,
    shown,
)
from compliance.office.staff_import import import_staff
from storage.engine import Database
from storage.models import Channel, Official, OfficialStatus, Unit
from storage.models_broadcast import AuditEntry
from storage.models_zalo import ActivationAttempt, ActivationCode
from tests.staff_files import OFFICE, xlsx_bytes

NOW = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
ZALO_LAN = ChannelUser(Channel.ZALO, "a1b2c3d4e5f6")


async def _office(database: Database) -> dict[str, int]:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        return {o.full_name: o.id for o in (await session.scalars(select(Official))).all()}


async def _issue(database: Database, official_id: int, now: datetime = NOW) -> str:
    async with database.unit_of_work() as session:
        return await issue(session, official_id=official_id, issued_by_id=None, now=now)


async def _redeem(
    database: Database, text: str, user: ChannelUser = ZALO_LAN, now: datetime = NOW
) -> Redeemed:
    async with database.unit_of_work() as session:
        return await redeem(session, code_text=text, user=user, display_name="Lan ", now=now)


def test_the_alphabet_has_no_look_alikes_and_nothing_a_vietnamese_keyboard_rewrites() -> None:
    assert not set(ALPHABET) & set("0O1IL5S2Z8B")
    assert not set(ALPHABET) & set("AEIOUYDW")  # vowels take marks; "dd" → "đ"; Telex's "w" → "ư"
    assert len(set(ALPHABET)) == len(ALPHABET) >= 16
    code = new_code()
    assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
    assert shown("CFHJKMNP") == "CFHJ-KMNP"


@given(
    code=st.text(alphabet=ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH),
    lower=st.lists(st.booleans(), min_size=CODE_LENGTH, max_size=CODE_LENGTH),
    gaps=st.lists(st.sampled_from(["", " ", "-", " - ", "  ", "\u00a0", "–"]), min_size=9, max_size=9),
)
def test_any_code_comes_back_through_case_spaces_and_dashes(
    code: str, lower: list[bool], gaps: list[str]
) -> None:
    typed = gaps[0] + "".join(
        (ch.lower() if low else ch) + gap for ch, low, gap in zip(code, lower, gaps[1:], strict=True)
    )
    assert normalise(typed) == code
    assert normalise(shown(code).lower()) == code


def test_normalise_strips_what_a_vietnamese_keyboard_adds_and_refuses_what_is_not_a_code() -> None:
    assert normalise("cfhj-kmnp") == "CFHJKMNP"
    assert normalise("ćfhj kḿnp") == "CFHJKMNP"  # marks that autocorrect put on, NFC
    assert normalise("c\u0301fhj-km\u0300np") == "CFHJKMNP"  # the same, NFD
    assert normalise("\u200bCFHJ-KMNP\u200b") == "CFHJKMNP"  # zero-width characters from a copy
    for wrong in ("", "CFHJ-KMN", "CFHJ-KMNPQ", "CFHJ-KMN0", "OOOO-OOOO", "xin chào", "CFHJ/KMNP", "x" * 200):
        assert normalise(wrong) is None, wrong


async def test_a_code_links_once_and_the_account_is_found_again(database: Database) -> None:
    people = await _office(database)
    lan = people["Nguyễn Thị Lan"]
    code = await _issue(database, lan)
    assert len(code) == 9 and code[4] == "-"
    async with database.unit_of_work() as session:
        stored = (await session.scalars(select(ActivationCode))).one()
        assert stored.code_hash != code and code.replace("-", "") not in stored.code_hash
        assert stored.hint == code[-2:] and stored.expires_at == NOW + timedelta(days=30)
    done = await _redeem(database, code.lower().replace("-", " "))
    assert (done.outcome, done.official_id, done.full_name) == (Outcome.LINKED, lan, "Nguyễn Thị Lan")
    async with database.unit_of_work() as session:
        found = await find_with_account(session, ZALO_LAN)
        assert found is not None
        official, account = found
        assert official.id == lan and official.status is OfficialStatus.ACTIVE and official.joined_at == NOW
        assert account.display_name == "Lan" and account.chat_id == ZALO_LAN.external_id
        used = (await session.scalars(select(ActivationCode))).one()
        assert used.used_at == NOW and used.used_by == f"zalo:{ZALO_LAN.external_id}"
        line = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "account.link"))).one()
        assert line.subject == f"official:{lan}"
        assert line.after == {"channel": "zalo", "via": "activation code"}
        assert line.actor_id == lan
    # The same code from another account: used. From the linked account: it is already someone's.
    other = ChannelUser(Channel.ZALO, "ffff0000")
    assert (await _redeem(database, code, other)).outcome is Outcome.USED
    again = await _redeem(database, code)
    assert (again.outcome, again.official_id) == (Outcome.ALREADY_LINKED, lan)


async def test_a_person_on_telegram_adds_zalo_with_a_code(database: Database) -> None:
    people = await _office(database)
    chau = people["Phạm Minh Châu"]
    async with database.unit_of_work() as session:
        official = await session.get(Official, chau)
        assert official is not None
        await link(session, official, ChannelUser.telegram(4242))
        official.status, official.joined_at = OfficialStatus.ACTIVE, NOW - timedelta(days=90)
    code = await _issue(database, chau)
    assert (await _redeem(database, code)).outcome is Outcome.LINKED
    async with database.unit_of_work() as session:
        telegram = await find_with_account(session, ChannelUser.telegram(4242))
        zalo = await find_with_account(session, ZALO_LAN)
        assert telegram is not None and zalo is not None and telegram[0].id == zalo[0].id == chau
        assert zalo[0].joined_at == NOW - timedelta(days=90)  # joined then, not now


async def test_one_live_code_per_person_and_codes_expire(database: Database) -> None:
    people = await _office(database)
    huy = people["Đỗ Quang Huy"]
    first = await _issue(database, huy)
    second = await _issue(database, huy, NOW + timedelta(minutes=1))
    assert first != second
    assert (await _redeem(database, first)).outcome is Outcome.EXPIRED  # replaced by the second
    async with database.unit_of_work() as session:
        assert await live_code_hints(session, [huy], NOW) == {huy: second[-2:]}
    late = NOW + timedelta(days=30, minutes=1)
    assert (await _redeem(database, second, now=late)).outcome is Outcome.EXPIRED
    assert (await _redeem(database, second, now=late - timedelta(minutes=2))).outcome is Outcome.LINKED
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(ActivationAttempt)) == 0


async def test_no_code_for_someone_who_left(database: Database) -> None:
    people = await _office(database)
    huy = people["Đỗ Quang Huy"]
    code = await _issue(database, huy)
    async with database.unit_of_work() as session:
        official = await session.get(Official, huy)
        assert official is not None
        official.status = OfficialStatus.LEFT
    assert (await _redeem(database, code)).outcome is Outcome.EXPIRED
    async with database.unit_of_work() as session:
        for official_id in (huy, 10_000):
            try:
                await issue(session, official_id=official_id, issued_by_id=None, now=NOW)
            except CannotIssue:
                continue
            raise AssertionError(f"a code was issued for {official_id}")


async def test_five_wrong_codes_an_hour_then_a_wait_with_the_time(database: Database) -> None:
    people = await _office(database)
    code = await _issue(database, people["Nguyễn Thị Lan"])
    lefts = []
    for minute in range(5):
        wrong = await _redeem(
            database, "HHHH-HHHH" if minute else "hello", now=NOW + timedelta(minutes=minute)
        )
        assert wrong.outcome is Outcome.WRONG
        lefts.append(wrong.attempts_left)
    assert lefts == [4, 3, 2, 1, 0]
    # Even the right code waits now, until the first wrong one is an hour old.
    waiting = await _redeem(database, code, now=NOW + timedelta(minutes=10))
    assert (waiting.outcome, waiting.retry_at) == (Outcome.WAIT, NOW + timedelta(hours=1))
    # Another account is not held back by Lan's mistakes.
    other = await _redeem(
        database, "HHHH-HHHH", ChannelUser(Channel.ZALO, "other"), NOW + timedelta(minutes=10)
    )
    assert other.outcome is Outcome.WRONG and other.attempts_left == 4
    later = await _redeem(database, code, now=NOW + timedelta(hours=1, seconds=1))
    assert later.outcome is Outcome.LINKED
    async with database.unit_of_work() as session:
        # The first wrong code is over an hour old: it no longer counts, and the job deletes it.
        assert await prune_attempts(session, now=NOW + timedelta(hours=1, seconds=1)) == 1
        assert await session.scalar(select(func.count()).select_from(ActivationAttempt)) == 5


async def test_an_account_already_linked_cannot_take_another_persons_code(database: Database) -> None:
    people = await _office(database)
    async with database.unit_of_work() as session:
        hoa = await session.get(Official, people["Lê Thị Hoa"])
        assert hoa is not None
        await link(session, hoa, ZALO_LAN)
    code = await _issue(database, people["Nguyễn Thị Lan"])
    taken = await _redeem(database, code)
    assert (taken.outcome, taken.full_name) == (Outcome.ALREADY_LINKED, "Lê Thị Hoa")
    async with database.unit_of_work() as session:
        assert (await session.scalars(select(ActivationCode))).one().used_at is None


@contextmanager
def counted(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)


async def test_a_unit_with_its_subunits_in_bulk_in_a_bounded_number_of_queries(database: Database) -> None:
    people = await _office(database)
    async with database.unit_of_work() as session:
        top = await session.scalar(select(Unit).where(Unit.name == "Sở GTVT"))
        office = await session.scalar(select(Unit).where(Unit.name == "Văn phòng"))
        assert top is not None and office is not None
        # 1 200 more people in Văn phòng: more than two chunks of the bulk statements.
        session.add_all(
            Official(full_name=f"Cán bộ {n:04d}", name_key=f"cán bộ {n:04d}", unit_id=office.id)
            for n in range(1200)
        )
        hoa = await session.get(Official, people["Lê Thị Hoa"])
        assert hoa is not None
        await link(session, hoa, ChannelUser(Channel.ZALO, "hoa"))  # on Zalo already: no code
    huy_old = await _issue(database, people["Đỗ Quang Huy"])
    with counted(database) as statements:
        async with database.unit_of_work() as session:
            issued = await issue_for_unit(
                session, unit_id=top.id, issued_by_id=None, include_subunits=True, now=NOW
            )
    assert len(issued) == 1200 + 4
    assert len(statements) <= 20, statements
    assert len({item.code for item in issued}) == len(issued)
    names = [item.full_name for item in issued]
    assert "Lê Thị Hoa" not in names
    by_unit = [(item.unit_name, item.full_name) for item in issued if not item.full_name.startswith("Cán bộ")]
    # Units in Vietnamese order (Phòng … before Sở … before Văn phòng), people by given name.
    assert by_unit == [
        ("Phòng Quản lý vận tải", "Đỗ Quang Huy"),
        ("Phòng Quản lý vận tải", "Nguyễn Thị Lan"),
        ("Sở GTVT", "Trần Văn Bình"),
        ("Văn phòng", "Phạm Minh Châu"),
    ]
    assert (await _redeem(database, huy_old)).outcome is Outcome.EXPIRED  # the sheet's code replaced it
    lan = next(item for item in issued if item.full_name == "Nguyễn Thị Lan")
    assert (await _redeem(database, lan.code)).official_id == people["Nguyễn Thị Lan"]
    async with database.unit_of_work() as session:
        only = await issue_for_unit(
            session,
            unit_id=office.id,
            issued_by_id=None,
            include_subunits=False,
            now=NOW,
            only_not_joined=False,
        )
    assert len(only) == 1200 + 2 and {"Lê Thị Hoa", "Phạm Minh Châu"} <= {item.full_name for item in only}
