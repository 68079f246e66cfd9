"""Pledge versions on the web: preview as signers see it, publish, the sample's confirmation."""

from __future__ import annotations

import html

import yaml
from sqlalchemy import func, select

from compliance.pledge import signing as pledges
from storage.engine import Database
from storage.models import Unit
from storage.models_pledge import PledgeVersion
from tests.pledge_files import template_document, template_yaml
from tests.web_admin_office import populate, signed_in_as
from tests.web_client import csrf_of, sign_in, web_client

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


def _hidden(page: str, name: str) -> str:
    marker = f'name="{name}" value="'
    return html.unescape(page.split(marker, 1)[1].split('"', 1)[0])


async def _versions(database: Database) -> int:
    async with database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(PledgeVersion)) or 0)


async def test_an_upload_is_previewed_then_published_and_signers_get_it(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        listing = await client.get("/admin/pledges")
        token = csrf_of(listing)
        preview = await client.post(
            "/admin/pledges/preview",
            data={"csrf": token},
            files={"file": ("thu-1.yaml", template_yaml(items=3), "application/yaml")},
        )
        assert preview.status_code == 200
        # Every section and item, numbered as the chat shows them to signers.
        assert "Những điều biết" in preview.text and "3. Biết lắng nghe số 3." in preview.text
        assert "4. Không hách dịch." in preview.text
        assert 'name="mode" value="wording"' not in preview.text  # a first version: everyone signs
        assert await _versions(database) == 0
        form = {"csrf": token, "name": _hidden(preview.text, "name"), "yaml": _hidden(preview.text, "yaml")}
        done = await client.post("/admin/pledges/publish", data={**form, "mode": "material"})
        assert done.status_code == 200
        again = await client.post("/admin/pledges/publish", data={**form, "mode": "material"})
        assert again.status_code == 409
        listed = await client.get("/admin/pledges")
        assert "thu-1" in listed.text
        second = await client.post(
            "/admin/pledges/preview",
            data={"csrf": token},
            files={"file": ("thu-2.yaml", template_yaml(version=2, items=3), "application/yaml")},
        )
        assert 'name="mode" value="wording" checked' in second.text  # same items: a wording fix is offered
        form = {"csrf": token, "name": "thu-2.yaml", "yaml": _hidden(second.text, "yaml")}
        assert (
            await client.post("/admin/pledges/publish", data={**form, "mode": "wording"})
        ).status_code == 200
    async with database.unit_of_work() as session:
        unit = await session.scalar(select(Unit).where(Unit.name == "Văn phòng"))
        current = await pledges.current_version(session, unit)
        assert current is not None and current.label == "thu-2" and not current.material
    async with web_client(database) as lan:
        await sign_in(lan, database, people["Nguyễn Thị Lan"])
        shown = await lan.get("/pledge")
        if shown.status_code == 200:  # the official's pages are another helper's: checked when present
            assert "Biết lắng nghe số 1." in shown.text


async def test_bad_templates_and_forged_forms_are_refused_and_publish_nothing(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/pledges"))
        cases = [
            ("other-name.yaml", template_yaml()),  # the name must be CODE-VERSION.yaml
            ("thu-1.yaml", b"code: [unclosed"),
            ("thu-1.yaml", "code: thu\n".encode("utf-16")),
            ("thu-1.txt", template_yaml()),
        ]
        for name, content in cases:
            refused = await client.post(
                "/admin/pledges/preview", data={"csrf": token}, files={"file": (name, content, "text/plain")}
            )
            assert refused.status_code == 400, name
        forged = yaml.safe_dump(template_document(), allow_unicode=True).replace("Biết", HOSTILE)
        bad_form = {"csrf": token, "name": "thu-1.yaml", "yaml": forged, "mode": "everything"}
        assert (await client.post("/admin/pledges/publish", data=bad_form)).status_code == 400
        no_yaml = {"csrf": token, "name": "thu-1.yaml", "yaml": "code: thu", "mode": "material"}
        assert (await client.post("/admin/pledges/publish", data=no_yaml)).status_code == 400
        hostile = await client.post(
            "/admin/pledges/preview",
            data={"csrf": token},
            files={"file": ("thu-1.yaml", forged.encode(), "application/yaml")},
        )
        assert hostile.status_code == 200
        body = hostile.text.split('name="yaml"', 1)[0]
        assert "<script>alert" not in hostile.text and "<img src=x" not in body and "&lt;script&gt;" in body
    assert await _versions(database) == 0


async def test_a_sample_is_published_only_with_its_warning_confirmed(database: Database) -> None:
    people = await populate(database)
    async with signed_in_as(database, people, "admin") as client:
        token = csrf_of(await client.get("/admin/pledges"))
        preview = await client.post(
            "/admin/pledges/preview",
            data={"csrf": token},
            files={"file": ("thu-1.yaml", template_yaml(sample=True), "application/yaml")},
        )
        assert 'name="sample_ok"' in preview.text
        form = {
            "csrf": token,
            "name": "thu-1.yaml",
            "yaml": _hidden(preview.text, "yaml"),
            "mode": "material",
        }
        unconfirmed = await client.post("/admin/pledges/publish", data=form)
        assert unconfirmed.status_code == 400
        assert await _versions(database) == 0
        confirmed = await client.post("/admin/pledges/publish", data={**form, "sample_ok": "1"})
        assert confirmed.status_code == 200
    assert await _versions(database) == 1
