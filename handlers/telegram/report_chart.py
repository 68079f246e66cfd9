"""The report's chart as a photo, or an album of pages for many units (its labels and caption are
handlers.views.report_files and handlers.views.report)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram import Chat, InputMediaPhoto

from compliance.reports.chart import chart_groups, chart_pngs, weekly_on_time
from compliance.reports.rollup import Report
from handlers.scope import current_scope
from handlers.telegram.render import send
from handlers.views.report import chart_caption, chart_photo
from handlers.views.report_files import WEEKS, chart_labels, file_subject, unit_name


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
    subject = file_subject(unit_name(report), report.period, period_name)
    if len(pngs) == 1:
        await send(chat.get_bot(), chat.id, chart_photo(pngs[0], file_name, subject))
        return
    # Many units: an album of pages, each at most 2560 px tall (what Telegram keeps of a photo)
    pages = [InputMediaPhoto(png, filename=f"{file_name}-{n}.png") for n, png in enumerate(pngs, 1)]
    await chat.send_media_group(pages, caption=chart_caption(subject))
