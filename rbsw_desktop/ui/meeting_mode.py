"""Meeting mode: the board on a wall or a laptop turned to the family.

Full screen, large type, high contrast, and only what the family may see: shareable items in
their words (an item reworded for the family at the latest review, and not edited since, in
those words). No worker notes, no withheld items, no ids, no names of other children. Esc leaves.
A board longer than the screen scrolls: by the wheel, or by the arrow, Page and Home/End keys
while the window keeps the focus (so Esc always leaves).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from rbsw_desktop.domain import BoardItem, Zone
from rbsw_desktop.domain.board import Change, Movement
from rbsw_desktop.ui import style

FAMILY_TITLES = {Zone.GREEN: "What is going well", Zone.AMBER: "Worries for the future",
                 Zone.RED: "Big worries now"}
SCROLL_BAR_PX = 14


class MeetingMode(QWidget):
    def __init__(self, *, items: list[BoardItem], movement: list[Movement],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Our board")
        self.setAccessibleName("Meeting mode: the family's board")
        self.setStyleSheet("QWidget { background: #000000; color: #ffffff; }")
        shared = [i for i in items if i.shareable and not i.deleted]
        shared_ids = {i.id for i in shared}
        at_review = {m.board_item_id: (m.text, m.for_family) for m in movement}
        big = style.scaled_font(self.font(), 2.0, bold=True)
        body = style.scaled_font(self.font(), 1.7)
        layout = QVBoxLayout(self)
        proud = [m for m in movement if m.board_item_id in shared_ids
                 and m.change is Change.BETTER and m.to_zone is Zone.GREEN]
        if proud:
            banner = QLabel("★ " + "   ★ ".join(f"{m.for_family}: now a strength" for m in proud),
                            wordWrap=True)
            banner.setFont(body)
            banner.setStyleSheet("color: #ffe066;")
            layout.addWidget(banner)
        # The headings stay put; the notes under them scroll. The bar is always there (and
        # the headings leave room for it) so each heading stays over its own notes.
        headings, board = QHBoxLayout(), QWidget()
        headings.setContentsMargins(0, 0, SCROLL_BAR_PX, 0)
        columns = QHBoxLayout(board)
        columns.setContentsMargins(0, 0, 0, 0)
        for zone in (Zone.RED, Zone.AMBER, Zone.GREEN):
            heading = QLabel(f"{style.ZONE_SHAPES[zone]} {FAMILY_TITLES[zone]}", wordWrap=True)
            heading.setFont(big)
            heading.setStyleSheet(f"background: {style.ZONE_COLOURS[zone]}; padding: 12px;")
            headings.addWidget(heading, 1)
            col = QVBoxLayout()
            for item in (i for i in shared if i.zone is zone):
                said, for_family = at_review.get(item.id, ("", ""))
                words = for_family if said == item.text else item.text
                note = QLabel(f"{style.ZONE_SHAPES[zone]} {words}", wordWrap=True)
                note.setFont(body)
                note.setStyleSheet("background: #fff8c4; color: #000000; padding: 14px;"
                                   "border-radius: 6px;")
                note.setAccessibleName(words)
                col.addWidget(note)
            col.addStretch(1)
            columns.addLayout(col, 1)
        layout.addLayout(headings)
        self.notes_area = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        self.notes_area.setWidget(board)
        self.notes_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.notes_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.notes_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.notes_area.verticalScrollBar().setStyleSheet(
            f"QScrollBar:vertical {{ background: #202020; width: {SCROLL_BAR_PX}px; }}"
            "QScrollBar::handle:vertical { background: #c8c8c8; min-height: 48px;"
            " border-radius: 5px; margin: 2px; }"
            "QScrollBar::add-line, QScrollBar::sub-line { height: 0px; }")
        layout.addWidget(self.notes_area, 1)
        leave = QLabel("Press Esc to leave meeting mode", alignment=Qt.AlignmentFlag.AlignRight)
        layout.addWidget(leave)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        bar = self.notes_area.verticalScrollBar()
        line, page = bar.singleStep() * 3, bar.pageStep()
        to = {Qt.Key.Key_Down: bar.value() + line, Qt.Key.Key_Up: bar.value() - line,
              Qt.Key.Key_PageDown: bar.value() + page, Qt.Key.Key_PageUp: bar.value() - page,
              Qt.Key.Key_Space: bar.value() + page,
              Qt.Key.Key_Home: bar.minimum(), Qt.Key.Key_End: bar.maximum()}.get(event.key())
        if to is None:
            super().keyPressEvent(event)
            return
        bar.setValue(to)
