"""A yearly signing campaign across a year's end, with a controlled clock: opened on 15/12/2026 for the
window 02/01/2027–31/01/2027; a signature of 31/12/2026 does not count for it, one of 05/01/2027 does;
reminders name the year, a ceremony counts the window's signatures, the receipt names the year, the
figures per year; bad requests change nothing; extending and closing are audited."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.office.officials import actor_of
from compliance.office.staff_import import import_staff
from compliance.pledge import campaigns, ceremonies
from compliance.pledge import signing as pledges
from compliance.pledge.campaigns import CampaignError, CampaignProblem
from compliance.pledge.receipts import issuer_names
from compliance.practice.planner import tick
from compliance.reports.period import Period
from compliance.reports.rollup import build_report
from handlers.i18n import _, use_locale
from handlers.views.receipts import receipt_file
from handlers.web.dashboard.overview import figure_rows
from storage.clock import ShiftedClock, use_clock
from storage.engine import Database
from storage.models import Official, OfficialStatus, OutboxMessage, Unit
from storage.models_broadcast import AuditEntry
from storage.models_campaign import SigningCampaign
from storage.models_pledge import Signature
from storage.models_practice import DailyReminder
from tests.factories import link_telegram
from tests.pledge_files import template
from tests.staff_files import OFFICE, xlsx_bytes
from tests.web_client import csrf_of, sign_in, web_client

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPENED = date(2026, 12, 15)
START, END = date(2027, 1, 2), date(2027, 1, 31)
BINH, HOA, CHAU, LAN = "Trần Văn Bình", "Lê Thị Hoa", "Phạm Minh Châu", "Nguyễn Thị Lan"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), VN)


@pytest.fixture
async def office(database: Database) -> Database:
    """The Sở's five, the pledge published on 01/12/2026, four of them on Telegram (100–103); on 15/12 the
    admin opens the campaign for 2027."""
    with use_clock(ShiftedClock(local(date(2026, 12, 1), 9))):
        async with database.unit_of_work() as session:
            await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(OFFICE))
            await pledges.publish(session, template=template(), unit=None, material=True, publisher_id=None)
            people = {o.full_name: o for o in (await session.scalars(select(Official))).all()}
            for n, name in enumerate((BINH, HOA, CHAU, LAN)):
                people[name].status = OfficialStatus.ACTIVE
                await link_telegram(session, people[name], 100 + n)
    with use_clock(ShiftedClock(local(OPENED, 10))):
        async with database.unit_of_work() as session:
            version = await pledges.current_version(session, None)
            assert version is not None
            await campaigns.open_campaign(
                session,
                name="Kế hoạch năm 2027",
                year=2027,
                version_id=version.id,
                starts_on=START,
                ends_on=END,
            )
    return database


async def person(session: AsyncSession, name: str) -> Official:
    found = await session.scalar(select(Official).where(Official.full_name == name))
    assert found is not None
    return found


async def sign_at(database: Database, name: str, moment: datetime) -> pledges.SignResult:
    with use_clock(ShiftedClock(moment)):
        async with database.unit_of_work() as session:
            official = await person(session, name)
            version = await pledges.current_version(session, official.unit)
            assert version is not None
            return await pledges.sign(
                session,
                actor=actor_of(official),
                version_id=version.id,
                typed_name=name,
                locale="vi",
                chat_id=1,
                message_id=1,
            )


async def counts(database: Database) -> tuple[int, int]:
    async with database.unit_of_work() as session:
        rows = await session.scalar(select(func.count()).select_from(SigningCampaign))
        lines = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("campaign.%"))
        )
    return int(rows or 0), int(lines or 0)


async def test_bad_requests_are_refused_and_change_nothing(office: Database) -> None:
    assert await counts(office) == (1, 1)
    with use_clock(ShiftedClock(local(OPENED, 11))):
        async with office.unit_of_work() as session:
            version = await pledges.current_version(session, None)
            assert version is not None
            vp = await session.scalar(select(Unit).where(Unit.name == "Văn phòng"))
            assert vp is not None
            v, later = version.id, date(2027, 3, 1)
            asks = {
                CampaignProblem.END_BEFORE_START: {"version_id": v, "starts_on": END, "ends_on": START},
                CampaignProblem.UNKNOWN_VERSION: {"version_id": 9999, "starts_on": START, "ends_on": END},
                # the same template, its window overlapping: the whole office, or a unit inside it
                CampaignProblem.OVERLAP: {"version_id": v, "starts_on": END, "ends_on": later},
                CampaignProblem.ENDED: {"version_id": v, "starts_on": OPENED - timedelta(days=30),
                                        "ends_on": OPENED - timedelta(days=1)},
                CampaignProblem.UNKNOWN_UNIT: {"version_id": v, "starts_on": later,
                                               "ends_on": later + timedelta(days=30), "unit_ids": [9999]},
            }  # fmt: skip
            for problem, ask in asks.items():
                with pytest.raises(CampaignError) as refused:
                    await campaigns.open_campaign(session, name="Lần hai", year=2027, **ask)  # type: ignore[arg-type]
                assert refused.value.problem is problem
            with pytest.raises(CampaignError) as refused:
                await campaigns.open_campaign(
                    session,
                    name="Văn phòng",
                    year=2027,
                    version_id=version.id,
                    starts_on=date(2027, 1, 20),
                    ends_on=date(2027, 2, 20),
                    unit_ids=[vp.id],
                )
            assert refused.value.problem is CampaignProblem.OVERLAP
            with pytest.raises(CampaignError) as refused:
                await campaigns.open_campaign(
                    session, name="  ", year=2027, version_id=version.id, starts_on=START, ends_on=END
                )
            assert refused.value.problem is CampaignProblem.NO_NAME
    assert await counts(office) == (1, 1)


async def test_only_a_signature_inside_the_window_counts(office: Database) -> None:
    assert (await sign_at(office, LAN, local(date(2026, 12, 31), 9))).outcome is pledges.SignOutcome.SIGNED
    assert (await sign_at(office, CHAU, local(date(2026, 12, 31), 9))).outcome is pledges.SignOutcome.SIGNED
    # Monday 04/01/2027: the window is open, the December signatures no longer count
    with use_clock(ShiftedClock(local(date(2027, 1, 4), 8))):
        async with office.unit_of_work() as session:
            await tick(session, now=local(date(2027, 1, 4), 8))
            lan = await person(session, LAN)
            version = await pledges.current_version(session, lan.unit)
            assert version is not None
            counting = await pledges.existing_signature(
                session, official_id=lan.id, version_id=version.id, on_behalf_of_unit=False
            )
            assert counting is None
    lan_again = await sign_at(office, LAN, local(date(2027, 1, 5), 10))
    assert lan_again.outcome is pledges.SignOutcome.SIGNED and lan_again.signature is not None
    assert (
        await sign_at(office, LAN, local(date(2027, 1, 5), 11))
    ).outcome is pledges.SignOutcome.ALREADY_SIGNED
    with use_clock(ShiftedClock(local(date(2027, 1, 6), 8))):
        async with office.unit_of_work() as session:
            await tick(session, now=local(date(2027, 1, 6), 8))
            rows = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
            ).all()
            names = {o.id: o.full_name for o in (await session.scalars(select(Official))).all()}
            ledger = (await session.scalars(select(Signature).order_by(Signature.id))).all()
            kept = (
                await session.execute(
                    select(DailyReminder.official_id, DailyReminder.day, DailyReminder.kind)
                )
            ).all()
            facts = [await pledges.receipt_facts(session, s) for s in ledger]
            office_name, unit_name = await issuer_names(session, ledger[-1].unit_id)
            per_year = {year: await campaigns.signed_in_year(session, year) for year in (2026, 2027)}
            units = {u.name: u.id for u in (await session.scalars(select(Unit))).all()}
    yearly = {(r.payload["day"], names[r.official_id or 0]) for r in rows if r.payload.get("year") == 2027}
    assert {r.payload["deadline"] for r in rows if r.payload.get("year") == 2027} == {"2027-01-31"}
    everyone = {BINH, HOA, CHAU, LAN}
    # the day's reminder rows (the read figures) say what was asked: Lan to sign on 04/01, her item on 06/01
    lan_days = {(day.isoformat(), kind) for official_id, day, kind in kept if names[official_id] == LAN}
    assert lan_days == {("2027-01-04", "sign"), ("2027-01-06", "item")}
    assert yearly == {("2027-01-04", n) for n in everyone} | {("2027-01-06", n) for n in everyone - {LAN}}
    # the ledger keeps both of Lan's rows; the receipt of the second names the year
    assert [(names[s.official_id], f.year) for s, f in zip(ledger, facts, strict=True)] == [
        (LAN, None),
        (CHAU, None),
        (LAN, 2027),
    ]
    _name, pdf = receipt_file(ledger[-1], facts[-1], office_name, unit_name)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    with use_locale("vi"):  # signed in Vietnamese
        assert _("Pledge of {year}").format(year=2027) in text
    assert per_year == {
        2026: {units["Phòng Quản lý vận tải"]: 1, units["Văn phòng"]: 1},
        2027: {units["Phòng Quản lý vận tải"]: 1},
    }
    totals = campaigns.subtree_totals(per_year[2026], {u: p for u, p in await _paths(office)})
    assert totals[units["Sở GTVT"]] == 2
    # the reports' "signed in <year>" figure, per unit (the dashboard's figures, the Excel units sheet)
    figures = {}
    for year in (2026, 2027):
        with use_clock(ShiftedClock(local(date(2027, 1, 6), 12))):
            async with office.unit_of_work() as session:
                report = await build_report(
                    session, root=None, period=Period(date(year, 1, 1), date(year, 12, 31))
                )
        lines = {line.name: line.subtree.signed_in_year for line in report.units}
        figures[report.year] = (
            report.total.signed_in_year,
            lines["Văn phòng"],
            lines["Phòng Quản lý vận tải"],
        )
        with use_locale("en"):
            shown = {row.label: (row.count, row.of) for row in figure_rows(report)}
        assert shown[f"Signed in {year}"] == (report.total.signed_in_year, 5)
    assert figures == {2026: (2, 1, 1), 2027: (1, 0, 1)}


async def _paths(database: Database) -> list[tuple[int, str]]:
    async with database.unit_of_work() as session:
        return [(i, p) for i, p in (await session.execute(select(Unit.id, Unit.path))).all()]


async def test_a_ceremony_in_the_window_counts_the_window_only(office: Database) -> None:
    await sign_at(office, CHAU, local(date(2026, 12, 31), 9))
    with use_clock(ShiftedClock(local(date(2027, 1, 5), 9))):
        async with office.unit_of_work() as session:
            hoa = await person(session, HOA)
            view = await ceremonies.start(session, actor=actor_of(hoa), chat_id=-1001)
            assert view is not None
            ceremony_id = view.id
    assert (view.signed, view.total) == (0, 2)  # Châu's December signature is last year's
    await sign_at(office, CHAU, local(date(2027, 1, 5), 9, 30))
    with use_clock(ShiftedClock(local(date(2027, 1, 5), 10))):
        async with office.unit_of_work() as session:
            hoa = await person(session, HOA)
            closed = await ceremonies.close(session, ceremony_id=ceremony_id, actor=actor_of(hoa))
    assert closed is not None and (closed[0].signed, closed[0].total) == (1, 2)


async def test_extending_and_closing_are_audited_and_closing_stops_it(office: Database) -> None:
    await sign_at(office, LAN, local(date(2026, 12, 31), 9))
    with use_clock(ShiftedClock(local(date(2027, 1, 20), 9))):
        async with office.unit_of_work() as session:
            campaign_id = (await campaigns.list_campaigns(session))[0].id
            with pytest.raises(CampaignError) as refused:
                await campaigns.extend_campaign(session, campaign_id=campaign_id, ends_on=date(2027, 1, 25))
            assert refused.value.problem is CampaignProblem.NOT_LATER
            await campaigns.extend_campaign(session, campaign_id=campaign_id, ends_on=date(2027, 2, 15))
    with use_clock(ShiftedClock(local(date(2027, 2, 1), 9))):
        async with office.unit_of_work() as session:
            assert [c.id for c in await campaigns.in_force(session, local(date(2027, 2, 1), 9))] == [
                campaign_id
            ]
            await campaigns.close_campaign(session, campaign_id=campaign_id)
            with pytest.raises(CampaignError) as refused:
                await campaigns.close_campaign(session, campaign_id=campaign_id)
            assert refused.value.problem is CampaignProblem.CLOSED
    with use_clock(ShiftedClock(local(date(2027, 2, 2), 8))):
        async with office.unit_of_work() as session:
            await tick(session, now=local(date(2027, 2, 2), 8))
            lan = await person(session, LAN)
            version = await pledges.current_version(session, lan.unit)
            assert version is not None
            # closed: last year's signature counts again, nothing asks her to sign
            assert await pledges.existing_signature(
                session, official_id=lan.id, version_id=version.id, on_behalf_of_unit=False
            )
            rows = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
            ).all()
            lines = (
                await session.scalars(
                    select(AuditEntry).where(AuditEntry.action.like("campaign.%")).order_by(AuditEntry.id)
                )
            ).all()
    # the day's reminders went out (Lan's is her pledge item), none of them a campaign's any more
    assert {r.payload["day"] for r in rows} == {"2027-02-02"}
    assert not [r for r in rows if r.payload.get("year")]
    assert [a.action for a in lines] == ["campaign.open", "campaign.extend", "campaign.close"]
    assert (lines[1].before, lines[1].after) == ({"ends_on": "2027-01-31"}, {"ends_on": "2027-02-15"})


async def test_the_dashboard_shows_the_year_per_unit(office: Database) -> None:
    await sign_at(office, LAN, local(date(2027, 1, 5), 10))
    with use_clock(ShiftedClock(local(date(2027, 1, 6), 12))):
        async with office.unit_of_work() as session:
            binh = await person(session, BINH)  # the Sở's head
        async with web_client(office) as client:
            await sign_in(client, office, binh.id)
            page = await client.get("/dashboard?period=year", headers={"Accept-Language": "en"})
    assert page.status_code == 200, page.text
    units = page.text[page.text.index('<table class="units">') :]
    units = units[: units.index("</table>")]
    assert units.count("Signed in 2027") + units.count("Đã ký năm 2027") == 1
    # the Sở's two units, in Vietnamese order: Phòng Quản lý vận tải (Lan signed), then Văn phòng
    assert re.findall(r'<td class="num">(\d+) \([^)]*\)</td>\s*</tr>', units) == ["1", "0"]


async def test_the_web_page_asks_to_sign_again_while_the_campaign_runs(office: Database) -> None:
    await sign_at(office, LAN, local(date(2026, 12, 31), 9))
    async with office.unit_of_work() as session:
        lan = await person(session, LAN)
        version = await pledges.current_version(session, lan.unit)
        assert version is not None
    with use_clock(ShiftedClock(local(date(2026, 12, 31), 10))):
        async with web_client(office) as client:
            await sign_in(client, office, lan.id)
            before = await client.get("/pledge")
    assert 'name="name"' not in before.text  # signed, and no campaign yet
    with use_clock(ShiftedClock(local(date(2027, 1, 5), 10))):
        async with web_client(office) as client:
            await sign_in(client, office, lan.id)
            page = await client.get("/pledge")
            assert 'name="name"' in page.text
            signed = await client.post(
                "/pledge", data={"csrf": csrf_of(page), "version": str(version.id), "name": LAN}
            )
            assert signed.status_code == 303
            after = await client.get("/pledge")
    assert 'name="name"' not in after.text
    async with office.unit_of_work() as session:
        rows = (await session.scalars(select(Signature).where(Signature.official_id == lan.id))).all()
    assert [r.signed_at.astimezone(VN).date() for r in rows] == [date(2026, 12, 31), date(2027, 1, 5)]
