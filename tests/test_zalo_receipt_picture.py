"""After signing on Zalo the person gets the receipt link and the receipt as a picture: a PNG with the
signer, the unit, the pledge and its version, the local signing time, the verification code and the row's
hash, every character of it in the fonts drawn with (no missing Vietnamese glyph); it reaches Zalo as a
PUBLIC_URL/f/ link made for the signer. Both engines."""

from __future__ import annotations

import io
import os
import unicodedata
from pathlib import Path

from matplotlib.ft2font import FT2Font
from PIL import Image
from sqlalchemy import select

from compliance.pledge import ledger
from compliance.pledge.receipt_image import ReceiptCard, receipt_png
from compliance.pledge.receipts import FONT_DIR
from handlers.messages import AttachmentKind
from handlers.zalo.conversation import respond
from handlers.zalo.links import AttachmentLinks
from handlers.zalo.render import ZaloPhoto, ZaloText, render
from storage.engine import Database
from storage.models_pledge import Signature
from tests.test_zalo_dialogs import LAN, PUBLIC, incoming, office, services

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))
HOSTILE = ReceiptCard(
    heading="BIÊN NHẬN CAM KẾT",
    office="Sở Giao thông vận tải tỉnh Hà Nam",
    fields=[
        ("Họ và tên", unicodedata.normalize("NFD", "Nguyễn Thị Ngọc Ánh") + "\x07"),
        ("Đơn vị", "Phòng Quản lý vận tải " * 12),  # wraps, then is cut
        ("Ký lúc", "30/11/2026 15:04 (giờ Việt Nam)"),
    ],
    code_label="Mã xác minh",
    code="HK7M-4QXT",
    hash_label="Mã băm chữ ký (SHA-256)",
    row_hash="ab" * 32,
    check_how="Gửi /verify HK7M-4QXT cho bot để kiểm tra biên nhận này trong sổ chữ ký.",
)


def _keep(name: str, png: bytes) -> None:
    """For a person to look at (the closing note shows it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(png)


def _characters(card: ReceiptCard) -> set[str]:
    parts = [card.heading, card.office or "", card.code_label, card.hash_label, card.check_how]
    parts += [text for field in card.fields for text in field]
    return {c for c in unicodedata.normalize("NFC", "".join(parts)) if c.isprintable() and not c.isspace()}


def test_every_character_has_a_glyph_and_the_card_is_a_tall_png() -> None:
    png = receipt_png(HOSTILE)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == 1080 and image.height > 900
    assert len(image.convert("L").getcolors(maxcolors=256) or []) > 20  # text drawn, not a blank page
    assert receipt_png(HOSTILE) == png  # the same row gives the same picture
    # The words in the sans and serif faces; only the code and the hash (ASCII) in the monospaced ones.
    code_and_hash = {c for c in HOSTILE.code + HOSTILE.row_hash if c.isprintable()}
    for font, drawn in (
        ("DejaVuSans", _characters(HOSTILE)),
        ("DejaVuSans-Bold", _characters(HOSTILE)),
        ("DejaVuSerif-Bold", _characters(HOSTILE)),
        ("DejaVuSansMono", code_and_hash),
        ("DejaVuSansMono-Bold", code_and_hash),
    ):
        covered = FT2Font(str(FONT_DIR / f"{font}.ttf")).get_charmap()
        assert not {c for c in drawn if ord(c) not in covered}, font
    _keep("zalo-receipt-sample.png", png)


async def test_signing_on_zalo_sends_the_receipt_as_a_picture(database: Database) -> None:
    people = await office(database)
    for text in ("ký", "Nguyễn Thị Lan", "ĐỒNG Ý"):
        answers = await respond(incoming(LAN, text), services(database, "vi"))
    link, picture = answers
    async with database.unit_of_work() as session:
        row = await session.scalar(select(Signature).where(Signature.official_id == people.official))
        assert row is not None
    assert ledger.verification_code(row.row_hash) in link.text and "/signin/" in link.text
    assert picture.attachment is not None and picture.attachment.kind is AttachmentKind.PHOTO
    png = picture.attachment.data or b""
    assert Image.open(io.BytesIO(png)).width == 1080
    _keep("zalo-receipt.png", png)

    hook = await AttachmentLinks(database, PUBLIC).hook(answers, zalo_user_id=LAN)
    sends = [item for answer in answers for item in render(answer, attachment_url=hook)]
    photos = [s for s in sends if isinstance(s, ZaloPhoto)]
    assert len(photos) == 1 and photos[0].url.startswith(f"{PUBLIC}/f/")
    assert all(len(s.text) <= 2000 for s in sends if isinstance(s, ZaloText))
