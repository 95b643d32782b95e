"""Painting a Scaling 0-10 sheet: the one function the on-screen chart and the PNG renderer both
use. The question and what 0 and 10 mean; each person's score on a number line with their
"why"; and the scores of the same question across the case's sessions as a small chart, one
line per person, each with its own marker and dash (never colour alone)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPainterPath, QPen

from rbsw_desktop.domain import DirectWorkActivity
from rbsw_desktop.domain.direct_work_content import (
    QUESTION,
    TEN_MEANS,
    ZERO_MEANS,
    Scale,
    parse_content,
)

SHEET_WIDTH = 720.0
PAD = 16.0
LINE_ROW = 88.0             # one person's number line and "why"
CHART_HEIGHT = 250.0
INK, MUTED, ACCENT = QColor("#1f2328"), QColor("#4d5156"), QColor("#2f5e8e")
COLOURS = ("#2f5e8e", "#b3261e", "#2e6b30", "#a15c00", "#6a3d9a", "#1f2328")
DASHES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine,
          Qt.PenStyle.DashDotLine)


@dataclass(frozen=True)
class Session:
    held_on: str                  # YYYY-MM-DD
    scales: tuple[Scale, ...]


@dataclass(frozen=True)
class ScaleSheet:
    question: str = ""
    zero: str = ""                # what 0 means
    ten: str = ""                 # what 10 means
    scales: tuple[Scale, ...] = ()
    sessions: tuple[Session, ...] = ()     # this question across the case's sessions

    def people(self) -> list[str]:
        """Everybody who gave a score in any session, first seen first (one name one line)."""
        seen: dict[str, str] = {}
        for session in self.sessions:
            for s in session.scales:
                seen.setdefault(s.person.casefold(), s.person)
        return list(seen.values())


def scale_sheet(activity: DirectWorkActivity, sessions: Sequence[DirectWorkActivity],
                scales: tuple[Scale, ...] | None = None) -> ScaleSheet:
    """The sheet of a Scaling 0-10 session, beside the case's `sessions` of the same question
    (`DirectWork.same_scale`); `scales` are this session's scores as they are on screen."""
    mine = scales if scales is not None else parse_content(activity.tool,
                                                           activity.content).scales
    history = []
    for a in sessions:
        theirs = mine if a.id == activity.id else parse_content(a.tool, a.content).scales
        if theirs:
            history.append(Session(a.held_on, theirs))
    parts = activity.parts
    return ScaleSheet(parts.get(QUESTION, ""), parts.get(ZERO_MEANS, ""),
                      parts.get(TEN_MEANS, ""), mine, tuple(history))


def sheet_height(sheet: ScaleSheet, *, lines: bool = True) -> float:
    """In sheet units (SHEET_WIDTH wide)."""
    height = PAD
    if lines:
        height += 30 + 26 + LINE_ROW * max(1, len(sheet.scales))
    if sheet.sessions:
        height += CHART_HEIGHT
    return height + PAD


def paint_scales(painter: QPainter, sheet: ScaleSheet, width: float, *,
                 lines: bool = True) -> None:
    """Paint `sheet` `width` pixels wide (its height: `sheet_height` scaled the same)."""
    scale = width / SHEET_WIDTH
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(scale, scale)
    font = QFont(painter.font())
    font.setPixelSize(14)
    painter.setFont(font)
    y = PAD
    if lines:
        y = _lines(painter, sheet, y, font)
    if sheet.sessions:
        _chart(painter, sheet, QRectF(PAD, y, SHEET_WIDTH - 2 * PAD, CHART_HEIGHT - 8), font)
    painter.restore()


def _lines(painter: QPainter, sheet: ScaleSheet, y: float, font: QFont) -> float:
    bold = QFont(font)
    bold.setBold(True)
    bold.setPixelSize(17)
    painter.setFont(bold)
    painter.setPen(INK)
    full = QRectF(PAD, y, SHEET_WIDTH - 2 * PAD, 28)
    painter.drawText(full, Qt.AlignmentFlag.AlignVCenter, painter.fontMetrics().elidedText(
        sheet.question or "Scaling 0-10", Qt.TextElideMode.ElideRight, int(full.width())))
    y += 30
    painter.setFont(font)
    painter.setPen(MUTED)
    half = (SHEET_WIDTH - 2 * PAD) / 2
    metrics = painter.fontMetrics()
    painter.drawText(QRectF(PAD, y, half, 22), Qt.AlignmentFlag.AlignLeft,
                     metrics.elidedText(f"0: {sheet.zero}" if sheet.zero else "0",
                                        Qt.TextElideMode.ElideRight, int(half - 8)))
    painter.drawText(QRectF(PAD + half, y, half, 22), Qt.AlignmentFlag.AlignRight,
                     metrics.elidedText(f"10: {sheet.ten}" if sheet.ten else "10",
                                        Qt.TextElideMode.ElideRight, int(half - 8)))
    y += 26
    left, right = PAD + 150, SHEET_WIDTH - PAD - 20
    for s in sheet.scales:
        painter.setPen(INK)
        painter.setFont(bold)
        painter.drawText(QRectF(PAD, y, 140, 30), Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(s.person, Qt.TextElideMode.ElideRight,
                                                          134))
        painter.setFont(font)
        mid = y + 15
        painter.setPen(QPen(MUTED, 2))
        painter.drawLine(QPointF(left, mid), QPointF(right, mid))
        for n in range(11):
            x = left + (right - left) * n / 10
            painter.drawLine(QPointF(x, mid - 5), QPointF(x, mid + 5))
            painter.drawText(QRectF(x - 10, mid + 15, 20, 16), Qt.AlignmentFlag.AlignCenter,
                             str(n))
        x = left + (right - left) * s.score / 10
        painter.setPen(QPen(ACCENT, 2))
        painter.setBrush(QBrush(ACCENT))
        painter.drawEllipse(QPointF(x, mid), 13, 13)
        painter.setPen(QColor("#ffffff"))
        painter.setFont(bold)
        painter.drawText(QRectF(x - 13, mid - 13, 26, 26), Qt.AlignmentFlag.AlignCenter,
                         str(s.score))
        painter.setFont(font)
        painter.setPen(MUTED)
        if s.why:
            why = QRectF(left, y + 52, right - left, 30)
            painter.drawText(why, Qt.AlignmentFlag.AlignLeft, painter.fontMetrics().elidedText(
                f"Why: {s.why}", Qt.TextElideMode.ElideRight, int(why.width())))
        y += LINE_ROW
    if not sheet.scales:
        painter.drawText(QRectF(PAD, y, SHEET_WIDTH, 30), Qt.AlignmentFlag.AlignVCenter,
                         "No scores yet.")
        y += LINE_ROW
    return y


