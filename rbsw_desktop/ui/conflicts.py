"""Sync problems. The conflict view: a record changed in two places, shown side by side, for
a person to resolve: keep mine, keep theirs, or merge the text. Both versions stay in the store's
conflict table whatever is chosen (nothing is silently dropped). Below it, the changes the
council system refused (`refused.RefusedView`) and the changes from the council this laptop could
not save (`not_applied.NotAppliedView`).

    view = ConflictsView(taskman=taskman, parent=window)
    view.reload()                 # every store call is a StoreOp on the task manager's store thread
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain import record_name
from rbsw_desktop.domain.instants import local_text
from rbsw_desktop.ui.not_applied import NotAppliedView
from rbsw_desktop.ui.refused import RefusedView
from rbsw_desktop.ui.spelling import enable_spellcheck
from rbsw_desktop.ui.taskman import StoreOp, TaskManager

#: Bookkeeping that differs between any two versions and means nothing to a worker.
_HIDDEN = {"updated_at", "updated_by", "device_id", "position"}
#: Days that are not named `..._on` (a review's `held_on`, a case's `started_on`).
_DAYS = {"next_visit_due", "date_of_birth"}


def is_moment(name: str) -> bool:
    """A field holding an instant (`visited_at`, `moved_at`): shown in local time."""
    return name.endswith("_at")


def is_time_or_day(name: str) -> bool:
    """Times and days are never merged as text: two of them run together are neither."""
    return is_moment(name) or name.endswith("_on") or name in _DAYS


def differing_fields(mine: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    names = sorted(set(mine) | set(theirs))
    return [n for n in names if n not in _HIDDEN and mine.get(n) != theirs.get(n)]


def merged_text(mine: Any, theirs: Any) -> str:
    a, b = str(mine or "").strip(), str(theirs or "").strip()
    if not a or a == b:
        return b
    if not b:
        return a
    return f"{a}\n\n{b}"


def _words(value: Any, name: str = "") -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in (None, ""):
        return "(empty)"
    if is_moment(name):
        return local_text(str(value))
    return str(value)


class ConflictsView(QWidget):
    """A list of open conflicts, the two versions of the selected one, and three choices;
    below, the refused changes, each with its reason and Try again, and the changes from the
    council this laptop could not save."""

    sig_resolved = Signal(str)      # the record id

    def __init__(self, *, taskman: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self._conflicts: list[Any] = []
        self.list = QListWidget()
        self.list.setAccessibleName("Records that need a decision")
        self.list.setWordWrap(True)            # each record's name whole, in a narrow list
        self.list.currentRowChanged.connect(self._show)
        self.heading = QLabel("Nothing needs a decision.")
        self.heading.setWordWrap(True)
        self.mine = QPlainTextEdit()
        self.mine.setReadOnly(True)
        self.mine.setAccessibleName("My version")
        self.theirs = QPlainTextEdit()
        self.theirs.setReadOnly(True)
        self.theirs.setAccessibleName("Their version")
        self.merge_edit = QPlainTextEdit(tabChangesFocus=True)
        self.merge_edit.setAccessibleName("Merged text")
        enable_spellcheck(self.merge_edit, taskman)
        self.keep_mine = QPushButton("Keep mine")
        self.keep_theirs = QPushButton("Keep theirs")
        self.merge = QPushButton("Merge text")
        self.keep_mine.clicked.connect(lambda: self._resolve("mine"))
        self.keep_theirs.clicked.connect(lambda: self._resolve("theirs"))
        self.merge.clicked.connect(lambda: self._resolve("merge"))
        sides = QHBoxLayout()
        for title, box in (("On this laptop", self.mine), ("From the council system",
                                                           self.theirs)):
            col = QVBoxLayout()
            col.addWidget(QLabel(f"<b>{title}</b>"))
            col.addWidget(box)
            sides.addLayout(col)
        buttons = QHBoxLayout()
        for b in (self.keep_mine, self.keep_theirs, self.merge):
            buttons.addWidget(b)
        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addLayout(sides)
        right.addWidget(QLabel("Merged text (edit before choosing Merge text):"))
        right.addWidget(self.merge_edit)
        right.addLayout(buttons)
        self.decisions = QWidget()         # hidden while nothing needs a decision
        decisions = QHBoxLayout(self.decisions)
        decisions.setContentsMargins(0, 0, 0, 0)
        decisions.addWidget(self.list, 1)
        decisions.addLayout(right, 3)
        self.no_conflicts = QLabel("Nothing needs a decision.")
        self.refused = RefusedView(taskman=taskman)
        self.not_applied = NotAppliedView(taskman=taskman)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Changed in two places</b>"))
        layout.addWidget(self.no_conflicts)
        layout.addWidget(self.decisions, 3)
        layout.addWidget(self.refused, 2)
        layout.addWidget(self.not_applied, 1)
        layout.addStretch(0)
        self.decisions.hide()
        self._show(-1)

    def reload(self) -> None:
        StoreOp(self, lambda store: store.outbox.conflicts(), taskman=self.taskman
                ).success(self._show_conflicts).run_in_background()
        self.refused.reload()
        self.not_applied.reload()

    def _show_conflicts(self, conflicts: list[Any]) -> None:
        self._conflicts = conflicts
        self.list.clear()
        for c in self._conflicts:
            fields = c.mine.get("fields") or {}
            label = fields.get("text") or fields.get("title") \
                or local_text(fields.get("visited_at")) or ""
            QListWidgetItem(f"{record_name(c.entity)}: {str(label)[:40]}", self.list)
        if self._conflicts:
            self.list.setCurrentRow(0)
        else:
            self._show(-1)
        self.decisions.setVisible(bool(self._conflicts))
        self.no_conflicts.setVisible(not self._conflicts)

    def _current(self) -> Any:
        row = self.list.currentRow()
        return self._conflicts[row] if 0 <= row < len(self._conflicts) else None

    @Slot(int)
    def _show(self, row: int) -> None:
        conflict = self._conflicts[row] if 0 <= row < len(self._conflicts) else None
        for b in (self.keep_mine, self.keep_theirs, self.merge):
            b.setEnabled(conflict is not None)
        if conflict is None:
            self.heading.setText("Nothing needs a decision.")
            for box in (self.mine, self.theirs, self.merge_edit):
                box.setPlainText("")
            return
        mine = conflict.mine.get("fields") or {}
        theirs = conflict.theirs.get("fields") or {}
        names = differing_fields(mine, theirs)
        self.heading.setText(
            f"This {record_name(conflict.entity).lower()} was changed on this "
            "laptop and somewhere else. Choose which version to keep, or merge the text.")
        self.mine.setPlainText("\n".join(f"{n}: {_words(mine.get(n), n)}" for n in names)
                               or "(the same)")
        self.theirs.setPlainText("\n".join(f"{n}: {_words(theirs.get(n), n)}" for n in names)
                                 or "(the same)")
        text_names = [n for n in names if isinstance(mine.get(n) or theirs.get(n), str)
                      and not is_time_or_day(n)]
        self._merge_field = text_names[0] if text_names else ""
        self.merge.setEnabled(bool(self._merge_field))
        self.merge_edit.setEnabled(bool(self._merge_field))
        self.merge_edit.setPlainText(merged_text(mine.get(self._merge_field),
                                                 theirs.get(self._merge_field))
                                     if self._merge_field else "")

    def _resolve(self, choice: str) -> None:
        conflict = self._current()
        if conflict is None:
            return
        merged = {self._merge_field: self.merge_edit.toPlainText()} if choice == "merge" else None
        StoreOp(self, lambda store: store.outbox.resolve_conflict(conflict.id, choice, merged),
                taskman=self.taskman).success(lambda _: self._resolved(conflict.record_id)
                                         ).run_in_background()

    def _resolved(self, record_id: str) -> None:
        self.sig_resolved.emit(record_id)
        self.reload()
