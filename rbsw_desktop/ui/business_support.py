"""The business support officer's view of their pod: each laptop and when it last synced, what
each worker has waiting, records received and not yet filed in the council case system (with
"Mark filed" taking the case-system reference), and conflicts and failures.

    view = BusinessSupportView(SupportClient(url, token), taskman=taskman, parent=window)
    view.refresh()

Every gateway call runs off the UI thread (TaskManager.run_in_pool); answers come back by signal.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain import Role, record_name
from rbsw_desktop.domain.instants import local_date, local_datetime
from rbsw_desktop.sync.support_client import PodOverview, SupportClient
from rbsw_desktop.ui.taskman import TaskManager, plain_message
from rbsw_desktop.ui.words import plural


def role_label(role: Any) -> str:
    """A worker's role in words ("" for one this version does not know)."""
    return Role(role).label if role in tuple(Role) else ""


def when(stamp: Any) -> str:
    """'2026-11-24T10:05:00.000Z' -> '24 Nov 10:05' in local time; nothing -> 'never'."""
    text = str(stamp or "")
    if not text:
        return "never"
    try:
        at = local_datetime(text)
    except ValueError:
        return text
    return f"{at.day} {at:%b %H:%M}"


def summary(rec: dict[str, Any]) -> str:
    f = rec.get("fields") or {}
    for key in ("text", "title", "filename", "caption"):
        if f.get(key):
            return str(f[key])[:120]
    if rec.get("entity") == "visit":
        try:
            return f"Visit on {local_date(str(f.get('visited_at', ''))).isoformat()}"
        except ValueError:
            return "Visit"
    if rec.get("entity") == "review":
        return f"Review held {f.get('held_on', '')}"
    return ""


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], keys: list[str] | None = None) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if keys is not None and c == 0:
                item.setData(Qt.ItemDataRole.UserRole, keys[r])
            table.setItem(r, c, item)


class BusinessSupportView(QWidget):
    sig_refreshed = Signal()
    sig_filed = Signal(str, str)          # record id, case-system reference
    sig_failed = Signal(str)              # words for a person

    def __init__(self, client: SupportClient, *, taskman: TaskManager,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.taskman = taskman
        self.overview = PodOverview()
        self.setAccessibleName("Business support")

        self.status = QLabel("Not loaded yet.", wordWrap=True)     # fits a small screen
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.refresh_button)

        self.devices = _table(["Worker", "Laptop", "Last synced", "Waiting on laptop", "State"],
                              "Laptops in the pod")
        self.workers = _table(["Worker", "Role", "Laptops", "Waiting on laptops",
                               "Not yet filed", "Last synced"], "What each worker has waiting")
        self.unfiled = _table(["Child", "Kind", "Worker", "Received", "What"],
                              "Records to file")
        self.problems = _table(["When", "Worker", "Kind", "What happened"],
                               "Conflicts and failures")
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("Case-system reference, e.g. LCS-000123")
        self.reference.setAccessibleName("Case-system reference")
        self.file_button = QPushButton("Mark filed")
        self.file_button.setEnabled(False)
        self.file_button.clicked.connect(self.mark_filed)
        self.unfiled.itemSelectionChanged.connect(self._update_buttons)
        self.reference.textChanged.connect(self._update_buttons)
        self.reference.returnPressed.connect(self.mark_filed)

        filing = QWidget()
        fl = QVBoxLayout(filing)
        fl.addWidget(self.unfiled)
        row = QHBoxLayout()
        row.addWidget(self.reference, 1)
        row.addWidget(self.file_button)
        fl.addLayout(row)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("The pod's records")
        self.tabs.addTab(self.devices, "Laptops")
        self.tabs.addTab(self.workers, "Waiting per worker")
        self.tabs.addTab(filing, "To file")
        self.tabs.addTab(self.problems, "Conflicts and failures")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    # -- loading ------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        self.status.setText("Loading the pod's sync state…")
        self.taskman.run_in_pool(self.client.overview, self._show, self._failed)

    def _show(self, overview: PodOverview) -> None:
        self.overview = overview
        self.refresh_button.setEnabled(True)
        ov = overview
        _fill(self.devices, [[d.get("worker_name", ""), d.get("device_name", ""),
                              when(d.get("last_sync")),
                              "not known" if d.get("pending") is None else str(d["pending"]),
                              "Removed" if d.get("revoked") else "Active"]
                             for d in ov.devices])
        _fill(self.workers, [[w.get("name", ""), role_label(w.get("role")),
                              str(w.get("devices", 0)),
                              "not known" if w.get("pending") is None else str(w["pending"]),
                              str(w.get("unfiled", 0)), when(w.get("last_sync"))]
                             for w in ov.workers])
        _fill(self.unfiled, [[r.get("child_name", ""), record_name(r.get("entity", "")),
                              r.get("worker_name", ""), when(r.get("received_at")), summary(r)]
                             for r in ov.unfiled], [str(r["id"]) for r in ov.unfiled])
        problems = [[when(c.get("at")), c.get("worker_name") or "", record_name(
                        c.get("entity") or ""), "Changed in two places: both versions kept "
                     "on the laptop until the worker decides"] for c in ov.conflicts]
        problems += [[when(f.get("at")), f.get("worker_name") or "",
                      record_name(f.get("entity") or ""),
                      f"Refused: {f.get('reason', '')}"] for f in ov.failures]
        _fill(self.problems, problems)
        self.tabs.setTabText(2, f"To file ({len(ov.unfiled)})")
        self.tabs.setTabText(3, f"Conflicts and failures ({len(problems)})")
        self.status.setText(f"{plural(len(ov.devices), 'laptop')}, "
                            f"{plural(len(ov.unfiled), 'record')} to file, "
                            f"{plural(len(problems), 'problem')}.")
        self._update_buttons()
        self.sig_refreshed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        message = plain_message(exc)
        self.status.setText(message)
        self._update_buttons()
        self.sig_failed.emit(message)

    # -- filing -------------------------------------------------------------------------------

    def selected_record(self) -> str | None:
        rows = self.unfiled.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.unfiled.item(rows[0].row(), 0)
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    @Slot()
    def _update_buttons(self) -> None:
        self.file_button.setEnabled(bool(self.selected_record()
                                         and self.reference.text().strip()))

    @Slot()
    def mark_filed(self) -> None:
        record_id, ref = self.selected_record(), self.reference.text().strip()
        if not record_id or not ref:
            return
        self.file_button.setEnabled(False)
        self.status.setText("Marking it filed…")

        def done(_answer: Any) -> None:
            self.reference.clear()
            self.sig_filed.emit(record_id, ref)
            self.refresh()
        self.taskman.run_in_pool(lambda: self.client.file_record(record_id, ref), done,
                                 self._failed)
