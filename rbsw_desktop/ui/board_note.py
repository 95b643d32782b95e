"""How a board item looks on the board: a note with the family's words first and large, and a
short, quieter line under them (who raised it, why it is not shared, its sync state). Every
line wraps to the zone's width and the note grows to hold it, so nothing is cut off.

A worker-only item (not shared with the family) is a different note, not just a different
colour: a grey note with a dashed border and a labelled "Worker only" badge above its words.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from rbsw_desktop.domain import BoardItem
from rbsw_desktop.ui import style
from rbsw_desktop.ui.board_model import ITEM_ROLE, quiet_line

Index = QModelIndex | QPersistentModelIndex
PAD = 8                   # inside the note
GAP = 4                   # between the badge, the words and the quiet line
BADGE = "Worker only"
WRAP = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
SHARED = ("#fffbd1", "#c9b458")          # a post-it: background, border
WORKER_ONLY = ("#e4e7eb", "#3d434b")     # grey, with a dashed dark border
WORDS_INK, QUIET_INK = "#1f2328", "#4a4f57"


class NoteDelegate(QStyledItemDelegate):
    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self.view = view

    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        base = self.view.font()
        return (style.scaled_font(base, 1.15), style.scaled_font(base, 0.9),
                style.scaled_font(base, 0.9, bold=True))

    def _width(self) -> int:
        """The text width inside a note as wide as the zone."""
        return max(80, self.view.viewport().width() - 2 * self.view.spacing() - 2 * PAD - 4)

    def _blocks(self, item: BoardItem, width: int) -> list[tuple[str, QFont, int, str]]:
        """(text, font, height, ink) from the top; ink "" is the badge."""
        words, quiet, badge = self._fonts()
        blocks = [(BADGE, badge, QFontMetrics(badge).height() + 4, "")] \
            if not item.shareable else []
        for text, font, ink in ((item.text, words, WORDS_INK), (quiet_line(item), quiet,
                                                                 QUIET_INK)):
            height = QFontMetrics(font).boundingRect(QRect(0, 0, width, 100_000), WRAP,
                                                     text).height()
            blocks.append((text, font, height, ink))
        return blocks

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        item = index.data(ITEM_ROLE)
        if not isinstance(item, BoardItem):
            return super().sizeHint(option, index)
        width = self._width()
        blocks = self._blocks(item, width)
        height = sum(b[2] for b in blocks) + GAP * (len(blocks) - 1) + 2 * PAD + 4
        return QSize(width + 2 * PAD + 4, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        item = index.data(ITEM_ROLE)
        if not isinstance(item, BoardItem):
            super().paint(painter, option, index)
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(2, 2, -2, -2)
        background, border = SHARED if item.shareable else WORKER_ONLY
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pen = QPen(QColor("#1f2328" if selected else border), 3 if selected else 1.5)
        if not item.shareable:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(rect, 4, 4)
        width = self._width()
        y = rect.top() + PAD
        for text, font, height, ink in self._blocks(item, width):
            painter.setFont(font)
            if not ink:
                badge = QFontMetrics(font).horizontalAdvance(BADGE) + 12
                box = QRect(rect.left() + PAD, y, badge, height)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor("#3d434b"))
                painter.drawRoundedRect(box, 3, 3)
                painter.setPen(QColor("#ffffff"))
                painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), BADGE)
            else:
                painter.setPen(QColor(ink))
                painter.drawText(QRect(rect.left() + PAD, y, width, height), WRAP, text)
            y += height + GAP
        painter.restore()
