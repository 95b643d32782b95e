"""The one way a drawing is drawn: `paint_drawing` paints a `Drawing` onto any QPainter (the
canvas, a QImage for a PNG). The paper first (with the tool's faint outline: a house, a roof, a
path), then the strokes in the order they were drawn (an eraser stroke is the paper's colour),
then the stamps over them.

`render_drawing(drawing, width_px)` is the PNG for thumbnails, the gateway's viewers and the
family PDF, which cannot draw vectors. It runs on any thread (a QImage, never a widget).
"""

from __future__ import annotations

import math
import struct
import zlib

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF

from rbsw_desktop.domain.direct_work_content import Drawing, Stamp, Stroke
from rbsw_desktop.domain.enums import DirectWorkTool

PAPER = QColor("#ffffff")
INK = QColor("#1f2328")
#: How much of a stroke's width the lightest touch of a pen still gives.
LIGHTEST = 0.35
#: zlib's fastest level: a drawing is mostly paper, which it packs as well as any level.
PNG_LEVEL = 1


def pressure_width(width: float, pressure: float) -> float:
    return width * (LIGHTEST + (1 - LIGHTEST) * pressure)


_SOLID, _ROUND_CAP, _ROUND_JOIN = (Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                                   Qt.PenJoinStyle.RoundJoin)     # looked up once, not a stroke


def paint_stroke(painter: QPainter, stroke: Stroke) -> None:
    """One stroke, in the drawing's own units (the painter is scaled by the caller)."""
    colour = PAPER if stroke.eraser else QColor(stroke.colour)
    pen = QPen(colour, stroke.width, _SOLID, _ROUND_CAP, _ROUND_JOIN)
    points = stroke.points
    if len(points) == 1:
        x, y, p = points[0]
        pen.setWidthF(pressure_width(stroke.width, p))
        painter.setPen(pen)
        painter.drawPoint(QPointF(x, y))
        return
    first = points[0][2]
    if all(p[2] == first for p in points):              # even pressure (a mouse, a finger)
        pen.setWidthF(pressure_width(stroke.width, first))
        painter.setPen(pen)
        painter.drawPolyline([QPointF(x, y) for x, y, _ in points])
        return
    for (x0, y0, p0), (x1, y1, p1) in zip(points, points[1:], strict=False):
        pen.setWidthF(pressure_width(stroke.width, (p0 + p1) / 2))
        painter.setPen(pen)
        painter.drawLine(QPointF(x0, y0), QPointF(x1, y1))


def stroke_bounds(stroke: Stroke) -> QRectF:
    xs = [p[0] for p in stroke.points]
    ys = [p[1] for p in stroke.points]
    half = stroke.width / 2 + 2
    return QRectF(min(xs) - half, min(ys) - half, max(xs) - min(xs) + 2 * half,
                  max(ys) - min(ys) + 2 * half)


