"""The heads' dashboard on the web: the chat's /report figures for a subtree and period, the units table
(sort, drill down), people by status with pages, the Excel, the chart as SVG, the once-a-day nudge."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from compliance.office.units import get_unit_by_code
from compliance.reports import rollup as reports
from compliance.reports.dashboard import dashboard_period
from storage.clock import ShiftedClock, use_clock
from storage.engine import Database
from storage.models import Official, OfficialStatus, OutboxMessage, Role, Unit
from tests.factories import telegram_official
from tests.test_reports import PERIOD, WEEK, at, office  # noqa: F401 - the fixture
from tests.web_client import csrf_of, link_token, web_client

SATURDAY = at(WEEK + timedelta(days=5))
SVG = re.compile(r"<svg .*?</svg>", re.S)
FIGURES = re.compile(r'<table class="figures">.*?</table>', re.S)
COUNTS = re.compile(r'<td class="num">(\d+)/(\d+)</td>')
UNIT_LINKS = re.compile(r'<th scope="row"><a href="/dashboard\?unit=(\d+)&amp;period=week">([^<]*)</a></th>')


@pytest.fixture
def in_week() -> Iterator[None]:
    """Saturday of the office fixture's week: "this week" is its PERIOD."""
    with use_clock(ShiftedClock(SATURDAY)):
        yield


async def sign_in(client: httpx.AsyncClient, database: Database, official_id: int) -> None:
    """Open a one-time link that leads to the dashboard (the other pages are not this file's to test)."""
    token = await link_token(database, official_id, next_path="/dashboard")
    assert (await client.get(f"/signin/{token}")).status_code == 303
    posted = await client.post("/signin")
    assert posted.status_code == 303 and posted.headers["location"] == "/dashboard", posted.text


async def person(database: Database, name: str) -> int:
    async with database.unit_of_work() as session:
        found = await session.scalar(select(Official.id).where(Official.full_name == name))
        assert found is not None
        return found


async def unit_id(database: Database, code: str) -> int:
    async with database.unit_of_work() as session:
        unit = await get_unit_by_code(session, code)
        assert unit is not None
        return unit.id


async def admin(database: Database) -> int:
    """An admin on no staff list (as ADMIN_IDS makes them): counted nowhere, sees the whole office."""
    async with database.unit_of_work() as session:
        official = await telegram_official(
            session,
            990,
            full_name="Quản trị",
            name_key="quản trị",
            role=Role.ADMIN,
            status=OfficialStatus.ACTIVE,
        )
        return official.id


def parse_svg(text: str | bytes) -> ET.Element:
    """Our own answer, parsed to prove it is well-formed XML (no entity or DTD in it to expand)."""
    return ET.fromstring(text)  # noqa: S314 - the document is the page under test, not outside input


def figures_of(page: httpx.Response) -> list[tuple[int, int]]:
    """The figures table's "n/of" cells: joined, signed, signed in the year, self-checks done, quizzes,
    reminders read."""
    table = FIGURES.search(page.text)
    assert table is not None, page.text
    return [(int(n), int(of)) for n, of in COUNTS.findall(table.group(0))]


def expected(report: reports.Report) -> list[tuple[int, int]]:
    f = report.total
    return [
        (f.joined, f.on_list),
        (f.signed, f.on_list),
        (f.signed_in_year, f.on_list),
        (f.checks_done, f.check_slots),
        (f.quiz_takers, f.quiz_slots),
        (f.reminders_read, f.reminders_sent),
    ]


async def test_the_figures_are_the_chat_reports(office: Database, in_week: None) -> None:  # noqa: F811
    binh = await person(office, "Trần Văn Bình")  # the Sở's head
    async with web_client(office) as client:
        await sign_in(client, office, binh)
        for name in ("week", "lastweek", "month", "quarter", "year"):
            page = await client.get(f"/dashboard?period={name}")
            assert page.status_code == 200, page.text
            period = dashboard_period(name, SATURDAY.date())
            assert period is not None
            async with office.unit_of_work() as session:
                root = await get_unit_by_code(session, "so-gtvt")
                report = await reports.build_report(session, root=root, period=period)
            assert figures_of(page) == expected(report), name
        week = await client.get("/dashboard")
        # the fixture's week exactly: 4 of 5 joined, 2 signed (both this year), 3 of 5 self-checks,
        # 2 quizzes, 4 of 8 read
        assert figures_of(week) == [(4, 5), (2, 5), (2, 5), (3, 5), (2, 5), (4, 8)]
        # the weakest pledge item as the chat names it: "khong-1", half of the best score
        weakest = re.search(r"<p>Mục có kết quả tự đánh giá thấp nhất: “([^”]+)” \(50\s?%\)</p>", week.text)
        assert weakest is not None and weakest.group(1) != "khong-1"  # its text, not its id
        assert (await client.get("/dashboard?period=decade")).status_code == 400


