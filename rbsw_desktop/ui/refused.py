"""The changes the council system refused (`store.outbox.refused`), in the Sync problems view:
each with what it is (never its content) and the reason in plain words, "Try again" (back into
the outbox for the next sync), and "Export for IT support..." (a JSON file the worker chooses,
holding these and the changes from the council not saved here, `not_applied.py`; it is NOT
encrypted, and the export dialog says so before saving).

    view = RefusedView(taskman=taskman, parent=window)
    view.reload()                 # every store call is a StoreOp on the task manager's store thread
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain import record_name
from rbsw_desktop.domain.instants import local_datetime
from rbsw_desktop.store import Store
from rbsw_desktop.store.sync_state import OutboxOp
from rbsw_desktop.ui.taskman import StoreOp, TaskManager, show_error

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
    ("too large", "It is too big for the council system to take in one go. It is kept safe on "
                  "this laptop; please tell IT support."),
)
#: The sync engine's reason for an op too big to send even as a blob (sync/engine.py, TOO_BIG).
_TOO_BIG = "too big to send: "
_CHECKS = ("missing fields", "may not be empty", "wrong type", "should be", "not allowed",
           "fields do not fit", "unknown kind of record")
EXPORT_WARNING = ("This file is not encrypted: it holds what you wrote in these records. Save "
                  "it only where IT support asked you to, and delete it once they have it.")


def plain_reason(reason: str | None) -> str:
    """The council system's reason for refusing a change, in plain words."""
    text = (reason or "").strip()
    low = text.lower()
    if low.startswith(_TOO_BIG):
        return (f"It is too big to send to the council system ({text[len(_TOO_BIG):]}). It is "
                "kept safe on this laptop; please tell IT support.")
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
    what = record_name(op.entity)
    action = "deleted" if op.deleted else "changed"
    try:
        when = local_datetime(str(op.at))
    except ValueError:
        return f"{what}, {action} on this laptop"
    return f"{what}, {action} {when:%d %b %Y at %H:%M}"


def write_refused(store: Store, name: str) -> int:
    """The refused changes, and the changes from the council not saved here, as JSON, to the
    file the worker chose (readable by them only)."""
    records = store.outbox.export_refused()
    not_saved = [p.as_json() for p in store.outbox.not_applied()]
    text = json.dumps({"refused_changes": records, "not_saved_here": not_saved}, indent=2,
                      ensure_ascii=False)
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return len(records) + len(not_saved)


def _problems(store: Store) -> tuple[list[OutboxOp], int]:
    """The refused changes, and how many from the council were not saved here."""
    return store.outbox.refused(), store.outbox.not_applied_count()


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
        self.choose.setAccessibleDescription("Choose where to save")
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


class RefusedView(QWidget):
    """The refused changes, each with its reason and Try again; Export for IT support."""

    sig_retried = Signal(str)       # the op id, back in the outbox

    def __init__(self, *, taskman: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self._refused: list[Any] = []
        self.export_dialog: ExportRefusedDialog | None = None
        self.heading = QLabel("Nothing was refused.")
        self.heading.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Changes the council system refused")
        self.list.setSpacing(2)
        self.export_button = QPushButton("Export for IT support...")
        self.export_button.setAccessibleDescription("Export refused changes for IT support")
        self.export_button.clicked.connect(self._ask_export)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Refused changes: what happened")
        foot = QHBoxLayout()
        foot.addWidget(self.message, 1)
        foot.addWidget(self.export_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        box.addWidget(QLabel("<b>Refused by the council system</b>"))
        box.addWidget(self.heading)
        box.addWidget(self.list, 1)
        box.addLayout(foot)

    def reload(self) -> None:
        StoreOp(self, _problems, taskman=self.taskman
                ).success(lambda found: self._show_refused(*found)).run_in_background()

    def _show_refused(self, refused: list[Any], not_saved: int = 0) -> None:
        """The refused changes; the export also holds the `not_saved` changes from the
        council this laptop could not save (listed by not_applied.NotAppliedView)."""
        self._refused = refused
        self.list.clear()
        for op in self._refused:
            title, reason = refused_title(op), plain_reason(op.last_error)
            item = QListWidgetItem(self.list)
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
            self.list.setItemWidget(item, row)
        n = len(self._refused)
        self.heading.setText(
            "Nothing was refused." if not n else
            f"The council system refused {n} change{'' if n == 1 else 's'}. "
            f"{'It is' if n == 1 else 'They are'} still saved on this laptop. Choose Try again "
            "once the reason is sorted out, or export the list for IT support.")
        self.list.setVisible(bool(n))
        self.export_button.setEnabled(bool(n or not_saved))
        chain = [self.list, *self.retry_buttons(), self.export_button]
        for before, after in zip(chain, chain[1:], strict=False):   # Tab: list, rows, export
            QWidget.setTabOrder(before, after)

    def retry_buttons(self) -> list[QPushButton]:
        """The Try again buttons, one per refused change, in list order."""
        rows = [self.list.itemWidget(self.list.item(i))
                for i in range(self.list.count())]
        buttons = (r.findChild(QPushButton) for r in rows if r is not None)
        return [b for b in buttons if b is not None]

    def _retry(self, op_id: str) -> None:
        StoreOp(self, lambda store: store.outbox.retry_refused([op_id]), taskman=self.taskman
                ).success(lambda sent: self._retried(op_id, sent)).run_in_background()

    def _retried(self, op_id: str, sent: Any) -> None:
        self.message.setText("It will be sent again at the next sync." if sent else
                             "That change was already sent back.")
        self.sig_retried.emit(op_id)
        StoreOp(self, _problems, taskman=self.taskman
                ).success(lambda found: self._show_refused_keep_focus(*found)).run_in_background()

    def _show_refused_keep_focus(self, refused: list[Any], not_saved: int) -> None:
        self._show_refused(refused, not_saved)
        buttons = self.retry_buttons()
        (buttons[0] if buttons else self.export_button).setFocus()

    def _ask_export(self) -> None:
        """Where to save, with the warning shown before anything is written."""
        dialog = ExportRefusedDialog(parent=self)
        dialog.accepted.connect(lambda: self._export_to(dialog.path.text().strip()))
        self.export_dialog = dialog
        dialog.open()

    def _export_to(self, name: str) -> None:
        StoreOp(self, lambda store: write_refused(store, name), taskman=self.taskman
                ).success(lambda n: self._exported(name, n)).failure(self._export_failed
                                                                ).run_in_background()

    def _export_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, OSError):
            show_error(self, exc)
            return
        self.message.setText(f"Could not save the file ({exc.strerror}). Nothing was changed; "
                             "try another place.")

    def _exported(self, name: str, n: int) -> None:
        self.message.setText(
            f"Saved {n} refused change{'' if n == 1 else 's'} to {Path(name).name}. The file "
            "is not encrypted: delete it once IT support has it.")