def marker(painter: QPainter, shape: int, at: QPointF, size: float) -> None:
    """The person's own marker: circle, square, triangle, diamond, ..."""
    r = size / 2
    kind = shape % 4
    if kind == 0:
        painter.drawEllipse(at, r, r)
    elif kind == 1:
        painter.drawRect(QRectF(at.x() - r, at.y() - r, size, size))
    else:
        path = QPainterPath()
        points = ([(0, -r), (r, r), (-r, r)] if kind == 2
                  else [(0, -r), (r, 0), (0, r), (-r, 0)])
        path.moveTo(at.x() + points[0][0], at.y() + points[0][1])
        for dx, dy in points[1:]:
            path.lineTo(at.x() + dx, at.y() + dy)
        path.closeSubpath()
        painter.drawPath(path)


def _chart(painter: QPainter, sheet: ScaleSheet, box: QRectF, font: QFont) -> None:
    painter.setPen(INK)
    bold = QFont(font)
    bold.setBold(True)
    painter.setFont(bold)
    painter.drawText(QRectF(box.left(), box.top(), box.width(), 22), Qt.AlignmentFlag.AlignLeft,
                     "The same question over the sessions")
    painter.setFont(font)
    people = sheet.people()
    legend_w = 150.0
    plot = QRectF(box.left() + 28, box.top() + 32, box.width() - 28 - legend_w - 10,
                  box.height() - 32 - 26)
    painter.setPen(QPen(QColor("#c9ccd1"), 1))
    for n in (0, 5, 10):
        y = plot.bottom() - plot.height() * n / 10
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(MUTED)
        painter.drawText(QRectF(box.left(), y - 9, 24, 18), Qt.AlignmentFlag.AlignRight,
                         str(n))
        painter.setPen(QPen(QColor("#c9ccd1"), 1))
    sessions: Sequence[Session] = sheet.sessions
    count = len(sessions)

    def x_of(i: int) -> float:
        return plot.center().x() if count == 1 else plot.left() + plot.width() * i / (count - 1)

    painter.setPen(MUTED)
    for i, session in enumerate(sessions):
        painter.drawText(QRectF(x_of(i) - 45, plot.bottom() + 6, 90, 18),
                         Qt.AlignmentFlag.AlignCenter, session.held_on)
    for n, person in enumerate(people):
        colour = QColor(COLOURS[n % len(COLOURS)])
        points = []
        for i, session in enumerate(sessions):
            score = next((s.score for s in session.scales
                          if s.person.casefold() == person.casefold()), None)
            if score is not None:
                points.append(QPointF(x_of(i), plot.bottom() - plot.height() * score / 10))
        pen = QPen(colour, 2.5, DASHES[n % len(DASHES)])
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for a, b in zip(points, points[1:], strict=False):
            painter.drawLine(a, b)
        painter.setPen(QPen(colour, 1.5))
        painter.setBrush(QBrush(colour))
        for p in points:
            marker(painter, n, p, 11)
        ly = plot.top() + n * 24
        lx = plot.right() + 18
        painter.setPen(pen)
        painter.drawLine(QPointF(lx, ly + 9), QPointF(lx + 30, ly + 9))
        painter.setPen(QPen(colour, 1.5))
        marker(painter, n, QPointF(lx + 15, ly + 9), 10)
        painter.setPen(INK)
        painter.drawText(QRectF(lx + 36, ly, legend_w - 40, 18), Qt.AlignmentFlag.AlignLeft,
                         painter.fontMetrics().elidedText(person, Qt.TextElideMode.ElideRight,
                                                          int(legend_w - 40)))


def render_scales(sheet: ScaleSheet, width_px: int) -> QImage:
    """The sheet as the app shows it, `width_px` wide, on white."""
    height = max(1, round(sheet_height(sheet) * width_px / SHEET_WIDTH))
    image = QImage(width_px, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    paint_scales(painter, sheet, width_px)
    painter.end()
    return image
