"""The family's board: red (key risks), amber (worries about the future), green (strengths).

Items move between zones by mouse (drag and drop) or keyboard (Ctrl+Left / Ctrl+Right, or
Ctrl+1/2/3). Enter, F2 or a double-click edits the selected item. Every zone shows its label and
shape as well as its colour. "Start review" asks first (ui/review_dialog.py: what a review does,
and the words of what moved to strengths, to reword for the family's copy), then takes a dated
snapshot; the review history shows what moved at any review, with reds that became greens first.

An item being typed is kept as a draft in the encrypted store's autosave table by the one
autosave (ui/autosave.py: a few seconds after typing stops, on focus change, before a lock) and
comes back the next time that item (or a new item) is opened.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
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
from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.domain.enums import EntityKind
from rbsw_desktop.domain.instants import day_words, local_text
from rbsw_desktop.store import Store
from rbsw_desktop.ui import style
from rbsw_desktop.ui.a11y import StatusLabel, name_parts
from rbsw_desktop.ui.autosave import autosave_window, close_window, drop_draft, load_draft
from rbsw_desktop.ui.board_model import ITEM_ID_ROLE, ZoneModel
from rbsw_desktop.ui.board_note import NoteDelegate
from rbsw_desktop.ui.review_dialog import ReviewDialog
from rbsw_desktop.ui.spelling import enable_spellcheck
from rbsw_desktop.ui.taskman import StoreOp, TaskManager, plain_message

ZONES = (Zone.RED, Zone.AMBER, Zone.GREEN)
EDIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2)


def draft_key(case_id: str, item_id: str | None) -> str:
    """Where a board item being typed at a lock is kept until it is saved or cancelled."""
    return f"board_item:{item_id}" if item_id else f"board_item:new:{case_id}"


def zone_title(zone: Zone) -> str:
    return f"{style.ZONE_SHAPES[zone]}  {zone.label}"


def review_labels(reviews: list[Review]) -> list[str]:
    """Each review's day in words ('Tue 1 Dec 2026'), with its local time when another review
    was held the same day ('Tue 1 Dec 2026, 14:05'), so no two read the same."""
    days = [r.held_on for r in reviews]
    labels = []
    for r in reviews:
        label = day_words(date.fromisoformat(r.held_on[:10]))
        if days.count(r.held_on) > 1 and r.updated_at:
            label += local_text(r.updated_at, ", %H:%M")
        labels.append(label)
    return labels


def movement_line(m: Movement) -> str:
    if m.change is Change.BETTER and m.to_zone is Zone.GREEN:
        family = f" (for the family: {m.family_text})" if m.family_text not in (None, m.text) \
            else ""
        return f"★ Moved to strengths: {m.text} — {m.describe()}{family}"
    if m.change is Change.BETTER:
        return f"★ Better: {m.text} — {m.describe()}"
    return f"{m.text} — {m.describe()}"


@dataclass(frozen=True)
class BoardData:
    items: list[BoardItem]
    reviews: list[Review]
    movement: list[Movement]          # at the latest review
    new_item_draft: bool = False      # a new item was being typed when the app locked


def load_board(store: Store, case_id: str) -> BoardData:
    reviews = store.board.reviews(case_id)
    movement = store.board.movement(reviews[-1].id) if reviews else []
    draft = store.drafts.get(draft_key(case_id, None)) is not None
    return BoardData(store.board.items(case_id), reviews, movement, draft)


class ZoneView(QListView):
    """One zone's board items. Ctrl+Left/Right or Ctrl+1/2/3 move the selected item."""

    sig_move_requested = Signal(str, object, int)
    sig_edit_requested = Signal()

    def __init__(self, model: ZoneModel, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName(f"{model.zone.label} ({model.zone.value} zone)")
        self.setWordWrap(True)
        self.setSpacing(6)
        self.setResizeMode(QListView.ResizeMode.Adjust)      # items wrap to the zone's width
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)  # tall notes too
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        tint, ink = style.ZONE_TINTS[model.zone], style.ZONE_COLOURS[model.zone]
        self.setStyleSheet(f"QListView {{ background: {tint}; border: 2px solid {ink}; }}")
        self.setItemDelegate(NoteDelegate(self))

    def selected_id(self) -> str | None:
        index = self.currentIndex()
        return index.data(ITEM_ID_ROLE) if index.isValid() else None

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802
        zone = cast(ZoneModel, self.model()).zone
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
        if item_id and not ctrl and event.key() in EDIT_KEYS:
            self.sig_edit_requested.emit()
            return
        super().keyPressEvent(event)


