"""Painting an ecomap: the one function the on-screen view and the PNG renderer both use.

The child is in the middle; each person or service is a box with their name and who they are;
a link is thick (strong), dashed (weak) or zig-zag (stressful), never colour alone, with arrows
for the direction of support. A legend on the sheet says so in words.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen

from rbsw_desktop.domain.direct_work_content import Ecomap, EcomapLink, EcomapPerson
from rbsw_desktop.domain.map_layout import ECOMAP_HEIGHT, ECOMAP_WIDTH, Point, ecomap_layout

KIND_LABELS = {"family": "Family", "friends": "Friends", "school": "School", "health": "Health",
               "social_care": "Social care", "clubs": "Clubs", "other": "Other"}
KIND_TINTS = {"family": "#fde7d9", "friends": "#fff4c2", "school": "#dcecf9",
              "health": "#e2f3e3", "social_care": "#ece3f5", "clubs": "#fbe0ea",
              "other": "#eceeef"}
STRENGTH_LABELS = {"strong": "Strong", "weak": "Weak", "stressful": "Stressful"}
SUPPORT_LABELS = {"to_child": "To the child", "from_child": "From the child",
                  "both": "Both ways"}
LEGEND = 56.0                         # the legend's strip under the sheet, in sheet units
SHEET_HEIGHT = ECOMAP_HEIGHT + LEGEND
BOX_W, BOX_H, CHILD_R = 140.0, 48.0, 50.0
INK, FOCUS, STRESS = QColor("#1f2328"), QColor("#2f5e8e"), QColor("#b3261e")


def sheet_rect(width: float, height: float) -> tuple[float, QPointF]:
    """The scale and where the child goes, to fit the sheet into `width` x `height` pixels."""
    scale = min(width / ECOMAP_WIDTH, height / SHEET_HEIGHT)
    left = (width - ECOMAP_WIDTH * scale) / 2
    top = (height - SHEET_HEIGHT * scale) / 2
    return scale, QPointF(left + ECOMAP_WIDTH * scale / 2, top + ECOMAP_HEIGHT * scale / 2)


def paint_ecomap(painter: QPainter, ecomap: Ecomap, width: float, height: float, *,
                 centre: str, places: dict[str, Point] | None = None,
                 selected: str | None = None) -> None:
    """Paint `ecomap` to fill `width` x `height` (device pixels), `centre` the child's name."""
    places = places if places is not None else ecomap_layout(ecomap.people)
    scale, middle = sheet_rect(width, height)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(middle)
    painter.scale(scale, scale)
    base = QFont(painter.font())
    base.setPixelSize(15)
    painter.setFont(base)
    links = {k.person_id: k for k in ecomap.links}
    for person in ecomap.people:
        link = links.get(person.id)
        if link is not None and person.id in places:
            _link(painter, link, QPointF(*places[person.id]))
    _child(painter, centre, base)
    for person in ecomap.people:
        if person.id in places:
            _person(painter, person, QPointF(*places[person.id]), base,
                    person.id == selected)
    _legend(painter, base)
    painter.restore()


def _child(painter: QPainter, name: str, base: QFont) -> None:
    painter.setPen(QPen(INK, 3))
    painter.setBrush(QBrush(QColor("#ffffff")))
    painter.drawEllipse(QPointF(0, 0), CHILD_R, CHILD_R)
    bold = QFont(base)
    bold.setBold(True)
    painter.setFont(bold)
    rect = QRectF(-CHILD_R + 4, -CHILD_R + 4, 2 * CHILD_R - 8, 2 * CHILD_R - 8)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, name)
    painter.setFont(base)


