"""What each kind of outbox message looks like: a renderer per kind, in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.i18n import _, current_locale, fmt_date, fmt_datetime, fmt_percent
from handlers.messages import esc
from handlers.telegram.broadcast_render import render_broadcast, render_reminder
from handlers.telegram.command_menus import render_command_menu
from handlers.telegram.groups import render_group_weekly, staff_lines
from handlers.telegram.outgoing import Outgoing

Rendered = tuple[str, InlineKeyboardMarkup | None] | Outgoing


def _join_request(payload: dict[str, Any]) -> Rendered:
    text = _("<b>Join request</b> for {unit}:\n{name} (Telegram: {telegram_name})").format(
        unit=esc(payload["unit_name"]),
        name=esc(payload["full_name"]),
        telegram_name=esc(payload["telegram_name"]),
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("✅ Approve"), callback_data=f"jr:a:{payload['request_id']}"),
                InlineKeyboardButton(_("✖ Reject"), callback_data=f"jr:r:{payload['request_id']}"),
            ]
        ]
    )
    return text, markup


def _join_approved(payload: dict[str, Any]) -> Rendered:
    text = _("Your request was approved. Welcome, <b>{name}</b> ({unit})! Type /help to see what you can do.")
    return text.format(name=esc(payload["full_name"]), unit=esc(payload["unit_name"])), None


def _join_rejected(payload: dict[str, Any]) -> Rendered:
    return _("Your request to join {unit} was not approved. Please contact your office.").format(
        unit=esc(payload["unit_name"])
    ), None


def _pledge_resign(payload: dict[str, Any]) -> Rendered:
    title = payload["title_en"] if current_locale() == "en" else payload["title_vi"]
    if payload.get("first"):
        text = _("The office has published the pledge <b>{title}</b>. Please read it and sign it: /pledge")
        return text.format(title=esc(title)), None
    text = _(
        "A new version of the pledge <b>{title}</b> has been published. "
        "Please read it and sign it again: /pledge"
    )
    return text.format(title=esc(title)), None


def _title(payload: dict[str, Any]) -> str:
    return str(payload["title_en"] if current_locale() == "en" else payload["title_vi"])


def _reminder(payload: dict[str, Any]) -> Rendered:
    if payload["kind"] == "sign":
        text = _("Good morning! You have not signed <b>{title}</b> yet. Type /pledge to read and sign it.")
        return text.format(title=esc(_title(payload))), None
    item = payload["en"] if current_locale() == "en" else payload["vi"]
    text = _("<b>Today's pledge item</b> (no. {number}):\n{item}").format(
        number=payload["number"], item=esc(item)
    )
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(_("Read"), callback_data=f"rd:{payload['day']}")]])
    return text, markup


def _selfcheck_open(payload: dict[str, Any]) -> Rendered:
    deadline = datetime.fromisoformat(payload["deadline"])
    text = _("This week's self-check is open until {deadline}. It takes two minutes.").format(
        deadline=fmt_datetime(deadline)
    )
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Start the self-check"), callback_data=f"sc:open:{payload['week']}")]]
    )
    return text, markup


def _selfcheck_nudge(payload: dict[str, Any]) -> Rendered:
    text = _("Today is the deadline of this week's self-check, and yours is not finished yet.")
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Finish the self-check"), callback_data=f"sc:open:{payload['week']}")]]
    )
    return text, markup


def _quiz(payload: dict[str, Any]) -> Rendered:
    text = _("This week's quiz is ready: five short questions on the pledge and office culture.")
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("Start the quiz"), callback_data=f"qz:start:{payload['week']}")]]
    )
    return text, markup


def _weekly_report(payload: dict[str, Any]) -> Rendered:
    def pct(value: float | None) -> str:
        return fmt_percent(value) if value is not None else "—"

    unit = esc(payload["unit"]) if payload["unit"] else _("the whole office")
    start, end = (datetime.fromisoformat(payload[k] + "T12:00:00+07:00") for k in ("start", "end"))
    lines = [
        _("<b>Weekly report of {unit}</b> ({start} – {end})").format(
            unit=unit, start=fmt_date(start), end=fmt_date(end)
        ),
        *staff_lines(payload),
        _("Self-checks done: {n}/{due} ({on_time} on time, {late} late, {missed} missed){trend}").format(
            n=payload.get("checks_done", payload["on_time"] + payload["late"]),
            due=payload.get("check_slots", "—"),
            on_time=payload["on_time"],
            late=payload["late"],
            missed=payload["missed"],
            trend="",
        ),
        _("Weekly quiz: {rate} took part, average score {score}").format(
            rate=pct(payload["quiz_rate"]), score=pct(payload["quiz_average"])
        ),
        _("Daily reminders read: {rate}{trend}").format(rate=pct(payload["read_rate"]), trend=""),
        _("Lapses: {n}. Details, Excel and chart: /report").format(n=payload["lapses"]),
    ]
    return "\n".join(lines), None


def _nudge(payload: dict[str, Any]) -> Rendered:
    texts = {
        "not_signed": _("A reminder from your unit head: please read and sign the pledge: /pledge"),
        "missed_twice": _("A reminder from your unit head: please do this week's self-check: /checkin"),
        "never_read": _(
            "A reminder from your unit head: please read the daily pledge item and press “Read”."
        ),
    }
    return texts[payload["lapse"]], None


RENDERERS: dict[str, Callable[[dict[str, Any]], Rendered]] = {
    "join_request": _join_request,
    "join_approved": _join_approved,
    "join_rejected": _join_rejected,
    "pledge_resign": _pledge_resign,
    "reminder": _reminder,
    "selfcheck_open": _selfcheck_open,
    "selfcheck_nudge": _selfcheck_nudge,
    "quiz": _quiz,
    "weekly_report": _weekly_report,
    "nudge": _nudge,
    "broadcast": render_broadcast,
    "broadcast_remind": render_reminder,
    "group_weekly": render_group_weekly,
    "command_menu": render_command_menu,
}
