"""The family's board: red (key risks), amber (worries about the future), green (strengths).

Items move between zones by mouse (drag and drop) or keyboard (Ctrl+Left / Ctrl+Right, or
Ctrl+1/2/3). Every zone shows its label and shape as well as its colour. "Start review" takes a
dated snapshot, and the review history shows what moved, with reds that became greens first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain import BoardItem, RaisedBy, Review, WithheldReason, Zone
from rbsw_desktop.domain.board import Change, Movement
from rbsw_desktop.store import Store
from rbsw_desktop.ui import style
from rbsw_desktop.ui.board_model import ITEM_ID_ROLE, ZoneModel
from rbsw_desktop.ui.taskman import Op, TaskManager

ZONES = (Zone.RED, Zone.AMBER, Zone.GREEN)
BOARD_ENTITIES = frozenset({"board_item", "board_move", "review"})


def zone_title(zone: Zone) -> str:
    return f"{style.ZONE_SHAPES[zone]}  {zone.label}"


def movement_line(m: Movement) -> str:
    if m.change is Change.BETTER and m.to_zone is Zone.GREEN:
        return f"★ Moved to strengths: {m.text} — {m.describe()}"
    if m.change is Change.BETTER:
        return f"★ Better: {m.text} — {m.describe()}"
    return f"{m.text} — {m.describe()}"


@dataclass(frozen=True)
class BoardData:
    items: list[BoardItem]
    reviews: list[Review]
    movement: list[Movement]


def load_board(store: Store, case_id: str) -> BoardData:
    reviews = store.reviews(case_id)
    movement = store.review_movement(reviews[-1].id) if reviews else []
    return BoardData(store.board(case_id), reviews, movement)


class ZoneView(QListView):
    """One zone's sticky notes. Ctrl+Left/Right or Ctrl+1/2/3 move the selected item."""

    sig_move_requested = Signal(str, object, int)

    def __init__(self, model: ZoneModel, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName(f"{model.zone.label} ({model.zone.value} zone)")
        self.setWordWrap(True)
        self.setSpacing(6)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        tint, ink = style.ZONE_TINTS[model.zone], style.ZONE_COLOURS[model.zone]
        self.setStyleSheet(f"QListView {{ background: {tint}; border: 2px solid {ink}; }}"
                           "QListView::item { background: #fffbd1; border: 1px solid #c9b458;"
                           " border-radius: 4px; padding: 8px; color: #1f2328; }"
                           "QListView::item:selected { border: 3px solid #1f2328; }")

    def selected_id(self) -> str | None:
        index = self.currentIndex()
        return index.data(ITEM_ID_ROLE) if index.isValid() else None

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802
        zone = self.model().zone
        item_id = self.selected_id()
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        target = None
        if item_id and ctrl:
            order = list(ZONES)
            if event.key() == Qt.Key.Key_Right and order.index(zone) < 2:
                target = order[order.index(zone) + 1]
            elif event.key() == Qt.Key.Key_Left and order.index(zone) > 0:
                target = order[order.index(zone) - 1]
            elif event.key() in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3):
                target = order[event.key() - Qt.Key.Key_1]
        if target is not None and target is not zone:
            self.sig_move_requested.emit(item_id, target, -1)
            return
        super().keyPressEvent(event)


