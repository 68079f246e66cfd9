"""QR codes as PNG bytes: an invite link a newcomer scans from a printed notice or another phone."""

from __future__ import annotations

import io

import segno


def qr_png(data: str, *, scale: int = 8) -> bytes:
    """Error correction M or better (segno raises it when the size allows): a worn printout still scans."""
    buffer = io.BytesIO()
    segno.make_qr(data, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
