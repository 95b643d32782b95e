"""The business support officer's view of their pod: each laptop and when it last synced, what
each worker has waiting, records received and not yet filed in the council case system (with
"Mark filed" taking the case-system reference), and changes not applied (in conflict or refused).

Filing: the records to file sort by any column (Received by time) and filter by worker, kind
and how long they have waited. One record, or several of one child, is selected and named
beside the reference field; "Mark filed" (or Enter) asks first, naming each record, then holds
the filing for `undo_ms` with an Undo button (Ctrl+Z) before sending it: the council system
makes a filed record final (`gateway.legal`), so the undo happens before anything is sent. If
the app locks or quits in those seconds nothing is sent, and the record stays to be filed.
After filing nothing is selected (the next reference is never filed against a record the
officer did not pick) and the focus goes back to the list.

    view = BusinessSupportView(SupportClient(url, token), taskman=taskman, parent=window)
    view.refresh()

Every gateway call runs off the UI thread (TaskManager.run_in_pool); answers come back by signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain import Role, record_name
from rbsw_desktop.domain.instants import day_words, local_date, local_datetime, parse_instant
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
            return f"Visit on {day_words(local_date(str(f.get('visited_at', ''))))}"
        except ValueError:
            return "Visit"
    if rec.get("entity") == "review":
        try:
            return f"Review held {day_words(date.fromisoformat(str(f.get('held_on', ''))[:10]))}"
        except ValueError:
            return "Review"
    return ""


SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: How long a record has waited to be filed: (words, more than this many days).
AGES = (("Any time", 0), ("Waiting over 2 days", 2), ("Waiting over a week", 7),
        ("Waiting over 2 weeks", 14))


def waited_days(rec: dict[str, Any]) -> int:
    try:
        return (datetime.now(UTC) - parse_instant(str(rec.get("received_at", "")))).days
    except ValueError:
        return 0


def naming(rec: dict[str, Any]) -> str:
    """'the visit note for Ada Fictional (Visit on 2026-11-24)': what a confirmation names."""
    what = summary(rec)
    return (f"the {record_name(rec.get('entity', '')).lower()} for "
            f"{rec.get('child_name') or 'a child'}" + (f" ({what})" if what else ""))


@dataclass
class Filing:
    """Records confirmed as filed under one reference, not sent yet (Undo is still offered)."""

    records: list[dict[str, Any]]
    ref: str

    @property
    def ids(self) -> set[str]:
        return {str(r["id"]) for r in self.records}


class _Cell(QTableWidgetItem):
    """A cell that sorts by its key when it has one (a time as a time, not as its text)."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is not None and theirs is not None:
            return bool(mine < theirs)
        return self.text().casefold() < other.text().casefold()


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)        # Tab leaves the table; arrows move in it
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]], keys: list[str] | None = None,
          sort_keys: dict[int, list[str]] | None = None) -> None:
    sorting = table.isSortingEnabled()
    table.setSortingEnabled(False)         # rows stay where they are put while filling
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = _Cell(text)
            if keys is not None and c == 0:
                item.setData(Qt.ItemDataRole.UserRole, keys[r])
            if sort_keys and c in sort_keys:
                item.setData(SORT_ROLE, sort_keys[c][r])
            table.setItem(r, c, item)
    table.setSortingEnabled(sorting)


