"""One Vietnamese voice: one date format per language, the glossary's terms in the vi catalog, and the
admin screens (/schedule, /audit, /mute's refusals) in words rather than codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from compliance import dates
from compliance.content import ContentError
from compliance.pledge.templates import load_template_bytes
from compliance.practice import schedules
from compliance.practice.calendar import DayProblem, read_day
from compliance.practice.schedules import ScheduleError, ScheduleProblem
from compliance.privacy.audit import AuditLine
from handlers.i18n import fmt_date, fmt_datetime, fmt_short_weekday, fmt_weekday_date, use_locale
from handlers.views import audit as audit_view
from handlers.views import practice
from handlers.views import schedule as schedule_view
from handlers.views.content_errors import content_error_text
from tests.pledge_files import template_document, template_yaml
from tests.test_catalogs import catalog

ROOT = Path(__file__).resolve().parent.parent
# 08:40 UTC on Monday 30 November 2026 is 15:40 in Viet Nam.
INSTANT = datetime(2026, 11, 30, 8, 40, tzinfo=UTC)
NEVER_SHOWN = ("thg", "Asia/Ho_Chi_Minh")
# New-style tone placement in an open syllable ("huỷ", "hoà", "uỷ ban"); "quý" is right in both styles.
NEW_STYLE_TONE = re.compile(r"(?<![qQ])(?i:o[àáảãạèéẻẽẹ]|u[ỳýỷỹỵ])(?![^\W\d_])")


def test_each_format_renders_the_one_pattern_of_its_language() -> None:
    with use_locale("vi"):
        assert fmt_datetime(INSTANT) == "30/11/2026 15:40"
        assert fmt_date(INSTANT) == "30/11/2026"
        assert fmt_weekday_date(INSTANT) == "Thứ Hai, 30/11/2026"
        assert fmt_date(date(2027, 1, 5)) == "05/01/2027"
        assert fmt_short_weekday(6) == "CN"
    with use_locale("en"):
        assert fmt_datetime(INSTANT) == "30 Nov 2026, 15:40"
        assert fmt_date(INSTANT) == "30 Nov 2026"
        assert fmt_weekday_date(INSTANT) == "Monday, 30 Nov 2026"
        assert fmt_short_weekday(0) == "Mon"
    # Files made in the domain (PDF, Excel) follow the same patterns through compliance.dates.
    assert dates.format_datetime(INSTANT, "vi") == "30/11/2026 15:40"
    assert dates.format_datetime(INSTANT, "en") == "30 Nov 2026, 15:40"
    assert dates.format_weekday_date(INSTANT, "vi") == "Thứ Hai, 30/11/2026"


def test_an_instant_late_in_the_utc_day_is_the_next_day_in_viet_nam() -> None:
    evening = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    with use_locale("vi"):
        assert fmt_datetime(evening) == "01/01/2027 00:30"
        assert fmt_weekday_date(evening) == "Thứ Sáu, 01/01/2027"


def glossary_avoided() -> set[str]:
    """The "avoid" column of docs/glossary.md's term table."""
    avoided: set[str] = set()
    terms = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").split("## Terms", 1)[1]
    for line in terms.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[2] and cells[2] != "avoid" and not set(cells[2]) <= {"-"}:
            avoided.update(word.strip() for word in cells[2].split(","))
    return avoided


def test_the_glossary_names_the_variants_to_avoid() -> None:
    assert {"huỷ", "xoá", "Tự kiểm tra", "trễ hạn", "bỏ lỡ", "sổ cái"} <= glossary_avoided()


def test_no_vietnamese_translation_uses_a_variant_the_glossary_avoids() -> None:
    avoided = glossary_avoided() | set(NEVER_SHOWN)
    found = {(msgid, word) for msgid, msgstr in catalog("vi").items() for word in avoided if word in msgstr}
    assert found == set()


def test_no_translation_writes_a_two_digit_year() -> None:
    two_digit_year = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2}\b")
    texts = [(msgid, text) for locale in ("vi", "en") for msgid, text in catalog(locale).items()]
    found = {msgid for msgid, text in texts if two_digit_year.search(text)}
    assert found == set()


