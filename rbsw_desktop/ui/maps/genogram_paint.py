"""Painting a genogram with the standard symbols: the one function the on-screen view and the
PNG renderer both use.

A square is male, a circle female, a diamond not known; a cross through a symbol, died; a
dashed outline, who lives in the child's household; partners are joined by a line, with a double
slash when they have separated; children hang from their parents' line. Generation rows come
from `domain.map_layout.genogram_layout`. A legend says all this in words.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPen

from rbsw_desktop.domain.direct_work_content import Genogram, GenogramPerson
from rbsw_desktop.domain.map_layout import GENOGRAM_COLUMN, GenogramLayout, genogram_layout

SYMBOL = 44.0
LEGEND = 60.0
MIN_WIDTH = 620.0            # the legend's width: a small genogram is not drawn huge
INK = QColor("#1f2328")


def sheet_size(layout: GenogramLayout) -> tuple[float, float]:
    return max(layout.width, MIN_WIDTH), layout.height + LEGEND


def to_screen(layout: GenogramLayout, width: float, height: float) -> tuple[float, QPointF]:
    """The scale, and where the layout's (0, 0) goes, to fit it into `width` x `height`."""
    sheet_w, sheet_h = sheet_size(layout)
    scale = min(width / sheet_w, height / sheet_h)
    return scale, QPointF((width - sheet_w * scale) / 2 + (sheet_w - layout.width) / 2 * scale,
                          (height - sheet_h * scale) / 2)


def paint_genogram(painter: QPainter, genogram: Genogram, width: float, height: float, *,
                   layout: GenogramLayout | None = None) -> None:
    layout = layout or genogram_layout(genogram)
    sheet_w, _sheet_h = sheet_size(layout)
    scale, origin = to_screen(layout, width, height)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(origin)
    painter.scale(scale, scale)
    font = QFont(painter.font())
    font.setPixelSize(13)
    painter.setFont(font)
    places = layout.places
    _household(painter, genogram, places)
    _lines(painter, genogram, places)
    for person in genogram.people:
        _symbol(painter, person, QPointF(*places[person.id]))
    painter.translate(-(sheet_w - layout.width) / 2, 0)
    _legend(painter, layout.height)
    painter.restore()


def _symbol(painter: QPainter, person: GenogramPerson, at: QPointF) -> None:
    half = SYMBOL / 2
    box = QRectF(at.x() - half, at.y() - half, SYMBOL, SYMBOL)
    painter.setPen(QPen(INK, 2.5))
    painter.setBrush(QBrush(QColor("#ffffff")))
    if person.sex == "male":
        painter.drawRect(box)
    elif person.sex == "female":
        painter.drawEllipse(box)
    else:
        painter.drawPolygon([QPointF(at.x(), box.top()), QPointF(box.right(), at.y()),
                             QPointF(at.x(), box.bottom()), QPointF(box.left(), at.y())])
    if person.died:
        painter.drawLine(box.topLeft(), box.bottomRight())
        painter.drawLine(box.topRight(), box.bottomLeft())
    metrics = painter.fontMetrics()
    width = GENOGRAM_COLUMN - 12
    painter.setPen(INK)
    name = QRectF(at.x() - width / 2, box.bottom() + 3, width, 18)
    painter.drawText(name, Qt.AlignmentFlag.AlignCenter,
                     metrics.elidedText(person.name, Qt.TextElideMode.ElideRight, int(width)))
    years = _years(person)
    if years:
        painter.drawText(name.translated(0, 17), Qt.AlignmentFlag.AlignCenter, years)


def _years(person: GenogramPerson) -> str:
    born = (person.born or "")[:4]
    died = (person.died or "")[:4]
    if born and died:
        return f"{born}–{died}"
    if died:
        return f"died {died}"
    return f"born {born}" if born else ""


