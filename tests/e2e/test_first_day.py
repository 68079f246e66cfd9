"""The first day of an office: the admin's checklist, a first version signed (not re-signed), a sample
template published only after its warning is confirmed, in the chat and on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.cli import main
from compliance.office.staff_import import import_staff
from compliance.pledge.templates import shipped_templates
from handlers.i18n import _, use_locale
from storage.models_pledge import PledgeVersion
from tests.factories import FakeUser, buttons, document, message, press
from tests.harness import BotHarness
from tests.pledge_files import template_yaml
from tests.staff_files import OFFICE, xlsx_bytes

ADMIN = BotHarness.ADMIN
LAN = FakeUser(4101, "Lan", "Nguyễn", "vi")


async def _answer_to(harness: BotHarness, user: FakeUser, shown: dict[str, Any], data: str) -> str:
    """The text of the answer to a press (an alert when refused)."""
    calls = len(harness.server.calls)
    await harness.server.inject(press(user, shown, data))
    answer = await harness.server.wait_for(
        lambda: next((c for c in harness.server.calls[calls:] if c.method == "answerCallbackQuery"), None)
    )
    return str(answer.params.get("text") or "")


async def _versions(harness: BotHarness) -> int:
    async with harness.database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(PledgeVersion)) or 0)


async def test_the_first_day_from_a_staff_list_to_a_first_signature_request(harness: BotHarness) -> None:
    async with harness.database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
    start = await harness.say(ADMIN, "/start")
    with use_locale("vi"):
        assert _("<b>Getting the office started</b>") in start["text"]
        assert "✅ " + _("Staff list: {n} officials on it.").format(n=5) in start["text"]
        nothing = _(
            "Pledge: nothing published yet, so nobody can sign. Send the pledge as a .yaml file "
            "(adapt a sample from content/pledges first); /admin → “Publish a pledge” says how."
        )
        assert "⬜ " + nothing in start["text"]
        assert (
            "⬜ " + _("Unit heads: {joined} of {total} have joined.").format(joined=0, total=2)
            in start["text"]
        )
        assert (
            "⬜ " + _("Unit groups: none linked. Add me to a unit's group and send /linkgroup there.")
            in (start["text"])
        )
    await harness.join(LAN, "0912000004")
    not_yet = await harness.say(LAN, "/pledge")
    with use_locale("vi"):
        assert not_yet["text"] == _("No pledge has been published for your unit yet.")

    # A sample: a warning, and no publish button until the admin confirms it.
    sample = harness.server.add_file("thu-1.yaml", template_yaml(sample=True))
    preview = await harness.send(document(ADMIN, sample), to_chat=ADMIN.id)
    with use_locale("vi"):
        warning = _(
            "⚠️ <b>This is a sample template</b>, to be adapted to your office (its name, its items, the "
            "decision it implements) before officials sign it. Publish it as it is only for a trial."
        )
        assert warning in preview["text"]
        assert (
            _(
                "No pledge has been published yet: this will be the office's first, and every official "
                "will be asked to sign it."
            )
            in preview["text"]
        )
        assert (
            _(
                "Compared with the current version, this looks like a <b>material change</b> "
                "(everyone re-signs)."
            )
            not in preview["text"]
        )
    assert {b["callback_data"] for b in buttons(preview)} == {"pv:s", "pv:x"}
    # Publishing without the confirmation (a forged press) is refused, and nothing is published.
    refused = await harness.send(press(ADMIN, preview, "pv:m"), to_chat=ADMIN.id)
    with use_locale("vi"):
        assert refused["text"] == _("This template is a sample: send it again and confirm the warning.")
    assert await _versions(harness) == 0
    preview = await harness.send(document(ADMIN, sample), to_chat=ADMIN.id)
    confirmed = await harness.send(press(ADMIN, preview, "pv:s"), to_chat=ADMIN.id)
    assert confirmed["_method"] == "editMessageReplyMarkup"
    assert {b["callback_data"] for b in buttons(confirmed)} == {"pv:m", "pv:x"}
    done = await harness.send(press(ADMIN, confirmed, "pv:m"), to_chat=ADMIN.id)
    with use_locale("vi"):
        assert done["text"] == _("Published. {n} officials will be asked to sign it.").format(n=2)
        asked = _("The office has published the pledge <b>{title}</b>. Please read it and sign it: /pledge")
    # Lan is asked to sign for the first time, not to sign "again".
    await harness.server.wait_for(
        lambda: asked.format(title="Cam kết thử nghiệm") in harness.server.texts_to(LAN.id)
    )
    before = len(harness.server.sent[ADMIN.id])
    await harness.server.inject(message(ADMIN, "/admin"))
    with use_locale("vi"):
        published = "✅ " + _("Pledge: published.")
    await harness.server.wait_for(
        lambda: any(published in t for t in harness.server.texts_to(ADMIN.id)[before:])
    )


def test_the_cli_publishes_a_sample_only_with_yes_sample(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = tmp_path / "thu-1.yaml"
    sample.write_bytes(template_yaml(sample=True))
    assert main(["pledge", "publish", str(sample)]) == 2  # no terminal to ask on: refused
    refused = capsys.readouterr()
    assert "--yes-sample" in refused.err and "sample" in refused.err
    assert main(["pledge", "list"]) == 0
    assert "thu-1" not in capsys.readouterr().out
    assert main(["pledge", "publish", str(sample), "--yes-sample"]) == 0
    with use_locale("vi"):
        first = _("Published {label}, the first version; {n} officials asked to sign it.").format(
            label="thu-1", n=0
        )
    assert first in capsys.readouterr().out


def test_the_shipped_samples_are_marked() -> None:
    marked = {t.code: t.sample for t in shipped_templates()}
    # The commune's "6 biết, 5 không, 3 thể hiện" is a sample to adapt; "4 xin, 4 luôn" is the national
    # standard of Decision 1847/QĐ-TTg and "5 không" Hà Nội's letter 5354/UBND-NC, used as they are.
    assert marked == {"6b5k3th": True, "4xin4luon": False, "5khong": False}
