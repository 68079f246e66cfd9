"""The chart's own PNG writer: what a reader's picture viewer decodes is the pixels Agg drew."""

from __future__ import annotations

import io

import numpy
from PIL import Image

from compliance.reports.png import png


def decoded(data: bytes) -> tuple[str, numpy.ndarray]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.mode, numpy.asarray(image.convert("RGBA"))


def test_opaque_pixels_come_back_the_same_without_an_alpha_channel() -> None:
    pixels = numpy.random.default_rng(1).integers(0, 256, (37, 53, 4), dtype=numpy.uint8)
    pixels[:, :, 3] = 255
    mode, back = decoded(png(pixels))
    assert mode == "RGB"
    assert numpy.array_equal(back, pixels)


def test_translucent_pixels_keep_their_alpha() -> None:
    pixels = numpy.random.default_rng(2).integers(0, 256, (19, 7, 4), dtype=numpy.uint8)
    mode, back = decoded(png(pixels))
    assert mode == "RGBA"
    assert numpy.array_equal(back, pixels)
