"/report: a unit head's (or admin's) compliance summary with Excel and chart; an official's own card."

from __future__ import annotations

import asyncio
from datetime import date, datetime, time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode

from compliance.pledge.signing import current_version
from compliance.reports import rollup as reports
from compliance.reports.files import ReportLabels, excel_report
from compliance.reports.own_card import own_card
from compliance.reports.period import Period, PeriodKind, period_of
from compliance.reports.review import review_rows, review_workbook
from compliance.reports.rollup import Report
from compliance.reports.weekly import plan_nudges
from compliance.text import ascii_slug
from handlers.i18n import LOCAL_TZ, _, current_locale, fmt_date, fmt_datetime, fmt_percent
from handlers.messages import esc
from handlers.scope import current_scope
from handlers.telegram.context import BotContext, reply
from handlers.telegram.report_chart import file_subject, send_chart, unit_name
from storage.clock import utcnow
from storage.models import Unit

SHOWN_LAPSES = 15


def period_names() -> dict[PeriodKind, str]:
    return {
        PeriodKind.THIS_WEEK: _("This week"),
        PeriodKind.LAST_WEEK: _("Last week"),
        PeriodKind.MONTH: _("This month"),
        PeriodKind.QUARTER: _("This quarter"),
    }


def lapse_names() -> dict[str, str]:
    return {
        "not_joined": _("has not joined the bot"),
        "not_signed": _("has not signed"),
        "missed_twice": _("missed two self-checks in a row"),
        "never_read": _("read no reminder"),
        "unreachable": _("unreachable (blocked the bot)"),
    }