async def test_the_units_table_sorts_and_drills_down(office: Database, in_week: None) -> None:  # noqa: F811
    binh = await person(office, "Trần Văn Bình")
    office_unit, transport = (
        await unit_id(office, "van-phong"),
        await unit_id(office, "phong-quan-ly-van-tai"),
    )
    async with web_client(office) as client:
        await sign_in(client, office, binh)

        async def order(query: str) -> list[str]:
            page = await client.get(f"/dashboard?{query}")
            assert page.status_code == 200
            return [name for _id, name in UNIT_LINKS.findall(page.text)]

        # Vietnamese order of names: "Phòng…" before "Văn phòng"
        assert await order("") == ["Phòng Quản lý vận tải", "Văn phòng"]
        assert await order("sort=name&dir=desc") == ["Văn phòng", "Phòng Quản lý vận tải"]
        # self-checks done: Văn phòng 2/2, the Phòng 1/2
        assert await order("sort=selfcheck&dir=desc") == ["Văn phòng", "Phòng Quản lý vận tải"]
        assert await order("sort=selfcheck&dir=asc") == ["Phòng Quản lý vận tải", "Văn phòng"]
        assert await order("sort=nonsense") == ["Phòng Quản lý vận tải", "Văn phòng"]
        page = await client.get("/dashboard?sort=selfcheck")
        assert 'aria-sort="ascending"' in page.text and "sort=selfcheck&amp;dir=desc" in page.text
        links = dict((name, int(found)) for found, name in UNIT_LINKS.findall(page.text))
        assert links == {"Văn phòng": office_unit, "Phòng Quản lý vận tải": transport}
        drilled = await client.get(f"/dashboard?unit={office_unit}")
        assert drilled.status_code == 200 and "Văn phòng" in drilled.text
        assert figures_of(drilled)[:2] == [(2, 2), (1, 2)]  # Hoa and Châu joined, Hoa signed
        assert (
            f'href="/dashboard?unit={await unit_id(office, "so-gtvt")}&amp;period=week"' in drilled.text
        )  # up


async def test_heads_reach_only_their_subtree(office: Database, in_week: None) -> None:  # noqa: F811
    hoa = await person(office, "Lê Thị Hoa")  # head of the Văn phòng
    sibling, parent = await unit_id(office, "phong-quan-ly-van-tai"), await unit_id(office, "so-gtvt")
    async with web_client(office) as client:
        await sign_in(client, office, hoa)
        own = await client.get("/dashboard")
        assert own.status_code == 200 and figures_of(own)[0] == (2, 2)
        assert f"unit={parent}" not in own.text  # no way up past her own unit
        for unit in (sibling, parent, 999999):
            for path in ("/dashboard", "/dashboard/people", "/dashboard/report.xlsx", "/dashboard/chart.svg"):
                assert (await client.get(f"{path}?unit={unit}")).status_code == 404, (path, unit)
        assert (await client.get("/dashboard?unit=abc")).status_code == 404
        refused = await client.post("/dashboard/nudge", data={"csrf": csrf_of(own), "unit": str(sibling)})
        assert refused.status_code == 404
    async with office.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_the_admin_sees_the_whole_office(office: Database, in_week: None) -> None:  # noqa: F811
    admin_id = await admin(office)
    async with web_client(office) as client:
        await sign_in(client, office, admin_id)
        page = await client.get("/dashboard")
        assert page.status_code == 200
        assert figures_of(page) == [(4, 5), (2, 5), (2, 5), (3, 5), (2, 5), (4, 8)]
        # below the single top unit: its two units, each a link down
        assert [name for _id, name in UNIT_LINKS.findall(page.text)] == ["Phòng Quản lý vận tải", "Văn phòng"]
        office_unit = await unit_id(office, "van-phong")
        assert (await client.get(f"/dashboard?unit={office_unit}")).status_code == 200