class ItemDialog(QDialog):
    """Add or edit a board item, in the family's words."""

    def __init__(self, *, taskman: TaskManager, case_id: str, item: BoardItem | None = None,
                 zone: Zone = Zone.RED, draft: dict | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setWindowTitle("Board item")
        self.text = QPlainTextEdit(item.text if item else "", tabChangesFocus=True)
        self.text.setAccessibleName("In the family's words")
        self.zone = QComboBox()
        self.zone.setAccessibleName("Zone")
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
        self.note = QPlainTextEdit(item.worker_note if item else "", tabChangesFocus=True)
        self.note.setAccessibleName("Worker-only note")
        for edit in (self.text, self.note):
            enable_spellcheck(edit, taskman)
        self.shareable.toggled.connect(lambda on: self.reason.setEnabled(not on))
        self.reason.setEnabled(not self.shareable.isChecked())
        form = QFormLayout(self)
        if draft:
            self.restore(draft)
            form.addRow(QLabel("This is what you were typing before the app locked.",
                               objectName="hint", wordWrap=True))
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
        name_parts(self)                     # the drop-downs' lists, for a screen reader
        self.text.moveCursor(QTextCursor.MoveOperation.End)   # carry on typing at the end
        self.text.setFocus()
        self.draft_key = draft_key(case_id, item.id if item else None)
        self.autosave = autosave_window(self, taskman, self.draft_key, self.draft, (
            self.text.textChanged, self.zone.currentIndexChanged, self.family.toggled,
            self.shareable.toggled, self.reason.currentIndexChanged, self.note.textChanged))

    def values(self) -> dict:
        shareable = self.shareable.isChecked()
        return {"text": self.text.toPlainText().strip(),
                "zone": Zone(self.zone.currentData()),
                "raised_by": RaisedBy.FAMILY if self.family.isChecked() else RaisedBy.PROFESSIONAL,
                "shareable": shareable,
                "withheld_reason": None if shareable else WithheldReason(self.reason.currentData()),
                "worker_note": self.note.toPlainText().strip()}

    def draft(self) -> dict | None:
        """Everything typed, as it is on screen (kept in the encrypted autosave table), or
        None when no words are typed."""
        if not (self.text.toPlainText().strip() or self.note.toPlainText().strip()):
            return None
        return {"text": self.text.toPlainText(), "zone": self.zone.currentData(),
                "family": self.family.isChecked(), "shareable": self.shareable.isChecked(),
                "reason": self.reason.currentData(), "note": self.note.toPlainText()}

    def restore(self, draft: dict) -> None:
        self.text.setPlainText(draft.get("text", ""))
        self.zone.setCurrentIndex(max(0, self.zone.findData(draft.get("zone"))))
        self.family.setChecked(bool(draft.get("family", True)))
        self.shareable.setChecked(bool(draft.get("shareable", True)))
        self.reason.setCurrentIndex(max(0, self.reason.findData(draft.get("reason"))))
        self.note.setPlainText(draft.get("note", ""))


class BoardTab(QWidget):
    def __init__(self, *, taskman: TaskManager, case_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self.case_id = case_id
        self.data: BoardData | None = None
        self.dialog: ItemDialog | None = None
        self.review_dialog: ReviewDialog | None = None
        self.meeting: QWidget | None = None
        self.follow: str | None = None      # the item moved by keyboard: it keeps the focus
        self.models = {z: ZoneModel(z, parent=self) for z in ZONES}
        self.views = {z: ZoneView(self.models[z]) for z in ZONES}
        columns = QHBoxLayout()
        columns.setSpacing(12)
        for z in ZONES:
            heading = QLabel(zone_title(z), objectName="title", wordWrap=True)
            heading.setFont(style.scaled_font(self.font(), 1.2, bold=True))
            heading.setStyleSheet(f"color: {style.ZONE_COLOURS[z]};")
            heading.setBuddy(self.views[z])
            col = QVBoxLayout()
            col.addWidget(heading)
            col.addWidget(self.views[z], 1)
            columns.addLayout(col, 1)
            self.models[z].sig_move_requested.connect(self.move_item)
            self.views[z].sig_move_requested.connect(self.move_by_key)
            self.views[z].doubleClicked.connect(lambda _i, z=z: self.edit_selected(z))
            self.views[z].sig_edit_requested.connect(lambda z=z: self.edit_selected(z))
        self.add_button = QPushButton("&Add item…")
        self.review_button = QPushButton("Start &review")
        self.meeting_button = QPushButton("&Meeting mode")
        self.hint = QLabel("Drag items between zones, or select one and press Ctrl+Left / "
                           "Ctrl+Right. Enter, F2 or double-click edits.", objectName="hint",
                           wordWrap=True)
        self.announce = StatusLabel("Board announcements", objectName="hint")
        self.review_pick = QComboBox()
        self.review_pick.setAccessibleName("Which review")
        self.review_pick.currentIndexChanged.connect(self._review_chosen)
        self.history = QListWidget()
        self.history.setAccessibleName("What moved at the review")
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
        self.history_label.setBuddy(self.review_pick)
        pick = QHBoxLayout()
        pick.addWidget(self.history_label)
        pick.addWidget(self.review_pick)
        pick.addStretch(1)
        layout.addLayout(pick)
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
        StoreOp(self, lambda store: load_board(store, case_id), taskman=self.taskman
                ).success(self._show).run_in_background()

    def _show(self, data: BoardData) -> None:
        self.data = data
        self._set_items(data.items)
        if data.new_item_draft and not self.announce.text():
            self.announce.setText("A new item you were typing before the app locked is kept: "
                                  "press Add item to carry on.")
        self.review_pick.blockSignals(True)
        self.review_pick.clear()
        labels = review_labels(data.reviews)
        for i, review in enumerate(reversed(data.reviews)):      # newest first
            self.review_pick.addItem(labels[-1 - i] + (" (latest)" if i == 0 else ""),
                                     review.id)
        self.review_pick.setVisible(len(data.reviews) > 1)
        self.review_pick.blockSignals(False)
        if data.reviews:
            self.history_label.setText("At the review on:" if len(data.reviews) > 1
                                       else f"At the review on {labels[-1]}:")
            self._show_movement(data.movement)
        else:
            self.history_label.setText("Reviews:")
            self.history.clear()
            self.history.addItem("No review yet. Press Start review to take the first snapshot.")

    def _show_movement(self, movement: list[Movement]) -> None:
        self.history.clear()
        moved = sorted(movement, key=lambda m: (m.change is not Change.BETTER,
                                                m.change is Change.SAME))
        for m in moved:
            if m.change is not Change.SAME:
                self.history.addItem(movement_line(m))
        if self.history.count() == 0:
            self.history.addItem("Nothing moved at this review.")

    def _review_chosen(self, index: int) -> None:
        review_id = self.review_pick.itemData(index)
        if review_id:
            StoreOp(self, lambda store: store.board.movement(review_id), taskman=self.taskman
                    ).success(self._show_movement).run_in_background()

    def _changed(self, changes: Changes, initiator: object) -> None:
        """A review reloads the board; changed items are read again, and only those."""
        if changes.touches(EntityKind.REVIEW):
            self.reload()
        elif changes.touches(EntityKind.BOARD_ITEM) and self.data is not None:
            case_id, ids = self.case_id, changes.ids(EntityKind.BOARD_ITEM)
            StoreOp(self, lambda store: store.board.items_with_ids(case_id, ids),
                    taskman=self.taskman).success(
                lambda items: self._show_items(ids, items)).run_in_background()

    def _show_items(self, ids: frozenset[str], items: list[BoardItem]) -> None:
        if self.data is None or not (items or ids & {i.id for i in self.data.items}):
            return                        # none of this board's items changed
        kept = [i for i in self.data.items if i.id not in ids]
        shown = sorted(kept + [i for i in items if not i.deleted],
                       key=lambda i: (i.position, i.updated_at))
        self.data = dataclasses.replace(self.data, items=shown)
        self._set_items(shown)

    def _set_items(self, items: list[BoardItem]) -> None:
        """Show these items; an item just moved by keyboard is selected in its new zone, with
        the keyboard focus, so the next key press moves the same item."""
        for z in ZONES:
            self.models[z].set_items(items)
        for z in ZONES:
            rows = [n for n, i in enumerate(self.models[z].items) if i.id == self.follow]
            if rows:
                self.follow = None
                self.views[z].setCurrentIndex(self.models[z].index(rows[0]))
                self.views[z].setFocus()

    def save_before_lock(self) -> None:
        """Before the app locks: keep an item being typed as a draft, and close the item
        window and meeting mode so nothing stays on screen behind the lock."""
        if self.dialog is not None:
            self.dialog.autosave.flush()
        self._close_windows()

    def _close_windows(self) -> None:
        if self.dialog is not None:
            dialog, self.dialog = self.dialog, None
            close_window(dialog)
        if self.review_dialog is not None:
            self.review_dialog.reject()          # nothing is kept: it only asks
        if self.meeting is not None:
            self.meeting.close()
            self.meeting.deleteLater()
            self.meeting = None

    def clear(self) -> None:
        self._close_windows()
        for z in ZONES:
            self.models[z].set_items([])
        self.history.clear()
        self.review_pick.clear()
        self.announce.clear()           # nothing said of one child's board on the next one's
        self.follow = None
        self.data = None

    # -- actions ------------------------------------------------------------------------------

    def move_by_key(self, item_id: str, zone: Zone, row: int = -1) -> None:
        self.follow = item_id
        self.move_item(item_id, zone, row)

    def move_item(self, item_id: str, zone: Zone, row: int = -1) -> None:
        position = None if row < 0 else row
        StoreOp(self, lambda store: store.board.move(item_id, zone, position), taskman=self.taskman
                ).success(lambda item: self._moved(item)).run_in_background()

    def _moved(self, item: BoardItem) -> None:
        self.announce.announce(f"Moved to {item.zone.label}: {item.text}")

    def _added(self, item: BoardItem) -> None:
        self.announce.setText(f"Added to {item.zone.label}: {item.text}")

    def add_item(self, zone: Zone = Zone.RED) -> None:
        self._open_dialog(None, zone if isinstance(zone, Zone) else Zone.RED)

    def _open_dialog(self, item: BoardItem | None, zone: Zone = Zone.RED) -> None:
        """The item window, with a draft kept at a lock if there is one. Not modal-blocking
        (`open`, not `exec`), so the idle lock can still close it."""
        if self.dialog is not None:
            self.dialog.raise_()
            return
        key = draft_key(self.case_id, item.id if item else None)

        def show(draft: dict | None) -> None:
            if self.dialog is not None:
                return
            dialog = ItemDialog(taskman=self.taskman, case_id=self.case_id, item=item,
                                zone=zone, draft=draft, parent=self)
            self.dialog = dialog
            dialog.finished.connect(lambda result: self._dialog_done(dialog, key, result))
            dialog.open()
        load_draft(self, self.taskman, key, show)

    def _dialog_done(self, dialog: ItemDialog, key: str, result: int) -> None:
        self.dialog = None
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:    # cancelled: the worker dropped it
            drop_draft(self, self.taskman, key)
        elif dialog.item is None:
            self.add_from(dialog.values(), draft=key)
        else:
            self.save_edit(dialog.item, dialog.values(), draft=key)

    def add_from(self, values: dict, *, draft: str | None = None) -> None:
        case_id = self.case_id
        v = dict(values)

        def add(store: Store) -> BoardItem:
            item = store.board.add(case_id, v.pop("zone"), v.pop("text"), **v)
            if draft:
                store.drafts.clear(draft)
            return item
        StoreOp(self, add, taskman=self.taskman
                ).success(self._added).failure(
            lambda exc: self.announce.setText(plain_message(exc))).run_in_background()

    def edit_selected(self, zone: Zone) -> None:
        item_id = self.views[zone].selected_id()
        item = next((i for i in self.models[zone].items if i.id == item_id), None)
        if item is not None:
            self._open_dialog(item)

    def save_edit(self, item: BoardItem, values: dict, *, draft: str | None = None) -> None:
        values = dict(values)
        new_zone = values.pop("zone")
        edited = dataclasses.replace(item, **values)   # the copy goes to the store thread

        def save(store: Store) -> BoardItem:
            saved = store.board.update(edited, zone=new_zone)
            if draft:
                store.drafts.clear(draft)
            return saved
        StoreOp(self, save, taskman=self.taskman).failure(
            lambda exc: self.announce.setText(plain_message(exc))).run_in_background()

    def start_review(self) -> None:
        """Ask first, showing what moved to strengths since the last review (shareable items:
        what the family's copy prints) to reword for the family."""
        case_id = self.case_id
        StoreOp(self, lambda store: store.board.movement_now(case_id), taskman=self.taskman
                ).success(self._ask_review).run_in_background()

    def _ask_review(self, movement: list[Movement]) -> None:
        if self.review_dialog is not None:
            self.review_dialog.raise_()
            return
        proud = [m for m in movement if m.shareable and m.change is Change.BETTER
                 and m.to_zone is Zone.GREEN]
        dialog = ReviewDialog(to_strengths=proud, parent=self)
        self.review_dialog = dialog
        dialog.finished.connect(lambda result: self._review_answered(dialog, result))
        dialog.open()

    def _review_answered(self, dialog: ReviewDialog, result: int) -> None:
        self.review_dialog = None
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted:
            return
        case_id, words = self.case_id, dialog.family_words()
        StoreOp(self, lambda store: store.board.start_review(case_id, family_words=words),
                taskman=self.taskman).success(
            lambda review: self.announce.setText(
                f"Review started: the board is kept as it was on "
                f"{day_words(date.fromisoformat(review.held_on))}.")).failure(
            lambda exc: self.announce.setText(plain_message(exc))).run_in_background()

    def meeting_mode(self) -> None:
        from rbsw_desktop.ui.meeting_mode import MeetingMode
        if self.data is None:
            return
        if self.meeting is not None:
            self.meeting.close()
        self.meeting = MeetingMode(items=self.data.items, movement=self.data.movement)
        self.meeting.showFullScreen()
