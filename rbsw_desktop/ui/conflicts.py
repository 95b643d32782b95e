"""Sync problems. The conflict view: a record changed in two places, shown side by side, for
a person to resolve: keep mine, keep theirs, or merge the text. Both versions stay in the store's
conflict table whatever is chosen (nothing is silently dropped). Below it, the changes the
council system refused (the store's quarantine), each with the reason in plain words and "Try
again" (back into the outbox for the next sync), and "Export for IT support..." (a JSON file
the worker chooses; it is NOT encrypted, and the export dialog says so before saving).

    view = ConflictsView(store_call, parent=window)   # store_call(fn) runs fn(store)
    view.reload()
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

#: Bookkeeping that differs between any two versions and means nothing to a worker.
_HIDDEN = {"updated_at", "updated_by", "device_id", "position"}
_NAMES = {"board_item": "Board item", "visit": "Visit note", "review": "Review",
          "direct_work_activity": "Direct work", "visit_amendment": "Amendment",
          "board_move": "Board move", "attachment": "Photo or scan", "case": "Case"}

StoreCall = Callable[[Callable[[Any], Any]], Any]

#: The gateway's reasons (rbsw_desktop/gateway/service.py, validate.py) in a worker's words.
_REASONS = (
    ("outside your caseload", "It belongs to a case that is not in your caseload on the "
                              "council system."),
    ("not in your caseload", "The case is not in your caseload on the council system."),
    ("cannot move to another case", "A record cannot be moved to a different case."),
    ("come from the council", "This kind of record can only be changed on the council system, "
                              "not on a laptop."),
    ("op_id was already used", "The council system mixed this change up with another one."),
    ("refused this change", "The council system refused this change."),
)
_CHECKS = ("missing fields", "may not be empty", "wrong type", "should be", "not allowed",
           "fields do not fit", "unknown kind of record")
EXPORT_WARNING = ("This file is not encrypted: it holds what you wrote in these records. Save "
                  "it only where IT support asked you to, and delete it once they have it.")


def plain_reason(reason: str | None) -> str:
    """The council system's reason for refusing a change, in plain words."""
    text = (reason or "").strip()
    low = text.lower()
    for key, words in _REASONS:
        if key in low:
            return words
    if any(key in low for key in _CHECKS):
        return ("Some details were missing or not in the form the council system expects. "
                "IT support can see which.")
    if not text:
        return "The council system refused this change and gave no reason."
    return f"The council system said: {text[0].upper()}{text[1:]}"


def refused_title(op: Any) -> str:
    """What a refused change is, without its content: the kind of record and when it changed."""
    what = _NAMES.get(op.entity, op.entity.replace("_", " ").capitalize())
    action = "deleted" if op.deleted else "changed"
    try:
        when = datetime.fromisoformat(str(op.at).replace("Z", "+00:00")).astimezone()
    except ValueError:
        return f"{what}, {action} on this laptop"
    return f"{what}, {action} {when:%d %b %Y at %H:%M}"


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


def _words(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in (None, ""):
        return "(empty)"
    return str(value)


class ExportRefusedDialog(QDialog):
    """Asks where the file goes and says, before saving, that it is not encrypted."""

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export refused changes for IT support")
        self.warning = QLabel(f"<b>Warning:</b> {EXPORT_WARNING}")
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName(f"Warning: {EXPORT_WARNING}")
        self.path = QLineEdit()
        self.path.setAccessibleName("File to save")
        self.path.setPlaceholderText("Type a file name, or choose a place")
        self.choose = QPushButton("Choose...")
        self.choose.setAccessibleName("Choose where to save")
        self.choose.clicked.connect(self._choose)
        where = QLabel("&Save to:")
        where.setBuddy(self.path)
        row = QHBoxLayout()
        row.addWidget(where)
        row.addWidget(self.path, 1)
        row.addWidget(self.choose)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save the file")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.path.textChanged.connect(
            lambda text: self.save_button.setEnabled(bool(text.strip())))
        self.save_button.setEnabled(False)
        about = QLabel("The file lists each refused change, what it holds and the council "
                       "system's reason, so IT support can see the cause.")
        about.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.warning)
        layout.addLayout(row)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(620)

    def _choose(self) -> None:
        start = self.path.text().strip() or str(Path(QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or Path.home())
            / "refused-changes.json")
        name, _ = QFileDialog.getSaveFileName(self, "Save the refused changes", start,
                                              "JSON file (*.json)")
        if name:
            self.path.setText(name if name.lower().endswith(".json") else f"{name}.json")


