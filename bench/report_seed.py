"""Seeding for bench.report: a units tree, officials, one office-wide pledge, signatures and weeks of
activity (self-checks and their answers, daily reminders, weekly quizzes), written in bulk. Runs in a child
process of the benchmark, so the rows made here never count in the measured process's peak RSS."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import resource
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from compliance.pledge.signing import publish
from compliance.text import name_key
from storage.clock import local_now
from storage.engine import Database
from storage.models import AccountStatus, Base, Channel, ChannelAccount, Official, OfficialStatus, Role, Unit
from storage.models_pledge import Signature
from storage.models_practice import DailyReminder, QuizAttempt, SelfCheck, SelfCheckAnswer
from tests.pledge_files import template

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CHUNK = 5000
SECOND_LEVEL = 40
ITEMS = ("biet-1", "biet-2", "khong-1")  # tests.pledge_files.template()'s items
FIRST_USER_ID = 200_000_001
Row = dict[str, Any]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), LOCAL_TZ)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Writer:
    """Bulk rows into a table, a transaction per chunk: executemany of plain dicts on SQLite, COPY on
    PostgreSQL (asyncpg's copy_records_to_table: measured ~74k rows/s against ~56k for executemany; making
    the rows in Python is most of the time either way)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.copy = database.dialect == "postgresql"
        self.counts: dict[str, int] = {}

    async def write(self, *batches: tuple[type[Base], list[Row]]) -> None:
        async with self.database.unit_of_work() as session:
            for model, rows in batches:
                if not rows:
                    continue
                table = model.__tablename__
                self.counts[table] = self.counts.get(table, 0) + len(rows)
                if not self.copy:
                    # Core, not the ORM's bulk insert: that one splits the rows into a statement per run
                    # of rows with the same empty columns (read_at, completed_at), thousands per chunk
                    await (await session.connection()).execute(insert(Base.metadata.tables[table]), rows)
                    continue
                columns = list(rows[0])
                records = [tuple(_copy_value(row[c]) for c in columns) for row in rows]
                connection = await (await session.connection()).get_raw_connection()
                driver = connection.driver_connection
                assert driver is not None
                await driver.copy_records_to_table(table, records=records, columns=columns)


def _copy_value(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value)  # JSON columns, as asyncpg's default codec takes them: text
    if isinstance(value, Role | OfficialStatus):
        return value.value  # stored as plain strings (no native enum)
    return value


def unit_rows(count: int, now: datetime) -> list[Row]:
    """1 root, up to SECOND_LEVEL units below it, the rest spread below those; ids chosen here, so the
    materialised paths are known without reading anything back."""
    second = min(SECOND_LEVEL, count - 1)

    def row(unit_id: int, parent: int | None, path: str, depth: int, name: str) -> Row:
        return {
            "id": unit_id,
            "parent_id": parent,
            "code": f"u{unit_id}",
            "name": name,
            "name_key": name_key(name),
            "path": path,
            "depth": depth,
            "created_at": now,
        }

    rows = [row(1, None, "/1/", 0, "Văn phòng UBND tỉnh")]
    rows += [row(u, 1, f"/1/{u}/", 1, f"Sở số {u - 1}") for u in range(2, 2 + second)]
    for u in range(2 + second, count + 1):
        parent = 2 + (u - 2 - second) % second
        rows.append(row(u, parent, f"/1/{parent}/{u}/", 2, f"Phòng số {u}"))
    return rows


def status_of(i: int, units: int) -> OfficialStatus:
    """Every state a staff list holds: of each hundred officials (heads all active), 8 never joined, 2
    blocked the bot, 1 left and was erased; the rest active."""
    if i < units:
        return OfficialStatus.ACTIVE
    share = i % 100
    if share < 8:
        return OfficialStatus.INVITED
    if share < 10:
        return OfficialStatus.UNREACHABLE
    return OfficialStatus.LEFT if share == 10 else OfficialStatus.ACTIVE


def has_joined(i: int, units: int) -> bool:
    """Only those who joined have activity rows."""
    return status_of(i, units) is not OfficialStatus.INVITED


