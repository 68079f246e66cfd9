"""Start-up: settings validated with one clear line, the CLI's commands, and no traceback without a token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import SettingsError, load_settings
from compliance.office.staff_import import RowError, RowProblem
from handlers.i18n import _, use_locale
from handlers.views.staff import row_error_text
from tests.staff_files import OFFICE, xlsx_bytes

ROOT = Path(__file__).resolve().parent.parent
GOOD_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "BOT_TOKEN",
        "DATABASE_URL",
        "TELEGRAM_API_URL",
        "ADMIN_IDS",
        "DEFAULT_LOCALE",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "LOG_LEVEL",
        "PUBLIC_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's is read


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOT_TOKEN", "not-a-token"),
        ("DEFAULT_LOCALE", "fr"),
        ("TELEGRAM_API_URL", "not a url"),
        ("DATABASE_URL", "mysql://x/y"),
        ("ADMIN_IDS", "12,abc"),
        ("WEBHOOK_SECRET", "has spaces in it"),
        ("PUBLIC_URL", "ftp://camket.gov.vn"),
        ("PUBLIC_URL", "camket.gov.vn"),
        ("PUBLIC_URL", "https://camket.gov.vn/camket"),  # the pages are served at the root
        ("PUBLIC_URL", "https://camket.gov.vn/?a=1"),
    ],
)
def test_an_invalid_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"Invalid setting {variable}:")
    assert "\n" not in str(caught.value)


def test_values_are_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/camket")
    monkeypatch.setenv("ADMIN_IDS", " 11, 22 ")
    monkeypatch.setenv("DEFAULT_LOCALE", "EN")
    settings = load_settings()
    assert settings.database_url == "postgresql+asyncpg://u@db:5432/camket"
    assert settings.admin_ids == frozenset({11, 22}) and settings.default_locale == "en"
    assert settings.api_root == "https://api.telegram.org"
    assert settings.public_url == "http://127.0.0.1:8080"
    monkeypatch.setenv("PUBLIC_URL", " https://camket.gov.vn/ ")
    assert load_settings().public_url == "https://camket.gov.vn"  # links append /signin/…
    assert GOOD_TOKEN not in repr(settings)


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_run_without_a_token_says_how_to_get_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/bot.db"
    result = run_cli("run", env=env, cwd=ROOT)
    assert result.returncode == 2
    assert "@BotFather" in result.stderr and "Traceback" not in result.stderr


def test_help_lists_every_command(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = run_cli("--help", env=env, cwd=ROOT)
    assert result.returncode == 0
    for command in ("run", "migrate", "import-staff", "demo-data"):
        assert command in result.stdout


def test_import_staff_dry_run_then_real(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes([*OFFICE, ["", "", "Sở GTVT", "0912 000 099", "", ""]]))
    assert main(["import-staff", str(bad), "--dry-run"]) == 1
    out = capsys.readouterr().out
    with use_locale("vi"):
        assert row_error_text(RowError(7, RowProblem.MISSING_NAME)) in out.splitlines()
        assert _("Dry run: nothing was changed.") in out
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_bytes(OFFICE))
    assert main(["import-staff", str(good), "--dry-run"]) == 0
    assert main(["import-staff", str(good)]) == 0
    assert main(["import-staff", str(good)]) == 0
    lines = capsys.readouterr().out.splitlines()
    with use_locale("vi"):
        done = _("Import done: {created} new officials, {updated} updated.")
        assert lines[-1] == done.format(created=0, updated=5)
        assert done.format(created=5, updated=0) in lines


def test_demo_data_is_idempotent(
    monkeypatch: pytest.MonkeyPatch, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["demo-data"]) == 0
    assert main(["demo-data"]) == 0
    first, second = capsys.readouterr().out.strip().splitlines()
    with use_locale("vi"):
        ready = _("Demo office ready: {created} new officials, {updated} updated.")
        assert (first, second) == (ready.format(created=40, updated=0), ready.format(created=0, updated=40))


def test_a_backup_into_a_missing_folder_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'camket.db'}")
    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(["backup", "/nonexistent/dir/b.db"]) == 2
    captured = capsys.readouterr()
    with use_locale("vi"):
        expected = _("cannot write to {folder}: no such folder").format(folder="/nonexistent/dir")
    assert captured.err.strip() == expected and captured.out == ""


def test_an_empty_pledge_list_says_how_to_publish_and_alembic_stays_quiet(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    assert main(["pledge", "list"]) == 0
    captured = capsys.readouterr()
    assert captured.out == (
        "No pledge version published yet. Publish one with: python -m bot pledge publish FILE\n"
    )
    assert "alembic" not in captured.err and "Context impl" not in captured.err  # INFO is the default
