"""The receipt of a signature as a picture, for a channel that carries pictures but no files (Zalo): the
signer, the unit, the pledge and its version, when it was signed, the verification code, the ledger's hash
of the row, and how to check it.

Drawn with Pillow in DejaVu (the fonts the PDF receipt uses, shipped with matplotlib: every Vietnamese
glyph is there). Labels arrive translated; this module only lays them out. A phone shows the picture about
as wide as its screen, so the text is large and the card tall rather than wide.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from compliance.pledge.receipts import FONT_DIR

WIDTH = 1080
MARGIN = 64
INK, MUTED, ACCENT, BAND, RULE = "#1b1f24", "#5b6470", "#9b1c1c", "#fbf3e4", "#d9c9a8"
MAX_LINES = 6  # per field: a name or a title longer than that is cut with "…"


@dataclass(frozen=True)
class ReceiptCard:
    heading: str  # "PLEDGE RECEIPT"
    office: str | None
    fields: Sequence[tuple[str, str]]  # (label, value), in order
    code_label: str
    code: str
    hash_label: str
    row_hash: str
    check_how: str


@cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / f"{name}.ttf"), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines no wider than `width` pixels, broken between words (a word wider than that is cut)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if font.getlength(candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while font.getlength(word) > width:
                cut = max(1, len(word) - 1)
                while cut > 1 and font.getlength(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return lines


def _cut(lines: list[str]) -> list[str]:
    return lines if len(lines) <= MAX_LINES else [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1] + " …"]


class _Canvas:
    """Lines laid out top to bottom: measured first (the height), then drawn."""

    def __init__(self) -> None:
        self.ops: list[tuple[int, str, ImageFont.FreeTypeFont, str, bool]] = []
        self.y = MARGIN

    def text(self, text: str, font: ImageFont.FreeTypeFont, fill: str, *, centred: bool = False) -> None:
        for line in _cut(_wrap(text, font, WIDTH - 2 * MARGIN)):
            self.ops.append((self.y, line, font, fill, centred))
            self.y += int(font.size * 1.35)

    def gap(self, pixels: int) -> None:
        self.y += pixels


def receipt_png(card: ReceiptCard) -> bytes:
    text = _clean(card)
    canvas = _Canvas()
    if text.office:
        canvas.text(text.office.upper(), _font("DejaVuSans-Bold", 26), MUTED, centred=True)
        canvas.gap(8)
    canvas.text(text.heading, _font("DejaVuSerif-Bold", 48), ACCENT, centred=True)
    canvas.gap(28)
    band_top = canvas.y
    canvas.gap(24)
    for label, value in text.fields:
        canvas.text(label, _font("DejaVuSans", 26), MUTED)
        canvas.text(value or "—", _font("DejaVuSans-Bold", 34), INK)
        canvas.gap(14)
    band_bottom = canvas.y + 10
    canvas.gap(44)
    canvas.text(text.code_label, _font("DejaVuSans", 28), MUTED, centred=True)
    canvas.text(text.code, _font("DejaVuSansMono-Bold", 64), ACCENT, centred=True)
    canvas.gap(24)
    canvas.text(text.hash_label, _font("DejaVuSans", 24), MUTED)
    half = len(text.row_hash) // 2
    for part in (text.row_hash[:half], text.row_hash[half:]):
        canvas.text(part, _font("DejaVuSansMono", 28), INK)
    canvas.gap(20)
    canvas.text(text.check_how, _font("DejaVuSans", 26), MUTED)
    height = canvas.y + MARGIN

    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((16, 16, WIDTH - 17, height - 17), outline=RULE, width=4)
    draw.rectangle((MARGIN - 24, band_top, WIDTH - MARGIN + 24, band_bottom), fill=BAND)
    for y, line, font, fill, centred in canvas.ops:
        x = (WIDTH - font.getlength(line)) / 2 if centred else MARGIN
        draw.text((x, y), line, font=font, fill=fill)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _clean(card: ReceiptCard) -> ReceiptCard:
    """NFC, and no control characters: a name is drawn as the staff list wrote it, nothing else."""

    def tidy(value: str) -> str:
        nfc = unicodedata.normalize("NFC", value)
        return "".join(c for c in nfc if c == "\n" or unicodedata.category(c)[0] != "C")

    return ReceiptCard(
        heading=tidy(card.heading),
        office=tidy(card.office) if card.office else None,
        fields=[(tidy(label), tidy(value)) for label, value in card.fields],
        code_label=tidy(card.code_label),
        code=tidy(card.code),
        hash_label=tidy(card.hash_label),
        row_hash=tidy(card.row_hash),
        check_how=tidy(card.check_how),
    )
