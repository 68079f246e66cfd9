"""Phone numbers in one canonical form (+84…), whatever way they were typed or shared."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "VN"


def canonical_phone(raw: str) -> str | None:
    """E.164 form of a phone number, or None if it is not a valid number.

    Accepts every usual Vietnamese writing (0912 345 678, +84 912345678, 84912345678, dots, dashes),
    and the bare digits Telegram puts in a shared contact.
    """
    text = raw.strip()
    if not text:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    # Telegram and spreadsheets drop the plus: "84912345678" is a country code, not a trunk prefix.
    if not text.startswith(("+", "0")) and digits.startswith("84") and len(digits) >= 11:
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
