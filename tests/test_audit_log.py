"""The audit log: existing head and admin actions write it; `python -m bot audit --since` prints it."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from compliance.office import joining
from compliance.office.accounts import ChannelUser
from compliance.office.staff_import import import_staff
from compliance.office.units import get_unit_by_code
from compliance.pledge import ceremonies
from compliance.pledge import signing as pledges
from compliance.privacy import audit
from compliance.reports.rollup import Lapse
from compliance.reports.weekly import plan_nudges
from storage.engine import Database
from storage.models import OutboxMessage, Unit
from storage.models_broadcast import AuditEntry
from tests.consents import agree
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes


async def entries(database: Database) -> list[AuditEntry]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


async def test_a_heads_invite_decisions_ceremony_and_nudge_are_audited(database: Database) -> None:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        await pledges.publish(session, template=template(), unit=None, material=False, publisher_id=None)
        hoa = await joining.join_by_contact(
            session, user=ChannelUser.telegram(50), contact_user_id=50, phone="0912000002", locale="vi"
        )
        assert hoa.actor is not None
        head = hoa.actor
        await agree(session, head.id)  # she answered the privacy notice after joining
        unit = await session.get(Unit, head.unit_id)
        assert unit is not None
        invite = await joining.create_invite(session, unit=unit, created_by=head, days=3, max_uses=2)
        code = invite.code
    async with database.unit_of_work() as session:
        for tg, name in ((60, "Vũ Thị Mai"), (61, "Trần Văn Nam")):
            await joining.redeem_invite(
                session, code=code, user=ChannelUser.telegram(tg), display_name="x", locale="vi"
            )
            await joining.submit_name(session, user=ChannelUser.telegram(tg), raw_name=name)
        requests = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "join_request"))
        ).all()
        ids = sorted(r.payload["request_id"] for r in requests)
    async with database.unit_of_work() as session:
        await joining.decide(session, request_id=ids[0], decider=head, approve=True)
        await joining.decide(session, request_id=ids[1], decider=head, approve=False)
        view = await ceremonies.start(session, actor=head, chat_id=-100)
        assert view is not None
        assert await ceremonies.close(session, ceremony_id=view.id, actor=head) is not None
        lapse = Lapse(official_id=head.id, full_name=head.full_name, unit_name="Văn phòng", kind="not_signed")
        await plan_nudges(session, lapses=[lapse], day=date(2026, 12, 1), actor=head, scope=unit)
    rows = await entries(database)
    assert [(e.action, e.actor_label) for e in rows] == [
        ("staff.import", "cli"),
        ("pledge.publish", "cli"),
        ("invite.create", "Lê Thị Hoa"),
        ("join.approve", "Lê Thị Hoa"),
        ("join.reject", "Lê Thị Hoa"),
        ("ceremony.open", "Lê Thị Hoa"),
        ("ceremony.close", "Lê Thị Hoa"),
        ("report.nudge", "Lê Thị Hoa"),
    ]
    by_action = {e.action: e for e in rows}
    assert by_action["invite.create"].after is not None
    assert by_action["invite.create"].after["unit"] == "van-phong"
    assert by_action["invite.create"].after["max_uses"] == 2
    assert by_action["join.approve"].before == {
        "status": "pending",
        "name": "Vũ Thị Mai",
        "unit": "van-phong",
    }
    approved_after = by_action["join.approve"].after
    assert (
        approved_after is not None
        and approved_after["status"] == "approved"
        and approved_after["official_id"]
    )
    assert by_action["join.reject"].after == {"status": "rejected"}
    # The ceremony counts everyone on the unit's staff list, joined or not (compliance/office/staff_roll.py).
    assert by_action["ceremony.close"].after == {"open": False, "signed": 0, "total": 3}
    assert by_action["report.nudge"].subject == f"unit:{unit.id}"
    assert by_action["report.nudge"].after == {"day": "2026-12-01", "lapses": 1, "planned": 1}
    assert by_action["staff.import"].after == {"file": "ds.xlsx", "rows": 5, "created": 5, "updated": 0}


async def test_a_refused_change_writes_nothing(database: Database) -> None:
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
        hoa = await joining.join_by_contact(
            session, user=ChannelUser.telegram(50), contact_user_id=50, phone="0912000002", locale="vi"
        )
        assert hoa.actor is not None
        other = await get_unit_by_code(session, "phong-quan-ly-van-tai")
        assert other is not None
        with pytest.raises(PermissionError):
            await joining.create_invite(session, unit=other, created_by=hoa.actor)
    assert [e.action for e in await entries(database)] == ["staff.import"]


def test_the_cli_prints_entries_since_a_local_day(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "ADMIN_IDS", "DEFAULT_LOCALE", "WEBHOOK_URL", "WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    day = date(2026, 12, 1)
    midnight = audit.start_of_local_day(day)
    assert midnight.isoformat() == "2026-11-30T17:00:00+00:00"

    async def seed() -> None:
        database = Database(database_url)
        try:
            async with database.unit_of_work() as session:
                for moment, action in (
                    (midnight - timedelta(seconds=1), "unit.rename"),
                    (midnight, "unit.add"),
                    (midnight + timedelta(hours=3), "unit.move"),
                ):
                    session.add(
                        AuditEntry(
                            at=moment,
                            actor_id=None,
                            actor_label="Quản\ttrị",
                            action=action,
                            subject="unit:1",
                            before={"name": "Văn phòng"},
                            after={"name": "Văn phòng Sở", "n": 1},
                        )
                    )
        finally:
            await database.dispose()

    asyncio.run(seed())
    assert main(["audit", "--since", "01/12/2026"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "01/12/2026 00:00\tQuản trị\tthêm đơn vị\tđơn vị số 1\ttên: Văn phòng → Văn phòng Sở; n: 1",
        "01/12/2026 03:00\tQuản trị\tchuyển đơn vị\tđơn vị số 1\ttên: Văn phòng → Văn phòng Sở; n: 1",
    ]
    assert main(["audit", "--since", "2026-12-01", "--raw"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    fields = [line.split("\t") for line in lines]
    assert [f[2] for f in fields] == ["unit.add", "unit.move"]
    assert fields[0][0] == "2026-12-01T00:00:00+07:00" and fields[1][0] == "2026-12-01T03:00:00+07:00"
    assert fields[0][1] == "Quản trị" and fields[0][3] == "unit:1"
    assert json.loads(fields[0][4]) == {"name": "Văn phòng"}
    assert fields[0][5] == '{"n":1,"name":"Văn phòng Sở"}'
    assert main(["audit", "--since", "31/02/2026"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert "31/02/2026" in captured.err
