"""A letter to a citizen laid out as an administrative document of Nghị định 30/2020/NĐ-CP (Phụ lục I):
A4, margins 20 mm top and bottom, 30 mm left, 15 mm right; the office top left (the body above it, then
the issuing unit in bold, a short rule under it) with the number under them; the national name and the
motto top right, the motto underlined, the place and date in italics under them; the title centred in
bold; the body justified with a first-line indent; the signature block right, the recipients left.

The decree asks for Times New Roman; DejaVu Serif (shipped with matplotlib, as the receipts' fonts are)
is the nearest serif face with every Vietnamese letter, so the PDF is the same on any server.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from compliance.feedback.letters import LetterFacts
from compliance.pledge.receipts import FONT_DIR

SERIF = "DejaVuSerif"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RECIPIENTS = "Nơi nhận:"
PAGE_W = 210.0
TOP, BOTTOM, LEFT, RIGHT = 20.0, 20.0, 30.0, 15.0
# The header's two blocks: the office's (left) and the nation's (right), wider than the body's margins as
# the decree's sample lays them out.
OFFICE_X, OFFICE_W = 15.0, 82.0
NATION_X, NATION_W = 95.0, 105.0
SIGN_X, SIGN_W = 110.0, 85.0


class _Letter(FPDF):
    def setup(self) -> None:
        self.set_producer("Cam Kết Bot")
        for style, name in (("", "DejaVuSerif"), ("B", "DejaVuSerif-Bold"), ("I", "DejaVuSerif-Italic")):
            self.add_font(SERIF, style, str(FONT_DIR / f"{name}.ttf"))
        self.add_font(SERIF, "BI", str(FONT_DIR / "DejaVuSerif-BoldItalic.ttf"))
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(auto=True, margin=BOTTOM)

    def block(
        self,
        x: float,
        width: float,
        text: str,
        style: str,
        size: float,
        height: float,
        smallest: float | None = None,
    ) -> None:
        """Centred lines in a column: shrunk down to `smallest` points (if given) to stay on one line, then
        wrapped."""
        self.set_font(SERIF, style, size)
        while (
            smallest is not None
            and size > smallest
            and self.get_string_width(text) > width - 2 * self.c_margin
        ):
            size -= 0.25
            self.set_font_size(size)
        self.set_x(x)
        self.multi_cell(width, height, text, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)

    def rule_under(self, x: float, width: float, length: float) -> None:
        """A centred rule just under the line written last."""
        y = self.get_y() + 1.0
        start = x + (width - length) / 2
        self.set_line_width(0.3)
        self.line(start, y, start + length, y)


def _header(pdf: _Letter, facts: LetterFacts) -> float:
    """Both header blocks; returns the lower one's bottom."""
    pdf.set_y(TOP)
    if facts.parent:
        pdf.block(OFFICE_X, OFFICE_W, facts.parent.upper(), "", 11.5, 5.5, smallest=9)
    pdf.block(OFFICE_X, OFFICE_W, facts.office.upper(), "B", 11.5, 5.5, smallest=9.5)
    pdf.rule_under(OFFICE_X, OFFICE_W, min(OFFICE_W * 0.4, pdf.get_string_width(facts.office.upper())))
    pdf.set_y(pdf.get_y() + 3)
    pdf.block(OFFICE_X, OFFICE_W, facts.number, "", 12, 6)
    office_bottom = pdf.get_y()

    pdf.set_y(TOP)
    pdf.block(NATION_X, NATION_W, NATION, "B", 11.5, 5.5, smallest=8)
    pdf.block(NATION_X, NATION_W, MOTTO, "B", 12.5, 6, smallest=8)
    pdf.rule_under(NATION_X, NATION_W, pdf.get_string_width(MOTTO))
    pdf.set_y(pdf.get_y() + 3)
    pdf.block(NATION_X, NATION_W, facts.place_date, "I", 12, 6, smallest=10)
    return max(office_bottom, pdf.get_y())


def _body(pdf: _Letter, facts: LetterFacts) -> None:
    pdf.set_font(SERIF, "", 12.5)
    with pdf.text_columns(text_align=Align.J, line_height=1.35, l_margin=LEFT, r_margin=RIGHT) as columns:
        for text in facts.paragraphs:
            with columns.paragraph(first_line_indent=10, bottom_margin=2) as paragraph:
                paragraph.write(text)


def _closing(pdf: _Letter, facts: LetterFacts) -> None:
    top = pdf.get_y() + 6
    if (
        top > 297 - BOTTOM - 50
    ):  # the signature and its recipients are kept together, on a new page if need be
        pdf.add_page()
        top = TOP
    pdf.set_y(top)
    pdf.block(SIGN_X, SIGN_W, facts.signer_title.upper(), "B", 12.5, 6)
    pdf.block(SIGN_X, SIGN_W, facts.signature_note, "I", 11, 5.5)
    pdf.set_y(pdf.get_y() + 24)
    pdf.block(SIGN_X, SIGN_W, facts.signer_name, "B", 12.5, 6)

    pdf.set_y(top)
    pdf.set_x(OFFICE_X)
    pdf.set_font(SERIF, "BI", 11.5)
    pdf.cell(SIGN_X - OFFICE_X - 4, 6, RECIPIENTS, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(SERIF, "", 10.5)
    last = len(facts.recipients) - 1
    for index, line in enumerate(facts.recipients):
        text = line if line.startswith("-") else f"- {line}"
        if not text.endswith((".", ";", ",")):
            text += "." if index == last else ";"
        pdf.set_x(OFFICE_X)
        pdf.multi_cell(SIGN_X - OFFICE_X - 4, 5, text, new_x=XPos.LEFT, new_y=YPos.NEXT)


def letter_pdf(facts: LetterFacts) -> bytes:
    pdf = _Letter(format="A4")
    pdf.setup()
    pdf.add_page()
    bottom = _header(pdf, facts)
    pdf.set_y(bottom + 9)
    pdf.set_x(LEFT)
    pdf.set_font(SERIF, "B", 13.5)
    pdf.multi_cell(PAGE_W - LEFT - RIGHT, 7, facts.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(pdf.get_y() + 5)
    _body(pdf, facts)
    _closing(pdf, facts)
    return bytes(pdf.output())