def test_shipped_content_uses_the_glossary_too() -> None:
    """Pledge templates and quiz banks reach officials as much as the catalog does."""
    avoided = glossary_avoided() | set(NEVER_SHOWN)
    found = set()
    for path in sorted((ROOT / "content").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        found |= {(path.name, word) for word in avoided if word in text}
        found |= {(path.name, m.group(0)) for m in NEW_STYLE_TONE.finditer(text)}
    assert found == set()


def test_vietnamese_tone_marks_are_placed_the_old_way() -> None:
    found = {(msgid, m.group(0)) for msgid, s in catalog("vi").items() for m in NEW_STYLE_TONE.finditer(s)}
    assert found == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc", DayProblem.NOT_A_DATE),
        ("15/13/2026/1", DayProblem.NOT_A_DATE),
        ("31/02", DayProblem.NO_SUCH_DAY),
        ("29/02/2027", DayProblem.NO_SUCH_DAY),
        ("15/12", date(2026, 12, 15)),
        ("2027-01-05", date(2027, 1, 5)),
    ],
)
def test_a_typed_day_is_read_or_refused_with_a_reason(text: str, expected: date | DayProblem) -> None:
    assert read_day(text, today=date(2026, 11, 30)) == expected


def test_mute_refusals_say_what_is_wrong() -> None:
    today = date(2026, 11, 30)
    with use_locale("vi"):
        assert practice.mute_day("abc", today) == (
            "“abc” không phải là ngày: hãy viết ngày và tháng, ví dụ 15/12 hoặc 15/12/2026."
        )
        assert practice.mute_day("31/02", today) == "Không có ngày “31/02” trên lịch."
        assert practice.mute_day("15/12/2027", today) == (
            "Ngày 15/12/2027 cách hôm nay hơn 180 ngày: chỉ tạm dừng lời nhắc được đến ngày 29/05/2027 "
            "là muộn nhất."
        )
        assert (
            practice.mute_day("01/11/2026", today)
            == "Ngày 01/11/2026 đã qua: hãy chọn hôm nay hoặc một ngày sau."
        )
    with use_locale("en"):
        assert practice.mute_day("31/02", today) == "There is no day “31/02” in the calendar."
    # A day and month without a year that has passed this year is next year's: leave over the new year.
    assert practice.mute_day("5/1", today) == date(2027, 1, 5)
    assert practice.mute_day("30/11", today) == today


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ("giờ-nhắc", "reminder_time"),
        ("gio-nhac", "reminder_time"),
        ("Ngày-Trắc-Nghiệm", "quiz_weekday"),
        ("hạn_tự_đánh_giá", "selfcheck_deadline_time"),
        ("quiz_time", "quiz_time"),
        ("giờ", None),
    ],
)
def test_schedule_fields_are_named_in_either_language(typed: str, field: str | None) -> None:
    assert schedules.field_by_name(typed) == field


@pytest.mark.parametrize(
    ("typed", "weekday"),
    [("T2", 0), ("t5", 3), ("Thứ-Sáu", 4), ("thu7", 5), ("CN", 6), ("Chủ-nhật", 6), ("Wed", 2), ("2", None)],
)
def test_weekdays_are_written_as_on_a_vietnamese_calendar(typed: str, weekday: int | None) -> None:
    assert schedules.parse_weekday(typed) == weekday


def test_the_schedule_screen_speaks_vietnamese() -> None:
    with use_locale("vi"):
        shown = schedule_view.describe(schedules.DEFAULTS) + schedule_view.usage()
        refusal = schedule_view.problem_text(
            ScheduleError("quiz_weekday", ScheduleProblem.NOT_A_WEEKDAY), "3"
        )
    assert "<code>giờ-nhắc</code>" in shown and "Thứ Sáu (T6)" in shown
    assert not any(field in shown for field in schedules.FIELDS)
    assert refusal == "“3” không phải là thứ trong tuần: hãy viết T2, T3, T4, T5, T6, T7 hoặc CN."