def _household(painter: QPainter, genogram: Genogram, places: dict[str, tuple[float, float]]
               ) -> None:
    """A dashed outline round each run of household members side by side in a row."""
    rows: dict[float, list[tuple[float, bool]]] = {}
    for p in genogram.people:
        x, y = places[p.id]
        rows.setdefault(y, []).append((x, p.in_household))
    pen = QPen(QColor("#2f5e8e"), 2, Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for y, members in rows.items():
        run: list[float] = []
        for x, inside in [*sorted(members), (float("inf"), False)]:
            if inside and (not run or x - run[-1] <= GENOGRAM_COLUMN * 1.01):
                run.append(x)
                continue
            if run:
                left, right = run[0] - GENOGRAM_COLUMN / 2 + 4, run[-1] + GENOGRAM_COLUMN / 2 - 4
                painter.drawRoundedRect(QRectF(left, y - SYMBOL / 2 - 10, right - left,
                                               SYMBOL + 52), 14, 14)
            run = [x] if inside else []


def _lines(painter: QPainter, genogram: Genogram, places: dict[str, tuple[float, float]]) -> None:
    painter.setPen(QPen(INK, 2))
    half = SYMBOL / 2
    couples: dict[frozenset[str], str] = {}
    for r in genogram.relationships:
        if r.kind in ("partners", "separated"):
            couples[frozenset((r.from_id, r.to_id))] = r.kind
    for pair, kind in couples.items():
        a, b = sorted(places[p] for p in pair)
        if a[1] != b[1]:
            continue                # not in one row: their children's lines show the link
        start, end = QPointF(a[0] + half, a[1]), QPointF(b[0] - half, b[1])
        painter.drawLine(start, end)
        if kind == "separated":
            mid = (start + end) / 2
            for dx in (-4.0, 4.0):
                painter.drawLine(QPointF(mid.x() + dx - 5, mid.y() + 9),
                                 QPointF(mid.x() + dx + 5, mid.y() - 9))
    parents: dict[str, list[str]] = {}
    for r in genogram.relationships:
        if r.kind == "parent_of":
            parents.setdefault(r.to_id, []).append(r.from_id)
    families: dict[frozenset[str], list[str]] = {}
    for child, of_child in parents.items():
        families.setdefault(frozenset(of_child), []).append(child)
    for theirs, children in families.items():
        points = [places[p] for p in theirs]
        if len(points) == 2 and points[0][1] == points[1][1]:
            anchor = QPointF((points[0][0] + points[1][0]) / 2, points[0][1])
            if theirs not in couples:            # parents who are not a couple: a dotted join
                painter.setPen(QPen(INK, 1.5, Qt.PenStyle.DotLine))
                left, right = sorted(points)
                painter.drawLine(QPointF(left[0] + half, left[1]),
                                 QPointF(right[0] - half, right[1]))
                painter.setPen(QPen(INK, 2))
        else:
            x, y = points[0]
            anchor = QPointF(x, y + half + 40)    # below the name and years
        kids = [places[c] for c in children]
        bar = min(y for _x, y in kids) - half - 18
        painter.drawLine(anchor, QPointF(anchor.x(), bar))
        xs = [x for x, _y in kids] + [anchor.x()]
        painter.drawLine(QPointF(min(xs), bar), QPointF(max(xs), bar))
        for x, y in kids:
            painter.drawLine(QPointF(x, bar), QPointF(x, y - half))


def _legend(painter: QPainter, top: float) -> None:
    y = top + LEGEND / 2
    small = QFont(painter.font())
    small.setPixelSize(12)
    painter.setFont(small)
    painter.setPen(QPen(INK, 1.5))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    s, x = 14.0, 12.0
    painter.drawRect(QRectF(x, y - s / 2, s, s))
    painter.drawText(QPointF(x + s + 4, y + 4), "male")
    x += 62
    painter.drawEllipse(QRectF(x, y - s / 2, s, s))
    painter.drawText(QPointF(x + s + 4, y + 4), "female")
    x += 70
    painter.drawPolygon([QPointF(x + s / 2, y - s / 2), QPointF(x + s, y),
                         QPointF(x + s / 2, y + s / 2), QPointF(x, y)])
    painter.drawText(QPointF(x + s + 4, y + 4), "not known")
    x += 94
    painter.drawLine(QPointF(x, y - s / 2), QPointF(x + s, y + s / 2))
    painter.drawLine(QPointF(x + s, y - s / 2), QPointF(x, y + s / 2))
    painter.drawText(QPointF(x + s + 4, y + 4), "died")
    x += 56
    painter.drawLine(QPointF(x, y), QPointF(x + 24, y))
    painter.drawLine(QPointF(x + 7, y + 6), QPointF(x + 11, y - 6))
    painter.drawLine(QPointF(x + 13, y + 6), QPointF(x + 17, y - 6))
    painter.drawText(QPointF(x + 30, y + 4), "separated")
    x += 104
    painter.setPen(QPen(QColor("#2f5e8e"), 2, Qt.PenStyle.DashLine))
    painter.drawRoundedRect(QRectF(x, y - s / 2, 24, s), 5, 5)
    painter.setPen(INK)
    painter.drawText(QPointF(x + 30, y + 4), "lives with the child")


def render_genogram(genogram: Genogram, width_px: int) -> QImage:
    """The genogram as the app shows it, `width_px` wide, on white."""
    layout = genogram_layout(genogram)
    sheet_w, sheet_h = sheet_size(layout)
    height = max(1, round(width_px * sheet_h / sheet_w))
    image = QImage(width_px, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    paint_genogram(painter, genogram, width_px, height, layout=layout)
    painter.end()
    return image
