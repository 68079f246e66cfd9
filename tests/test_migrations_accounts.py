"""Migration 0008 (channel accounts) with data: a database built at 0007 and filled with rows in every
state keeps every Telegram link through the upgrade, the downgrade and the upgrade again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.engine import Connection

from compliance.broadcasts.status import AckOutcome, acknowledge
from compliance.office.accounts import Address, ChannelUser, address_of, find_official
from compliance.office.officials import actor_of
from storage.engine import Database
from storage.migrate import downgrade, upgrade
from storage.schema import Base
from tests.dbs import PostgresDatabases, SqliteDatabases

JOINED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BIG = 9_007_199_254_740_993  # past 2**53: a float anywhere on the way would change it
GROUP = -1_001_234_567_890

# (id, status, telegram id, joined_at, erased_at): every status, with and without a Telegram id.
OFFICIALS = [
    (1, "active", 1001, JOINED, None),
    (2, "invited", None, None, None),
    (3, "invited", 1003, None, None),
    (4, "left", None, JOINED, JOINED + timedelta(days=30)),  # erased
    (5, "left", 1005, JOINED, None),
    (6, "unreachable", 1006, JOINED, None),
    (7, "active", BIG, JOINED + timedelta(hours=1), None),
    (8, "unreachable", None, None, None),
]
# (id, telegram id, telegram name, status, official_id)
JOIN_REQUESTS = [
    (1, 2001, "Mới", "pending", None),
    (2, 1001, "Lan", "approved", 1),
    (3, 2003, "—", "rejected", None),
    (4, 2004, "Tư", "awaiting_name", None),
    (5, BIG, "Lớn", "cancelled", None),
]
# (id, kind, chat id, official_id, broadcast_id, status, telegram message id)
OUTBOX = [
    (1, "reminder", 1001, 1, None, "pending", None),
    (2, "reminder", 1006, 6, None, "sending", None),
    (3, "broadcast", 1001, 1, 1, "sent", 555),
    (4, "broadcast", BIG, 7, 1, "sent", 556),
    (5, "broadcast", GROUP, None, 1, "sent", 557),
    (6, "join_rejected", 2003, None, None, "failed", None),
    (7, "broadcast", 1006, 6, 1, "pending", None),
]


@pytest.fixture
def empty_url(
    database_url: str, sqlite_databases: SqliteDatabases, postgres_databases: PostgresDatabases | None
) -> Iterator[str]:
    """An empty database on the engine of this run of the test (database_url says which)."""
    factory = postgres_databases if database_url.startswith("postgresql") else sqlite_databases
    assert factory is not None
    url = factory.empty()
    yield url
    factory.drop(url)


def _tables(connection: Connection) -> dict[str, Table]:
    metadata = MetaData()
    metadata.reflect(connection)
    return dict(metadata.tables)


def _insert(connection: Connection, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    names = columns.split()
    connection.execute(_tables(connection)[table].insert(), [dict(zip(names, r, strict=True)) for r in rows])


def _fill(connection: Connection) -> None:
    now = JOINED
    _insert(
        connection,
        "units",
        "id code name name_key path depth created_at",
        [(1, "vp", "VP", "vp", "/1/", 0, now)],
    )
    _insert(
        connection,
        "officials",
        "id full_name name_key unit_id role status telegram_user_id"
        " created_at updated_at joined_at erased_at",
        [
            (
                i,
                "—" if erased else f"Cán bộ {i}",
                f"cán bộ {i}",
                1,
                "admin" if i == 7 else "official",
                status,
                tg,
                now,
                now,
                joined,
                erased,
            )
            for i, status, tg, joined, erased in OFFICIALS
        ],
    )
    _insert(
        connection,
        "invites",
        "id code unit_id created_by_id expires_at max_uses uses revoked created_at",
        [(1, "abc", 1, 7, now + timedelta(days=7), 10, 5, False, now)],
    )
    _insert(
        connection,
        "join_requests",
        "id invite_id unit_id telegram_user_id telegram_name full_name locale status official_id created_at",
        [
            (i, 1, 1, tg, name, None, "vi", status, official, now)
            for i, tg, name, status, official in JOIN_REQUESTS
        ],
    )
    _insert(
        connection,
        "broadcasts",
        "id created_by_id text target requires_ack send_at status total progress_chat_id progress_message_id"
        " created_at",
        [(1, 7, "Họp lúc 9h", {"all": True}, True, now, "sending", 5, BIG, 9, now)],
    )
    _insert(
        connection,
        "outbox",
        "id dedupe_key kind chat_id official_id broadcast_id payload status not_before lease_until attempts"
        " last_error sent_at telegram_message_id created_at",
        [
            (
                i,
                f"k{i}",
                kind,
                chat,
                official,
                broadcast,
                {"b": broadcast} if broadcast else {},
                status,
                now,
                now + timedelta(seconds=30) if status == "sending" else None,
                1,
                "400 chat not found" if status == "failed" else None,
                now if status == "sent" else None,
                message,
                now,
            )
            for i, kind, chat, official, broadcast, status, message in OUTBOX
        ],
    )
    _insert(connection, "broadcast_acks", "broadcast_id official_id acked_at", [(1, 7, now)])


def _rows(connection: Connection, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    t = _tables(connection)[table]
    query = select(*(t.c[c] for c in columns)).order_by(t.c[columns[0]])
    return [tuple(row) for row in connection.execute(query)]


def _utc(value: datetime) -> datetime:
    # Reflected columns: SQLite gives the stored naive UTC, PostgreSQL an aware time.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


# Per table: the columns read, and the rows expected after the upgrade (every id and name as text) ...
UPGRADED: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {
    # One account per former Telegram id, blocked where the person had blocked the bot.
    "channel_accounts": (
        ["official_id", "channel", "external_id", "chat_id", "display_name", "status"],
        [
            (i, "telegram", str(tg), str(tg), None, "blocked" if status == "unreachable" else "active")
            for i, status, tg, _joined, _erased in OFFICIALS
            if tg is not None
        ],
    ),
    "join_requests": (
        ["id", "channel", "external_id", "display_name", "status"],
        [(i, "telegram", str(tg), name, status) for i, tg, name, status, _o in JOIN_REQUESTS],
    ),
    "outbox": (
        ["id", "channel", "address", "channel_message_id", "official_id", "status"],
        [(i, "telegram", str(chat), _text(m), o, status) for i, _k, chat, o, _b, status, m in OUTBOX],
    ),
    "broadcast_acks": (["official_id", "broadcast_id"], [(7, 1)]),
}
# ... and after the downgrade: the rows as they were filled in.
DOWNGRADED: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {
    "officials": (
        ["id", "telegram_user_id", "status"],
        [(i, tg, status) for i, status, tg, _j, _e in OFFICIALS],
    ),
    "join_requests": (
        ["id", "telegram_user_id", "telegram_name", "status"],
        [(i, tg, name, status) for i, tg, name, status, _o in JOIN_REQUESTS],
    ),
    "outbox": (
        ["id", "chat_id", "telegram_message_id", "official_id", "status"],
        [(i, chat, m, o, status) for i, _k, chat, o, _b, status, m in OUTBOX],
    ),
}


def _expect(connection: Connection, expected: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> None:
    for table, (columns, rows) in expected.items():
        assert _rows(connection, table, columns) == rows, table


def _after_upgrade(connection: Connection) -> None:
    assert "telegram_user_id" not in {c["name"] for c in inspect(connection).get_columns("officials")}
    _expect(connection, UPGRADED)
    linked = dict(_rows(connection, "channel_accounts", ["official_id", "linked_at"]))
    for i, _status, tg, joined, _erased in OFFICIALS:
        if tg is not None and joined is not None:
            assert _utc(linked[i]) == joined
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    assert compare_metadata(context, Base.metadata) == []


def _after_downgrade(connection: Connection) -> None:
    _expect(connection, DOWNGRADED)
    assert "channel_accounts" not in inspect(connection).get_table_names()


async def _check(database: Database, step: Any) -> None:
    async with database.engine.connect() as connection:
        await connection.run_sync(step)


async def test_every_telegram_link_survives_0008_both_ways(empty_url: str) -> None:
    await upgrade(empty_url, "0007")
    database = Database(empty_url)
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_fill)
        await database.dispose()
        await upgrade(empty_url)
        await _check(database, _after_upgrade)
        await database.dispose()
        await downgrade(empty_url, "0007")
        await _check(database, _after_downgrade)
        await database.dispose()
        await upgrade(empty_url)
        await _check(database, _after_upgrade)
        await _the_domain_reads_the_migrated_rows(database)
    finally:
        await database.dispose()


async def _the_domain_reads_the_migrated_rows(database: Database) -> None:
    """The gate finds people by their Telegram id, messages go to their account, and a broadcast's
    acknowledgement still counts only the presser's own copy (matched by chat and message id as text)."""
    async with database.unit_of_work() as session:
        lan = await find_official(session, ChannelUser.telegram(1001))
        big = await find_official(session, ChannelUser.telegram(BIG))
        assert lan is not None and lan.id == 1 and lan.unit is not None
        assert big is not None and big.id == 7
        assert await find_official(session, ChannelUser.telegram(2001)) is None
        assert await address_of(session, 7) == Address.telegram(BIG)
        assert await address_of(session, 2) is None
        others_copy = await acknowledge(
            session, actor=actor_of(lan), broadcast_id=1, at=Address.telegram(BIG), message_id="556"
        )
        forwarded = await acknowledge(
            session, actor=actor_of(lan), broadcast_id=1, at=Address.telegram(1001), message_id="999"
        )
        own = await acknowledge(
            session, actor=actor_of(lan), broadcast_id=1, at=Address.telegram(1001), message_id="555"
        )
        again = await acknowledge(
            session, actor=actor_of(big), broadcast_id=1, at=Address.telegram(BIG), message_id="556"
        )
    assert (others_copy.outcome, forwarded.outcome) == (AckOutcome.NOT_RECIPIENT, AckOutcome.NOT_RECIPIENT)
    assert (own.outcome, again.outcome) == (AckOutcome.RECORDED, AckOutcome.ALREADY)
