"""Normalising what people type: Vietnamese arrives as NFC or NFD, with stray invisible characters."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean_text(value: str) -> str:
    """NFC, without control or format characters (zero-width, RTL marks), single-spaced and stripped."""
    value = unicodedata.normalize("NFC", value)
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in value)
    # Format characters (Cf) such as zero-width joiners are removed rather than turned into spaces.
    kept = "".join(ch for ch in kept if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", kept).strip()


def name_key(value: str) -> str:
    """The form two names are compared in: case-, space- and normalisation-insensitive."""
    return unicodedata.normalize("NFC", clean_text(value).casefold())


def ascii_slug(value: str, *, max_length: int = 24) -> str:
    """A Latin code for a Vietnamese name ("Phòng Tư pháp" -> "phong-tu-phap"), for unit codes."""
    value = clean_text(value).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only.decode().lower()).strip("-")
    return slug[:max_length].strip("-") or "unit"
