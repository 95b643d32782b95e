"""Drawings stay smooth with thousands of strokes (issue 14) and look as they did: a save's PNGs
are the very pixels the one painting function paints, and a big drawing opened is painted off
the UI thread, then shown with the same pixels as one painted at once."""

from __future__ import annotations

import random

from PySide6.QtGui import QImage, QPainter

from rbsw_desktop.domain.direct_work_content import Drawing, Stamp, Stroke
from rbsw_desktop.domain.enums import DirectWorkTool
from rbsw_desktop.ui.drawing.paint import (
    PAPER,
    RENDERING_WIDTH,
    guide_for,
    paint_drawing,
    rendering_png,
)
from tests.benchmarks.bench_canvas import _strokes


def painted(drawing: Drawing, guide: str | None) -> QImage:
    """The drawing painted straight onto an image, as renderings were made before."""
    scale = RENDERING_WIDTH / drawing.width
    image = QImage(RENDERING_WIDTH, round(drawing.height * scale), QImage.Format.Format_RGB32)
    image.fill(PAPER)
    painter = QPainter(image)
    paint_drawing(painter, drawing, scale, guide)
    painter.end()
    return image


def three_houses(strokes: int) -> dict[str, Drawing]:
    rng = random.Random(14)
    pressed = Stroke(((100, 100, 0.2), (300, 200, 0.9), (500, 150, 0.5)), 24, "#1976d2")
    return {p: Drawing(1000, 700, (*_strokes(strokes, rng), pressed),
                       (Stamp("happy", 200, 200, 110), Stamp("house", 600, 300, 110)))
            for p in DirectWorkTool.THREE_HOUSES.prompts}


def test_a_saves_pngs_are_the_pixels_painted_for_each_house(qapp) -> None:  # noqa: ANN001
    tool = DirectWorkTool.THREE_HOUSES
    for part, drawing in three_houses(300).items():
        png = rendering_png(drawing, guide_for(tool, part))       # as a save renders it
        assert png.startswith(b"\x89PNG")
        shown = QImage.fromData(png).convertToFormat(QImage.Format.Format_RGB32)
        assert shown == painted(drawing, guide_for(tool, part)), part