async def test_people_by_status(office: Database, in_week: None) -> None:  # noqa: F811
    binh = await person(office, "Trần Văn Bình")
    names = re.compile(r'<th scope="row">([^<]*)</th>\s*<td>')
    async with web_client(office) as client:
        await sign_in(client, office, binh)

        async def listed(status: str, unit: str = "") -> list[str]:
            page = await client.get(f"/dashboard/people?status={status}&unit={unit}")
            assert page.status_code == 200, page.text
            return names.findall(page.text)

        assert await listed("not_joined") == ["Trần Văn Bình"]
        assert sorted(await listed("not_signed")) == sorted(
            ["Trần Văn Bình", "Phạm Minh Châu", "Đỗ Quang Huy"]
        )
        assert await listed("selfcheck_missed") == ["Đỗ Quang Huy"]
        assert sorted(await listed("quiz_missing")) == sorted(
            ["Trần Văn Bình", "Phạm Minh Châu", "Đỗ Quang Huy"]
        )
        office_unit = await unit_id(office, "van-phong")
        assert await listed("not_signed", str(office_unit)) == ["Phạm Minh Châu"]
        assert (await client.get("/dashboard/people?status=everyone")).status_code == 400
        # each person's lapses as the chat names them (Huy: not signed, two self-checks missed, none read)
        lapses = (await client.get("/dashboard/people?status=selfcheck_missed")).text
        assert "chưa ký cam kết; không thực hiện tự đánh giá hai tuần liên tiếp" in lapses
        # the dashboard's counts lead to these lists
        page = await client.get("/dashboard")
        assert 'status=not_signed">3</a>' in page.text


async def test_a_long_list_comes_in_pages(database: Database) -> None:
    from compliance.office.staff_import import import_staff
    from tests.staff_files import xlsx_bytes

    rows = [
        [f"Nguyễn Văn Số {n:03d}", "Chuyên viên", "Sở Y tế / Phòng A", f"0913{n:06d}", "", ""]
        for n in range(120)
    ]
    rows.append(["Trưởng Phòng", "Giám đốc", "Sở Y tế", "0912 000 009", "", "trưởng đơn vị"])
    async with database.unit_of_work() as session:
        await import_staff(session, file_name="ds.xlsx", content=xlsx_bytes(rows))
    head = await person(database, "Trưởng Phòng")
    names = re.compile(r'<th scope="row">([^<]*)</th>\s*<td>')
    async with web_client(database) as client:
        await sign_in(client, database, head)
        seen: list[str] = []
        for number in (1, 2, 3):
            page = await client.get(f"/dashboard/people?status=not_joined&page={number}")
            assert page.status_code == 200
            seen += names.findall(page.text)
            assert (
                f"{number} / 3" in page.text
                or f"Trang {number}" in page.text
                or f"Page {number} of 3" in page.text
            )
        assert len(seen) == 121 and len(set(seen)) == 121  # every one once, none twice
        first = names.findall((await client.get("/dashboard/people?status=not_joined")).text)
        assert (
            len(first) == 50
            and 'rel="next"' in (await client.get("/dashboard/people?status=not_joined")).text
        )
        beyond = await client.get("/dashboard/people?status=not_joined&page=99")
        assert len(names.findall(beyond.text)) == 21  # past the end: the last page


async def test_the_excel_is_the_chats(office: Database, in_week: None) -> None:  # noqa: F811
    hoa = await person(office, "Lê Thị Hoa")
    async with web_client(office) as client:
        await sign_in(client, office, hoa)
        answer = await client.get("/dashboard/report.xlsx?period=week")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert (
        "attachment" in answer.headers["content-disposition"]
        and ".xlsx" in answer.headers["content-disposition"]
    )
    workbook = load_workbook(io.BytesIO(answer.content))
    units, people, *_more = workbook.worksheets  # then the satisfaction sheet (issue 16)
    assert [str(row[0]).strip() for row in units.iter_rows(min_row=2, max_row=2, values_only=True)] == [
        "Văn phòng"
    ]
    assert units.cell(row=2, column=3).value == 2  # on the list
    assert {row[0] for row in people.iter_rows(min_row=2, values_only=True)} == {
        "Lê Thị Hoa",
        "Phạm Minh Châu",
    }


