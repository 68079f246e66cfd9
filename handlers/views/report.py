"""What /report says: a unit head's (or admin's) summary with its buttons, an official's own card, and the
captions of the files it sends (their labels and names are handlers.views.report_files)."""

from __future__ import annotations

from datetime import date, datetime, time

from compliance.feedback.letters import LetterCounts
from compliance.reports.citizens import CitizensExtras, ReportStars
from compliance.reports.own_card import OwnCard
from compliance.reports.period import PeriodKind
from compliance.reports.rollup import Report
from compliance.reports.satisfaction_report import ReportSatisfaction
from handlers.i18n import LOCAL_TZ, _, fmt_date, fmt_datetime, fmt_number, fmt_percent
from handlers.messages import Attachment, AttachmentKind, Choice, OutMessage, esc, plain_text, row
from handlers.views.stars import rubric_source, star_period_text, stars_text

SHOWN_LAPSES = 15
SHOWN_UNITS = 20
# Telegram takes 4 096 characters of text a message: the summary keeps a margin under it.
TEXT_BUDGET = 3900


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
        "overdue": _("did not sign by the deadline"),
        "missed_twice": _("missed two self-checks in a row"),
        "never_read": _("read no reminder"),
        "unreachable": _("unreachable (blocked the bot)"),
    }


def day_text(value: date | datetime) -> str:
    """A day of a report as the reader writes it (a moment is shown on its day in Viet Nam)."""
    if isinstance(value, datetime):
        return fmt_date(value)
    return fmt_date(datetime.combine(value, time(12), LOCAL_TZ))


def _pct(value: float | None) -> str:
    return fmt_percent(value) if value is not None else "—"


def trend_arrow(now: float | None, before: float | None) -> str:
    """▲, ▼ or = against the period before, compared as the figures are shown (whole per cent), so the
    arrow never contradicts the two percentages beside it; "" without both."""
    if now is None or before is None:
        return ""
    delta = round(now * 100) - round(before * 100)
    return " ▲" if delta > 0 else (" ▼" if delta < 0 else " =")


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
            trend=trend_arrow(f.signed_rate, before.signed_rate),
        ),
        _("Self-checks done: {n}/{due} ({on_time} on time, {late} late, {missed} missed){trend}").format(
            n=f.checks_done,
            due=f.check_slots,
            on_time=f.checks_on_time,
            late=f.checks_late,
            missed=f.checks_missed,
            trend=trend_arrow(f.done_rate, before.done_rate) if report.complete else "",
        ),
        _("Weekly quiz: {n}/{due} taken, average score {score}").format(
            n=f.quiz_takers, due=f.quiz_slots, score=_pct(f.quiz_average)
        ),
        _("Daily reminders read: {rate}{trend}").format(
            rate=_pct(f.read_rate), trend=trend_arrow(f.read_rate, before.read_rate)
        ),
    ]


def satisfaction_lines(report: Report, satisfaction: ReportSatisfaction, *, shown: int = 20) -> list[str]:
    """Citizens' ratings of the subtree and, when any came, a short line per unit below: figures only,
    never a comment (those are on the dashboard)."""
    f, before = satisfaction.total, satisfaction.previous_total
    lines = [
        _(
            "Citizens' ratings: {n}, satisfaction index {index}{trend} (period before: {before}); "
            "flagged {flags}, not resolved {open}"
        ).format(
            n=f.ratings,
            index=_pct(f.index),
            trend=trend_arrow(f.index, before.index),
            before=_pct(before.index),
            flags=f.flags,
            open=f.flags_open,
        )
    ]
    if f.ratings:
        lines.append(
            _(
                "Officials' attitude: {attitude} satisfied; settled in one trip: {one_trip}, "
                "two: {two}, three or more: {three}; asked beyond the rules: {asked}"
            ).format(
                attitude=_pct(f.attitude_index),
                one_trip=f.trips[0],
                two=f.trips[1],
                three=f.trips[2],
                asked=f.asked_beyond_rules,
            )
        )
    top = min((line.depth for line in report.units), default=0)
    children = [line for line in report.units if line.depth == top + 1]
    if f.ratings and children:
        lines.append(_("<b>Satisfaction by unit</b> (ratings · index · flags not resolved):"))
        for child in children[:shown]:
            mine = satisfaction.of(child.unit_id)
            trend = trend_arrow(mine.index, satisfaction.before(child.unit_id).index)
            lines.append(
                f"• {esc(child.name)}: {mine.ratings} · {_pct(mine.index)}{trend} · {mine.flags_open}"
            )
    return lines