def _person(painter: QPainter, person: EcomapPerson, at: QPointF, base: QFont,
            selected: bool) -> None:
    box = QRectF(at.x() - BOX_W / 2, at.y() - BOX_H / 2, BOX_W, BOX_H)
    painter.setPen(QPen(FOCUS, 4) if selected else QPen(INK, 1.5))
    painter.setBrush(QBrush(QColor(KIND_TINTS.get(person.kind, "#eceeef"))))
    painter.drawRoundedRect(box, 8, 8)
    if selected:                                   # a second ring: not colour alone
        painter.setPen(QPen(FOCUS, 1.5, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box.adjusted(-6, -6, 6, 6), 11, 11)
    painter.setPen(INK)
    bold = QFont(base)
    bold.setBold(True)
    painter.setFont(bold)
    metrics = painter.fontMetrics()
    top = QRectF(box.left() + 4, box.top() + 3, box.width() - 8, box.height() / 2 - 2)
    painter.drawText(top, Qt.AlignmentFlag.AlignCenter,
                     metrics.elidedText(person.name, Qt.TextElideMode.ElideRight,
                                        int(top.width())))
    small = QFont(base)
    small.setPixelSize(13)
    painter.setFont(small)
    who = person.relationship or KIND_LABELS.get(person.kind, "")
    bottom = QRectF(top.left(), box.center().y(), top.width(), box.height() / 2 - 3)
    painter.drawText(bottom, Qt.AlignmentFlag.AlignCenter,
                     painter.fontMetrics().elidedText(who, Qt.TextElideMode.ElideRight,
                                                      int(bottom.width())))
    painter.setFont(base)


def _edge(at: QPointF, towards: QPointF) -> QPointF:
    """Where the line from `towards` meets the box of a person at `at`."""
    dx, dy = towards.x() - at.x(), towards.y() - at.y()
    t = min(BOX_W / 2 / abs(dx) if dx else math.inf, BOX_H / 2 / abs(dy) if dy else math.inf)
    t = min(t, 1.0)
    return QPointF(at.x() + dx * t, at.y() + dy * t)


def _link(painter: QPainter, link: EcomapLink, at: QPointF) -> None:
    length = math.hypot(at.x(), at.y())
    if length < CHILD_R + 4:
        return
    ux, uy = at.x() / length, at.y() / length
    start = QPointF(ux * (CHILD_R + 2), uy * (CHILD_R + 2))
    end = _edge(at, QPointF(0, 0))
    colour = STRESS if link.strength == "stressful" else INK
    pen = QPen(colour, 5 if link.strength == "strong" else 2.2)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    if link.strength == "weak":
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    arrow = 14.0
    a = QPointF(start.x() + ux * arrow, start.y() + uy * arrow) \
        if link.support in ("to_child", "both") else start
    b = QPointF(end.x() - ux * arrow, end.y() - uy * arrow) \
        if link.support in ("from_child", "both") else end
    if link.strength == "stressful":
        painter.drawPath(_zigzag(a, b))
    else:
        painter.drawLine(a, b)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(colour))
    if link.support in ("to_child", "both"):
        _arrow_head(painter, start, -ux, -uy, arrow)
    if link.support in ("from_child", "both"):
        _arrow_head(painter, end, ux, uy, arrow)


def _zigzag(a: QPointF, b: QPointF) -> QPainterPath:
    dx, dy = b.x() - a.x(), b.y() - a.y()
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    steps = max(2, int(length / 9))
    path = QPainterPath(a)
    for i in range(1, steps):
        side = 5.0 if i % 2 else -5.0
        t = i / steps
        path.lineTo(a.x() + dx * t + nx * side, a.y() + dy * t + ny * side)
    path.lineTo(b)
    return path


def _arrow_head(painter: QPainter, tip: QPointF, ux: float, uy: float, size: float) -> None:
    """A filled arrowhead with its point at `tip`, pointing along (ux, uy)."""
    back = QPointF(tip.x() - ux * size, tip.y() - uy * size)
    nx, ny = -uy * size * 0.5, ux * size * 0.5
    path = QPainterPath(tip)
    path.lineTo(back.x() + nx, back.y() + ny)
    path.lineTo(back.x() - nx, back.y() - ny)
    path.closeSubpath()
    painter.drawPath(path)


def _legend(painter: QPainter, base: QFont) -> None:
    y = ECOMAP_HEIGHT / 2 + LEGEND / 2
    x = -ECOMAP_WIDTH / 2 + 20
    small = QFont(base)
    small.setPixelSize(14)
    painter.setFont(small)
    samples = (("strong", "Strong"), ("weak", "Weak"), ("stressful", "Stressful"))
    for strength, label in samples:
        start, end = QPointF(x, y), QPointF(x + 46, y)
        pen = QPen(STRESS if strength == "stressful" else INK, 5 if strength == "strong" else 2.2)
        if strength == "weak":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if strength == "stressful":
            painter.drawPath(_zigzag(start, end))
        else:
            painter.drawLine(start, end)
        painter.setPen(INK)
        painter.drawText(QPointF(x + 54, y + 4), label)
        x += 140
    painter.setBrush(QBrush(INK))
    painter.setPen(QPen(INK, 2.2))
    painter.drawLine(QPointF(x, y), QPointF(x + 34, y))
    painter.setPen(Qt.PenStyle.NoPen)
    _arrow_head(painter, QPointF(x + 46, y), 1, 0, 12)
    painter.setPen(INK)
    painter.drawText(QPointF(x + 54, y + 4), "Support goes this way")


def render_ecomap(ecomap: Ecomap, width_px: int, *, centre: str) -> QImage:
    """The ecomap as the app shows it, `width_px` wide, on white."""
    height = round(width_px * SHEET_HEIGHT / ECOMAP_WIDTH)
    image = QImage(width_px, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    paint_ecomap(painter, ecomap, width_px, height, centre=centre)
    painter.end()
    return image
