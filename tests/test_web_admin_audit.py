"""The audit log on the web: filters by action, actor and dates; pages of 50; changes before → after."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from compliance.privacy import audit
from compliance.privacy.audit import AuditFilter
from storage.engine import Database
from storage.models_broadcast import AuditEntry
from tests.web_admin_office import populate, signed_in_as

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
DAY = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)  # 10:00 in Viet Nam


async def _log(database: Database) -> None:
    """120 renames by Quản on 10/11, 7 schedule changes by the command line on 12/11, one hostile entry."""
    async with database.unit_of_work() as session:
        for n in range(120):
            session.add(
                AuditEntry(
                    at=DAY + timedelta(minutes=n),
                    actor_id=None,
                    actor_label="Vũ Thị Quản",
                    action="unit.rename",
                    subject="unit:999",
                    before={"name": f"Cũ {n}"},
                    after={"name": f"Mới {n}"},
                )
            )
        for n in range(7):
            session.add(
                AuditEntry(
                    at=DAY + timedelta(days=2, minutes=n),
                    actor_id=None,
                    actor_label="cli",
                    action="schedule.set",
                    subject="schedule:office",
                    before={"reminder_time": "07:45"},
                    after={"reminder_time": "07:30"},
                )
            )
        session.add(
            AuditEntry(
                at=DAY + timedelta(days=3),
                actor_id=None,
                actor_label=HOSTILE,
                action="unit.add",
                subject="unit:998",
                before=None,
                after={"name": HOSTILE},
            )
        )


async def test_search_filters_and_counts_in_the_domain(database: Database) -> None:
    await _log(database)
    async with database.unit_of_work() as session:
        lines, total = await audit.search(session, AuditFilter(action="unit.rename"), page=2, per_page=50)
        assert total == 120 and len(lines) == 20 and lines[-1].before == {"name": "Cũ 0"}
        _lines, by_actor = await audit.search(session, AuditFilter(actor="thị quản"))
        assert by_actor == 120
        _lines, on_day = await audit.search(
            session, AuditFilter(start=date(2026, 11, 12), end=date(2026, 11, 12))
        )
        assert on_day == 7
        assert await audit.actions_used(session) == ["schedule.set", "unit.add", "unit.rename"]


async def test_the_page_filters_pages_and_shows_before_and_after(database: Database) -> None:
    people = await populate(database)
    await _log(database)
    async with signed_in_as(database, people, "admin") as client:
        first = await client.get("/admin/audit", params={"action": "unit.rename"})
        assert first.status_code == 200 and 'id="audit-total">120 ' in first.text
        assert first.text.count('<div class="change">') == 50
        assert "Cũ 119 → Mới 119" in first.text and "page=2" in first.text
        last = await client.get("/admin/audit", params={"action": "unit.rename", "page": "3"})
        assert last.text.count('<div class="change">') == 20 and "Cũ 0 → Mới 0" in last.text
        assert "action=unit.rename" in last.text  # the pager keeps the filter
        dated = await client.get("/admin/audit", params={"from": "2026-11-12", "to": "2026-11-12"})
        assert 'id="audit-total">7 ' in dated.text and "07:45 → 07:30" in dated.text
        by_cli = await client.get("/admin/audit", params={"actor": "cli"})
        assert 'id="audit-total">8 ' in by_cli.text  # the 7 and the staff list's import
        bad = await client.get("/admin/audit", params={"from": "12/11/2026"})
        assert bad.status_code == 400 and 'id="from-error"' in bad.text
        hostile = await client.get("/admin/audit", params={"action": "unit.add", "actor": HOSTILE[:20]})
        assert 'id="audit-total">1 ' in hostile.text
        assert "<script>alert" not in hostile.text and "<img src=x" not in hostile.text
        assert (await client.get("/admin/audit", params={"page": "0"})).status_code == 200
