"""The content-disposition of a file to download: a Latin-1 fallback name and the real one (RFC 6266)."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote


def ascii_name(name: str, fallback: str = "file") -> str:
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if c.isascii() and (c.isalnum() or c in "-_.")) or fallback


def attachment(name: str) -> dict[str, str]:
    """Headers of a download: a header value is Latin-1, so the Vietnamese name goes in filename*."""
    disposition = f"attachment; filename=\"{ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    return {"content-disposition": disposition}
