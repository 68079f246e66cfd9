"""Taking an update once across replicas: the claim shares the update's transaction."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.settings import normalise_database_url
from compliance.delivery.outbox import enqueue
from compliance.delivery.replicas import KEEP_PROCESSED, claim_update, forget_processed, outbox_backlog
from compliance.office.accounts import Address
from storage.engine import Database
from storage.models_replicas import ProcessedUpdate
from tests.dbs import RUN_ID
from tests.e2e.processes import ROOT

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


async def test_an_update_is_taken_once(database: Database) -> None:
    async with database.unit_of_work() as session:
        assert await claim_update(session, update_id=41, now=NOW)
        assert not await claim_update(session, update_id=41, now=NOW)
    async with database.unit_of_work() as session:
        assert not await claim_update(session, update_id=41, now=NOW)
        assert await claim_update(session, update_id=42, now=NOW)


async def test_a_failed_update_is_not_remembered(database: Database) -> None:
    try:
        async with database.unit_of_work() as session:
            assert await claim_update(session, update_id=7, now=NOW)
            raise RuntimeError("the handler failed")
    except RuntimeError:
        pass
    async with database.unit_of_work() as session:
        assert await claim_update(session, update_id=7, now=NOW)  # a retry of it is handled


async def test_a_second_replica_waits_for_the_first_and_then_skips(database: Database) -> None:
    """Two transactions race for one id (PostgreSQL; SQLite has one process): the second blocks until the
    first ends; it skips if the first committed, and takes the update if the first rolled back."""
    if database.dialect != "postgresql":
        return
    for first_commits, second_takes in ((True, False), (False, True)):
        update_id = 100 + int(first_commits)
        first = database.sessions()
        second = database.sessions()
        try:
            assert await claim_update(first, update_id=update_id, now=NOW)
            racing = asyncio.create_task(claim_update(second, update_id=update_id, now=NOW))
            done, _ = await asyncio.wait({racing}, timeout=0.5)
            assert not done  # held by the first transaction's uncommitted row
            await (first.commit() if first_commits else first.rollback())
            assert await asyncio.wait_for(racing, 10) is second_takes
            await second.commit()
        finally:
            await first.close()
            await second.close()


async def test_old_ids_are_forgotten_and_the_backlog_counts_unsent(database: Database) -> None:
    async with database.unit_of_work() as session:
        await claim_update(session, update_id=1, now=NOW - KEEP_PROCESSED - timedelta(minutes=1))
        await claim_update(session, update_id=2, now=NOW - timedelta(hours=1))
        await enqueue(
            session, dedupe_key="a", kind="join_rejected", to=Address.telegram(5), payload={"unit_name": "X"}
        )
        await enqueue(
            session, dedupe_key="b", kind="join_rejected", to=Address.telegram(6), payload={"unit_name": "X"}
        )
    async with database.unit_of_work() as session:
        assert await forget_processed(session, now=NOW) == 1
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 1
        assert await outbox_backlog(session) == 2


async def test_replicas_starting_together_upgrade_the_schema_once() -> None:
    """Three processes migrating one empty PostgreSQL database at once (replicas started together): all
    succeed, and the schema is there once. Without the advisory lock two of them fail on the race."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    admin = make_url(normalise_database_url(server)).set(drivername="postgresql")
    name = f"ckb_{RUN_ID}_race"
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        url = admin.set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": url}
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "migrate", env=env, cwd=ROOT, stderr=asyncio.subprocess.PIPE
            )
            for _ in range(3)
        ]
        errors = [(await asyncio.wait_for(p.communicate(), 120))[1].decode() for p in processes]
        assert [p.returncode for p in processes] == [0, 0, 0], errors
        database = Database(url)
        try:
            async with database.unit_of_work() as session:
                assert await claim_update(session, update_id=1, now=NOW)  # the schema is there
        finally:
            await database.dispose()
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()
