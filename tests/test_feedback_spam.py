"""The admins' spam review: counts per point and per hashed address, hostile comments shown escaped, a
rating (or an address's burst at a point) set aside with a reason and restored, audited, never deleted,
admins only; no contact on the page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storage.engine import Database
from storage.models_broadcast import AuditEntry
from tests.feedback_desk import device, office_with_points, send, stored
from tests.web_admin_office import signed_in_as
from tests.web_client import csrf_of, web_app

NUMBERS = re.compile(r'<td class="num">(\d+)</td>')
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> &amp; <b>đậm</b>'


async def _scene(database: Database) -> tuple[dict[str, int], dict[str, str]]:
    """Three ratings from one connection at Văn phòng (a burst), one from another, one at the desk."""
    people, codes = await office_with_points(database)
    app = web_app(database, default_locale="en")
    for number in range(3):
        async with device(app, "192.0.2.66") as client:
            comment = HOSTILE if number == 0 else f"spam {number}"
            sent = await send(
                client,
                database,
                codes["office"],
                comment=comment,
                contact="0912 111 222",
                contact_consent="1",
            )
            assert sent.status_code == 303
    async with device(app, "192.0.2.7") as client:
        assert (await send(client, database, codes["office"], comment="Tốt")).status_code == 303
        assert (await send(client, database, codes["desk"])).status_code == 303
    return people, codes


async def _audit(database: Database) -> list[tuple[str, str]]:
    async with database.unit_of_work() as session:
        rows = await session.execute(
            select(AuditEntry.action, AuditEntry.subject)
            .where(AuditEntry.action.startswith("feedback.rating"))
            .order_by(AuditEntry.id)
        )
        return [(a, s) for a, s in rows.all()]


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("head", 403), ("official", 403), (None, 401)])
async def test_only_admins_open_the_review(database: Database, role: str | None, status: int) -> None:
    people, _ = await office_with_points(database)
    async with signed_in_as(database, people, role) as client:
        assert (await client.get("/admin/ratings")).status_code == status


async def test_counts_per_point_and_address_and_hostile_text_shown_escaped(database: Database) -> None:
    people, _ = await _scene(database)
    ratings = await stored(database)
    burst = ratings[0].address_hash
    assert [r.address_hash == burst for r in ratings] == [True, True, True, False, False]
    async with signed_in_as(database, people, "admin", default_locale="en") as client:
        page = await client.get("/admin/ratings")
    assert page.status_code == 200
    assert "<script>" not in page.text and "<img src=x" not in page.text and "<b>đậm</b>" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "&amp;amp;" in page.text  # the comment's own "&amp;" is text, shown as typed
    assert f"<code>{burst[:10]}</code> × 3" in page.text
    assert f"<code>{ratings[3].address_hash[:10]}</code> × 2" in page.text
    assert "0912 111 222" not in page.text  # spotting spam needs no contact
    # By point: Văn phòng first, 4 ratings, none set aside, from 2 connections.
    first_row = page.text.split("<tbody>")[1].split("</tr>")[0]
    assert NUMBERS.findall(first_row) == ["4", "0", "2"]


async def test_set_aside_and_restore_audited_kept_and_reversible(database: Database) -> None:
    people, _ = await _scene(database)
    ratings = await stored(database)
    async with signed_in_as(database, people, "admin", default_locale="en") as client:
        token = csrf_of(await client.get("/admin/ratings"))
        empty = await client.post(
            f"/admin/ratings/{ratings[1].id}/set-aside", data={"csrf": token, "reason": " "}
        )
        assert empty.status_code == 400 and "Write the reason" in empty.text
        burst = await client.post(
            f"/admin/ratings/{ratings[1].id}/set-aside",
            data={
                "csrf": token,
                "reason": "Cùng một máy, 3 lần trong 1 phút",
                "scope": "address",
                "days": "7",
            },
        )
        assert burst.status_code == 303
        after = await stored(database)
        assert [r.set_aside_at is not None for r in after] == [True, True, True, False, False]
        assert {r.set_aside_reason for r in after[:3]} == {"Cùng một máy, 3 lần trong 1 phút"}
        assert {r.set_aside_by_id for r in after[:3]} == {people["Vũ Thị Quản"]}
        page = await client.get("/admin/ratings")
        assert page.text.count("/restore") == 3
        restored = await client.post(f"/admin/ratings/{ratings[0].id}/restore", data={"csrf": token})
        assert restored.status_code == 303
        again = await client.post(f"/admin/ratings/{ratings[0].id}/restore", data={"csrf": token})
        assert again.status_code == 303  # nothing to undo: no second audit line
        assert (await client.post("/admin/ratings/999999/restore", data={"csrf": token})).status_code == 404
    final = await stored(database)
    assert len(final) == 5  # never deleted
    assert [r.set_aside_at is not None for r in final] == [False, True, True, False, False]
    assert final[0].set_aside_reason is None and final[0].set_aside_by_id is None
    assert await _audit(database) == [
        ("feedback.rating.set_aside", f"citizen_rating:{ratings[0].id}"),
        ("feedback.rating.set_aside", f"citizen_rating:{ratings[1].id}"),
        ("feedback.rating.set_aside", f"citizen_rating:{ratings[2].id}"),
        ("feedback.rating.restore", f"citizen_rating:{ratings[0].id}"),
    ]
