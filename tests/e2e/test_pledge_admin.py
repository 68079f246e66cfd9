"""Publishing by sending the YAML, a ceremony in a unit's group, and the pledge and ledger CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from compliance.office.staff_import import import_staff
from compliance.pledge import signing as pledges
from handlers.i18n import _, use_locale
from handlers.telegram.ceremony import refresh_once
from storage.models_pledge import PledgeVersion
from tests.e2e.test_signing import HOA, HUY, LAN, sign
from tests.factories import FakeUser, buttons, document, message, press
from tests.harness import BotHarness
from tests.pledge_files import template, template_yaml
from tests.staff_files import OFFICE, xlsx_bytes

GROUP_ID = -100777
GROUP: dict[str, Any] = {"id": GROUP_ID, "type": "supergroup", "title": "Văn phòng Sở"}


async def test_an_admin_publishes_by_sending_the_yaml(harness: BotHarness) -> None:
    admin = BotHarness.ADMIN
    meta = harness.server.add_file("thu-1.yaml", template_yaml())
    preview = await harness.send(document(admin, meta), to_chat=admin.id)
    # Nothing was published before: a first version is signed, there is no wording to fix.
    assert "thu-1" in preview["text"] and {b["callback_data"] for b in buttons(preview)} == {"pv:m", "pv:x"}
    done = await harness.send(press(admin, preview, "pv:m"), to_chat=admin.id)
    with use_locale("vi"):
        assert done["text"] == _("Published. {n} officials will be asked to sign it.").format(n=1)
        asked = _("The office has published the pledge <b>{title}</b>. Please read it and sign it: /pledge")
        again = _("Published. {n} officials will be asked to sign it again.").format(n=1)
    texts = harness.server.texts_to
    await harness.server.wait_for(lambda: asked.format(title="Cam kết thử nghiệm") in texts(admin.id))
    second = harness.server.add_file("thu-2.yaml", template_yaml(version=2, items=3))
    preview = await harness.send(document(admin, second), to_chat=admin.id)
    assert {b["callback_data"] for b in buttons(preview)} == {"pv:m", "pv:w", "pv:x"}
    await harness.server.inject(press(admin, preview, "pv:m"))
    await harness.server.wait_for(lambda: again in texts(admin.id))
    broken = harness.server.add_file("thu-2.yaml", template_yaml().replace(b"version: 1", b"version: 3"))
    refused = await harness.send(document(admin, broken), to_chat=admin.id)
    assert "thu-3.yaml" in refused["text"]  # the file's name does not match its code and version
    # An official's button press on a stale or forged preview changes nothing.
    async with harness.database.unit_of_work() as session:
        assert len((await session.scalars(select(PledgeVersion))).all()) == 2


async def test_a_ceremony_counts_signatures_in_the_group(harness: BotHarness) -> None:
    async with harness.database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        await pledges.publish(session, template=template(), unit=None, material=False, publisher_id=None)
    chau = FakeUser(5003, "Châu", "Phạm", "vi")
    for user, phone in ((LAN, "0912000004"), (HUY, "0912000005"), (HOA, "0912000002"), (chau, "0912000003")):
        await harness.join(user, phone)
    harness.server.known_chats.add(GROUP_ID)
    posted = await harness.send(message(HOA, "/ceremony", chat=GROUP), to_chat=GROUP_ID)
    assert "0/2" in posted["text"]  # Văn phòng: Hoa and Châu
    link = next(b for b in buttons(posted) if "url" in b)
    assert link["url"].endswith("?start=sign")
    await sign(harness, chau, "Phạm Minh Châu")
    assert harness.app is not None
    assert await refresh_once(harness.app.bot, harness.database, "vi") == 1
    assert await refresh_once(harness.app.bot, harness.database, "vi") == 0  # unchanged: no edit
    edited = harness.server.sent[GROUP_ID][-1]
    assert edited["_method"] == "editMessageText" and "1/2" in edited["text"]
    # Lan (an official of another unit) cannot close it; Hoa can, and the totals carry no names.
    closing = next(b for b in buttons(edited) if b.get("callback_data", "").startswith("cer:end:"))
    refused_before = len(harness.server.calls)
    await harness.server.inject(press(LAN, edited, closing["callback_data"]))
    await harness.server.wait_for(
        lambda: any(c.method == "answerCallbackQuery" for c in harness.server.calls[refused_before:])
    )
    assert harness.server.sent[GROUP_ID][-1] is edited  # nothing changed
    closed = await harness.send(press(HOA, edited, closing["callback_data"]), to_chat=GROUP_ID)
    assert "1/2" in closed["text"] and "Phạm Minh Châu" not in closed["text"]


def test_cli_publish_list_show_and_verify(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "thu-1.yaml"
    first.write_bytes(template_yaml())
    second = tmp_path / "thu-2.yaml"
    second.write_bytes(template_yaml(version=2, items=3))
    assert main(["pledge", "publish", str(first)]) == 0
    assert main(["pledge", "publish", str(second)]) == 0
    assert main(["pledge", "list"]) == 0
    assert main(["pledge", "show", "thu-2", "--diff", "thu-1"]) == 0
    assert main(["ledger", "verify"]) == 0
    export = tmp_path / "ledger.csv"
    assert main(["ledger", "export", str(export)]) == 0
    out = capsys.readouterr().out
    assert "+3. Biết lắng nghe số 3." in out and "-(thu-1)" not in out
    assert out.count("thu-") >= 3
    assert export.read_text().startswith("id,official_id,")
    bad = tmp_path / "thu-9.yaml"
    bad.write_bytes(b"code: thu\nversion: 9\nsections: []\n")
    assert main(["pledge", "publish", str(bad)]) == 1
    assert capsys.readouterr().err == "thu-9.yaml: thiếu khóa “effective”\n"
