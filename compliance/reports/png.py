"""A drawn chart's pixels as a PNG file, written here rather than by Pillow through savefig.

A province's chart is six pages of 1152 × 2560 pixels: 70 MB of RGBA to compress. Pillow tries the five
PNG row filters on every row and deflates at level 6, 0.6 s of CPU for those pages; a chart is mostly flat
colour, which deflate alone packs as well: rows unfiltered, at level 3, with the alpha channel dropped
when every pixel is opaque (as a chart on a white figure is), the same pages take a third of that and come
out smaller. The pixels are the same: PNG is lossless, and only how they are packed changes.
"""

from __future__ import annotations

import struct
import zlib

import numpy
from numpy.typing import NDArray

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_RGB, _RGBA = 2, 6  # PNG colour types
LEVEL = 3


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(pixels: NDArray[numpy.uint8]) -> bytes:
    """`pixels`: rows × columns × 4 (RGBA, 8 bits a channel), as Agg draws them."""
    height, width, channels = pixels.shape
    if channels != 4:
        raise ValueError(f"RGBA pixels expected, not {channels} channels")
    opaque = bool(pixels[:, :, 3].min() == 255)
    kept = 3 if opaque else 4
    rows = numpy.zeros((height, 1 + width * kept), numpy.uint8)  # each row: filter 0 (none), its pixels
    view = rows[:, 1:].reshape(height, width, kept)  # a view (the last axis split), written in place
    for channel in range(
        kept
    ):  # a channel at a time: numpy copies long strided runs fast, pixels of 3 slowly
        view[:, :, channel] = pixels[:, :, channel]
    header = struct.pack(">IIBBBBB", width, height, 8, _RGB if opaque else _RGBA, 0, 0, 0)
    return b"".join(
        (
            _SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(rows.data, LEVEL)),
            _chunk(b"IEND", b""),
        )
    )