class BusinessSupportView(QWidget):
    sig_refreshed = Signal()
    sig_filed = Signal(str, str)          # record id, case-system reference (sent)
    sig_failed = Signal(str)              # words for a person

    def __init__(self, client: SupportClient, *, taskman: TaskManager,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.taskman = taskman
        self.overview = PodOverview()
        self.records: dict[str, dict[str, Any]] = {}      # to file, by id
        self.filing: Filing | None = None    # confirmed, waiting out the undo
        self.undo_ms = 6000
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
        self.unfiled.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.unfiled.setSortingEnabled(True)
        self.unfiled.sortByColumn(3, Qt.SortOrder.AscendingOrder)      # longest waiting first
        self.worker_filter = QComboBox()
        self.worker_filter.setAccessibleName("Show the records of")
        self.kind_filter = QComboBox()
        self.kind_filter.setAccessibleName("Show records of the kind")
        self.age_filter = QComboBox()
        self.age_filter.setAccessibleName("Show records that have waited")
        for words, days in AGES:
            self.age_filter.addItem(words, days)
        for box in (self.worker_filter, self.kind_filter, self.age_filter):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.currentIndexChanged.connect(self._apply_filters)
        self.shown = QLabel()
        self.what = QLabel("Select a record to file.", wordWrap=True)
        self.undo_label = QLabel(wordWrap=True)
        self.undo_button = QPushButton("Undo")
        self.undo_button.clicked.connect(self.undo)
        QShortcut(QKeySequence.StandardKey.Undo, self, activated=self.undo,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.undo_timer = QTimer(self, singleShot=True, timeout=self._send)
        self.confirm: QMessageBox | None = None
        self.not_applied = _table(["When", "Worker", "Kind", "What happened"],
                                  "Conflicts and refused changes")
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
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Show:"))
        for box in (self.worker_filter, self.kind_filter, self.age_filter):
            filters.addWidget(box)
        filters.addWidget(self.shown, 1)
        fl.addLayout(filters)
        fl.addWidget(self.unfiled)
        row = QHBoxLayout()
        row.addWidget(self.what, 2)
        row.addWidget(self.reference, 1)
        row.addWidget(self.file_button)
        fl.addLayout(row)
        undo_row = QHBoxLayout()
        undo_row.addWidget(self.undo_label, 1)
        undo_row.addWidget(self.undo_button)
        fl.addLayout(undo_row)
        self._show_undo(None)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("The pod's records")
        self.tabs.addTab(self.devices, "Laptops")
        self.tabs.addTab(self.workers, "Waiting per worker")
        self.tabs.addTab(filing, "To file")
        self.tabs.addTab(self.not_applied, "Conflicts and refused changes")
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
        self._show_unfiled(ov.unfiled)
        not_applied = [[when(c.get("at")), c.get("worker_name") or "", record_name(
                           c.get("entity") or ""), "Changed in two places: both versions kept "
                        "on the laptop until the worker decides"] for c in ov.conflicts]
        not_applied += [[when(f.get("at")), f.get("worker_name") or "",
                         record_name(f.get("entity") or ""),
                         f"Refused: {f.get('reason', '')}"] for f in ov.refused]
        _fill(self.not_applied, not_applied)
        self.tabs.setTabText(2, f"To file ({len(ov.unfiled)})")
        self.tabs.setTabText(3, f"Conflicts and refused changes ({len(not_applied)})")
        self.status.setText(f"{plural(len(ov.devices), 'laptop')}, "
                            f"{plural(len(ov.unfiled), 'record')} to file, "
                            f"{plural(len(not_applied), 'change')} not applied.")
        self._update_buttons()
        self.sig_refreshed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        message = plain_message(exc)
        self.status.setText(message)
        self._update_buttons()
        self.sig_failed.emit(message)

    # -- filing -------------------------------------------------------------------------------

    def _show_unfiled(self, records: list[dict[str, Any]]) -> None:
        """The records to file; what was selected stays selected by record, never by row."""
        keep = {str(r["id"]) for r in self.selected_records()}
        self.unfiled.clearSelection()
        _fill(self.unfiled, [[r.get("child_name", ""), record_name(r.get("entity", "")),
                              r.get("worker_name", ""), when(r.get("received_at")), summary(r)]
                             for r in records], [str(r["id"]) for r in records],
              {3: [str(r.get("received_at", "")) for r in records]})
        self.records = {str(r["id"]): r for r in records}
        for box, values in ((self.worker_filter, {r.get("worker_name", "") for r in records}),
                            (self.kind_filter, {record_name(r.get("entity", ""))
                                                for r in records})):
            chosen = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem("Every worker" if box is self.worker_filter else "Every kind", None)
            for value in sorted(v for v in values if v):
                box.addItem(value, value)
            box.setCurrentIndex(max(0, box.findData(chosen)))
            box.blockSignals(False)
        self._apply_filters()
        for row in range(self.unfiled.rowCount()):
            if self._row_id(row) in keep and not self.unfiled.isRowHidden(row):
                self.unfiled.selectionModel().select(
                    self.unfiled.model().index(row, 0),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows)

    def _row_id(self, row: int) -> str:
        item = self.unfiled.item(row, 0)
        return "" if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    @Slot()
    def _apply_filters(self) -> None:
        worker, kind = self.worker_filter.currentData(), self.kind_filter.currentData()
        days = self.age_filter.currentData() or 0
        held = self.filing.ids if self.filing else set()
        shown = 0
        for row in range(self.unfiled.rowCount()):
            rec = self.records.get(self._row_id(row), {})
            hide = (self._row_id(row) in held
                    or (worker is not None and rec.get("worker_name") != worker)
                    or (kind is not None and record_name(rec.get("entity", "")) != kind)
                    or (days > 0 and waited_days(rec) <= days))
            self.unfiled.setRowHidden(row, hide)
            if hide:
                self.unfiled.selectionModel().select(
                    self.unfiled.model().index(row, 0),
                    QItemSelectionModel.SelectionFlag.Deselect
                    | QItemSelectionModel.SelectionFlag.Rows)
            shown += not hide
        waiting = len(self.records) - len(held & set(self.records))
        self.shown.setText(f"Showing {shown} of {plural(waiting, 'record')} to file.")
        self._update_buttons()

    def selected_records(self) -> list[dict[str, Any]]:
        """The selected records to file, as listed (rows hidden by a filter are never in it)."""
        rows = sorted(i.row() for i in self.unfiled.selectionModel().selectedRows())
        return [self.records[self._row_id(r)] for r in rows
                if not self.unfiled.isRowHidden(r) and self._row_id(r) in self.records]

    def selected_record(self) -> str | None:
        chosen = self.selected_records()
        return str(chosen[0]["id"]) if len(chosen) == 1 else None

    @Slot()
    def _update_buttons(self) -> None:
        chosen = self.selected_records()
        cases = {r.get("case_id") for r in chosen}
        if not chosen:
            self.what.setText("Select a record to file.")
        elif len(cases) > 1:
            self.what.setText("These records are for different children: file one child's "
                              "records at a time.")
        elif len(chosen) == 1:
            rec = chosen[0]
            self.what.setText(f"Filing {naming(rec)}, from {rec.get('worker_name') or 'a worker'}"
                              f", received {when(rec.get('received_at'))}.")
        else:
            kinds = ", ".join(record_name(r.get("entity", "")).lower() for r in chosen)
            self.what.setText(f"Filing {len(chosen)} records for "
                              f"{chosen[0].get('child_name') or 'one child'}: {kinds}.")
        self.file_button.setEnabled(bool(chosen and len(cases) == 1
                                         and self.reference.text().strip()))

    @Slot()
    def mark_filed(self) -> None:
        """Ask first, naming each record; then hold the filing while Undo is offered."""
        chosen, ref = self.selected_records(), self.reference.text().strip()
        if not chosen or not ref or len({r.get("case_id") for r in chosen}) > 1 \
                or self.confirm is not None:
            return
        if self.filing is not None:
            self._send()                     # the one before goes now: one undo at a time
        names = "\n".join(f"• {naming(r)}" for r in chosen)
        box = QMessageBox(QMessageBox.Icon.Question, "Mark filed",
                          f"Mark {'this record' if len(chosen) == 1 else 'these records'} "
                          f"filed in the case system under {ref}?\n\n{names}", parent=self)
        box.setInformativeText(f"You can undo it for {self.undo_ms // 1000} seconds after.")
        yes = box.addButton("Mark filed", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(yes)
        self.confirm = box
        box.finished.connect(lambda _r: self._confirmed(box, box.clickedButton() is yes,
                                                        Filing(chosen, ref)))
        box.open()

    def _confirmed(self, box: QMessageBox, yes: bool, filing: Filing) -> None:
        self.confirm = None
        box.deleteLater()
        if not yes:
            self.reference.setFocus()
            return
        self.filing = filing
        self.reference.clear()
        self.unfiled.clearSelection()
        self.unfiled.selectionModel().clearCurrentIndex()
        self._apply_filters()
        self._show_undo(filing)
        self.unfiled.setFocus()              # where the next record is picked; none selected
        self.undo_timer.start(self.undo_ms)

    def _show_undo(self, filing: Filing | None) -> None:
        if filing is None:
            self.undo_label.clear()
        else:
            names = "; ".join(naming(r) for r in filing.records)
            self.undo_label.setText(f"Filed under {filing.ref}: {names}. Sending in "
                                    f"{self.undo_ms // 1000} seconds.")
        self.undo_label.setVisible(filing is not None)
        self.undo_button.setVisible(filing is not None)

    @Slot()
    def undo(self) -> None:
        """Before it is sent: the records are back, selected, with their reference."""
        filing, self.filing = self.filing, None
        if filing is None:
            return
        self.undo_timer.stop()
        self._show_undo(None)
        self._apply_filters()
        for row in range(self.unfiled.rowCount()):
            if self._row_id(row) in filing.ids:
                self.unfiled.selectionModel().select(
                    self.unfiled.model().index(row, 0),
                    QItemSelectionModel.SelectionFlag.Select
                    | QItemSelectionModel.SelectionFlag.Rows)
        self.reference.setText(filing.ref)
        self.status.setText(f"Not filed: {'; '.join(naming(r) for r in filing.records)}.")
        self.reference.setFocus()

    @Slot()
    def _send(self) -> None:
        filing, self.filing = self.filing, None
        if filing is None:
            return
        self.undo_timer.stop()
        self._show_undo(None)
        self.status.setText("Marking it filed…")

        def send() -> list[str]:
            for rec in filing.records:
                self.client.file_record(str(rec["id"]), filing.ref)
            return [str(rec["id"]) for rec in filing.records]

        def done(ids: list[str]) -> None:
            for record_id in ids:
                self.sig_filed.emit(record_id, filing.ref)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self._failed(exc)
            self.refresh()                   # what the council holds now, filed or not
        self.taskman.run_in_pool(send, done, failed)
