"""A unit's activation codes on paper: an Excel list (for the office's records and mail merges) and a
printable PDF of slips, "Phiếu kích hoạt", several on an A4 page with cut lines, one per person.

Labels arrive translated (texts live in the catalogs); this module lays them out. The PDF uses DejaVu
(shipped with matplotlib, every Vietnamese glyph), as the pledge receipt does; the code is set in DejaVu
Sans Mono, where every character has the same width and the alphabet has no look-alikes to begin with.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from compliance.dates import format_date, local_day
from compliance.office.activation import IssuedCode
from compliance.pledge.receipts import FONT_DIR

SANS, MONO = "DejaVuSans", "DejaVuSansMono"
# A4 in millimetres, two columns of four slips: each slip 95 × 69 mm, large enough for a long name and the
# three steps, small enough that a unit of forty people is five sheets of paper.
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 10.0
COLUMNS, ROWS = 2, 4
SLIP_W = (PAGE_W - 2 * MARGIN) / COLUMNS
SLIP_H = (PAGE_H - 2 * MARGIN) / ROWS
PAD = 5.0


@dataclass(frozen=True)
class SheetLabels:
    """The sheet's words in the reader's language. `steps` are the three steps, the bot's name already in
    them ("Open Zalo", "Search for the bot “…”", "Send it this code")."""

    title: str  # "Phiếu kích hoạt"
    name: str
    unit: str
    code: str
    expires: str  # "Valid until"
    how: str  # the Excel column of the steps
    steps: Sequence[str]
    locale: str


def _text_cell(sheet: WriteOnlyWorksheet, value: str, bold: bool = False) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    # A staff name is typed by people: one starting with "=" stays text, never a formula Excel would run.
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def codes_workbook(codes: Sequence[IssuedCode], labels: SheetLabels, *, office: str | None) -> bytes:
    """One row per person: name, unit, code, valid until, how to join."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=labels.title[:31])
    for letter, width in zip("ABCDE", (32, 30, 14, 14, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    if office:
        sheet.append([_text_cell(sheet, office, bold=True)])
    headers = (labels.name, labels.unit, labels.code, labels.expires, labels.how)
    sheet.append([_text_cell(sheet, header, bold=True) for header in headers])
    how = " ".join(f"{n}. {step}" for n, step in enumerate(labels.steps, start=1))
    for item in codes:
        expires = format_date(local_day(item.expires_at), labels.locale)
        values = (item.full_name, item.unit_name, item.code, expires, how)
        sheet.append([_text_cell(sheet, value) for value in values])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class _Slips(FPDF):
    def setup(self) -> None:
        self.set_producer("Cam Kết Bot")
        self.add_font(SANS, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(SANS, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(MONO, "B", str(FONT_DIR / "DejaVuSansMono-Bold.ttf"))
        self.set_auto_page_break(auto=False)
        self.set_margins(MARGIN, MARGIN, MARGIN)

    def cut_lines(self) -> None:
        """Dashed lines between the slips (and round them), where the scissors go."""
        self.set_draw_color(150, 150, 150)
        self.set_line_width(0.2)
        self.set_dash_pattern(dash=2, gap=1.5)
        for column in range(COLUMNS + 1):
            x = MARGIN + column * SLIP_W
            self.line(x, MARGIN, x, PAGE_H - MARGIN)
        for row in range(ROWS + 1):
            y = MARGIN + row * SLIP_H
            self.line(MARGIN, y, PAGE_W - MARGIN, y)
        self.set_dash_pattern()
        self.set_draw_color(0, 0, 0)

    def line_of(self, x: float, width: float, height: float, text: str, *, align: str = "L") -> None:
        """One line, shrunk until it fits the slip's width (a long unit or office name)."""
        size = self.font_size_pt
        while size > 6 and self.get_string_width(text) > width - 2 * self.c_margin:
            size -= 0.5
            self.set_font_size(size)
        self.set_x(x)
        self.cell(width, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def slip(self, item: IssuedCode, labels: SheetLabels, office: str | None, x0: float, y0: float) -> None:
        x, width = x0 + PAD, SLIP_W - 2 * PAD
        self.set_y(y0 + PAD - 1)
        self.set_font(SANS, "B", 8)
        self.line_of(x, width, 4, (office or "").upper())
        self.set_font(SANS, "", 8)
        self.line_of(x, width, 4, item.unit_name)
        self.set_font(SANS, "B", 11)
        self.line_of(x, width, 7, labels.title.upper(), align="C")
        self.set_font(SANS, "", 9)
        self.line_of(x, width, 4.5, f"{labels.name}:")
        self.set_font(SANS, "B", 12)
        self.line_of(x, width, 6, item.full_name)
        self.set_font(MONO, "B", 24)
        # The code inside a light frame: the part a person copies, the first thing the eye finds.
        box_y = self.get_y() + 1
        self.set_fill_color(238, 238, 238)
        self.rect(x + 8, box_y, width - 16, 12, style="F")
        self.set_y(box_y)
        self.line_of(x, width, 12, item.code, align="C")
        self.set_font(SANS, "", 8.5)
        expires = format_date(local_day(item.expires_at), labels.locale)
        self.line_of(x, width, 5, f"{labels.expires}: {expires}", align="C")
        self.set_font(SANS, "", 8)
        for number, step in enumerate(labels.steps, start=1):
            self.set_x(x)
            self.multi_cell(width, 3.6, f"{number}. {step}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def codes_pdf(codes: Sequence[IssuedCode], labels: SheetLabels, *, office: str | None) -> bytes:
    """Slips, COLUMNS × ROWS to an A4 page, in the order given (a unit's people together)."""
    pdf = _Slips(format="A4")
    pdf.setup()
    per_page = COLUMNS * ROWS
    for index, item in enumerate(codes):
        place = index % per_page
        if place == 0:
            pdf.add_page()
            pdf.cut_lines()
        column, row = place % COLUMNS, place // COLUMNS
        pdf.slip(item, labels, office, MARGIN + column * SLIP_W, MARGIN + row * SLIP_H)
    if not codes:
        pdf.add_page()
    return bytes(pdf.output())
