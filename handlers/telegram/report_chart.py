"""The report's chart as a photo, and what every report file says it is: whose figures, for which period."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta

from telegram import Chat, InputFile, InputMediaPhoto

from compliance.reports.chart import ChartLabels, chart_groups, chart_pngs, weekly_on_time
from compliance.reports.period import Period
from compliance.reports.rollup import Report
from handlers.i18n import LOCAL_TZ, _, fmt_date, fmt_percent, ngettext
from handlers.scope import current_scope

WEEKS = 8


def _day(value: date) -> str:
    return fmt_date(datetime.combine(value, time(12), LOCAL_TZ))


def unit_name(report: Report) -> str:
    return report.root.name if report.root else _("the whole office")


def period_text(period: Period, period_name: str) -> str:
    """ "This week, 16/11/2026 – 22/11/2026": the period by its name and its first and last day."""
    return _("{period}, {start} – {end}").format(
        period=period_name, start=_day(period.start), end=_day(period.end)
    )


def file_subject(unit: str, period: Period, period_name: str) -> str:
    """The unit and the period, the part of a report file's caption that says whose and when."""
    return _("{unit}, {period}").format(unit=unit, period=period_text(period, period_name.lower()))


def chart_labels(unit: str, period: Period, period_name: str, *, weeks: int = WEEKS) -> ChartLabels:
    """`weeks`: how many weeks the line shows (fewer than eight in the programme's first weeks)."""
    return ChartLabels(
        title=_("Report of {unit}").format(unit=unit),
        subtitle=period_text(period, period_name),
        basis=_("Shares of the staff list:"),
        series=[_("Joined the bot"), _("Signed the pledge"), _("Self-checks done")],
        trend_title=ngettext(
            "Self-checks on time, the last week", "Self-checks on time, last {n} weeks", weeks or WEEKS
        ).format(n=weeks or WEEKS),
        no_weeks=_("No self-check week yet."),
        more_units=_("{n} more units are in the Excel file."),
        whole_office=_("The whole office"),
        percent=fmt_percent,
    )


async def send_chart(chat: Chat, report: Report, period_name: str, file_name: str) -> None:
    """The chart of the units in reach and of the weeks up to the period's last, with a caption saying
    whose and when."""
    last_monday = report.period.end - timedelta(days=report.period.end.weekday())
    weeks = await weekly_on_time(
        current_scope().session, root=report.root, last_monday=last_monday, weeks=WEEKS
    )
    labels = chart_labels(unit_name(report), report.period, period_name, weeks=len(weeks))
    groups, hidden = chart_groups(report.root, report.units, report.total, whole_office=labels.whole_office)
    weekly = [(monday.strftime("%d/%m"), rate) for monday, rate in weeks]
    # Drawing takes a second of CPU for a big office: off the event loop, in Figures of their own
    pngs = await asyncio.to_thread(chart_pngs, groups, weekly, labels, hidden=hidden)
    caption = _("Chart: {subject}").format(
        subject=file_subject(unit_name(report), report.period, period_name)
    )
    if len(pngs) == 1:
        await chat.send_photo(InputFile(pngs[0], filename=f"{file_name}.png"), caption=caption)
        return
    # Many units: an album of pages, each at most 2560 px tall (what Telegram keeps of a photo)
    pages = [InputMediaPhoto(png, filename=f"{file_name}-{n}.png") for n, png in enumerate(pngs, 1)]
    await chat.send_media_group(pages, caption=caption)
