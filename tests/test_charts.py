"""The report's chart as drawn: which units, in which order, which bars, which labels, and the picture's
size; inspected in the Figure before it is saved, the way a reader would read the PNG."""

from __future__ import annotations

import io
import math
from datetime import timedelta

import numpy
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image
from sqlalchemy import select, update

from compliance.office.units import get_unit_by_code
from compliance.reports import rollup as reports
from compliance.reports.chart import (
    ChartGroup,
    ChartLabels,
    chart_figure,
    chart_groups,
    chart_pages,
    chart_pngs,
    weekly_on_time,
)
from compliance.reports.rollup import Figures, UnitLine
from handlers.i18n import use_locale
from handlers.views.report_files import chart_labels
from storage.engine import Database
from storage.models import Unit
from storage.models_practice import SelfCheck
from tests.test_reports import EARLIER, PERIOD, WEEK, office  # noqa: F401 - the fixture


def figures(on_list: int, joined: int, signed: int, done: int = 0, *, weeks: int = 1) -> Figures:
    """A unit's figures against its staff list: `done` self-checks of on_list × weeks."""
    return Figures(
        on_list=on_list,
        joined=joined,
        signed=signed,
        checks_on_time=done,
        check_slots=on_list * weeks,
        quiz_slots=on_list * weeks,
    )


def line(unit_id: int, name: str, depth: int, subtree: Figures) -> UnitLine:
    return UnitLine(unit_id, name, f"u{unit_id}", depth, Figures(), subtree)


# A head's unit at 67 % with three sub-units, one of them with nobody on its list (nothing due at all).
ROOT = Unit(id=1, name="Phòng Văn hóa và Thông tin", code="u1", path="/1/", depth=1)
HEADS_UNITS = [
    line(1, ROOT.name, 1, figures(3, 3, 2, 1)),
    line(4, "Tổ Đào tạo", 2, Figures()),
    line(3, "Tổ Dân vận", 2, figures(1, 1, 1, 1)),
    line(2, "Tổ Chính sách", 2, figures(2, 0, 0, weeks=0)),  # the period's first week has not begun
    line(5, "Nhóm lưu trữ", 3, figures(1, 1, 1)),  # below a sub-unit: in its subtree, not a group of its own
]
WEEKS = [("02/11", 0.0), ("09/11", None), ("16/11", 0.5)]


def labels() -> ChartLabels:
    return chart_labels(ROOT.name, PERIOD, "Tuần này")


def draw(groups: list[ChartGroup], weeks: list[tuple[str, float | None]], *, hidden: int = 0) -> Figure:
    with use_locale("vi"):
        return chart_figure(groups, weeks, labels(), hidden=hidden)


def texts(figure: Figure, gid: str) -> list[Text]:
    return [text for text in figure.findobj(Text) if text.get_gid() == gid]


def bars(figure: Figure) -> dict[str, float]:
    return {
        str(patch.get_gid()): patch.get_width()
        for patch in figure.findobj(Rectangle)
        if str(patch.get_gid()).startswith("bar ")
    }


def test_a_heads_own_unit_comes_first_then_the_units_below_in_vietnamese_order() -> None:
    groups, hidden = chart_groups(ROOT, HEADS_UNITS, Figures(), whole_office="Toàn cơ quan")
    assert [g.name for g in groups] == [ROOT.name, "Tổ Chính sách", "Tổ Dân vận", "Tổ Đào tạo"]
    assert [g.reader for g in groups] == [True, False, False, False]
    assert hidden == 0
    figure = draw(groups, WEEKS)
    names = texts(figure, "unit")
    assert [t.get_text() for t in names] == [ROOT.name, "Tổ Chính sách", "Tổ Dân vận", "Tổ Đào tạo"]
    assert names[0].get_fontweight() == "bold" and names[1].get_fontweight() == "normal"
    drawn = bars(figure)
    assert drawn["bar 0 0"] == 100  # the head's unit: all 3 joined,
    assert math.isclose(drawn["bar 0 1"], 200 / 3)  # 2 of 3 signed,
    assert math.isclose(drawn["bar 0 2"], 100 / 3)  # 1 self-check done of 3
    assert [t.get_text() for t in texts(figure, "value")][:3] == ["100%", "67%", "33%"]
    # "Tổ Chính sách": nobody joined or signed (0 %: a label, a bar of nothing), no self-check due (no bar)
    assert drawn["bar 1 0"] == 0 and drawn["bar 1 1"] == 0 and "bar 1 2" not in drawn
    # "Tổ Đào tạo": nothing due at all, three dashes and not a single bar, neither 0 % nor 100 %
    assert not [gid for gid in drawn if gid.startswith("bar 3 ")]
    dashes = texts(figure, "no-figure")
    # three of Đào tạo, Chính sách's self-checks, the week with none due
    assert [t.get_text() for t in dashes] == ["—"] * 5


