"""BAO CAO: a head's (or admin's) summary of this week for their unit, the chart as a picture and a
one-time link to the dashboard; an official gets their own card, as the chat's /report gives them."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from compliance.office.web_access import issue_link
from compliance.pledge.signing import current_version
from compliance.reports import rollup as reports
from compliance.reports.chart import chart_groups, chart_pngs, weekly_on_time
from compliance.reports.citizens import report_extras
from compliance.reports.own_card import own_card
from compliance.reports.period import PeriodKind, period_of
from compliance.reports.satisfaction_report import report_satisfaction
from handlers.i18n import LOCAL_TZ, _, current_locale
from handlers.messages import OutMessage, esc
from handlers.views import report as views
from handlers.views.report import chart_photo, period_names
from handlers.views.report_files import WEEKS, chart_labels, file_name, file_subject, unit_name
from handlers.zalo.dialogs.base import Replies, Turn
from storage.models import Unit

DASHBOARD_PATH = "/dashboard"


async def report(turn: Turn) -> Replies:
    actor = turn.me
    unit = await turn.session.get(Unit, actor.unit_id) if actor.unit_id else None
    if not actor.is_admin and not (actor.is_head and unit is not None):
        card = await own_card(turn.session, official_id=actor.id, unit=unit)
        return [views.own_card_message(card)]
    root = None if actor.is_admin else unit
    kind = PeriodKind.THIS_WEEK
    today = turn.now.astimezone(LOCAL_TZ).date()
    built = await reports.build_report(turn.session, root=root, period=period_of(kind, today))
    version = await current_version(turn.session, root)
    items = {item.id: item.text.get(current_locale()) for item in (version.template.items if version else [])}
    token = await issue_link(turn.session, official_id=actor.id, issued_by="zalo", next_path=DASHBOARD_PATH)
    link = turn.link(token)
    # The summary without the chat's buttons (periods, files, nudges): those live on the dashboard.
    satisfaction = await report_satisfaction(turn.session, built)
    extras = await report_extras(turn.session, built, day=today)
    summary = OutMessage(views.report_text(built, kind, items, satisfaction, extras))
    more = OutMessage(
        _(
            "Other periods, the Excel file and nudges are on the dashboard: {link} (works once, for 10 "
            "minutes)"
        ).format(link=esc(link)),
        link_preview=False,
    )
    return [summary, await _chart(turn, built, period_names()[kind]), more]


async def _chart(turn: Turn, built: reports.Report, period_name: str) -> OutMessage:
    """The chart's first page (a big office's further pages are on the dashboard)."""
    last_monday = built.period.end - timedelta(days=built.period.end.weekday())
    weeks = await weekly_on_time(turn.session, root=built.root, last_monday=last_monday, weeks=WEEKS)
    labels = chart_labels(unit_name(built), built.period, period_name, weeks=len(weeks))
    groups, hidden = chart_groups(built.root, built.units, built.total, whole_office=labels.whole_office)
    weekly = [(monday.strftime("%d/%m"), rate) for monday, rate in weeks]
    # Drawing takes a second of CPU for a big office: off the event loop.
    pngs = await asyncio.to_thread(chart_pngs, groups, weekly, labels, hidden=hidden)
    subject = file_subject(unit_name(built), built.period, period_name)
    return chart_photo(pngs[0], file_name(built), subject)
