"""Where a pledge's or a quiz question's wording comes from: the issuing body, the document's kind, number
and date, its link; or, for a sample, what it is modelled on.

An office shows these to the people who sign, so a source must be a real document that can be looked up:
a template that is not a sample names its issuer, number and date. The line people read is put together
by the views (handlers/views/sources.py), in the reader's language.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from compliance.content import Reader, Text

MAX_NUMBER = 60
MAX_URL = 300
_URL = re.compile(r"^https?://[^\s<>\"']+$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Source:
    issuer: Text | None  # "Thủ tướng Chính phủ"
    kind: Text | None  # "Quyết định", "Công văn", "Thông báo"
    number: str | None  # "1847/QĐ-TTg"
    issued: str | None  # "2018-12-27", or "2019-12" when only the month is known
    title: Text | None  # what the document is about: "phê duyệt Đề án Văn hóa công vụ"
    url: str | None
    note: Text | None  # a sample: that it is one, and what it is modelled on

    def to_json(self) -> dict[str, Any]:
        def text(value: Text | None) -> dict[str, str] | None:
            return None if value is None else {"vi": value.vi, "en": value.en}

        data: dict[str, Any] = {
            "issuer": text(self.issuer),
            "kind": text(self.kind),
            "number": self.number,
            "date": self.issued,
            "title": text(self.title),
            "url": self.url,
            "note": text(self.note),
        }
        return {key: value for key, value in data.items() if value is not None}


def _optional_text(read: Reader, data: dict[str, Any], key: str, where: str) -> Text | None:
    return None if data.get(key) is None else read.text(data[key], f"{where} {key}", limit=300)


def read_date(read: Reader, value: Any, where: str, *, example: str = "2018-12-27") -> date:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value)
    if not isinstance(value, date):
        raise read.fail(where, f"must be a date like {example}", "bad_date", example=example)
    return value


def _issued(read: Reader, value: Any, where: str) -> str:
    """A document's date; a letter known only by its month ("12/2019") is written 2019-12."""
    if isinstance(value, str) and (month := _MONTH.match(value.strip())) and 1 <= int(month[2]) <= 12:
        return value.strip()
    return read_date(read, value, where).isoformat()


def parse_source(read: Reader, value: Any, *, sample: bool, where: str = "source") -> Source:
    """A document's citation; `sample`: the text is a sample, which must say what it is modelled on and
    need not be an issued document."""
    data = read.mapping(value, where)
    number = data.get("number")
    if number is not None and (not isinstance(number, str) or not 0 < len(number.strip()) <= MAX_NUMBER):
        raise read.fail(f"{where} number", "must be a document number like 1847/QĐ-TTg", "bad_number")
    url = data.get("url")
    if url is not None and (not isinstance(url, str) or len(url) > MAX_URL or not _URL.match(url.strip())):
        raise read.fail(f"{where} url", "must be a web address starting with https://", "bad_url")
    source = Source(
        issuer=_optional_text(read, data, "issuer", where),
        kind=_optional_text(read, data, "kind", where),
        number=number.strip() if isinstance(number, str) else None,
        issued=None if data.get("date") is None else _issued(read, data["date"], f"{where} date"),
        title=_optional_text(read, data, "title", where),
        url=url.strip() if isinstance(url, str) else None,
        note=_optional_text(read, data, "note", where),
    )
    if sample:
        if source.note is None:
            raise read.fail(where, "a sample must say what it is modelled on ('note')", "missing", key="note")
    else:
        for key, present in (("issuer", source.issuer), ("kind", source.kind)):
            if present is None:
                raise read.fail(where, f"missing '{key}'", "missing", key=key)
        if source.number is None:
            raise read.fail(where, "missing 'number'", "missing", key="number")
        if source.issued is None:
            raise read.fail(where, "missing 'date'", "missing", key="date")
    return source