def test_an_admins_office_is_its_single_top_unit_or_the_whole_office() -> None:
    single = [line(1, "Sở Văn hóa", 0, figures(4, 4, 2)), line(2, "Văn phòng", 1, figures(2, 2, 1))]
    groups, _ = chart_groups(None, single, figures(4, 4, 2), whole_office="Toàn cơ quan")
    assert [(g.name, g.reader) for g in groups] == [("Sở Văn hóa", True), ("Văn phòng", False)]
    several = [line(1, "UBND xã Đông", 0, figures(2, 2, 2)), line(2, "UBND xã Bắc", 0, figures(2, 2, 0))]
    groups, _ = chart_groups(None, several, figures(4, 4, 2), whole_office="Toàn cơ quan")
    assert [g.name for g in groups] == ["Toàn cơ quan", "UBND xã Bắc", "UBND xã Đông"]
    assert groups[0].rates == (1.0, 0.5, 0.0)  # the office's own total


def test_units_beyond_the_limit_are_counted_in_a_note() -> None:
    many = [line(1, "Sở", 0, figures(50, 50, 50))] + [
        line(n, f"Tổ {n}", 1, figures(1, 1, 1)) for n in range(2, 47)
    ]
    groups, hidden = chart_groups(None, many, figures(50, 50, 50), whole_office="Toàn cơ quan")
    assert len(groups) == 41 and hidden == 5
    assert [g.name for g in groups[1:4]] == ["Tổ 2", "Tổ 3", "Tổ 4"]  # numbers by value, not "Tổ 10" first
    figure = draw(groups, WEEKS, hidden=hidden)
    assert any("5" in t.get_text() and "Excel" in t.get_text() for t in figure.texts)


def test_many_units_are_pages_that_stay_phone_wide_once_telegram_has_resized_them() -> None:
    few, _ = chart_groups(ROOT, HEADS_UNITS, Figures(), whole_office="Toàn cơ quan")
    assert len(chart_pages(few, WEEKS, labels())) == 1
    many = [ChartGroup("UBND xã", (0.5, 0.5, 0.5), reader=True)] + [
        ChartGroup(f"Xã {n}", (0.5, None, 0.25)) for n in range(1, 20)
    ]
    with use_locale("vi"):
        pages = chart_pages(many, WEEKS, labels(), hidden=3)
    heights = [page.get_figheight() * page.dpi for page in pages]
    assert len(pages) > 1 and max(heights) <= 2560  # what Telegram keeps of a photo's longest side
    titles = [texts(page, "title")[0].get_text() for page in pages]
    assert all(title.endswith(f"({n}/{len(pages)})") for n, title in enumerate(titles, 1))
    shown = [t.get_text() for page in pages for t in texts(page, "unit")]
    assert shown == [group.name for group in many]  # every unit once, in order, across the pages
    assert [bool(texts(page, "trend-title")) for page in pages] == [False] * (len(pages) - 1) + [True]
    assert any("3" in t.get_text() and "Excel" in t.get_text() for t in pages[-1].texts)
    assert all(len(texts(page, "legend")) == 3 for page in pages)  # each page reads on its own


def test_the_weekly_line_leaves_a_gap_where_nothing_was_due() -> None:
    figure = draw([ChartGroup("Phòng", (1.0, 1.0, 1.0), reader=True)], WEEKS)
    trend = figure.axes[1]
    (drawn,) = [artist for artist in trend.lines if artist.get_gid() == "trend"]
    values = numpy.asarray(drawn.get_ydata(), dtype=float).tolist()
    assert values[0] == 0 and math.isnan(values[1]) and values[2] == 50
    assert [t.get_text() for t in trend.get_xticklabels()] == ["02/11", "09/11", "16/11"]
    assert [t.get_text() for t in trend.texts] == ["0%", "—", "50%"]


