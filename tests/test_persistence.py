"""What an update costs the database when it changed nothing: PTB's persistence writes only what changed,
and on SQLite a unit of work that only read ends without a commit; drafts still survive a restart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import event, func, select

from handlers.telegram.persistence import DatabasePersistence
from storage.engine import Database
from storage.models import Official
from storage.models_pledge import ConversationState


@pytest.fixture
def statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements the database is sent while the test runs."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    yield sent
    event.remove(database.engine.sync_engine, "before_cursor_execute", record)


async def rows(database: Database) -> dict[tuple[str, str], Any]:
    async with database.unit_of_work() as session:
        found = (await session.scalars(select(ConversationState))).all()
        return {(row.kind, row.key): row.value["v"] for row in found}


async def test_drafts_survive_a_restart_and_an_emptied_draft_leaves_no_row(database: Database) -> None:
    before = DatabasePersistence(database)
    assert await before.get_user_data() == {}
    assert await before.get_conversations("signing") == {}
    await before.update_user_data(7, {"pledge": {"name": "Lan"}})
    await before.update_conversation("signing", (7, 7), 2)

    after = DatabasePersistence(database)  # the process restarted
    assert await after.get_user_data() == {7: {"pledge": {"name": "Lan"}}}
    assert await after.get_conversations("signing") == {(7, 7): 2}
    # Rows found at start are known: emptying them deletes them.
    await after.update_user_data(7, {})
    await after.update_conversation("signing", (7, 7), None)
    assert await rows(database) == {}

    again = DatabasePersistence(database)
    assert await again.get_user_data() == {}
    assert await again.get_conversations("signing") == {}


async def test_an_unchanged_empty_state_sends_no_statement(database: Database, statements: list[str]) -> None:
    persistence = DatabasePersistence(database)
    await persistence.get_user_data()
    await persistence.get_conversations("signing")
    statements.clear()

    await persistence.update_user_data(7, {})
    await persistence.update_conversation("signing", (7, 7), None)
    await persistence.drop_user_data(8)
    assert statements == []

    # A draft written and emptied again goes to the database both times, then nothing more.
    await persistence.update_user_data(7, {"broadcast": {"text": "x"}})
    await persistence.update_user_data(7, {})
    assert len(statements) > 0
    assert await rows(database) == {}
    statements.clear()
    await persistence.update_user_data(7, {})
    assert statements == []


async def test_writes_of_one_person_land_in_the_order_they_were_handed_over(database: Database) -> None:
    persistence = DatabasePersistence(database)
    await persistence.get_user_data()
    first = persistence.update_user_data(7, {"pledge": {"step": 1}})
    second = persistence.update_user_data(7, {})
    third = persistence.update_user_data(7, {"pledge": {"step": 3}})
    # Started together, as PTB's flushes of two updates may be: the newest wins.
    await first
    await second
    await third
    assert await rows(database) == {("user_data", "7"): {"pledge": {"step": 3}}}


async def test_a_persistence_not_loaded_yet_writes_as_before(database: Database) -> None:
    """Without the start-up read nothing is known, so every value goes to the database."""
    await DatabasePersistence(database).update_user_data(7, {"pledge": {"step": 1}})
    await DatabasePersistence(database).update_user_data(7, {})
    assert await rows(database) == {}


@pytest.fixture
def transaction_ends(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Commits and rollbacks that reach aiosqlite (each one a round trip through its thread)."""
    ends: Counter[str] = Counter()
    for name in ("commit", "rollback"):
        original = getattr(aiosqlite.Connection, name)

        async def counted(self: aiosqlite.Connection, _name: str = name, _original: Any = original) -> None:
            ends[_name] += 1
            await _original(self)

        monkeypatch.setattr(aiosqlite.Connection, name, counted)
    return ends


async def test_sqlite_ends_only_transactions_that_wrote(
    database: Database, transaction_ends: Counter[str]
) -> None:
    if database.dialect != "sqlite":
        pytest.skip("aiosqlite's round trips")
    async with database.unit_of_work() as session:
        await session.scalar(select(func.count()).select_from(Official))
    assert transaction_ends == Counter()

    async with database.unit_of_work() as session:
        session.add(ConversationState(kind="user_data", key="7", value={"v": {"a": 1}}))
        await session.flush()
        assert session.in_transaction()
    assert transaction_ends["commit"] == 1
    assert await rows(database) == {("user_data", "7"): {"a": 1}}

    with pytest.raises(RuntimeError):
        async with database.unit_of_work() as session:
            await session.delete(await session.scalar(select(ConversationState)))
            await session.flush()
            raise RuntimeError("a handler failed after writing")
    assert transaction_ends["rollback"] == 1
    assert await rows(database) == {("user_data", "7"): {"a": 1}}