def letters_line(counts: LetterCounts) -> str:
    """The dashboard's words for the same figures (its letters summary)."""
    return _(
        "Letters to citizens — apologies: {apologies}, of which sent before the promised day: {on_time}; "
        "thank-you letters: {thanks}."
    ).format(
        apologies=fmt_number(counts.apologies),
        on_time=fmt_number(counts.on_time),
        thanks=fmt_number(counts.thanks),
    )


def stars_lines(report: Report, stars: ReportStars, *, per_unit: bool = True) -> list[str]:
    """The report's top units' stars of the last quarter ended with their rank among their peers, a short
    line per unit below, and the rubric's source (units only: never a person)."""
    period = star_period_text(stars.period)
    top = min((line.depth for line in report.units), default=0)
    lines: list[str] = []
    for line in report.units:
        unit = stars.of(line.unit_id)
        if line.depth != top or unit is None:
            continue
        lines.append(
            _(
                "Star rating of {unit}: {stars} {points}/{total}, {period}; "
                "rank {rank} of {peers} at its level"
            ).format(
                unit=esc(unit.name),
                stars=stars_text(unit.stars, stars.most),
                points=fmt_number(unit.total),
                total=fmt_number(stars.rubric.total),
                period=period,
                rank=unit.rank,
                peers=unit.peers,
            )
        )
    children = [stars.of(line.unit_id) for line in report.units if line.depth == top + 1][:SHOWN_UNITS]
    shown = [unit for unit in children if unit is not None] if per_unit else []
    if shown:
        lines.append(
            _("<b>Stars by unit</b>, {period} (stars · points · rank at its level):").format(period=period)
        )
        lines += [
            f"• {esc(unit.name)}: {stars_text(unit.stars, stars.most)} · {fmt_number(unit.total)} · "
            f"{unit.rank}/{unit.peers}"
            for unit in shown
        ]
    if lines:
        lines.append(esc(rubric_source(stars.rubric)))
    return lines


def citizens_lines(report: Report, extras: CitizensExtras, *, per_unit: bool = True) -> list[str]:
    """The letters to citizens of the report's subtree and the units' stars (`per_unit`: with the short
    line of each unit below)."""
    lines = [letters_line(extras.letters.total)]
    if extras.stars is not None:
        lines += stars_lines(report, extras.stars, per_unit=per_unit)
    return lines


def report_text(
    report: Report,
    kind: PeriodKind,
    item_texts: dict[str, str],
    satisfaction: ReportSatisfaction | None = None,
    extras: CitizensExtras | None = None,
) -> str:
    """The summary. When a big office's lists would pass TEXT_BUDGET, the stars go without their line per
    unit first, then every list is cut shorter: the Excel has each unit and each person in full."""
    text = ""
    for per_unit, shown in ((True, SHOWN_UNITS), (False, SHOWN_UNITS), (False, 10), (False, 5)):
        text = _report_text(report, kind, item_texts, satisfaction, extras, per_unit=per_unit, shown=shown)
        if len(plain_text(text)) <= TEXT_BUDGET:
            break
    return text


