"""Dates and times as people read them: one pattern per language, in Viet Nam's time.

Vietnamese: "30/11/2026 15:40", "30/11/2026", "Thứ Hai, 30/11/2026". English: "30 Nov 2026, 15:40",
"30 Nov 2026", "Monday, 30 Nov 2026". Written out by hand rather than through CLDR's "short" and "medium"
formats, which give two-digit years, "thg 11" and a 12-hour clock in English — several voices for one
date. The chat formats through handlers.i18n (the reader's locale); files made in the domain (PDF, Excel)
call these with the locale they are made in.
"""

from __future__ import annotations

from datetime import date, datetime

from storage.clock import LOCAL_TZ

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
# The short names on Vietnamese calendars and schedules; English readers get "Mon" … "Sun".
SHORT_WEEKDAYS_VI = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
SHORT_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# Excel cells hold real dates; their display follows the Vietnamese pattern in every workbook.
EXCEL_DATE = "DD/MM/YYYY"
EXCEL_DATETIME = "DD/MM/YYYY HH:MM"


def local_day(value: date | datetime) -> date:
    """A calendar day as is; an instant as the day it is in Viet Nam."""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).date()
    return value


def format_date(value: date | datetime, locale: str) -> str:
    day = local_day(value)
    if locale == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def format_datetime(moment: datetime, locale: str) -> str:
    local = moment.astimezone(LOCAL_TZ)
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if locale == "en":
        return f"{format_date(local, locale)}, {clock}"
    return f"{format_date(local, locale)} {clock}"


def format_weekday_date(value: date | datetime, locale: str) -> str:
    day = local_day(value)
    return f"{weekday_name(day.weekday(), locale)}, {format_date(day, locale)}"


def weekday_name(weekday: int, locale: str) -> str:
    """0 = Monday … 6 = Sunday, as "Thứ Hai" … "Chủ Nhật" (or "Monday" … "Sunday")."""
    return (WEEKDAYS_EN if locale == "en" else WEEKDAYS_VI)[weekday]


def short_weekday(weekday: int, locale: str) -> str:
    """0 = Monday … 6 = Sunday, as "T2" … "CN" (or "Mon" … "Sun")."""
    return (SHORT_WEEKDAYS_EN if locale == "en" else SHORT_WEEKDAYS_VI)[weekday]


def file_date(day: date) -> str:
    """A day inside a file name: "2026-11-30" sorts in a folder and has no "/"."""
    return day.isoformat()
