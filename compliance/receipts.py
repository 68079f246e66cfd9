"""The PDF receipt of a signature: made from the ledger row, so it is byte-for-byte the same every time.

Labels arrive already translated (texts live in the catalogs, not here); this module only lays them out,
in DejaVu Sans (the font matplotlib ships), which has every Vietnamese glyph.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def receipt_pdf(
    *,
    heading: str,
    fields: Sequence[tuple[str, str]],
    pledge_text: str,
    signature_hash: str,
    footer: str,
    signed_at: datetime,
) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(signed_at)  # no "now" anywhere: the same row gives the same bytes
    pdf.set_producer("Cam Kết Bot")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
    pdf.ln(3)
    for label, value in fields:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(45, 6, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_draw_color(160, 160, 160)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5.5, pledge_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(0, 5, signature_hash, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(0, 4.5, footer, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