def official_rows(
    count: int, units: int, listed: datetime, erased: datetime
) -> Iterator[tuple[list[Row], list[Row]]]:
    """Official i (id i + 1) works in unit i % units + 1; the first one of every unit is its head. All on
    the list (and joined, with a Telegram account, if they did) at `listed`; those who left were erased at
    `erased`."""
    for start in range(0, count, CHUNK):
        rows = []
        accounts = []
        for i in range(start, min(start + CHUNK, count)):
            full_name = f"Nguyễn Văn Cán Bộ {i + 1}"
            status = status_of(i, units)
            joined = status is not OfficialStatus.INVITED
            rows.append(
                {
                    "id": i + 1,
                    "full_name": full_name,
                    "name_key": name_key(full_name),
                    "role": Role.HEAD if i < units else Role.OFFICIAL,
                    "status": status,
                    "locale": "vi",
                    "unit_id": i % units + 1,
                    "phone": f"+8490{i:07d}",
                    "created_at": listed,
                    "updated_at": listed,
                    "joined_at": listed if joined else None,
                    "erased_at": erased if status is OfficialStatus.LEFT else None,
                }
            )
            if joined:
                accounts.append(
                    {
                        "official_id": i + 1,
                        "channel": Channel.TELEGRAM,
                        "external_id": str(FIRST_USER_ID + i),
                        "chat_id": str(FIRST_USER_ID + i),
                        "display_name": None,
                        "linked_at": listed,
                        "status": AccountStatus.ACTIVE,
                        "last_seen_at": listed,
                    }
                )
        yield rows, accounts


def signature_rows(
    rng: random.Random, count: int, units: int, version_id: int, first_week: date
) -> Iterator[list[Row]]:
    """~70% of officials signed. The ledger's hash chain is not computed: the report reads only
    (official_id, pledge_version_id, on_behalf_of_unit, signed_at), so prev_hash/row_hash are dummy but
    unique values (the real chain would need every row hashed in order, through signing.sign)."""
    rows: list[Row] = []
    n = 0
    for i in range(count):
        if rng.random() >= 0.7 or not has_joined(i, units):
            continue
        rows.append(
            {
                "official_id": i + 1,
                "unit_id": i % units + 1,
                "pledge_version_id": version_id,
                "on_behalf_of_unit": False,
                "locale": "vi",
                "text_sha256": "0" * 64,
                "typed_name": f"Nguyễn Văn Cán Bộ {i + 1}",
                "typed_name_sha256": "0" * 64,
                "signed_at": at(first_week - timedelta(days=rng.randint(1, 20)), 9, rng.randint(0, 59)),
                "chat_id": FIRST_USER_ID + i,
                "message_id": n + 1,
                "prev_hash": f"{n:064x}",
                "row_hash": f"{n + 1:064x}",
            }
        )
        n += 1
        if len(rows) == CHUNK:
            yield rows
            rows = []
    if rows:
        yield rows


def self_check_rows(
    rng: random.Random, count: int, units: int, mondays: list[date], version_id: int
) -> Iterator[tuple[list[Row], list[Row]]]:
    """Per official per week: done ~75%, late ~10%, missed ~15%; three answers for done and late ones."""
    checks: list[Row] = []
    answers: list[Row] = []
    check_id = 0
    for monday in mondays:
        opened, deadline = at(monday, 8), at(monday + timedelta(days=4), 17)
        for i in range(count):
            if not has_joined(i, units):
                continue
            check_id += 1
            draw = rng.random()
            status = "done" if draw < 0.75 else ("late" if draw < 0.85 else "missed")
            completed = None
            if status == "done":
                completed = deadline - timedelta(hours=rng.randint(1, 80))
            elif status == "late":
                completed = deadline + timedelta(hours=rng.randint(1, 40))
            checks.append(
                {
                    "id": check_id,
                    "official_id": i + 1,
                    "week": monday,
                    "pledge_version_id": version_id,
                    "answers": {},
                    "status": status,
                    "opened_at": opened,
                    "deadline_at": deadline,
                    "completed_at": completed,
                    "updated_at": completed or deadline,
                }
            )
            if completed is not None:
                answers += [
                    {"self_check_id": check_id, "item_id": item, "score": rng.randint(0, 2)} for item in ITEMS
                ]
            if len(checks) == CHUNK:
                yield checks, answers
                checks, answers = [], []
    if checks:
        yield checks, answers


def reminder_rows(
    rng: random.Random, count: int, units: int, mondays: list[date], version_id: int
) -> Iterator[list[Row]]:
    """One reminder per official per working day (Monday to Friday), ~60% read."""
    rows: list[Row] = []
    for monday in mondays:
        for weekday in range(5):
            day = monday + timedelta(days=weekday)
            sent = at(day, 7, 30)
            read = at(day, 9)
            for i in range(count):
                if not has_joined(i, units):
                    continue
                rows.append(
                    {
                        "official_id": i + 1,
                        "day": day,
                        "kind": "item",
                        "pledge_version_id": version_id,
                        "item_id": ITEMS[(i + weekday) % len(ITEMS)],
                        "read_at": read if rng.random() < 0.6 else None,
                        "created_at": sent,
                    }
                )
                if len(rows) == CHUNK:
                    yield rows
                    rows = []
    if rows:
        yield rows


