from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine

from handlers.i18n import load_catalogs
from storage.engine import Database
from tests import child_clock
from tests.dbs import PostgresDatabases, SqliteDatabases, engines
from tests.harness import BotHarness

# The small office with known people and activity, for every test that needs a populated office.
from tests.test_reports import office  # noqa: F401


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--now",
        metavar="ISO",
        help="run every test as if it started at this instant (e.g. 2027-02-05T16:00+07:00): the date "
        "bombs' pass of the test command; the clock keeps running from there",
    )


@pytest.fixture(autouse=True)
def _start_of_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """With --now, each test starts at that instant: the process's clock reads the system's time, and so
    do the libraries and the tests' own date arithmetic, so all of them travel together."""
    instant = request.config.getoption("--now")
    if not instant:
        yield
        return
    moment = datetime.fromisoformat(instant)
    if moment.tzinfo is None:
        raise pytest.UsageError("--now needs a UTC offset, e.g. 2027-02-05T16:00+07:00")
    with time_machine.travel(moment, tick=True):
        child_clock.travelling = True
        try:
            yield
        finally:
            child_clock.travelling = False


@pytest.fixture(scope="session", autouse=True)
def _catalogs() -> None:
    load_catalogs()


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI sets up logging on the root logger; put it back so no handler outlives its stream."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> SqliteDatabases:
    return SqliteDatabases(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases | None]:
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield None
        return
    databases = PostgresDatabases(server)
    yield databases
    databases.close()


@pytest.fixture(params=engines())
def database_url(
    request: pytest.FixtureRequest,
    sqlite_databases: SqliteDatabases,
    postgres_databases: PostgresDatabases | None,
) -> Iterator[str]:
    factory = sqlite_databases if request.param == "sqlite" else postgres_databases
    assert factory is not None
    url = factory.new()
    yield url
    factory.drop(url)


@pytest.fixture
def cli_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> None:
    """`python -m bot …` in-process against the test's database, with none of the developer's settings."""
    for name in ("BOT_TOKEN", "TELEGRAM_API_URL", "ADMIN_IDS", "DEFAULT_LOCALE", "WEBHOOK_URL", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's is read
    monkeypatch.setenv("DATABASE_URL", database_url)


@pytest.fixture
def cli_database(cli_environment: None, database_url: str) -> str:
    """The command line's environment, for tests that also want the database's address."""
    return database_url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
async def harness(database: Database, tmp_path: Path) -> AsyncIterator[BotHarness]:
    bot = BotHarness(database, admin_ids=frozenset({BotHarness.ADMIN.id}))
    await bot.start()
    yield bot
    await bot.stop()
