"""The line that names a text's source, in the reader's language: "Source: Decision No. 1847/QĐ-TTg of
27 Dec 2018 by the Prime Minister, approving …", or for a sample what it is modelled on.

Plain text: escape it before it enters an HTML message (the web's templates autoescape it).
"""

from __future__ import annotations

from datetime import date

from compliance.dates import MONTHS_EN
from compliance.sources import Source
from handlers.i18n import _, current_locale, fmt_date


def issued_text(issued: str) -> str:
    """ "27/12/2018" / "27 Dec 2018"; a month alone "12/2019" / "Dec 2019"."""
    if len(issued) == 7:
        year, month = int(issued[:4]), int(issued[5:])
        if current_locale() == "en":
            return f"{MONTHS_EN[month - 1]} {year}"
        return f"{month:02d}/{year}"
    return fmt_date(date.fromisoformat(issued))


def citation(source: Source) -> str:
    """ "Quyết định số 1847/QĐ-TTg ngày 27/12/2018 của Thủ tướng Chính phủ" without the label."""
    locale = current_locale()
    parts: list[str] = []
    if source.kind is not None and source.number is not None:
        parts.append(_("{kind} No. {number}").format(kind=source.kind.get(locale), number=source.number))
    elif source.kind is not None:
        parts.append(source.kind.get(locale))
    if source.issued is not None and len(source.issued) == 7:
        # Vietnamese says "tháng 12/2019" for a month, "ngày 27/12/2018" for a day.
        parts.append(_("of {month}").format(month=issued_text(source.issued)))
    elif source.issued is not None:
        parts.append(_("of {date}").format(date=issued_text(source.issued)))
    if source.issuer is not None:
        parts.append(_("by {issuer}").format(issuer=source.issuer.get(locale)))
    text = " ".join(parts)
    if source.title is not None:
        text = f"{text}, {source.title.get(locale)}" if text else source.title.get(locale)
    return text


def source_line(source: Source | None) -> str | None:
    """What is shown under a pledge's title and after a quiz's explanation; None when nothing is known."""
    if source is None:
        return None
    text = citation(source)
    if source.note is not None:
        note = source.note.get(current_locale())
        return _("Sample: {note}").format(note=note) + (f" ({text})" if text else "")
    return _("Source: {citation}").format(citation=text) if text else None