class ConflictsView(QWidget):
    """A list of open conflicts, the two versions of the selected one, and three choices;
    below, the refused changes, each with its reason and Try again."""

    sig_resolved = Signal(str)      # the record id
    sig_retried = Signal(str)       # the op id, back in the outbox

    def __init__(self, store_call: StoreCall, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store_call = store_call
        self._conflicts: list[Any] = []
        self.list = QListWidget()
        self.list.setAccessibleName("Records that need a decision")
        self.list.currentRowChanged.connect(self._show)
        self.heading = QLabel("Nothing needs a decision.")
        self.heading.setWordWrap(True)
        self.mine = QPlainTextEdit()
        self.mine.setReadOnly(True)
        self.mine.setAccessibleName("My version")
        self.theirs = QPlainTextEdit()
        self.theirs.setReadOnly(True)
        self.theirs.setAccessibleName("Their version")
        self.merge_edit = QPlainTextEdit()
        self.merge_edit.setAccessibleName("Merged text")
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
        self._build_refused()
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Changed in two places</b>"))
        layout.addWidget(self.no_conflicts)
        layout.addWidget(self.decisions, 3)
        layout.addWidget(self.refused_box, 2)
        layout.addStretch(0)
        self.decisions.hide()
        self._show(-1)

    def _build_refused(self) -> None:
        self._refused: list[Any] = []
        self.export_dialog: ExportRefusedDialog | None = None
        self.refused_heading = QLabel("Nothing was refused.")
        self.refused_heading.setWordWrap(True)
        self.refused_list = QListWidget()
        self.refused_list.setAccessibleName("Changes the council system refused")
        self.refused_list.setSpacing(2)
        self.export_button = QPushButton("Export for IT support...")
        self.export_button.setAccessibleName("Export refused changes for IT support")
        self.export_button.clicked.connect(self._ask_export)
        self.refused_message = QLabel("")
        self.refused_message.setWordWrap(True)
        self.refused_message.setAccessibleName("Refused changes: what happened")
        foot = QHBoxLayout()
        foot.addWidget(self.refused_message, 1)
        foot.addWidget(self.export_button)
        self.refused_box = QFrame()
        box = QVBoxLayout(self.refused_box)
        box.setContentsMargins(0, 8, 0, 0)
        box.addWidget(QLabel("<b>Refused by the council system</b>"))
        box.addWidget(self.refused_heading)
        box.addWidget(self.refused_list, 1)
        box.addLayout(foot)

    def reload(self) -> None:
        self._conflicts = self.store_call(lambda store: store.conflicts())
        self.list.clear()
        for c in self._conflicts:
            fields = c.mine.get("fields") or {}
            label = fields.get("text") or fields.get("title") or fields.get("visited_at") or ""
            QListWidgetItem(f"{_NAMES.get(c.entity, c.entity)}: {str(label)[:40]}", self.list)
        if self._conflicts:
            self.list.setCurrentRow(0)
        else:
            self._show(-1)
        self.decisions.setVisible(bool(self._conflicts))
        self.no_conflicts.setVisible(not self._conflicts)
        self._reload_refused()

    # -- refused changes (the store's quarantine) ----------------------------------------------

    def _reload_refused(self) -> None:
        self._refused = self.store_call(lambda store: store.quarantined())
        self.refused_list.clear()
        for op in self._refused:
            title, reason = refused_title(op), plain_reason(op.last_error)
            item = QListWidgetItem(self.refused_list)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{title}. {reason}")
            row = QWidget()
            short = reason if len(reason) <= 110 else reason[:107].rstrip() + "..."
            label = QLabel(f"<b>{html.escape(title)}</b><br>{html.escape(short)}")
            label.setToolTip(op.last_error or "")
            button = QPushButton("Try again")
            button.setAccessibleName(f"Try again: {title}")
            button.setAccessibleDescription("Send this change again at the next sync")
            button.clicked.connect(lambda _=False, op_id=op.op_id: self._retry(op_id))
            line = QHBoxLayout(row)
            line.setContentsMargins(8, 6, 8, 6)
            line.addWidget(label, 1)
            line.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
            item.setSizeHint(row.sizeHint())
            self.refused_list.setItemWidget(item, row)
        n = len(self._refused)
        self.refused_heading.setText(
            "Nothing was refused." if not n else
            f"The council system refused {n} change{'' if n == 1 else 's'}. It is still saved "
            "on this laptop. Choose Try again once the reason is sorted out, or export the "
            "list for IT support.")
        self.refused_list.setVisible(bool(n))
        self.export_button.setEnabled(bool(n))
        chain = [self.refused_list, *self.retry_buttons(), self.export_button]
        for before, after in zip(chain, chain[1:], strict=False):   # Tab: list, rows, export
            QWidget.setTabOrder(before, after)

    def retry_buttons(self) -> list[QPushButton]:
        """The Try again buttons, one per refused change, in list order."""
        rows = [self.refused_list.itemWidget(self.refused_list.item(i))
                for i in range(self.refused_list.count())]
        return [r.findChild(QPushButton) for r in rows if r is not None]

    def _retry(self, op_id: str) -> None:
        sent = self.store_call(lambda store: store.retry_quarantined([op_id]))
        self.refused_message.setText("It will be sent again at the next sync." if sent else
                                     "That change was already sent back.")
        self.sig_retried.emit(op_id)
        self._reload_refused()
        buttons = self.retry_buttons()
        (buttons[0] if buttons else self.export_button).setFocus()

    def _ask_export(self) -> None:
        """Where to save, with the warning shown before anything is written."""
        dialog = ExportRefusedDialog(parent=self)
        dialog.accepted.connect(lambda: self._export_to(dialog.path.text().strip()))
        self.export_dialog = dialog
        dialog.open()

    def _export_to(self, name: str) -> None:
        records = self.store_call(lambda store: store.export_quarantined())
        text = json.dumps({"refused_changes": records}, indent=2, ensure_ascii=False)
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
        except OSError as exc:
            self.refused_message.setText(f"Could not save the file ({exc.strerror}). Nothing "
                                         "was changed; try another place.")
            return
        n = len(records)
        self.refused_message.setText(
            f"Saved {n} refused change{'' if n == 1 else 's'} to {Path(name).name}. The file "
            "is not encrypted: delete it once IT support has it.")

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
            f"This {_NAMES.get(conflict.entity, conflict.entity).lower()} was changed on this "
            "laptop and somewhere else. Choose which version to keep, or merge the text.")
        self.mine.setPlainText("\n".join(f"{n}: {_words(mine.get(n))}" for n in names)
                               or "(the same)")
        self.theirs.setPlainText("\n".join(f"{n}: {_words(theirs.get(n))}" for n in names)
                                 or "(the same)")
        text_names = [n for n in names if isinstance(mine.get(n) or theirs.get(n), str)]
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
        self.store_call(lambda store: store.resolve_conflict(conflict.id, choice, merged))
        self.sig_resolved.emit(conflict.record_id)
        self.reload()