def test_no_week_yet_says_so_instead_of_drawing_zeros() -> None:
    figure = draw([ChartGroup("Phòng", (None, None, None), reader=True)], [])
    trend = figure.axes[1]
    assert not trend.lines
    assert [t.get_text() for t in trend.texts] == ["Chưa có tuần tự đánh giá nào."]


def test_title_legend_and_bars_do_not_overlap_and_the_text_is_large_enough_for_a_phone() -> None:
    groups, _ = chart_groups(ROOT, HEADS_UNITS, Figures(), whole_office="Toàn cơ quan")
    figure = draw(groups, WEEKS)
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    figure.draw(renderer)
    title = texts(figure, "title")[0]
    assert ROOT.name in title.get_text()
    assert "16/11/2026" in texts(figure, "subtitle")[0].get_text()
    bars_box = figure.axes[0].get_window_extent(renderer)
    legend = texts(figure, "legend")
    assert [t.get_text() for t in legend] == [
        "Đã tham gia bot",
        "Đã ký cam kết",
        "Tự đánh giá đã nộp",
    ]
    for text in [title, *legend]:
        assert text.get_window_extent(renderer).y0 > bars_box.y1  # above the bars, never on them
    assert figure.axes[1].get_window_extent(renderer).y1 < bars_box.y0
    width_px = figure.get_figwidth() * figure.dpi
    smallest = min(float(t.get_fontsize()) for t in figure.findobj(Text) if t.get_text())
    assert smallest * figure.dpi / 72 >= width_px / 45  # at least 1/45 of the width: legible on a phone


def test_the_png_is_at_least_1080_pixels_wide() -> None:
    groups, hidden = chart_groups(ROOT, HEADS_UNITS, Figures(), whole_office="Toàn cơ quan")
    with use_locale("vi"):
        (png,) = chart_pngs(groups, WEEKS, labels(), hidden=hidden)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.width >= 1080
        assert image.height > image.width  # a tall picture: scrolled on a phone, never shrunk sideways


async def test_weeks_before_the_programme_started_are_left_out(office: Database) -> None:  # noqa: F811
    async with office.unit_of_work() as session:
        # the office's first self-checks are in EARLIER: the six weeks before it are not drawn
        office_weeks = await weekly_on_time(session, root=None, last_monday=WEEK + timedelta(days=7))
        assert office_weeks == [(EARLIER, 0.0), (WEEK, 0.5), (WEEK + timedelta(days=7), None)]
        # the Văn phòng's people had their first self-check in WEEK
        unit = await get_unit_by_code(session, "van-phong")
        assert unit is not None
        assert await weekly_on_time(session, root=unit, last_monday=WEEK) == [(WEEK, 0.5)]
        nobody = await weekly_on_time(session, root=unit, last_monday=EARLIER)
        assert nobody == []


async def test_a_running_week_is_not_drawn_from_its_early_answers(office: Database) -> None:  # noqa: F811
    following = WEEK + timedelta(days=7)
    async with office.unit_of_work() as session:
        checks = (await session.scalars(select(SelfCheck).where(SelfCheck.week == WEEK))).all()
        early, waiting = checks[0], checks[1]
        for check, status in ((early, "done"), (waiting, "open")):
            session.add(
                SelfCheck(
                    official_id=check.official_id,
                    week=following,
                    pledge_version_id=check.pledge_version_id,
                    answers={},
                    status=status,
                    deadline_at=check.deadline_at + timedelta(days=7),
                )
            )
    async with office.unit_of_work() as session:
        running = await weekly_on_time(session, root=None, last_monday=following)
        assert running[-1] == (following, None)  # one done early, one still open: not 100 %
        await session.execute(update(SelfCheck).where(SelfCheck.status == "open").values(status="missed"))
        closed = await weekly_on_time(session, root=None, last_monday=following)
        assert closed[-1] == (following, 0.5)


async def test_a_heads_report_charted(office: Database) -> None:  # noqa: F811
    async with office.unit_of_work() as session:
        root = (await session.scalars(select(Unit).where(Unit.depth == 0))).one()
        report = await reports.build_report(session, root=root, period=PERIOD)
    groups, hidden = chart_groups(report.root, report.units, report.total, whole_office="—")
    assert [g.name for g in groups] == ["Sở GTVT", "Phòng Quản lý vận tải", "Văn phòng"]
    assert groups[0].reader and hidden == 0
    total = report.total
    assert groups[0].rates == (total.joined_rate, total.signed_rate, total.done_rate) == (0.8, 0.4, 0.6)
