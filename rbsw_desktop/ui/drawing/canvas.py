"""The drawing canvas: a finger (QTouchEvent), a pen with its pressure (QTabletEvent) or a mouse
draws strokes; a chosen stamp is placed where the canvas is touched (or, from the keyboard, in its
middle with Enter). Undo and redo step back and forth through every stroke, stamp and clear.

Smooth with thousands of strokes: the finished strokes are kept painted in an image, and a
pointer event repaints only the rectangle its new segment covers (the cached strokes there, the
stroke in progress and the stamps), never the whole drawing. A drawing too big to paint within a
frame (`PAINT_AT_ONCE`) has that image painted on the task manager's pool; the paper shows
until it is ready (a stroke finished meanwhile is added to it when it comes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from rbsw_desktop.domain.direct_work_content import Drawing, Stamp, Stroke
from rbsw_desktop.ui.drawing.paint import paint_paper, paint_stamp, paint_stroke, stroke_bounds
from rbsw_desktop.ui.taskman import TaskManager, show_error

AREA = (1000.0, 700.0)        # a new drawing area, in its own units (landscape, like paper)
BACKDROP = QColor("#d7dadd")  # around the paper
MIN_STEP = 0.75               # points closer than this (in drawing units) add nothing
STAMP_SIZE = 110.0
#: Points of finished strokes painted within a frame (about 3.7 us each); a drawing with more
#: has its strokes painted off the UI thread.
PAINT_AT_ONCE = 4_000


@dataclass(frozen=True)
class Geometry:
    """Where the paper lies on the canvas's image of its finished strokes."""

    size: QSize             # device pixels
    ratio: float            # device pixels to a widget pixel
    origin: QPointF         # the paper's top left, in widget pixels
    scale: float            # widget pixels to a drawing unit
    area: tuple[float, float]

    def to_paper(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.translate(self.origin)
        painter.scale(self.scale, self.scale)
        painter.setClipRect(QRectF(0, 0, *self.area))


def paint_finished(geometry: Geometry, guide: str | None, strokes: Sequence[Stroke],
                   image: QImage | None = None) -> QImage:
    """The backdrop, the paper and `strokes` on `image` (a new one when None); on any thread."""
    fresh = image is None
    if image is None:
        image = QImage(geometry.size, QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(geometry.ratio)
        image.fill(BACKDROP)
    painter = QPainter(image)
    geometry.to_paper(painter)
    if fresh:
        paint_paper(painter, *geometry.area, guide)
    for stroke in strokes:
        paint_stroke(painter, stroke)
    painter.end()
    return image


def _real(event: QMouseEvent) -> bool:
    return event.source() == Qt.MouseEventSource.MouseEventNotSynthesized


@dataclass
class Tool:
    """What the next touch does; one for all the canvases of a sheet."""

    colour: str = "#1f2328"
    width: float = 10.0
    mode: str = "pen"           # "pen", "eraser" or "stamp"
    stamp: str = "happy"
    eraser_width: float = 40.0


class DrawingCanvas(QWidget):
    changed = Signal()

    def __init__(self, tool: Tool, *, name: str, guide: str | None = None,
                 taskman: TaskManager | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tool = tool
        self.taskman = taskman                  # paints a big drawing off the UI thread
        self.name = name
        self.guide = guide                      # the outline on the paper (`paint.GUIDES`)
        self.area = AREA
        self.strokes: list[Stroke] = []
        self._json: list[dict[str, Any]] = []     # each stroke's JSON, made once: the autosave
        self.stamps: list[Stamp] = []             # copies the drawing in a moment, however big
        self._undo: list[tuple[str, Any]] = []
        self._redo: list[tuple[str, Any]] = []
        self._points: list[tuple[float, float, float]] | None = None    # the stroke in progress
        # The finished strokes painted: `_cache` for `_cached` (a generation, bumped when the
        # strokes change other than by one added, and the geometry); `_wanted`, one on its way.
        self._generation = 0
        self._cache: QImage | None = None
        self._cached: tuple[int, Geometry] | None = None
        self._wanted: tuple[int, Geometry] | None = None
        self.opening = False                    # the sheet is still reading the drawing
        self.setAccessibleName(f"Drawing: {name}")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 170)
        self._describe()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, 420)

    # -- the drawing --------------------------------------------------------------------------

    def drawing(self) -> Drawing:
        return Drawing(self.area[0], self.area[1], tuple(self.strokes), tuple(self.stamps))

    def drawing_json(self) -> dict[str, Any]:
        """`drawing().to_json()`, without turning every stroke into JSON again."""
        return {"width": self.area[0], "height": self.area[1], "strokes": list(self._json),
                "stamps": [s.to_json() for s in self.stamps]}

    @property
    def empty(self) -> bool:
        return not self.strokes and not self.stamps

    def set_drawing(self, drawing: Drawing | None,
                    strokes_json: list[dict[str, Any]] | None = None) -> None:
        """Show a kept drawing (or a blank one); the undo history starts again. `strokes_json`
        is its strokes' JSON, when made already (off the UI thread)."""
        self.opening = False
        self.setEnabled(True)
        self.area = (drawing.width, drawing.height) if drawing else AREA
        self.strokes = list(drawing.strokes) if drawing else []
        self._json = strokes_json if strokes_json is not None else \
            [s.to_json() for s in self.strokes]
        self.stamps = list(drawing.stamps) if drawing else []
        self._undo.clear()
        self._redo.clear()
        self._points = None
        self._cache = self._cached = None       # the paper, not the last drawing, meanwhile
        self._repaint_all()
        self._describe()

    def show_opening(self) -> None:
        """The paper, taking no strokes, while the sheet reads the drawing (`set_drawing`)."""
        self.set_drawing(None)
        self.opening = True
        self.setEnabled(False)
        self._describe()

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> None:
        if self._undo:
            op = self._undo.pop()
            self._redo.append(self._apply(op, forward=False))
            self._after_change(op[0] != "stamp")

    def redo(self) -> None:
        if self._redo:
            op = self._redo.pop()
            self._undo.append(self._apply(op, forward=True))
            self._after_change(op[0] != "stamp")

    def clear(self) -> None:
        if not self.empty:
            self._do(("clear", (self.strokes, self._json, self.stamps)))

    def _do(self, op: tuple[str, Any]) -> None:
        self._redo.clear()
        self._undo.append(self._apply(op, forward=True))
        if op[0] == "stroke":       # the one new stroke goes onto the kept pixmap
            self._paint_into_cache(op[1])
            self.update(self._to_widget(stroke_bounds(op[1])))
            self._after_change(False)
        else:
            self._after_change(op[0] == "clear")

    def _apply(self, op: tuple[str, Any], *, forward: bool) -> tuple[str, Any]:
        kind, value = op
        if kind == "stroke" and forward:
            self.strokes.append(value)
            self._json.append(value.to_json())
        elif kind == "stroke":
            self.strokes.pop()
            self._json.pop()
        elif kind == "stamp":
            self.stamps.append(value) if forward else self.stamps.pop()
        elif forward:                       # clear: keep what was there, for undo
            self.strokes, self._json, self.stamps = [], [], []
        else:
            self.strokes, self._json, self.stamps = (list(v) for v in value)
        return op

    def _after_change(self, strokes_changed: bool) -> None:
        if strokes_changed:
            self._repaint_all()
        else:
            self.update()
        self._describe()
        self.changed.emit()

    def _describe(self) -> None:
        self.setAccessibleDescription(
            "The drawing is opening" if self.opening
            else f"{len(self.strokes)} lines and {len(self.stamps)} stamps" if not self.empty
            else "Nothing drawn yet")

    # -- where things are ---------------------------------------------------------------------

    def _scale(self) -> float:
        return min(self.width() / self.area[0], self.height() / self.area[1])

    def _origin(self) -> QPointF:
        s = self._scale()
        return QPointF((self.width() - self.area[0] * s) / 2,
                       (self.height() - self.area[1] * s) / 2)

    def to_drawing(self, pos: QPointF) -> tuple[float, float]:
        s, o = self._scale(), self._origin()
        return (round((pos.x() - o.x()) / s, 1), round((pos.y() - o.y()) / s, 1))

    def to_widget_point(self, x: float, y: float) -> QPointF:
        s, o = self._scale(), self._origin()
        return QPointF(o.x() + x * s, o.y() + y * s)

    def _to_widget(self, r: QRectF) -> QRect:
        s, o = self._scale(), self._origin()
        return QRectF(o.x() + r.x() * s, o.y() + r.y() * s, r.width() * s,
                      r.height() * s).toAlignedRect().adjusted(-2, -2, 2, 2)

    # -- input --------------------------------------------------------------------------------

    def _press(self, pos: QPointF, pressure: float) -> None:
        x, y = self.to_drawing(pos)
        if self.tool.mode == "stamp":
            self._do(("stamp", Stamp(self.tool.stamp, x, y, STAMP_SIZE)))
            return
        self._points = [(x, y, round(pressure, 2))]
        self.update(self._segment_rect(self._points[-1], self._points[-1]))

    def _move(self, pos: QPointF, pressure: float) -> None:
        if self._points is None:
            return
        x, y = self.to_drawing(pos)
        last = self._points[-1]
        if math.hypot(x - last[0], y - last[1]) < MIN_STEP:
            return
        self._points.append((x, y, round(pressure, 2)))
        self.update(self._segment_rect(last, self._points[-1]))

    def _release(self) -> None:
        if self._points is None:
            return
        stroke = self._stroke_in_progress()
        self._points = None
        if stroke is not None:
            self._do(("stroke", stroke))

    def _stroke_in_progress(self) -> Stroke | None:
        if not self._points:
            return None
        eraser = self.tool.mode == "eraser"
        return Stroke(tuple(self._points),
                      self.tool.eraser_width if eraser else self.tool.width,
                      "#ffffff" if eraser else self.tool.colour, eraser)

    def _segment_rect(self, a: tuple[float, float, float], b: tuple[float, float, float]) -> QRect:
        half = max(self.tool.width, self.tool.eraser_width) / 2 + 2
        return self._to_widget(QRectF(min(a[0], b[0]) - half, min(a[1], b[1]) - half,
                                      abs(a[0] - b[0]) + 2 * half, abs(a[1] - b[1]) + 2 * half))

    # A mouse; never a mouse event Qt made up from a touch or a pen, each drawn as itself.
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and _real(event):
            self._press(event.position(), 1.0)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton and _real(event):
            self._move(event.position(), 1.0)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and _real(event):
            self._release()

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._press(event.position(), event.pressure())
        elif kind == QEvent.Type.TabletMove:
            self._move(event.position(), event.pressure())
        elif kind == QEvent.Type.TabletRelease:
            self._release()
        event.accept()          # no mouse event is made up from it

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
                    QEvent.Type.TouchCancel):
            assert isinstance(event, QTouchEvent)
            points = event.points()
            if kind == QEvent.Type.TouchCancel:
                self._points = None
                self.update()
            elif points:
                pos = points[0].position()       # the first finger draws
                if kind == QEvent.Type.TouchBegin:
                    self._press(pos, 1.0)
                elif kind == QEvent.Type.TouchUpdate:
                    self._move(pos, 1.0)
                else:
                    self._move(pos, 1.0)
                    self._release()
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if self.tool.mode == "stamp" and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter,
                                                          Qt.Key.Key_Space):
            self._do(("stamp", Stamp(self.tool.stamp, self.area[0] / 2, self.area[1] / 2,
                                     STAMP_SIZE)))
            return
        super().keyPressEvent(event)

    # -- painting -----------------------------------------------------------------------------

    def _repaint_all(self) -> None:
        self._generation += 1
        self.update()

    def _geometry(self) -> Geometry:
        ratio = self.devicePixelRatioF()
        return Geometry(QSize(max(1, round(self.width() * ratio)),
                              max(1, round(self.height() * ratio))),
                        ratio, self._origin(), self._scale(), self.area)

    @property
    def shown(self) -> bool:
        """Whether the finished strokes shown are all of them, as they are now."""
        return self._cached == (self._generation, self._geometry())

    def _refresh_cache(self) -> None:
        """Paint the finished strokes anew if they or the geometry changed: at once when that
        fits in a frame, else on the pool (the last image, or the paper, shows meanwhile)."""
        wanted = (self._generation, self._geometry())
        if wanted == self._cached or wanted == self._wanted:
            return
        strokes = tuple(self.strokes)
        if self.taskman is None or sum(len(s.points) for s in strokes) <= PAINT_AT_ONCE:
            self._cache, self._cached, self._wanted = \
                paint_finished(wanted[1], self.guide, strokes), wanted, None
            return
        self._wanted = wanted
        self.taskman.run_in_pool(lambda: paint_finished(wanted[1], self.guide, strokes),
                                 lambda image: self._painted(wanted, len(strokes), image),
                                 lambda exc: show_error(self, exc))

    def _painted(self, key: tuple[int, Geometry], done: int, image: QImage) -> None:
        if not shiboken6.isValid(self) or key != self._wanted:
            return                  # closed, or the geometry changed and another is coming
        self._wanted = None
        if key[0] == self._generation:      # strokes finished meanwhile were only added
            paint_finished(key[1], self.guide, self.strokes[done:], image)
            self._cache, self._cached = image, key
        self.update()               # else painted again as they are now

    def _paint_into_cache(self, stroke: Stroke) -> None:
        if self._cache is not None and self._cached is not None:   # also on the last image
            paint_finished(self._cached[1], self.guide, (stroke,), self._cache)  # shown meanwhile

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        self._refresh_cache()
        painter = QPainter(self)
        geometry = self._geometry()
        if self._cache is not None and self._cached is not None and \
                self._cached[1] == geometry:
            painter.drawImage(event.rect(), self._cache, self._cache_rect(event.rect()))
            geometry.to_paper(painter)
        else:                       # the strokes are still being painted: the paper meanwhile
            painter.fillRect(event.rect(), BACKDROP)
            geometry.to_paper(painter)
            paint_paper(painter, *self.area, self.guide)
        stroke = self._stroke_in_progress()
        if stroke is not None:
            paint_stroke(painter, stroke)
        for stamp in self.stamps:
            paint_stamp(painter, stamp)
        if self.hasFocus():
            painter.resetTransform()
            painter.setClipping(False)
            painter.setPen(QColor("#2f5e8e"))
            painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()

    def _cache_rect(self, r: QRect) -> QRect:
        ratio = self.devicePixelRatioF()
        return QRect(round(r.x() * ratio), round(r.y() * ratio), round(r.width() * ratio),
                     round(r.height() * ratio))