def paint_stamp(painter: QPainter, stamp: Stamp) -> None:
    """A stamp centred on (x, y), `size` across: a face for a feeling, a heart, a house, a star.
    Drawn with shapes, not an emoji font, so it looks the same on every laptop and in the PDF."""
    painter.save()
    painter.translate(stamp.x, stamp.y)
    painter.scale(stamp.size / 100, stamp.size / 100)    # drawn in a box from -50 to 50
    outline = QPen(INK, 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
    painter.setPen(outline)
    kind = stamp.kind
    if kind in ("happy", "sad", "angry", "worried"):
        _face(painter, kind)
    elif kind == "heart":
        path = QPainterPath(QPointF(0, 40))
        path.cubicTo(-60, -5, -35, -55, 0, -22)
        path.cubicTo(35, -55, 60, -5, 0, 40)
        painter.setBrush(QColor("#d32f2f"))
        painter.drawPath(path)
    elif kind == "house":
        painter.setBrush(QColor("#ffcc80"))
        painter.drawRect(QRectF(-34, -6, 68, 50))
        painter.setBrush(QColor("#c62828"))
        painter.drawPolygon(QPolygonF([QPointF(-46, -4), QPointF(0, -46), QPointF(46, -4)]))
        painter.setBrush(QColor("#6d4c41"))
        painter.drawRect(QRectF(-9, 16, 18, 28))
    elif kind == "star":
        pts = []
        for i in range(10):
            r = 48 if i % 2 == 0 else 20
            a = -math.pi / 2 + i * math.pi / 5
            pts.append(QPointF(r * math.cos(a), r * math.sin(a)))
        painter.setBrush(QColor("#fbc02d"))
        painter.drawPolygon(QPolygonF(pts))
    painter.restore()


def _face(painter: QPainter, kind: str) -> None:
    painter.setBrush(QColor("#ffd54f") if kind != "angry" else QColor("#ff8a65"))
    painter.drawEllipse(QPointF(0, 0), 46, 46)
    painter.setBrush(QBrush(INK))
    painter.drawEllipse(QPointF(-16, -12), 5, 6)
    painter.drawEllipse(QPointF(16, -12), 5, 6)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    mouth = QPainterPath()
    if kind == "happy":
        mouth.moveTo(-22, 12)
        mouth.quadTo(0, 36, 22, 12)
    elif kind == "sad":
        mouth.moveTo(-20, 28)
        mouth.quadTo(0, 8, 20, 28)
    elif kind == "angry":
        mouth.moveTo(-18, 24)
        mouth.quadTo(0, 14, 18, 24)
        painter.drawLine(QPointF(-28, -30), QPointF(-8, -20))     # frowning brows
        painter.drawLine(QPointF(28, -30), QPointF(8, -20))
    else:                                                         # worried: a wobbly mouth
        mouth.moveTo(-22, 22)
        mouth.cubicTo(-12, 12, -4, 30, 4, 20)
        mouth.cubicTo(10, 12, 16, 28, 22, 20)
        painter.drawLine(QPointF(-26, -24), QPointF(-8, -30))     # raised brows
        painter.drawLine(QPointF(26, -24), QPointF(8, -30))
    painter.drawPath(mouth)


#: The faint outline printed on a tool's paper, by tool and prompt: a house for each of the
#: Three Houses; the Safety House's walls (who is inside keeping me safe), its roof (the rules)
#: and its path (where I am on it).
GUIDES = {
    **{("three_houses", p): "house" for p in DirectWorkTool.THREE_HOUSES.prompts},
    ("safety_house", "Who helps keep me safe"): "house",
    ("safety_house", "Safety arrangements"): "roof",
    ("safety_house", "Where I am on the safety path"): "path",
}
GUIDE_INK = QColor("#c5cad0")


def guide_for(tool: DirectWorkTool, part: str) -> str | None:
    return GUIDES.get((tool.value, part))


def paint_paper(painter: QPainter, width: float, height: float, guide: str | None) -> None:
    """The blank paper, with the tool's outline on it (if it has one), in drawing units."""
    painter.fillRect(QRectF(0, 0, width, height), PAPER)
    if guide is None:
        return
    painter.save()
    painter.setPen(QPen(GUIDE_INK, min(width, height) / 80, Qt.PenStyle.DashLine,
                        Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    w, h = width, height
    if guide in ("house", "roof"):
        walls = QRectF(w * 0.25, h * 0.42, w * 0.5, h * 0.5)
        roof = QPolygonF([QPointF(w * 0.18, h * 0.44), QPointF(w * 0.5, h * 0.06),
                          QPointF(w * 0.82, h * 0.44)])
        if guide == "house":
            painter.drawRect(walls)
            painter.drawRect(QRectF(w * 0.45, h * 0.72, w * 0.1, h * 0.2))      # the door
        painter.drawPolygon(roof)
    else:                                    # the path, from far away up to the house's door
        path = QPainterPath(QPointF(w * 0.05, h * 0.95))
        path.cubicTo(QPointF(w * 0.45, h * 0.9), QPointF(w * 0.2, h * 0.5),
                     QPointF(w * 0.6, h * 0.45))
        path.cubicTo(QPointF(w * 0.8, h * 0.42), QPointF(w * 0.75, h * 0.25),
                     QPointF(w * 0.85, h * 0.2))
        painter.drawPath(path)
        painter.drawRect(QRectF(w * 0.8, h * 0.1, w * 0.12, h * 0.1))        # the house,
        painter.drawPolyline(QPolygonF([QPointF(w * 0.78, h * 0.11),         # its roof
                                        QPointF(w * 0.86, h * 0.02),
                                        QPointF(w * 0.94, h * 0.11)]))
    painter.restore()


def paint_drawing(painter: QPainter, drawing: Drawing, scale: float = 1.0,
                  guide: str | None = None) -> None:
    """The whole drawing, `scale` device pixels to one of its units, from the painter's origin:
    the paper (with the tool's outline), every stroke in order, then the stamps."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(scale, scale)
    paint_paper(painter, drawing.width, drawing.height, guide)
    painter.setClipRect(QRectF(0, 0, drawing.width, drawing.height))
    for stroke in drawing.strokes:
        paint_stroke(painter, stroke)
    for stamp in drawing.stamps:
        paint_stamp(painter, stamp)
    painter.restore()


def render_drawing(drawing: Drawing, width_px: int, guide: str | None = None) -> QImage:
    """The drawing as an image `width_px` wide (its height in proportion)."""
    scale = width_px / drawing.width
    image = QImage(width_px, max(1, round(drawing.height * scale)), QImage.Format.Format_RGB32)
    image.fill(PAPER)
    painter = QPainter(image)
    paint_drawing(painter, drawing, scale, guide)
    painter.end()
    return image


SHEET_HEADING = 56        # px: the prompt above each drawing area on a rendered sheet


def render_sheet(tool: DirectWorkTool, drawings: dict[str, Drawing], width_px: int
                 ) -> QImage | None:
    """The tool's drawing areas that hold a drawing, one under the other in the tool's order,
    each under its prompt ("House of worries"), `width_px` wide; None when nothing is drawn."""
    parts = [(part, drawings[part]) for part in tool.prompts if part in drawings]
    if not parts:
        return None
    images = [(part, render_drawing(d, width_px, guide_for(tool, part))) for part, d in parts]
    height = sum(SHEET_HEADING + image.height() for _part, image in images)
    sheet = QImage(width_px, height, QImage.Format.Format_RGB32)
    sheet.fill(PAPER)
    painter = QPainter(sheet)
    font = painter.font()
    font.setPixelSize(SHEET_HEADING // 2)
    painter.setFont(font)
    painter.setPen(INK)
    y = 0
    for part, image in images:
        painter.drawText(QRectF(16, y, width_px - 32, SHEET_HEADING),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), part)
        painter.drawImage(0, y + SHEET_HEADING, image)
        y += SHEET_HEADING + image.height()
    painter.end()
    return sheet


def png_bytes(image: QImage) -> bytes:
    """The image as an RGB PNG (any alpha dropped): its rows unfiltered, packed by zlib. Less
    than half the time of Qt's writer (which tries every filter on every row), and smaller for
    a drawing."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    bits = bytes(rgb.constBits())
    rows = b"".join(b"\0" + bits[y * stride:y * stride + width * 3] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)    # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        for kind, data in ((b"IHDR", header), (b"IDAT", zlib.compress(rows, PNG_LEVEL)),
                           (b"IEND", b"")))


RENDERING_WIDTH = 800       # px: sharp in the PDF at half a page, small enough to sync


def rendering_png(drawing: Drawing, guide: str | None = None) -> bytes:
    """The PNG kept beside the activity for what cannot draw vectors."""
    return png_bytes(render_drawing(drawing, RENDERING_WIDTH, guide))
