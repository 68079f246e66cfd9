"""The A4 poster of a reception point: who is rated, a large QR code of its rating page, the address printed
for typing by hand, one line of instructions.

Labels arrive translated (the poster is printed in Vietnamese whatever the head's language: the page
that serves it sets the locale); this module lays them out in DejaVu Sans, as the activation slips do.
The QR code is drawn as vector squares, not a picture, so it stays sharp at any printer's resolution; its
error correction is Q (a quarter of the code may be worn or covered by tape and it still scans).
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.feedback.points import public_path
from compliance.pledge.receipts import FONT_DIR
from storage.models import Unit
from storage.models_feedback import ReceptionPoint

SANS, MONO = "DejaVuSans", "DejaVuSansMono"
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 15.0
QR_SIZE = 130.0  # mm, quiet zone included: scans from two metres away
QR_BORDER = 4  # modules of quiet zone, as the standard asks


@dataclass(frozen=True)
class PosterLabels:
    title: str  # "Đánh giá mức độ hài lòng"
    instruction: str  # "Quét mã để đánh giá mức độ hài lòng của bạn…"
    type_address: str  # "Or type this address:"
    note: str  # anonymous unless a contact is left; no sign-in


@dataclass(frozen=True)
class PosterFacts:
    office: str | None  # the top of the unit's tree, when it is not the unit itself
    unit: str
    desk: str | None
    url: str  # the full address the QR code holds
    shown_address: str  # the address as printed (without "https://")


def _dark_runs(url: str) -> tuple[int, list[tuple[int, int, int]]]:
    """(modules across, quiet zone included; (row, first column, length) of each run of dark modules)."""
    code = segno.make_qr(url, error="q", boost_error=True)
    rows = [list(row) for row in code.matrix_iter(border=QR_BORDER)]
    runs: list[tuple[int, int, int]] = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return len(rows), runs


class _Poster(FPDF):
    def setup(self) -> None:
        self.set_producer("Cam Kết Bot")
        self.add_font(SANS, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(SANS, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(MONO, "B", str(FONT_DIR / "DejaVuSansMono-Bold.ttf"))
        self.set_auto_page_break(auto=False)
        self.set_margins(MARGIN, MARGIN, MARGIN)

    def centred(self, text: str, family: str, style: str, size: float, height: float) -> None:
        """One centred line, shrunk until it fits the page's width (a long office or desk name)."""
        width = PAGE_W - 2 * MARGIN
        self.set_font(family, style, size)
        while size > 8 and self.get_string_width(text) > width - 2 * self.c_margin:
            size -= 0.5
            self.set_font_size(size)
        self.set_x(MARGIN)
        self.cell(width, height, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def wrapped(self, text: str, size: float, height: float, style: str = "") -> None:
        self.set_font(SANS, style, size)
        self.set_x(MARGIN)
        self.multi_cell(PAGE_W - 2 * MARGIN, height, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def qr(self, url: str, top: float) -> None:
        modules, runs = _dark_runs(url)
        unit = QR_SIZE / modules
        left = (PAGE_W - QR_SIZE) / 2
        self.set_fill_color(0, 0, 0)
        for row, column, length in runs:
            # A hair of overlap between neighbouring rows: no white seams when a viewer anti-aliases.
            self.rect(left + column * unit, top + row * unit, length * unit, unit + 0.01, style="F")


def poster_pdf(facts: PosterFacts, labels: PosterLabels) -> bytes:
    pdf = _Poster(format="A4")
    pdf.setup()
    pdf.add_page()
    pdf.set_y(MARGIN + 2)
    if facts.office:
        pdf.centred(facts.office.upper(), SANS, "B", 12, 7)
    pdf.centred(facts.unit, SANS, "B", 20, 11)
    if facts.desk:
        pdf.centred(facts.desk, SANS, "", 18, 10)
    pdf.set_y(pdf.get_y() + 4)
    pdf.centred(labels.title.upper(), SANS, "B", 24, 13)
    top = pdf.get_y() + 2
    pdf.qr(facts.url, top)
    pdf.set_y(top + QR_SIZE + 1)
    pdf.wrapped(labels.instruction, 16, 8, "B")
    pdf.set_y(pdf.get_y() + 3)
    pdf.centred(labels.type_address, SANS, "", 11, 6)
    pdf.centred(facts.shown_address, MONO, "B", 20, 11)
    pdf.set_y(PAGE_H - MARGIN - 14)
    pdf.set_text_color(80, 80, 80)
    pdf.wrapped(labels.note, 9.5, 5)
    return bytes(pdf.output())


async def poster_facts(session: AsyncSession, point: ReceptionPoint, *, public_url: str) -> PosterFacts:
    """What the poster of `point` prints: its unit, the office at the top of the unit's tree (when that is
    another unit), the desk, and the rating page's address."""
    unit = await session.get(Unit, point.unit_id)
    if unit is None:
        raise LookupError(point.unit_id)
    root = unit.path.strip("/").split("/")[0]
    office = None
    if root.isdigit() and int(root) != unit.id:
        top = await session.get(Unit, int(root))
        office = top.name if top is not None else None
    url = public_url.rstrip("/") + public_path(point.code)
    shown = url.removeprefix("https://").removeprefix("http://")
    return PosterFacts(office=office, unit=unit.name, desk=point.desk, url=url, shown_address=shown)
