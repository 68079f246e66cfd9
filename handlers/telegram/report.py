"""/report: a unit head's (or admin's) compliance summary with Excel and chart; an official's own card (the
replies are handlers.views.report, the files' labels handlers.views.report_files)."""

from __future__ import annotations

import asyncio
from datetime import date

from telegram import Update

from compliance.feedback.stars import StarPeriod
from compliance.pledge.signing import current_version
from compliance.reports import rollup as reports
from compliance.reports.citizens import CitizensExtras, report_extras, stars_of
from compliance.reports.files import excel_report
from compliance.reports.own_card import own_card
from compliance.reports.period import PeriodKind, period_of
from compliance.reports.review import review_rows, review_satisfaction, review_workbook
from compliance.reports.rollup import Report
from compliance.reports.satisfaction_report import ReportSatisfaction, report_satisfaction
from compliance.reports.weekly import plan_nudges
from handlers.i18n import LOCAL_TZ, current_locale
from handlers.scope import current_scope
from handlers.telegram.context import BotContext
from handlers.telegram.render import answer, send
from handlers.telegram.report_chart import send_chart
from handlers.views import access
from handlers.views import report as views
from handlers.views.report import period_names
from handlers.views.report_files import (
    citizens_labels,
    file_name,
    file_subject,
    labels,
    review_header,
    satisfaction_sheet,
    unit_name,
    whole_office,
)
from storage.clock import utcnow
from storage.models import Unit


async def _scope_unit() -> tuple[Unit | None, bool]:
    """The subtree the reader may see: the office for admins, their unit for heads; (None, False) for
    officials, who get their own card."""
    scope = current_scope()
    actor = scope.actor
    assert actor is not None
    if actor.is_admin:
        return None, True
    if actor.is_head and actor.unit_id:
        return await scope.session.get(Unit, actor.unit_id), True
    return None, False


async def _build(kind: PeriodKind) -> tuple[Report, dict[str, str], ReportSatisfaction]:
    """The report the reader may see, the pledge items' texts in their language (for "weakest"), and the
    citizens' satisfaction of the same units and period."""
    scope = current_scope()
    root, _allowed = await _scope_unit()
    report = await reports.build_report(scope.session, root=root, period=period_of(kind, _today()))
    version = await current_version(scope.session, root)
    items = {item.id: item.text.get(current_locale()) for item in (version.template.items if version else [])}
    return report, items, await report_satisfaction(scope.session, report)


def _today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


async def _extras(report: Report) -> CitizensExtras:
    """The letters and the stars, for the summary and the Excel only (the chart and nudges need neither:
    the stars come from the office's ranking kept in the process, seconds for a province when not kept)."""
    return await report_extras(current_scope().session, report, day=_today())


async def report_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    actor = scope.actor
    assert actor is not None
    _root, allowed = await _scope_unit()
    if not allowed:
        await _own_card(update)
        return
    kind = PeriodKind.THIS_WEEK
    report, items, satisfaction = await _build(kind)
    message = views.report_message(
        report, kind, items, admin=actor.is_admin, satisfaction=satisfaction, extras=await _extras(report)
    )
    await answer(update, message)


async def _own_card(update: Update) -> None:
    scope = current_scope()
    actor = scope.actor
    assert actor is not None
    unit = await scope.session.get(Unit, actor.unit_id) if actor.unit_id else None
    card = await own_card(scope.session, official_id=actor.id, unit=unit)
    await answer(update, views.own_card_message(card))


async def report_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    _root, allowed = await _scope_unit()
    parts = (query.data or "").split(":")
    try:
        kind = PeriodKind(parts[2])
    except (IndexError, ValueError):
        kind = None
    actor = current_scope().actor
    is_admin = actor is not None and actor.is_admin
    if (
        not allowed
        or kind is None
        or parts[1] not in ("p", "x", "c", "n", "r")
        or (parts[1] == "r" and not is_admin)
    ):
        await query.answer(access.not_allowed(), show_alert=True)
        return
    await query.answer()
    report, items, satisfaction = await _build(kind)
    if parts[1] == "p":
        message = views.report_message(
            report,
            kind,
            items,
            admin=is_admin,
            edit=True,
            satisfaction=satisfaction,
            extras=await _extras(report),
        )
        await answer(update, message)
        return
    if parts[1] == "r":
        quarter = period_of(PeriodKind.QUARTER, utcnow().astimezone(LOCAL_TZ).date())
        units, rows = await review_rows(current_scope().session, root=None, period=quarter)
        star_period = StarPeriod(quarter.start.year, (quarter.start.month - 1) // 3 + 1)
        label = star_period.key
        # The units' stars of the same quarter, so far: the rank of each unit beside its people's rows.
        stars = await stars_of(current_scope().session, star_period, root=None, today=_today())
        sheet = (stars, citizens_labels(stars)) if stars is not None else None
        # The citizens' ratings of the same units and quarter, as the report's Excel has them.
        rated = satisfaction_sheet(*await review_satisfaction(current_scope().session, units, quarter))
        # Seconds of CPU for a big office: built off the event loop, so other people's updates go on.
        workbook = await asyncio.to_thread(review_workbook, units, rows, review_header(), sheet, rated)
        subject = file_subject(whole_office(), quarter, period_names()[PeriodKind.QUARTER])
        await send(context.bot, chat.id, views.review_document(workbook, label, subject))
        return
    if parts[1] == "n":
        today = utcnow().astimezone(LOCAL_TZ).date()
        planned = await plan_nudges(
            current_scope().session,
            lapses=report.lapses,
            day=today,
            actor=current_scope().actor,
            scope=report.root,
        )
        current_scope().outbox_planned = True
        await current_scope().commit()
        await send(context.bot, chat.id, views.nudges_planned(planned))
        return
    name = file_name(report)
    if parts[1] == "x":
        extras = await _extras(report)
        content = await asyncio.to_thread(
            excel_report, report, labels(report.period, extras), satisfaction, extras
        )
        subject = file_subject(unit_name(report), report.period, period_names()[kind])
        await send(context.bot, chat.id, views.excel_document(content, name, subject))
        return
    await send_chart(chat, report, period_names()[kind], name)
