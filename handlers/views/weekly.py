"""The weekly figures sent on their own: a head's or admin's weekly report, and a unit's aggregate for its
group chat (counts and percentages only: nothing said in a group names a person)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from compliance.feedback.letters import LetterCounts
from handlers.i18n import _, fmt_date, fmt_percent
from handlers.messages import OutMessage, esc
from handlers.views.report import letters_line, trend_arrow
from handlers.views.stars import office_stars_lines, stars_lines


def _pct(value: float | None) -> str:
    return fmt_percent(value) if value is not None else "—"


def _period(payload: dict[str, Any]) -> tuple[datetime, datetime]:
    start, end = (datetime.fromisoformat(payload[k] + "T12:00:00+07:00") for k in ("start", "end"))
    return start, end


def staff_lines(payload: dict[str, Any]) -> list[str]:
    """A weekly summary's figures against the staff list: on it, joined, signed ("x/y"). Summaries planned
    before the list counted ("active") read as they were."""
    on_list = payload.get("on_list", payload.get("active", 0))
    return [
        _("On the staff list: {n}").format(n=on_list),
        _("Joined the bot: {n}/{total}").format(n=payload.get("joined", on_list), total=on_list),
        _("Signed the current pledge: {n}/{total} ({rate}){trend}").format(
            n=payload["signed"], total=on_list, rate=_pct(payload["signed_rate"]), trend=""
        ),
    ]


def _checks_line(payload: dict[str, Any]) -> str:
    return _("Self-checks done: {n}/{due} ({on_time} on time, {late} late, {missed} missed){trend}").format(
        n=payload.get("checks_done", payload["on_time"] + payload["late"]),
        due=payload.get("check_slots", "—"),
        on_time=payload["on_time"],
        late=payload["late"],
        missed=payload["missed"],
        trend="",
    )


def _ratings_line(payload: dict[str, Any], *, flags: bool) -> list[str]:
    """The citizens' ratings of the week; none for summaries planned before ratings existed."""
    if "ratings" not in payload:
        return []
    index = _pct(payload["satisfaction_index"]) + _index_trend(
        payload["satisfaction_index"], payload.get("previous_index")
    )
    if flags:
        text = _("Citizens' ratings: {n}, satisfaction index {index}; flagged, not resolved: {open}")
        return [text.format(n=payload["ratings"], index=index, open=payload.get("flags_open", 0))]
    return [_("Citizens' ratings: {n}, satisfaction index {index}").format(n=payload["ratings"], index=index)]


def _index_trend(index: float | None, before: float | None) -> str:
    """The arrow and the week before's index, when both weeks had ratings (summaries planned before the
    trend was kept have no week before)."""
    if index is None or before is None:
        return ""
    return trend_arrow(index, before) + _(" (week before: {index})").format(index=_pct(before))


def _letters_line(payload: dict[str, Any]) -> list[str]:
    """The week's letters to citizens, in the dashboard's words; none for summaries planned before the
    letters were counted in them."""
    if "apologies" not in payload:
        return []
    counts = LetterCounts(payload["apologies"], payload.get("apologies_on_time", 0), payload.get("thanks", 0))
    return [letters_line(counts)]


def weekly_report(payload: dict[str, Any]) -> OutMessage:
    """The outbox's "weekly_report": a head's units, or the whole office for an admin."""
    unit = esc(payload["unit"]) if payload["unit"] else _("the whole office")
    start, end = _period(payload)
    lines = [
        _("<b>Weekly report of {unit}</b> ({start} – {end})").format(
            unit=unit, start=fmt_date(start), end=fmt_date(end)
        ),
        *staff_lines(payload),
        _checks_line(payload),
        _("Weekly quiz: {rate} took part, average score {score}").format(
            rate=_pct(payload["quiz_rate"]), score=_pct(payload["quiz_average"])
        ),
        _("Daily reminders read: {rate}{trend}").format(rate=_pct(payload["read_rate"]), trend=""),
        *_ratings_line(payload, flags=True),
        *_letters_line(payload),
        *stars_lines(payload),
        *office_stars_lines(payload),
        _("Lapses: {n}. Details, Excel and chart: /report").format(n=payload["lapses"]),
    ]
    return OutMessage("\n".join(lines))


def group_weekly(payload: dict[str, Any]) -> OutMessage:
    """The outbox's "group_weekly": a unit's aggregate for its group, counts and percentages only."""
    start, end = _period(payload)
    lines = [
        _("<b>Last week in {unit}</b> ({start} – {end})").format(
            unit=esc(payload["unit"]), start=fmt_date(start), end=fmt_date(end)
        ),
        *staff_lines(payload),
        _checks_line(payload),
        _("Weekly quiz: {rate} took part").format(rate=_pct(payload["quiz_rate"])),
        _("Daily reminders read: {rate}").format(rate=_pct(payload["read_rate"])),
        *_ratings_line(payload, flags=False),
        *_letters_line(payload),
        *stars_lines(payload),
    ]
    return OutMessage("\n".join(lines))
