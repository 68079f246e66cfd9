"""What a person types into a letter's form, checked: each field's refusal as a reason code the web page
words, the values cleaned (NFC, spaces) and the dates read day first, as Vietnamese write them.

The rules are the one-stop desk's: an apology names the dossier, the day it was received, the day promised
and the new day, which is a working day after today and after the promised one (a new day before the old
promise would not be a delay).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from compliance.feedback.letter_templates import APOLOGY, KIND_FIELDS, THANKS
from compliance.practice.calendar import DayProblem, WorkCalendar, read_day
from compliance.text import clean_text

DATE_FIELDS: Final = frozenset({"received_on", "due_on", "new_date"})
# Fields of the letter itself, beside the kind's: where it is signed, who signs, who receives copies.
LETTER_FIELDS: Final = ("place", "signer_title", "signer_name", "recipients")
LONGEST: Final[dict[str, int]] = {
    "citizen": 200,
    "dossier_type": 300,
    "receipt_number": 40,
    "reason": 1000,
    "thanks_for": 500,
    "place": 100,
    "signer_title": 120,
    "signer_name": 120,
    "recipients": 600,
}
OPTIONAL: Final[dict[str, frozenset[str]]] = {
    APOLOGY: frozenset({"recipients"}),
    THANKS: frozenset({"dossier_type", "receipt_number", "recipients"}),
}
MAX_RECIPIENT_LINES: Final = 8

# Reasons a field is refused.
REQUIRED: Final = "required"
TOO_LONG: Final = "too_long"
NOT_A_DATE: Final = "not_a_date"
NO_SUCH_DAY: Final = "no_such_day"
IN_FUTURE: Final = "in_future"  # received after today
BEFORE_RECEIVED: Final = "before_received"  # promised before it was received
NOT_AFTER_TODAY: Final = "not_after_today"
NOT_AFTER_DUE: Final = "not_after_due"
NOT_WORKING_DAY: Final = "not_working_day"
TOO_MANY_LINES: Final = "too_many_lines"


@dataclass(frozen=True)
class CheckedForm:
    values: dict[str, str]  # every field of the kind and of the letter, cleaned; dates as ISO
    dates: dict[str, date]


def form_fields(kind: str) -> tuple[str, ...]:
    return (*KIND_FIELDS[kind], *LETTER_FIELDS)


def _clean(name: str, raw: str) -> str:
    if name == "recipients":
        lines = (clean_text(line) for line in raw.replace("\r", "").split("\n"))
        return "\n".join(line for line in lines if line)
    return clean_text(raw)


def check_form(
    kind: str, raw: dict[str, str], *, today: date, calendar: WorkCalendar | None
) -> CheckedForm | dict[str, str]:
    """The checked values, or {field: reason} for each refused field. `calendar` must cover the new date's
    days (None: working days are not checked)."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    dates: dict[str, date] = {}
    for name in form_fields(kind):
        text = _clean(name, raw.get(name, ""))
        if not text:
            if name not in OPTIONAL[kind]:
                errors[name] = REQUIRED
            values[name] = ""
            continue
        if name in DATE_FIELDS:
            day = read_day(text, today=today)
            if isinstance(day, DayProblem):
                errors[name] = NOT_A_DATE if day is DayProblem.NOT_A_DATE else NO_SUCH_DAY
                continue
            dates[name] = day
            values[name] = day.isoformat()
            continue
        if len(text) > LONGEST[name]:
            errors[name] = TOO_LONG
        elif name == "recipients" and text.count("\n") >= MAX_RECIPIENT_LINES:
            errors[name] = TOO_MANY_LINES
        values[name] = text
    received, due, new = dates.get("received_on"), dates.get("due_on"), dates.get("new_date")
    if received is not None and received > today:
        errors["received_on"] = IN_FUTURE
    if received is not None and due is not None and due < received:
        errors["due_on"] = BEFORE_RECEIVED
    if new is not None:
        if new <= today:
            errors["new_date"] = NOT_AFTER_TODAY
        elif due is not None and new <= due:
            errors["new_date"] = NOT_AFTER_DUE
        elif calendar is not None and not calendar.is_working_day(new):
            errors["new_date"] = NOT_WORKING_DAY
    return errors if errors else CheckedForm(values, dates)


def shown_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def letter_date(place: str, day: date) -> str:
    """ "Bình Lục, ngày 05 tháng 02 năm 2027": Nghị định 30/2020/NĐ-CP writes a zero before days under 10
    and months under 3 (so "tháng 02" but "tháng 11")."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"