async def test_nudge_once_a_day(office: Database, in_week: None) -> None:  # noqa: F811
    binh = await person(office, "Trần Văn Bình")

    async def nudges() -> int:
        async with office.unit_of_work() as session:
            return int(
                await session.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "nudge")
                )
                or 0
            )

    async with web_client(office) as client:
        await sign_in(client, office, binh)
        page = await client.get("/dashboard")
        assert (await client.post("/dashboard/nudge", data={"unit": "", "period": "week"})).status_code == 403
        assert await nudges() == 0
        sent = await client.post(
            "/dashboard/nudge", data={"csrf": csrf_of(page), "unit": "", "period": "week"}
        )
        assert sent.status_code == 303
        assert "nudge=sent" in sent.headers["location"] and "n=2" in sent.headers["location"]
        assert await nudges() == 2  # Châu (not signed) and Huy; Bình never joined: no chat to nudge in
        shown = await client.get(sent.headers["location"])
        assert 'class="success"' in shown.text and "2" in shown.text
        again = await client.post(
            "/dashboard/nudge", data={"csrf": csrf_of(page), "unit": "", "period": "week"}
        )
        assert "nudge=already" in again.headers["location"]
        assert await nudges() == 2
        bad = await client.post("/dashboard/nudge", data={"csrf": csrf_of(page), "unit": "", "period": "x"})
        assert bad.status_code == 400 and await nudges() == 2


async def test_the_chart_is_svg_with_a_text_alternative(office: Database, in_week: None) -> None:  # noqa: F811
    binh = await person(office, "Trần Văn Bình")
    async with web_client(office) as client:
        await sign_in(client, office, binh)
        page = await client.get("/dashboard")
        drawn = await client.get("/dashboard/chart.svg")
    assert drawn.status_code == 200 and drawn.headers["content-type"].startswith("image/svg+xml")
    title = "{http://www.w3.org/2000/svg}title"
    root = parse_svg(drawn.content)
    assert root.find(title) is not None and "Sở GTVT" in (root.find(title).text or "")  # type: ignore[union-attr]
    inline = SVG.findall(page.text)
    assert len(inline) == 2  # the bars and the weekly line
    for svg in inline:
        parsed = parse_svg(svg)
        assert parsed.find(title) is not None and parsed.find("{http://www.w3.org/2000/svg}desc") is not None
        assert "<script" not in svg and "style=" not in svg  # nothing the page's CSP refuses
    desc = parse_svg(inline[0]).find("{http://www.w3.org/2000/svg}desc")
    assert desc is not None and "Văn phòng" in (desc.text or "")


async def test_the_figures_are_kept_until_refreshed(office: Database, in_week: None) -> None:  # noqa: F811
    binh = await person(office, "Trần Văn Bình")
    async with web_client(office) as client:
        await sign_in(client, office, binh)
        assert figures_of(await client.get("/dashboard"))[0] == (4, 5)
        async with office.unit_of_work() as session:
            official = await session.get(Official, binh)
            assert official is not None
            official.joined_at, official.status = SATURDAY - timedelta(hours=1), OfficialStatus.ACTIVE
        kept = await client.get("/dashboard")
        assert figures_of(kept)[0] == (4, 5) and "refresh=1" in kept.text
        assert figures_of(await client.get("/dashboard?refresh=1"))[0] == (5, 5)
        assert figures_of(await client.get("/dashboard"))[0] == (5, 5)


HOSTILE_UNIT = "<script>alert(1)</script>"
HOSTILE_NAME = '"><img src=x onerror=alert(1)>'


async def test_hostile_names_come_out_escaped(office: Database, in_week: None) -> None:  # noqa: F811
    binh = await person(office, "Trần Văn Bình")
    async with office.unit_of_work() as session:
        unit = await session.scalar(select(Unit).where(Unit.code == "van-phong"))
        assert unit is not None
        unit.name = HOSTILE_UNIT
        chau = await session.get(Official, await person(office, "Phạm Minh Châu"))
        assert chau is not None
        chau.full_name = HOSTILE_NAME
    async with web_client(office) as client:
        await sign_in(client, office, binh)
        pages = [
            await client.get("/dashboard"),
            await client.get("/dashboard/people?status=not_signed"),
            await client.get("/dashboard/chart.svg"),
            await client.get(f"/dashboard?unit={unit.id}"),
        ]
    for page in pages:
        assert page.status_code == 200
        assert HOSTILE_UNIT not in page.text and HOSTILE_NAME not in page.text
        assert "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0].text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in pages[1].text
    assert parse_svg(pages[2].content).find("{http://www.w3.org/2000/svg}title") is not None  # well-formed


def test_periods_by_name() -> None:
    saturday = SATURDAY.date()
    assert dashboard_period("week", saturday) == PERIOD
    year = dashboard_period("year", saturday)
    assert year is not None and (year.start.isoformat(), year.end.isoformat()) == ("2026-01-01", "2026-12-31")
    assert dashboard_period("decade", saturday) is None