class ItemDialog(QDialog):
    """Add or edit a board item, in the family's words."""

    def __init__(self, *, item: BoardItem | None = None, zone: Zone = Zone.RED,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Board item")
        self.text = QPlainTextEdit(item.text if item else "")
        self.text.setAccessibleName("In the family's words")
        self.zone = QComboBox()
        for z in ZONES:
            self.zone.addItem(zone_title(z), z.value)
        self.zone.setCurrentIndex(ZONES.index(item.zone if item else zone))
        self.family = QCheckBox("Raised by the family")
        self.family.setChecked(item.raised_by is RaisedBy.FAMILY if item else True)
        self.shareable = QCheckBox("May be shared with the family")
        self.shareable.setChecked(item.shareable if item else True)
        self.reason = QComboBox()
        for r in WithheldReason:
            self.reason.addItem(r.label, r.value)
        if item and item.withheld_reason:
            self.reason.setCurrentIndex(list(WithheldReason).index(item.withheld_reason))
        self.reason.setAccessibleName("Why it is not shared")
        self.note = QPlainTextEdit(item.worker_note if item else "")
        self.note.setAccessibleName("Worker-only note")
        self.shareable.toggled.connect(lambda on: self.reason.setEnabled(not on))
        self.reason.setEnabled(not self.shareable.isChecked())
        form = QFormLayout(self)
        form.addRow("In the family's &words", self.text)
        form.addRow("&Zone", self.zone)
        form.addRow(self.family)
        form.addRow(self.shareable)
        form.addRow("Not shared &because", self.reason)
        form.addRow("Worker-only &note", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict:
        shareable = self.shareable.isChecked()
        return {"text": self.text.toPlainText().strip(),
                "zone": Zone(self.zone.currentData()),
                "raised_by": RaisedBy.FAMILY if self.family.isChecked() else RaisedBy.PROFESSIONAL,
                "shareable": shareable,
                "withheld_reason": None if shareable else WithheldReason(self.reason.currentData()),
                "worker_note": self.note.toPlainText().strip()}


class BoardTab(QWidget):
    def __init__(self, *, taskman: TaskManager, case_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self.case_id = case_id
        self.data: BoardData | None = None
        self.models = {z: ZoneModel(z, parent=self) for z in ZONES}
        self.views = {z: ZoneView(self.models[z]) for z in ZONES}
        columns = QHBoxLayout()
        for z in ZONES:
            heading = QLabel(zone_title(z), objectName="title")
            heading.setFont(style.scaled_font(self.font(), 1.2, bold=True))
            heading.setStyleSheet(f"color: {style.ZONE_COLOURS[z]};")
            heading.setBuddy(self.views[z])
            col = QVBoxLayout()
            col.addWidget(heading)
            col.addWidget(self.views[z], 1)
            columns.addLayout(col, 1)
            self.models[z].sig_move_requested.connect(self.move_item)
            self.views[z].sig_move_requested.connect(self.move_item)
            self.views[z].doubleClicked.connect(lambda _i, z=z: self.edit_selected(z))
        self.add_button = QPushButton("&Add item…")
        self.review_button = QPushButton("Start &review")
        self.meeting_button = QPushButton("&Meeting mode")
        self.hint = QLabel("Drag notes between zones, or select one and press Ctrl+Left / "
                           "Ctrl+Right. Double-click to edit.", objectName="hint", wordWrap=True)
        self.announce = QLabel(objectName="hint")
        self.announce.setAccessibleName("Board announcements")
        self.history = QListWidget()
        self.history.setAccessibleName("What moved since the last review")
        self.history.setWordWrap(True)
        self.history.setMaximumHeight(150)
        bar = QHBoxLayout()
        for b in (self.add_button, self.review_button, self.meeting_button):
            bar.addWidget(b)
        bar.addWidget(self.hint, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(columns, 1)
        layout.addWidget(self.announce)
        self.history_label = QLabel("Since the last review:", objectName="title")
        layout.addWidget(self.history_label)
        layout.addWidget(self.history)
        self.add_button.clicked.connect(self.add_item)
        self.review_button.clicked.connect(self.start_review)
        self.meeting_button.clicked.connect(self.meeting_mode)
        QShortcut(QKeySequence("Ctrl+Shift+N"), self, activated=self.add_item)
        taskman.sig_changes_applied.connect(self._changed)
        self.reload()

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        case_id = self.case_id
        Op(self, lambda store: load_board(store, case_id), taskman=self.taskman
           ).success(self._show).run_in_background()

    def _show(self, data: BoardData) -> None:
        self.data = data
        for z in ZONES:
            self.models[z].set_items(data.items)
        self.history.clear()
        if data.reviews:
            self.history_label.setText(f"At the review on {data.reviews[-1].held_on}:")
            moved = sorted(data.movement, key=lambda m: (m.change is not Change.BETTER,
                                                         m.change is Change.SAME))
            for m in moved:
                if m.change is not Change.SAME:
                    self.history.addItem(movement_line(m))
            if self.history.count() == 0:
                self.history.addItem("Nothing moved at this review.")
        else:
            self.history_label.setText("Reviews:")
            self.history.addItem("No review yet. Press Start review to take the first snapshot.")

    def _changed(self, changes: frozenset[str], initiator: object) -> None:
        if changes & BOARD_ENTITIES and initiator is not self:
            self.reload()

    def clear(self) -> None:
        for z in ZONES:
            self.models[z].set_items([])
        self.history.clear()
        self.data = None

    # -- actions ------------------------------------------------------------------------------

    def move_item(self, item_id: str, zone: Zone, row: int = -1) -> None:
        position = None if row < 0 else row
        Op(self, lambda store: store.move_board_item(item_id, zone, position),
           changes={"board_item", "board_move"}, taskman=self.taskman
           ).success(lambda item: self._moved(item)).run_in_background()

    def _moved(self, item: BoardItem) -> None:
        self.announce.setText(f"Moved to {item.zone.label}: {item.text}")
        self.reload()

    def add_item(self, zone: Zone = Zone.RED) -> None:
        dialog = ItemDialog(zone=zone, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_from(dialog.values())

    def add_from(self, values: dict) -> None:
        case_id = self.case_id
        v = dict(values)
        Op(self, lambda store: store.add_board_item(case_id, v.pop("zone"), v.pop("text"), **v),
           changes={"board_item", "board_move"}, taskman=self.taskman
           ).success(lambda item: self._moved(item)).run_in_background()

    def edit_selected(self, zone: Zone) -> None:
        item_id = self.views[zone].selected_id()
        item = next((i for i in self.models[zone].items if i.id == item_id), None)
        if item is None:
            return
        dialog = ItemDialog(item=item, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            values = dialog.values()
            new_zone = values.pop("zone")
            for key, value in values.items():
                setattr(item, key, value)

            def save(store: Store) -> BoardItem:
                store.update_board_item(item)
                return store.move_board_item(item.id, new_zone) if new_zone is not item.zone \
                    else item
            Op(self, save, changes={"board_item"}, taskman=self.taskman
               ).success(lambda i: self.reload()).run_in_background()

    def start_review(self, held_on: date | None = None) -> None:
        case_id = self.case_id
        Op(self, lambda store: store.start_review(case_id, held_on=held_on),
           changes={"review"}, taskman=self.taskman
           ).success(lambda r: self.reload()).run_in_background()

    def meeting_mode(self) -> None:
        from rbsw_desktop.ui.meeting_mode import MeetingMode
        if self.data is None:
            return
        self.meeting = MeetingMode(items=self.data.items, movement=self.data.movement)
        self.meeting.showFullScreen()
