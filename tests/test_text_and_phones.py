from __future__ import annotations

import unicodedata
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.office.phones import canonical_phone
from compliance.text import ascii_slug, clean_text, name_key


@pytest.mark.parametrize(
    "raw",
    ["0912 345 678", "+84 912345678", "84912345678", "0912.345.678", "0912-345-678", "(+84) 912-345-678"],
)
def test_every_vietnamese_writing_of_a_mobile_number_is_the_same_person(raw: str) -> None:
    assert canonical_phone(raw) == "+84912345678"


@pytest.mark.parametrize("raw", ["", "12345", "abc", "0912 345", "+84 12"])
def test_unreadable_numbers_are_refused(raw: str) -> None:
    assert canonical_phone(raw) is None


def test_landlines_are_kept_with_their_area_code() -> None:
    assert canonical_phone("024 3825 3536") == "+842438253536"


Form = Literal["NFC", "NFD", "NFKC", "NFKD"]
FORMS: list[Form] = ["NFC", "NFD", "NFKC", "NFKD"]
VIETNAMESE_NAMES = st.lists(
    st.sampled_from(
        ["Nguyễn", "Thị", "Ánh", "Đặng", "Hoàng", "Phượng", "Trường", "Lê", "Ngọc", "Quỳnh", "Ưng"]
    ),
    min_size=2,
    max_size=5,
).map(" ".join)


@given(VIETNAMESE_NAMES, st.sampled_from(FORMS), st.booleans())
def test_a_name_typed_in_any_normal_form_case_or_spacing_matches(name: str, form: Form, upper: bool) -> None:
    typed = unicodedata.normalize(form, name.upper() if upper else name).replace(" ", "  \u200b ")
    assert name_key(typed) == name_key(name)


@given(st.text())
def test_clean_text_is_nfc_without_control_characters(value: str) -> None:
    cleaned = clean_text(value)
    assert cleaned == unicodedata.normalize("NFC", cleaned)
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in cleaned)
    assert cleaned == cleaned.strip()


def test_unit_codes_are_latin_slugs() -> None:
    assert ascii_slug("Phòng Tư pháp Đống Đa") == "phong-tu-phap-dong-da"
    assert ascii_slug("!!!") == "unit"