def _day(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return fmt_date(value)
    return fmt_date(datetime.combine(value, time(12), LOCAL_TZ))


def _pct(value: float | None) -> str:
    return fmt_percent(value) if value is not None else "—"


def _trend(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    delta = now - before
    return " ▲" if delta > 0.005 else (" ▼" if delta < -0.005 else " =")


def _figures_lines(report: Report) -> list[str]:
    """Every state against the staff list ("x/y"), with the change since the previous period where it
    means something: both periods have a figure, and for self-checks both periods are over."""
    f, before = report.total, report.previous_total
    return [
        _("On the staff list: {n}").format(n=f.on_list),
        _("Joined the bot: {n}/{total}").format(n=f.joined, total=f.on_list),
        _("Signed the current pledge: {n}/{total} ({rate}){trend}").format(
            n=f.signed,
            total=f.on_list,
            rate=_pct(f.signed_rate),
            trend=_trend(f.signed_rate, before.signed_rate),
        ),
        _("Self-checks done: {n}/{due} ({on_time} on time, {late} late, {missed} missed){trend}").format(
            n=f.checks_done,
            due=f.check_slots,
            on_time=f.checks_on_time,
            late=f.checks_late,
            missed=f.checks_missed,
            trend=_trend(f.done_rate, before.done_rate) if report.complete else "",
        ),
        _("Weekly quiz: {n}/{due} taken, average score {score}").format(
            n=f.quiz_takers, due=f.quiz_slots, score=_pct(f.quiz_average)
        ),
        _("Daily reminders read: {rate}{trend}").format(
            rate=_pct(f.read_rate), trend=_trend(f.read_rate, before.read_rate)
        ),
    ]


def render(report: Report, kind: PeriodKind, item_texts: dict[str, str]) -> str:
    title = esc(report.root.name) if report.root else _("the whole office")
    lines = [
        _("<b>Report of {unit}</b>, {period} ({start} – {end})").format(
            unit=title,
            period=period_names()[kind].lower(),
            start=_day(report.period.start),
            end=_day(report.period.end),
        ),
        *_figures_lines(report),
    ]
    averages = report.total.item_averages()
    if averages:
        weakest = min(averages, key=averages.__getitem__)
        lines.append(
            _("Weakest in the self-checks: “{item}” ({rate})").format(
                item=esc(item_texts.get(weakest, weakest)), rate=_pct(averages[weakest])
            )
        )
    top = min((line.depth for line in report.units), default=0)
    children = [line for line in report.units if line.depth == top + 1]
    if children:
        lines += ["", _("<b>Units</b> (joined · signed · self-checks done, against the staff list):")]
        for child in children[:20]:
            f = child.subtree
            lines.append(
                f"• {esc(child.name)}: {f.joined}/{f.on_list} · {f.signed}/{f.on_list} · "
                f"{f.checks_done}/{f.check_slots}"
            )
    if report.lapses:
        names = lapse_names()
        lines += ["", _("<b>Lapses</b> ({n}):").format(n=len(report.lapses))]
        lines += [
            f"• {esc(lapse.full_name)} ({esc(lapse.unit_name)}): {names[lapse.kind]}"
            for lapse in report.lapses[:SHOWN_LAPSES]
        ]
        if len(report.lapses) > SHOWN_LAPSES:
            lines.append(_("…and {n} more in the Excel file.").format(n=len(report.lapses) - SHOWN_LAPSES))
    return "\n".join(lines)


def buttons(kind: PeriodKind, *, admin: bool = False) -> InlineKeyboardMarkup:
    periods = [
        InlineKeyboardButton(("• " if k is kind else "") + name, callback_data=f"rp:p:{k.value}")
        for k, name in period_names().items()
    ]
    return InlineKeyboardMarkup(
        [
            periods[:2],
            periods[2:],
            [
                InlineKeyboardButton(_("Excel"), callback_data=f"rp:x:{kind.value}"),
                InlineKeyboardButton(_("Chart"), callback_data=f"rp:c:{kind.value}"),
            ],
            [InlineKeyboardButton(_("Nudge those with lapses"), callback_data=f"rp:n:{kind.value}")],
            *(
                [
                    [
                        InlineKeyboardButton(
                            _("Emulation review, this quarter (Excel)"), callback_data="rp:r:quarter"
                        )
                    ]
                ]
                if admin
                else []
            ),
        ]
    )


def activity_columns() -> list[str]:
    """A person's activity as both the emulation review and the report's people sheet show it."""
    return [
        _("Signed on"),
        _("On time"),
        _("Late"),
        _("Missed"),
        _("Weekly quizzes"),
        _("Quiz average"),
        _("Reminders read %"),
    ]


def review_header() -> list[str]:
    """The emulation review's columns (the CLI's export and the admin button share them)."""
    return [
        _("Name"),
        _("Title"),
        _("Unit"),
        *activity_columns(),
        _("Score"),
    ]


def labels(period: Period) -> ReportLabels:
    return ReportLabels(
        units_sheet=_("Units"),
        people_sheet=_("People"),
        unit_columns=[
            _("Unit"),
            _("Code"),
            _("On the list"),
            _("Joined"),
            _("Joined %"),
            _("Signed"),
            _("Signed %"),
            _("Self-checks done"),
            _("Self-checks due"),
            _("Done %"),
            _("On time"),
            _("Late"),
            _("Missed"),
            _("Quizzes taken"),
            _("Quiz taken %"),
            _("Quiz average"),
            _("Reminders read %"),
        ],
        people_columns=[
            _("Name"),
            _("Title"),
            _("Unit"),
            _("Joined the bot"),
            *activity_columns(),
            _("Lapses"),
        ],
        lapse_names=lapse_names(),
        states={
            "joined": _("joined"),
            "not_joined": _("not joined"),
            "unreachable": _("unreachable"),
            "not_signed": _("not signed"),
            "no_pledge": _("no pledge yet"),
        },
        period=_("Period: {start} – {end}").format(start=_day(period.start), end=_day(period.end)),
        total=_("Total"),
    )


def file_name(report: Report) -> str:
    """The files' name in the reader's language, readable as it stands: the unit's name without marks
    (file names travel through mail and USB sticks), the days as the reader writes them."""
    unit = ascii_slug(report.root.name, max_length=60) if report.root else _("whole-office")
    day_format = _("%Y-%m-%d")
    return _("report-{unit}-{start}-to-{end}").format(
        unit=unit, start=report.period.start.strftime(day_format), end=report.period.end.strftime(day_format)
    )


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


async def _build(kind: PeriodKind) -> tuple[Report, dict[str, str]]:
    """The report the reader may see, and the pledge items' texts in their language (for "weakest")."""
    scope = current_scope()
    root, _allowed = await _scope_unit()
    today = utcnow().astimezone(LOCAL_TZ).date()
    report = await reports.build_report(scope.session, root=root, period=period_of(kind, today))
    version = await current_version(scope.session, root)
    items = {item.id: item.text.get(current_locale()) for item in (version.template.items if version else [])}
    return report, items


async def report_command(update: Update, context: BotContext) -> None:
    scope = current_scope()
    actor = scope.actor
    assert actor is not None
    _root, allowed = await _scope_unit()
    if not allowed:
        await _own_card(update)
        return
    kind = PeriodKind.THIS_WEEK
    report, items = await _build(kind)
    await reply(update, render(report, kind, items), reply_markup=buttons(kind, admin=actor.is_admin))


async def _own_card(update: Update) -> None:
    scope = current_scope()
    actor = scope.actor
    assert actor is not None
    unit = await scope.session.get(Unit, actor.unit_id) if actor.unit_id else None
    card = await own_card(scope.session, official_id=actor.id, unit=unit)
    statuses = {"done": _("on time"), "late": _("late"), "missed": _("missed"), "open": _("open")}
    lines = [
        _("<b>Your card</b>"),
        _("Pledge signed on {date}").format(date=fmt_datetime(card.signed_at))
        if card.signed_at
        else _("You have not signed the current pledge: /pledge"),
        _("Self-checks on time in a row: {n}").format(n=card.on_time_streak),
    ]
    lines += [f"• {_day(week)}: {statuses.get(status, status)}" for week, status in card.checks]
    if card.quizzes:
        lines.append(_("Weekly quizzes:"))
        lines += [f"• {_day(week)}: {score}/{answered}" for week, score, answered in card.quizzes]
    await reply(update, "\n".join(lines))


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
        await query.answer(_("You are not allowed to do this."), show_alert=True)
        return
    await query.answer()
    report, items = await _build(kind)
    if parts[1] == "p":
        await query.edit_message_text(
            render(report, kind, items), parse_mode=ParseMode.HTML, reply_markup=buttons(kind, admin=is_admin)
        )
        return
    if parts[1] == "r":
        quarter = period_of(PeriodKind.QUARTER, utcnow().astimezone(LOCAL_TZ).date())
        units, rows = await review_rows(current_scope().session, root=None, period=quarter)
        label = f"{quarter.start.year}Q{(quarter.start.month - 1) // 3 + 1}"
        # Seconds of CPU for a big office: built off the event loop, so other people's updates go on.
        workbook = await asyncio.to_thread(review_workbook, units, rows, review_header())
        subject = file_subject(_("the whole office"), quarter, period_names()[PeriodKind.QUARTER])
        await chat.send_document(
            InputFile(workbook, filename=_("emulation-review-{quarter}.xlsx").format(quarter=label)),
            caption=_("Emulation review (Excel): {subject}").format(subject=subject),
        )
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
        await chat.send_message(
            _("{n} officials will be reminded (each at most once a day).").format(n=planned),
            parse_mode=ParseMode.HTML,
        )
        return
    name = file_name(report)
    if parts[1] == "x":
        content = await asyncio.to_thread(excel_report, report, labels(report.period))
        subject = file_subject(unit_name(report), report.period, period_names()[kind])
        await chat.send_document(
            InputFile(content, filename=f"{name}.xlsx"),
            caption=_("Report (Excel): {subject}").format(subject=subject),
        )
        return
    await send_chart(chat, report, period_names()[kind], name)