def test_audit_entries_are_told_in_words_in_viet_nam_time() -> None:
    lines = [
        AuditLine(
            INSTANT,
            "Lê Thị Hoa",
            "group.weekly_summary",
            "group:-1001",
            {"weekly_summary": False},
            {"weekly_summary": True},
        ),
        AuditLine(
            INSTANT, "cli", "ceremony.open", "ceremony:3", None, {"unit": "van-phong", "pledge_version_id": 1}
        ),
        AuditLine(
            INSTANT,
            "Quản trị",
            "broadcast.create",
            "broadcast:7",
            None,
            {"send_at": "2026-11-30T08:40:00+00:00", "requires_ack": True},
        ),
    ]
    with use_locale("vi"):
        shown = [audit_view.entry_text(line) for line in lines]
        unknown = audit_view.action_label("made.up")
    assert shown == [
        "<b>30/11/2026 15:40</b> · Lê Thị Hoa · bật/tắt số liệu hằng tuần trong nhóm · nhóm -1001\n"
        "    số liệu hằng tuần trong nhóm: không → có",
        "<b>30/11/2026 15:40</b> · dòng lệnh · mở lễ ký · lễ ký cam kết số 3\n"
        "    đơn vị: van-phong; phiên bản cam kết số: 1",
        "<b>30/11/2026 15:40</b> · Quản trị · gửi thông báo kế hoạch · thông báo kế hoạch số 7\n"
        "    thời điểm gửi: 30/11/2026 15:40; yêu cầu xác nhận: có",
    ]
    assert unknown == "thao tác khác (made.up)"
    erased = AuditLine(
        INSTANT,
        "cli",
        "official.erase",
        "official:7",
        {"status": "active"},
        {"status": "left", "cleared": ["phone"]},
    )
    approved = AuditLine(
        INSTANT,
        "Lê Thị Hoa",
        "join.approve",
        "join_request:4",
        {"status": "pending", "name": "Mai"},
        {"status": "approved"},
    )
    with use_locale("vi"):
        assert (
            audit_view.change_text(erased)
            == "trạng thái: đang hoạt động → đã nghỉ; dữ liệu đã xóa: số điện thoại"
        )
        # The request's name is what it was about, not something the approval removed.
        assert audit_view.change_text(approved) == "trạng thái: đang chờ → đã phê duyệt; tên: Mai"
    for text in shown:
        assert not any(word in text for word in NEVER_SHOWN)


def refusal_of(content: bytes, change: Callable[[dict[str, Any]], object] | None = None) -> str:
    if change is not None:
        document = template_document()
        change(document)
        content = yaml.safe_dump(document, allow_unicode=True).encode()
    with pytest.raises(ContentError) as caught:
        load_template_bytes(content, "thu-1.yaml", expected_name="thu-1")
    with use_locale("vi"):
        return content_error_text(caught.value)


def test_a_broken_pledge_file_is_explained_in_vietnamese() -> None:
    assert refusal_of(b"", lambda d: d.update(effective="soon")) == (
        "khóa “effective”: phải là ngày viết theo dạng 2026-12-01"
    )
    assert refusal_of(b"", lambda d: d["sections"][1]["items"][0]["text"].pop("en")) == (
        "mục khong-1: thiếu nội dung tiếng Anh"
    )
    assert refusal_of(b"", lambda d: d["sections"][0].pop("title")) == "phần biet: thiếu khóa “title”"
    assert refusal_of(b"code: thu\nversion: [1\n") == "tệp: không đúng cú pháp YAML (dòng 3, cột 1)"
    assert refusal_of("code: thu\n".encode("utf-16")) == "tệp: không phải văn bản UTF-8"
    assert refusal_of(template_yaml(version=2)) == "tệp: tệp phải có tên thu-2.yaml"


@pytest.mark.usefixtures("cli_environment")
def test_the_schedule_command_line_takes_and_shows_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "set", "ngày-trắc-nghiệm", "T5"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert "ngày-trắc-nghiệm\tThứ Năm (T5)" in shown and "giờ-nhắc\t07:45" in shown
    assert main(["schedule", "set", "quiz_weekday", "9"]) == 1
    assert capsys.readouterr().err == (
        "“9” không phải là thứ trong tuần: hãy viết T2, T3, T4, T5, T6, T7 hoặc CN.\n"
    )
    assert main(["schedule", "set", "reminder_time", "25:00"]) == 1
    assert capsys.readouterr().err == "“25:00” không phải là giờ: hãy viết như 07:45.\n"
