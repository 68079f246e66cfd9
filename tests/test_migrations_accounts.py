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
from tests.dbs import PostgresDatabases, SqliteDatabases, engines

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


@pytest.fixture(params=engines())
def empty_url(
    request: pytest.FixtureRequest,
    sqlite_databases: SqliteDatabases,
    postgres_databases: PostgresDatabases | None,
) -> Iterator[str]:
    factory = sqlite_databases if request.param == "sqlite" else postgres_databases
    assert factory is not None
    url = factory.empty()
    yield url
    factory.drop(url)


def _tables(connection: Connection) -> dict[str, Table]:
    metadata = MetaData()
    metadata.reflect(connection)
    return dict(metadata.tables)


def _fill(connection: Connection) -> None:
    t = _tables(connection)
    now = JOINED
    connection.execute(
        t["units"].insert(),
        [
            {
                "id": 1,
                "code": "vp",
                "name": "Văn phòng",
                "name_key": "văn phòng",
                "path": "/1/",
                "depth": 0,
                "created_at": now,
            }
        ],
    )
    connection.execute(
        t["officials"].insert(),
        [
            {
                "id": i,
                "full_name": "—" if erased else f"Cán bộ {i}",
                "name_key": f"cán bộ {i}",
                "unit_id": 1,
                "role": "admin" if i == 7 else "official",
                "status": status,
                "telegram_user_id": tg,
                "created_at": now,
                "updated_at": now,
                "joined_at": joined,
                "erased_at": erased,
            }
            for i, status, tg, joined, erased in OFFICIALS
        ],
    )
    connection.execute(
        t["invites"].insert(),
        [
            {
                "id": 1,
                "code": "abc",
                "unit_id": 1,
                "created_by_id": 7,
                "expires_at": now + timedelta(days=7),
                "max_uses": 10,
                "uses": 5,
                "revoked": False,
                "created_at": now,
            }
        ],
    )
    connection.execute(
        t["join_requests"].insert(),
        [
            {
                "id": i,
                "invite_id": 1,
                "unit_id": 1,
                "telegram_user_id": tg,
                "telegram_name": name,
                "full_name": None,
                "locale": "vi",
                "status": status,
                "official_id": official,
                "created_at": now,
            }
            for i, tg, name, status, official in JOIN_REQUESTS
        ],
    )
    connection.execute(
        t["broadcasts"].insert(),
        [
            {
                "id": 1,
                "created_by_id": 7,
                "text": "Họp lúc 9h",
                "target": {"all": True},
                "requires_ack": True,
                "send_at": now,
                "status": "sending",
                "total": 5,
                "progress_chat_id": BIG,
                "progress_message_id": 9,
                "created_at": now,
            }
        ],
    )
    connection.execute(
        t["outbox"].insert(),
        [
            {
                "id": i,
                "dedupe_key": f"k{i}",
                "kind": kind,
                "chat_id": chat,
                "official_id": official,
                "broadcast_id": broadcast,
                "payload": {"b": broadcast} if broadcast else {},
                "status": status,
                "not_before": now,
                "lease_until": now + timedelta(seconds=30) if status == "sending" else None,
                "attempts": 1,
                "last_error": "400 chat not found" if status == "failed" else None,
                "sent_at": now if status == "sent" else None,
                "telegram_message_id": message,
                "created_at": now,
            }
            for i, kind, chat, official, broadcast, status, message in OUTBOX
        ],
    )
    connection.execute(t["broadcast_acks"].insert(), [{"broadcast_id": 1, "official_id": 7, "acked_at": now}])


def _rows(connection: Connection, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    t = _tables(connection)[table]
    query = select(*(t.c[c] for c in columns)).order_by(t.c[columns[0]])
    return [tuple(row) for row in connection.execute(query)]


def _utc(value: datetime) -> datetime:
    # Reflected columns: SQLite gives the stored naive UTC, PostgreSQL an aware time.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _after_upgrade(connection: Connection) -> None:
    assert "telegram_user_id" not in {c["name"] for c in inspect(connection).get_columns("officials")}
    # One account per former Telegram id, blocked where the person had blocked the bot.
    accounts = _rows(
        connection,
        "channel_accounts",
        ["official_id", "channel", "external_id", "chat_id", "display_name", "status"],
    )
    assert accounts == [
        (i, "telegram", str(tg), str(tg), None, "blocked" if status == "unreachable" else "active")
        for i, status, tg, _joined, _erased in OFFICIALS
        if tg is not None
    ]
    linked = dict(_rows(connection, "channel_accounts", ["official_id", "linked_at"]))
    for i, _status, tg, joined, _erased in OFFICIALS:
        if tg is not None and joined is not None:
            assert _utc(linked[i]) == joined
    requests = _rows(connection, "join_requests", ["id", "channel", "external_id", "display_name", "status"])
    assert requests == [(i, "telegram", str(tg), name, status) for i, tg, name, status, _o in JOIN_REQUESTS]
    outbox = _rows(
        connection, "outbox", ["id", "channel", "address", "channel_message_id", "official_id", "status"]
    )
    assert outbox == [
        (i, "telegram", str(chat), None if message is None else str(message), official, status)
        for i, _kind, chat, official, _b, status, message in OUTBOX
    ]
    assert _rows(connection, "broadcast_acks", ["official_id", "broadcast_id"]) == [(7, 1)]
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    assert compare_metadata(context, Base.metadata) == []


def _after_downgrade(connection: Connection) -> None:
    officials = _rows(connection, "officials", ["id", "telegram_user_id", "status"])
    assert officials == [(i, tg, status) for i, status, tg, _j, _e in OFFICIALS]
    requests = _rows(connection, "join_requests", ["id", "telegram_user_id", "telegram_name", "status"])
    assert requests == [(i, tg, name, status) for i, tg, name, status, _o in JOIN_REQUESTS]
    outbox = _rows(connection, "outbox", ["id", "chat_id", "telegram_message_id", "official_id", "status"])
    assert outbox == [
        (i, chat, message, official, status) for i, _k, chat, official, _b, status, message in OUTBOX
    ]
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
