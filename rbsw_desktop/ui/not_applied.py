"""The changes from the council system this laptop could not save (`store.outbox.not_applied`),
in the Sync problems view: what each is (never its content), when it came and why,
in words a worker understands. Everything else from the council was saved; these are kept as
they arrived, so nothing is lost, until a newer version of the record arrives and saves; the
refused changes' "Export for IT support..." (`refused.py`) writes them out with their details.

    view = NotAppliedView(taskman=taskman, parent=window)
    view.reload()                 # the store call is a StoreOp on the task manager's store thread
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from rbsw_desktop.domain import record_name
from rbsw_desktop.domain.instants import local_datetime
from rbsw_desktop.ui.taskman import StoreOp, TaskManager

#: The store's and the sync engine's reasons (rbsw_desktop/store/sync_state.py,
#: rbsw_desktop/sync/engine.py) in a worker's words.
_REASONS = (
    ("does not know records of kind", "This version of the app does not know this kind of "
                                      "record. Updating the app should let it be saved."),
    ("cannot be read", "It came in a form this version of the app cannot read (for example a "
                       "number too large to keep). IT support can see the details."),
    ("do not fit", "Its details do not fit what this laptop keeps for this kind of record. IT "
                   "support can see which."),
    ("store refused", "Its details do not fit what this laptop keeps for this kind of record. "
                      "IT support can see which."),
)


def plain_pulled_reason(reason: str | None) -> str:
    """Why a change from the council was not saved here, in plain words."""
    low = (reason or "").lower()
    for key, words in _REASONS:
        if key in low:
            return words
    return "This laptop could not save it. IT support can see why."


def not_applied_title(problem: Any) -> str:
    """What the change is, without its content: the kind of record and when it arrived."""
    what = record_name(problem.entity) if problem.entity else "A record"
    try:
        when = local_datetime(str(problem.received_at))
    except ValueError:
        return f"{what} from the council system"
    return f"{what} from the council system, received {when:%d %b %Y at %H:%M}"


class NotAppliedView(QWidget):
    """The pulled changes this laptop could not save, each with its reason."""

    def __init__(self, *, taskman: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self.heading = QLabel("Everything from the council system was saved.")
        self.heading.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Changes from the council system not saved on this laptop")
        self.list.setWordWrap(True)
        self.list.hide()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 8, 0, 0)
        box.addWidget(QLabel("<b>Not saved from the council system</b>"))
        box.addWidget(self.heading)
        box.addWidget(self.list, 1)

    def reload(self) -> None:
        StoreOp(self, lambda store: store.outbox.not_applied(), taskman=self.taskman
                ).success(self._show).run_in_background()

    def _show(self, problems: list[Any]) -> None:
        self.list.clear()
        for problem in problems:
            title, reason = not_applied_title(problem), plain_pulled_reason(problem.reason)
            item = QListWidgetItem(self.list)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{title}. {reason}")
            label = QLabel(f"<b>{html.escape(title)}</b><br>{html.escape(reason)}")
            label.setWordWrap(True)
            label.setToolTip(problem.reason)
            label.setContentsMargins(8, 6, 8, 6)
            item.setSizeHint(label.sizeHint())
            self.list.setItemWidget(item, label)
        n = len(problems)
        self.heading.setText(
            "Everything from the council system was saved." if not n else
            f"{n} change{'' if n == 1 else 's'} from the council system could not be saved on "
            "this laptop. Everything else was saved, and "
            f"{'it is' if n == 1 else 'they are'} kept here so nothing is lost. Please tell "
            "IT support.")
        self.list.setVisible(bool(n))
