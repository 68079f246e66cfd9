"""python -m bot poster UNIT [--desk NAME] [--out FILE]: the point made once (audited, by the command line),
the same point's poster on the next run, the PDF's words and address read back; an unknown unit refused."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.cli import main
from storage.engine import Database
from storage.models import Unit
from storage.models_broadcast import AuditEntry
from storage.models_feedback import ReceptionPoint
from tests.web_admin_office import populate

PUBLIC = "https://camket.example.gov.vn"


async def _cli(argv: list[str]) -> int:
    """main() runs its own event loop: in a worker thread, beside the test's."""
    return await asyncio.to_thread(main, argv)


async def test_the_poster_command_makes_the_point_once_and_writes_its_poster(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("PUBLIC_URL", PUBLIC)
    database = Database(cli_database)
    try:
        await populate(database)
        async with database.unit_of_work() as session:
            code = await session.scalar(select(Unit.code).where(Unit.name == "Phòng Quản lý vận tải"))
        assert code is not None
        first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
        assert await _cli(["poster", code, "--desk", "Quầy 1", "--out", str(first)]) == 0
        assert await _cli(["poster", code.upper(), "--desk", "Quầy  1", "--out", str(second)]) == 0
        async with database.unit_of_work() as session:
            (point,) = (await session.scalars(select(ReceptionPoint))).all()
            actions = (
                await session.execute(
                    select(AuditEntry.action, AuditEntry.actor_label).where(
                        AuditEntry.action.startswith("feedback")
                    )
                )
            ).all()
        assert point.desk == "Quầy 1" and point.active
        assert [tuple(row) for row in actions] == [("feedback.point.create", "cli")]
        out = capsys.readouterr().out
        assert out.count(f"{PUBLIC}/r/{point.code}") == 2 and out.count(point.code) == 3  # "new" said once
        for path in (first, second):
            text = PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text()
            for expected in (
                "SỞ GTVT",
                "Phòng Quản lý vận tải",
                "Quầy 1",
                f"camket.example.gov.vn/r/{point.code}",
            ):
                assert expected in text, expected
        assert await _cli(["poster", "no-such-unit"]) == 1
        assert "no-such-unit" in capsys.readouterr().err
    finally:
        await database.dispose()