def _report_text(
    report: Report,
    kind: PeriodKind,
    item_texts: dict[str, str],
    satisfaction: ReportSatisfaction | None,
    extras: CitizensExtras | None,
    *,
    per_unit: bool,
    shown: int,
) -> str:
    title = esc(report.root.name) if report.root else _("the whole office")
    lines = [
        _("<b>Report of {unit}</b>, {period} ({start} – {end})").format(
            unit=title,
            period=period_names()[kind].lower(),
            start=day_text(report.period.start),
            end=day_text(report.period.end),
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
    if satisfaction is not None:
        lines += ["", *satisfaction_lines(report, satisfaction, shown=shown)]
    if extras is not None:
        lines += ["", *citizens_lines(report, extras, per_unit=per_unit)]
    top = min((line.depth for line in report.units), default=0)
    children = [line for line in report.units if line.depth == top + 1]
    if children:
        lines += ["", _("<b>Units</b> (joined · signed · self-checks done, against the staff list):")]
        for child in children[:shown]:
            f = child.subtree
            lines.append(
                f"• {esc(child.name)}: {f.joined}/{f.on_list} · {f.signed}/{f.on_list} · "
                f"{f.checks_done}/{f.check_slots}"
            )
    if report.lapses:
        lapses_shown = min(SHOWN_LAPSES, shown)
        names = lapse_names()
        lines += ["", _("<b>Lapses</b> ({n}):").format(n=len(report.lapses))]
        lines += [
            f"• {esc(lapse.full_name)} ({esc(lapse.unit_name)}): {names[lapse.kind]}"
            for lapse in report.lapses[:lapses_shown]
        ]
        if len(report.lapses) > lapses_shown:
            lines.append(_("…and {n} more in the Excel file.").format(n=len(report.lapses) - lapses_shown))
    return "\n".join(lines)


def report_message(
    report: Report,
    kind: PeriodKind,
    item_texts: dict[str, str],
    *,
    admin: bool = False,
    edit: bool = False,
    satisfaction: ReportSatisfaction | None = None,
    extras: CitizensExtras | None = None,
) -> OutMessage:
    """The summary with the period buttons, the files, the nudge and (for admins) the emulation review."""
    periods = [
        Choice(("• " if k is kind else "") + name, f"rp:p:{k.value}") for k, name in period_names().items()
    ]
    choices = [
        row(*periods[:2]),
        row(*periods[2:]),
        row(Choice(_("Excel"), f"rp:x:{kind.value}"), Choice(_("Chart"), f"rp:c:{kind.value}")),
        row(Choice(_("Nudge those with lapses"), f"rp:n:{kind.value}")),
    ]
    if admin:
        choices.append(row(Choice(_("Emulation review, this quarter (Excel)"), "rp:r:quarter")))
    text = report_text(report, kind, item_texts, satisfaction, extras)
    return OutMessage(text, choices=tuple(choices), edit=edit)


def own_card_message(card: OwnCard) -> OutMessage:
    statuses = {"done": _("on time"), "late": _("late"), "missed": _("missed"), "open": _("open")}
    lines = [
        _("<b>Your card</b>"),
        _("Pledge signed on {date}").format(date=fmt_datetime(card.signed_at))
        if card.signed_at
        else _("You have not signed the current pledge: /pledge"),
        _("Self-checks on time in a row: {n}").format(n=card.on_time_streak),
    ]
    lines += [f"• {day_text(week)}: {statuses.get(status, status)}" for week, status in card.checks]
    if card.quizzes:
        lines.append(_("Weekly quizzes:"))
        lines += [f"• {day_text(week)}: {score}/{answered}" for week, score, answered in card.quizzes]
    return OutMessage("\n".join(lines))


def nudges_planned(planned: int) -> OutMessage:
    return OutMessage(_("{n} officials will be reminded (each at most once a day).").format(n=planned))


def review_document(workbook: bytes, quarter_label: str, subject: str) -> OutMessage:
    """The emulation review's workbook; `subject` is plain text (report_files.file_subject)."""
    return OutMessage(
        _("Emulation review (Excel): {subject}").format(subject=esc(subject)),
        attachment=Attachment(
            AttachmentKind.DOCUMENT,
            _("emulation-review-{quarter}.xlsx").format(quarter=quarter_label),
            data=workbook,
        ),
    )


def excel_document(content: bytes, file_name: str, subject: str) -> OutMessage:
    return OutMessage(
        _("Report (Excel): {subject}").format(subject=esc(subject)),
        attachment=Attachment(AttachmentKind.DOCUMENT, f"{file_name}.xlsx", data=content),
    )


def chart_caption(subject: str) -> str:
    """Plain text: an album of chart pages is captioned without markup."""
    return _("Chart: {subject}").format(subject=subject)


def chart_photo(png: bytes, file_name: str, subject: str) -> OutMessage:
    return OutMessage(
        esc(chart_caption(subject)), attachment=Attachment(AttachmentKind.PHOTO, f"{file_name}.png", data=png)
    )
