"""The PDF receipt of a signature, laid out as a Vietnamese administrative document (Nghị định
30/2020/NĐ-CP): the issuing office top left with the unit below it, the national name and motto top right,
place and date, the title, the body, the signer's block, and a short code a person can check.

It is made from the ledger row alone (and the units' names), so it is byte-for-byte the same every time.
Labels arrive already translated (texts live in the catalogs, not here); this module only lays them out,
in DejaVu Serif (shipped with matplotlib; it has every Vietnamese glyph), left-aligned: justified
Vietnamese opens wide gaps between its short syllables.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.dates import format_date
from storage.models import Unit

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVuSerif"
# Page margins of Nghị định 30 (mm): a wide left margin for binding.
LEFT, RIGHT, TOP, BOTTOM = 30.0, 15.0, 20.0, 20.0
LEFT_COLUMN = 72.0
FOOTER_SIZE, FOOTER_LINE = 7.0, 3.5  # the issuer's column; the national name takes the rest of the line
# The administrative level words after which an office's name carries its place ("UBND xã Bình Lục").
# The older levels stay readable: an office may keep a letterhead written before 1 July 2025.
_PLACE = re.compile(
    r"(?:^|(?<=\s))(?:thành phố|thị xã|thị trấn|đặc khu|tỉnh|huyện|quận|phường|xã|tp\.)\s*"
    r"(?=(?P<place>[^\s(,][^,(]*))",
    re.IGNORECASE,
)

_ITEM = re.compile(r"\d+\. ")


@dataclass(frozen=True)
class ReceiptDocument:
    office: str | None  # the root unit: the issuing authority
    unit: str | None  # the signer's unit below it, when it is not the root itself
    nation: str
    motto: str
    place_date: str
    title: str
    fields: Sequence[tuple[str, str]]
    pledge_text: str  # the signed text exactly as hashed: its first paragraph is the pledge's title
    signer_heading: str
    signer_note: str
    signer_name: str
    code_label: str
    code: str
    check_how: str
    footer: str
    signed_at: datetime
    source: str | None = None  # the document the pledge's wording comes from, printed under its title


def place_of(office_name: str | None) -> str | None:
    """The place an office's documents are dated at, read from its name: the office's own level comes
    first, so "UBND xã Bình Lục, tỉnh Ninh Bình" gives "Bình Lục" (Nghị định 30/2020: a commune's
    documents are dated at the commune) and "Sở Nội vụ tỉnh Ninh Bình" gives "Ninh Bình"; a level word
    that is not followed by a name ("Thương binh và Xã hội tỉnh …") is passed over; a name without an
    administrative level ("Sở GTVT") gives none."""
    if not office_name:
        return None
    for match in _PLACE.finditer(office_name.strip()):
        place = match["place"].strip(" .-")
        if place[:1].isupper():
            return place
    return None


def date_line(day: date, locale: str, place: str | None) -> str:
    """ "Bình Lục, ngày 05 tháng 02 năm 2027": days below 10 and the months 1 and 2 take a leading zero
    (Nghị định 30, so a date cannot be extended by hand)."""
    if locale == "vi":
        month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
        text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
        return f"{place}, {text}" if place else text[:1].upper() + text[1:]
    text = format_date(day, "en")  # the one English pattern: "1 Mar 2026"
    return f"{place}, {text}" if place else text


async def issuer_names(session: AsyncSession, unit_id: int | None) -> tuple[str | None, str | None]:
    """(the root unit's name, the signer's unit's name unless it is the root) for the header."""
    unit = await session.get(Unit, unit_id) if unit_id else None
    if unit is None:
        return None, None
    root_id = int(unit.path.strip("/").split("/")[0])
    if root_id == unit.id:
        return unit.name, None
    root = await session.get(Unit, root_id)
    return (root.name if root else None), unit.name


class _Receipt(FPDF):
    def setup(self, signed_at: datetime) -> None:
        self.set_creation_date(signed_at)  # no "now" anywhere: the same row gives the same bytes
        self.set_producer("Cam Kết Bot")
        for style, suffix in (("", ""), ("B", "-Bold"), ("I", "-Italic"), ("BI", "-BoldItalic")):
            self.add_font(FONT, style, str(FONT_DIR / f"DejaVuSerif{suffix}.ttf"))
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(auto=True, margin=BOTTOM)
        self.add_page()

    def fitted(self, text: str, style: str, size: float, width: float) -> float:
        """Sets the largest font size up to `size` at which `text` stays on one line of `width`."""
        self.set_font(FONT, style, size)
        room = width - 2 * self.c_margin
        while size > 8.5 and self.get_string_width(text) > room:
            size -= 0.5
            self.set_font(FONT, style, size)
        return size

    def lines_of(self, text: str, style: str, size: float, width: float) -> int:
        self.set_font(FONT, style, size)
        lines = self.multi_cell(width, 1, text, dry_run=True, output="LINES")
        assert isinstance(lines, list)
        return len(lines)

    def centred(self, x: float, width: float, height: float, text: str) -> None:
        self.set_x(x)
        self.multi_cell(width, height, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def rule_under(self, x: float, width: float, length: float) -> None:
        y = self.get_y() + 1.6
        self.line(x + (width - length) / 2, y, x + (width + length) / 2, y)


def _header(pdf: _Receipt, doc: ReceiptDocument) -> None:
    top = pdf.get_y()
    right_x = LEFT + LEFT_COLUMN
    right_w = pdf.w - RIGHT - right_x
    if doc.office:
        if doc.unit:
            pdf.set_font(FONT, "", 10.5)
            pdf.centred(LEFT, LEFT_COLUMN, 5.2, doc.office.upper())
        pdf.set_font(FONT, "B", 10.5)
        pdf.centred(LEFT, LEFT_COLUMN, 5.2, (doc.unit or doc.office).upper())
        pdf.rule_under(LEFT, LEFT_COLUMN, LEFT_COLUMN / 3)
    left_end = pdf.get_y()
    pdf.set_y(top)
    pdf.fitted(doc.nation, "B", 10.5, right_w)
    pdf.centred(right_x, right_w, 5.2, doc.nation)
    pdf.fitted(doc.motto, "B", 11.5, right_w)
    pdf.centred(right_x, right_w, 5.6, doc.motto)
    pdf.rule_under(right_x, right_w, pdf.get_string_width(doc.motto))
    pdf.ln(3)
    pdf.set_font(FONT, "I", 10.5)
    pdf.centred(right_x, right_w, 5.2, doc.place_date)
    pdf.set_y(max(left_end, pdf.get_y()) + 6)


def _body(pdf: _Receipt, doc: ReceiptDocument) -> None:
    pledge_title, _sep, rest = doc.pledge_text.partition("\n\n")
    pdf.set_font(FONT, "B", 14)
    pdf.centred(LEFT, pdf.epw, 7, doc.title)
    pdf.set_font(FONT, "B", 10.5)
    pdf.centred(LEFT, pdf.epw, 5.4, pledge_title)
    if doc.source:
        pdf.set_font(FONT, "I", 9)
        pdf.centred(LEFT, pdf.epw, 4.6, doc.source)
    pdf.ln(4)
    for label, value in doc.fields:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(40, 5.2, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 5.2, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2.5)
    for paragraph in rest.strip().split("\n\n"):
        first, _nl, others = paragraph.partition("\n")
        # A section's heading ("5 không") above its numbered items reads as a heading.
        heading = bool(others) and not _ITEM.match(first) and all(map(_ITEM.match, others.split("\n")))
        pdf.set_font(FONT, "B" if heading else "", 10)
        pdf.multi_cell(0, 4.8, first, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if others:
            pdf.set_font(FONT, "", 10)
            pdf.multi_cell(0, 4.8, others, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.8)


def _signature_block(pdf: _Receipt, doc: ReceiptDocument) -> None:
    code_w = 84.0
    signer_x = LEFT + code_w + 7
    signer_w = pdf.w - RIGHT - signer_x
    left_h = 5.4 + 8 + 4.6 * pdf.lines_of(doc.check_how, "I", 9, code_w)
    name_size = pdf.fitted(doc.signer_name, "B", 11, signer_w)
    name_lines = pdf.lines_of(doc.signer_name, "B", name_size, signer_w)
    right_h = 5.4 + 4.6 * pdf.lines_of(doc.signer_note, "I", 9, signer_w) + 9 + 5.8 * name_lines
    footer_h = 3 + FOOTER_LINE * pdf.lines_of(doc.footer, "", FOOTER_SIZE, pdf.epw)
    # The signer's block and the code stay together, below the text they sign; the ledger's particulars
    # are the page's foot and may run into the bottom margin.
    if pdf.get_y() + 2 + max(left_h, right_h) + 3 + footer_h > pdf.h - BOTTOM / 2:
        pdf.add_page()
    pdf.ln(2)
    top = pdf.get_y()
    pdf.set_font(FONT, "BI", 10.5)
    pdf.set_x(LEFT)
    pdf.multi_cell(code_w, 5.4, doc.code_label, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 15)
    pdf.set_x(LEFT)
    pdf.cell(code_w, 8, doc.code, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "I", 9)
    pdf.set_x(LEFT)
    pdf.multi_cell(code_w, 4.6, doc.check_how, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_end = pdf.get_y()
    pdf.set_y(top)
    pdf.set_font(FONT, "B", 10.5)
    pdf.centred(signer_x, signer_w, 5.4, doc.signer_heading)
    pdf.set_font(FONT, "I", 9)
    pdf.centred(signer_x, signer_w, 4.6, doc.signer_note)
    pdf.ln(9)
    pdf.set_font(FONT, "B", name_size)
    pdf.centred(signer_x, signer_w, 5.8, doc.signer_name)
    pdf.set_y(max(left_end, pdf.get_y()) + 3)


def receipt_pdf(doc: ReceiptDocument) -> bytes:
    pdf = _Receipt(format="A4")
    pdf.setup(doc.signed_at)
    _header(pdf, doc)
    _body(pdf, doc)
    _signature_block(pdf, doc)
    pdf.set_auto_page_break(auto=True, margin=BOTTOM / 2)
    pdf.set_draw_color(170, 170, 170)
    pdf.line(LEFT, pdf.get_y(), pdf.w - RIGHT, pdf.get_y())
    pdf.ln(2)
    pdf.set_font(FONT, "", FOOTER_SIZE)
    pdf.multi_cell(0, FOOTER_LINE, doc.footer, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