def quiz_rows(rng: random.Random, count: int, units: int, mondays: list[date]) -> Iterator[list[Row]]:
    """The weekly quiz, finished by ~70% of officials each week (5 questions, score 0-5)."""
    rows: list[Row] = []
    question_ids = {"ids": ["q1", "q2", "q3", "q4", "q5"]}
    for monday in mondays:
        started = at(monday + timedelta(days=3), 10)
        finished = started + timedelta(minutes=4)
        for i in range(count):
            if rng.random() >= 0.7 or not has_joined(i, units):
                continue
            rows.append(
                {
                    "official_id": i + 1,
                    "week": monday,
                    "practice": False,
                    "bank": "bench-1",
                    "question_ids": question_ids,
                    "score": rng.randint(0, 5),
                    "answered": 5,
                    "started_at": started,
                    "finished_at": finished,
                }
            )
            if len(rows) == CHUNK:
                yield rows
                rows = []
    if rows:
        yield rows


async def seed(url: str, officials: int, units: int, weeks: int, last_monday: date) -> None:
    database = Database(url)
    writer = Writer(database)
    rng = random.Random(42)
    mondays = [last_monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    now = local_now()
    # on the list from a month before the first week; those who left erased after the first week
    listed, erased = at(mondays[0] - timedelta(days=30), 8), at(mondays[0] + timedelta(days=7), 8)
    started = time.perf_counter()

    async def timed(label: str, step: Callable[[], Awaitable[None]]) -> None:
        before = time.perf_counter()
        await step()
        print(f"  seeded {label:<16} {time.perf_counter() - before:7.1f} s", flush=True)

    try:

        async def tree_and_people() -> None:
            await writer.write((Unit, unit_rows(units, now)))
            for rows, accounts in official_rows(officials, units, listed, erased):
                await writer.write((Official, rows), (ChannelAccount, accounts))

        await timed("units, officials", tree_and_people)
        async with database.unit_of_work() as session:
            published = await publish(
                session,
                template=template(),
                unit=None,
                material=False,
                publisher_id=None,
                now=at(mondays[0] - timedelta(days=21), 9),
            )
        assert published.version is not None
        version_id = published.version.id

        async def signatures() -> None:
            for rows in signature_rows(rng, officials, units, version_id, mondays[0]):
                await writer.write((Signature, rows))

        async def checks() -> None:
            for check_batch, answer_batch in self_check_rows(rng, officials, units, mondays, version_id):
                await writer.write((SelfCheck, check_batch), (SelfCheckAnswer, answer_batch))

        async def reminders() -> None:
            for rows in reminder_rows(rng, officials, units, mondays, version_id):
                await writer.write((DailyReminder, rows))

        async def quizzes() -> None:
            for rows in quiz_rows(rng, officials, units, mondays):
                await writer.write((QuizAttempt, rows))

        await timed("signatures", signatures)
        await timed("self-checks", checks)
        await timed("reminders", reminders)
        await timed("quizzes", quizzes)
        if database.dialect == "postgresql":
            # ids were given explicitly: move the sequences past them, then gather the planner's
            # statistics, as autovacuum would shortly after such a load. SQLite is left without
            # statistics (no sqlite_stat1), as the bot leaves it: it never runs ANALYZE or PRAGMA optimize.
            async with database.unit_of_work() as session:
                for table in ("units", "officials", "self_checks"):
                    sequence = f"pg_get_serial_sequence('{table}', 'id')"
                    highest = f"(SELECT max(id) FROM {table})"  # noqa: S608 - table names from this file
                    await session.execute(text(f"SELECT setval({sequence}, {highest})"))
            await timed("ANALYZE", lambda: _analyze(database))
    finally:
        await database.dispose()
    counts = ", ".join(f"{table} {count:,}" for table, count in writer.counts.items())
    print(f"  rows: {counts}", flush=True)
    print(
        f"seeding: {time.perf_counter() - started:.1f} s "
        f"({sum(writer.counts.values()) / (time.perf_counter() - started):,.0f} rows/s, "
        f"{'COPY' if writer.copy else 'executemany'}), "
        f"peak RSS of the seeding process {peak_rss_mb():.0f} MB",
        flush=True,
    )


async def _analyze(database: Database) -> None:
    async with database.engine.connect() as connection:
        await connection.execute(text("ANALYZE"))
        await connection.commit()


def seed_in_child(url: str, officials: int, units: int, weeks: int, last_monday: date) -> None:
    asyncio.run(seed(url, officials, units, weeks, last_monday))


async def seed_apart(url: str, officials: int, units: int, weeks: int, last_monday: date) -> float:
    """Seed in a spawned child process (it shares nothing with this one, whose peak RSS is the one a bench
    measures); the seconds it took."""
    started = time.perf_counter()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        await asyncio.get_running_loop().run_in_executor(
            pool, seed_in_child, url, officials, units, weeks, last_monday
        )
    return time.perf_counter() - started
