"""Drawings stay smooth with thousands of strokes (issue 14) and look as they did: a save's PNGs
are the very pixels the one painting function paints, and a big drawing opened is painted off
the UI thread, then shown with the same pixels as one painted at once."""

from __future__ import annotations

import random

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter

from rbsw_desktop.domain import Case
from rbsw_desktop.domain.direct_work_content import Drawing, Stamp, Stroke
from rbsw_desktop.domain.enums import DirectWorkTool
from rbsw_desktop.store import Store
from rbsw_desktop.ui.direct_work import DirectWorkTab
from rbsw_desktop.ui.drawing.canvas import DrawingCanvas, Tool
from rbsw_desktop.ui.drawing.paint import (
    PAPER,
    RENDERING_WIDTH,
    guide_for,
    paint_drawing,
    rendering_png,
)
from tests.benchmarks.bench_canvas import _strokes
from tests.ui.conftest import threaded_taskman
from tests.ui.test_app_shell import SHOTS
from tests.ui.test_drawing import WORRIES


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


def test_a_5000_stroke_drawing_opens_off_the_ui_thread_then_shows_as_before(
        qtbot, store: Store, case: Case) -> None:  # noqa: ANN001
    heavy = Drawing(1000, 700, _strokes(5_000, random.Random(5)), (Stamp("star", 500, 350, 110),))
    a = store.direct_work.add(case.id, DirectWorkTool.THREE_HOUSES, held_on="2026-11-20",
                              title="with Poppy")
    a.content = {"drawing": {WORRIES: heavy.to_json()}}
    store.direct_work.save(a)
    manager = threaded_taskman(qtbot, store)
    tab = DirectWorkTab(taskman=manager, case_id=case.id)
    qtbot.addWidget(tab)
    tab.resize(1200, 800)
    tab.show()
    qtbot.waitUntil(lambda: tab.list.count() == 1)
    item = tab.list.item(0)
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=tab.list.visualItemRect(item).center())
    sheet = tab.editor
    canvas = sheet.canvases[WORRIES]

    def as_painted_at_once(drawing: Drawing | None) -> QImage:
        """The canvas as it looked when the drawing was painted on the UI thread."""
        at_once = DrawingCanvas(Tool(), name=WORRIES, guide=canvas.guide)   # no task manager
        qtbot.addWidget(at_once)
        at_once.resize(canvas.size())
        at_once.set_drawing(drawing)
        return at_once.grab().toImage()

    # The click came back at once: the paper shows, the drawing is read on the pool.
    assert sheet.opening and canvas.accessibleDescription() == "The drawing is opening"
    assert not canvas.isEnabled()
    assert canvas.grab().toImage() == as_painted_at_once(None)
    assert sheet.content() == a.content          # an autosave meanwhile keeps it as it was
    shown = as_painted_at_once(heavy)
    qtbot.waitUntil(lambda: canvas.grab().toImage() == shown, timeout=30_000)
    assert not sheet.opening and canvas.isEnabled()
    assert canvas.accessibleDescription() == "5000 lines and 1 stamps"
    assert sheet.content() == a.content
    canvas.grab().save(str(SHOTS / "drawing_5000_strokes_opened.png"))
    manager.close_store()
