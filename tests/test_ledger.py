"""The ledger checks what it shows: a stored name against its hash, and a receipt's code against the chain,
in the domain, on the command line and with /verify."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.cli import main
from compliance.pledge import ledger
from handlers.i18n import _, use_locale
from handlers.views.verify import code_report
from storage.engine import Database
from storage.models_pledge import Signature
from tests.harness import BotHarness


async def _rows(office: Database) -> list[Signature]:
    async with office.unit_of_work() as session:
        return list((await session.scalars(select(Signature).order_by(Signature.id))).all())


async def _sql(office: Database, statement: str) -> None:
    async with office.engine.begin() as connection:
        await connection.execute(text(statement))


async def test_an_edited_name_breaks_verification_and_an_erased_one_does_not(office: Database) -> None:
    _first, second = await _rows(office)
    await _sql(office, f"UPDATE signatures SET typed_name = 'Nguyễn Thị Lân' WHERE id = {second.id}")
    async with office.unit_of_work() as session:
        assert await ledger.verify(session) == ledger.Verification(
            False, 1, second.id, "name_changed", "typed_name"
        )
    # Erasing a person's data leaves no name to compare: the chain and its digests still hold.
    await _sql(office, f"UPDATE signatures SET typed_name = NULL WHERE id = {second.id}")
    async with office.unit_of_work() as session:
        assert await ledger.verify(session) == ledger.Verification(True, 2)


async def test_the_command_line_names_the_row_and_the_field(
    office: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", office.url)
    first, _second = await _rows(office)
    await _sql(office, f"UPDATE signatures SET typed_name = 'Người Khác' WHERE id = {first.id}")
    assert await asyncio.to_thread(main, ["ledger", "verify"]) == 1
    with use_locale("vi"):
        reason = _("the stored {field} does not match its hash").format(field=_("name typed when signing"))
        expected = _("BROKEN at signature {row}: {reason} ({n} rows before it are intact).").format(
            row=first.id, reason=reason, n=0
        )
    assert capsys.readouterr().out.strip() == expected


def test_codes_are_read_however_they_are_typed() -> None:
    row_hash = "3f9a2c71b0" + "e" * 54
    assert ledger.verification_code(row_hash) == "3F9A2-C71B0"
    for typed in ("3F9A2-C71B0", "3f9a2 c71b0", " 3F9A2C71B0 "):
        assert ledger.code_prefix(typed) == "3f9a2c71b0"
    assert ledger.code_prefix(row_hash.upper()) == row_hash  # the whole hash names its row too
    for not_a_code in ("", "3F9A2", "3F9A2-C71BZ", "xin chào", "/verify"):
        assert ledger.code_prefix(not_a_code) is None


async def test_a_receipts_code_finds_its_signature_and_the_state_of_the_chain(office: Database) -> None:
    first, second = await _rows(office)
    code = ledger.verification_code(second.row_hash)
    async with office.unit_of_work() as session:
        check = await ledger.check_code(session, code.lower().replace("-", " "))
        with use_locale("en"):
            lines, status = await code_report(session, code)
        unknown = await ledger.check_code(session, "00000-00000")
        not_code = await ledger.check_code(session, "hello")
    assert check is not None and check.signature is not None and check.signature.id == second.id
    assert (check.matches, check.row_problem, check.chain) == (1, None, ledger.Verification(True, 2))
    assert status == 0 and "Lê Thị Hoa" in lines[0]
    assert lines[1:] == ["✔ The signature matches its hashes.", "✔ The chain of 2 signatures is intact."]
    assert unknown == ledger.CodeCheck(None, 0) and not_code is None

    # The first row's name edited: the second row still matches itself, but the chain is reported broken.
    await _sql(office, f"UPDATE signatures SET typed_name = 'Người Khác' WHERE id = {first.id}")
    async with office.unit_of_work() as session:
        check = await ledger.check_code(session, code)
        lines, status = await code_report(session, code)
        own = await ledger.check_code(session, ledger.verification_code(first.row_hash))
    assert check is not None and check.row_problem is None and check.chain is not None
    assert (check.chain.ok, check.chain.bad_row, check.chain.field) == (False, first.id, "typed_name")
    assert own is not None and own.row_problem == ("name_changed", "typed_name")
    assert status == 1 and lines[-1].startswith("✖")


async def test_verify_by_code_on_the_command_line(
    office: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", office.url)
    _first, second = await _rows(office)
    code = ledger.verification_code(second.row_hash)
    assert await asyncio.to_thread(main, ["ledger", "verify", "--code", code]) == 0
    out = capsys.readouterr().out
    with use_locale("vi"):
        assert code in out and _("✔ The chain of {n} signatures is intact.").format(n=2) in out
    assert await asyncio.to_thread(main, ["ledger", "verify", "--code", "ABCDE-12345"]) == 1
    assert await asyncio.to_thread(main, ["ledger", "verify", "--code", "nope"]) == 2
    unknown, not_code = capsys.readouterr().out.strip().splitlines()
    with use_locale("vi"):
        assert unknown == _("No signature has the code {code}.").format(code="ABCDE-12345")
        assert not_code.startswith("nope")


async def test_verify_in_the_chat(office: Database, harness: BotHarness) -> None:
    first, second = await _rows(office)
    admin = BotHarness.ADMIN
    code = ledger.verification_code(second.row_hash)
    with use_locale("vi"):
        usage = _("Send {command} with the code printed on the receipt, for example {command} {example}.")
        holds = [_("✔ The signature matches its hashes."), _("✔ The chain of {n} signatures is intact.")]
    assert (await harness.say(admin, "/verify"))["text"] == usage.format(
        command="/verify", example="3F9A2-C71B0"
    )
    answer = (await harness.say(admin, f"/verify {code.lower()}"))["text"]
    assert code in answer and "Lê Thị Hoa" in answer
    assert answer.splitlines()[1:] == [holds[0], holds[1].format(n=2)]
    # Someone edits the first signer's name in the database: her own code now says so.
    await _sql(office, f"UPDATE signatures SET typed_name = 'Người Khác' WHERE id = {first.id}")
    answer = (await harness.say(admin, f"/verify {ledger.verification_code(first.row_hash)}"))["text"]
    with use_locale("vi"):
        field = _("name typed when signing")
    assert answer.count("✖") == 2 and field in answer and "typed_name" not in answer
