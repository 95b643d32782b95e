"""The caseload: each child, the next statutory visit and whether it is overdue, at a glance."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from rbsw_desktop.domain.enums import EntityKind, SyncState

if TYPE_CHECKING:
    from rbsw_desktop.store import CaseSummary

Index = QModelIndex | QPersistentModelIndex
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
DUE_COLUMN = 1
SYNC_COLUMN = 4
NOT_CONNECTED = "Not connected"     # a synced record's state while sync cannot reach the council
SIZE_FROM_ROWS = 60      # the caseload's columns fit the widest of its first rows (`_fit_columns`)
SUMMARY_KINDS = (EntityKind.CASE, EntityKind.CHILD, EntityKind.VISIT)   # what a line shows


def due_text(summary: CaseSummary) -> str:
    """The caseload's words for the next statutory visit, with a sign when it is overdue (words
    and a sign, not colour alone)."""
    return ("⚠ " if summary.days_overdue else "") + summary.due_words()


class CaseloadModel(QAbstractTableModel):
    COLUMNS = ("Child", "Next statutory visit", "Work", "Family", "Sync")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[CaseSummary] = []
        self.haystacks: list[str] = []
        self.sort_keys: list[tuple[Any, ...]] = []
        self.connected = True

    def set_connected(self, connected: bool) -> None:
        """Whether this laptop reaches and signs in to the council: while it does not, a
        record the council had is "Not connected", never "Synced"."""
        if connected == self.connected:
            return
        self.connected = connected
        self._work_out()
        if self.rows:        # the one column changes; the selection stays where it is
            self.dataChanged.emit(self.index(0, SYNC_COLUMN),
                                  self.index(len(self.rows) - 1, SYNC_COLUMN))

    def set_cases(self, rows: list[CaseSummary]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._work_out()
        self.endResetModel()

    def _work_out(self) -> None:
        # Worked out once a caseload, so filtering and sorting ask no cell (a keystroke in
        # the search box filters every row on the UI thread).
        self.haystacks = [self.haystack(case) for case in self.rows]
        self.sort_keys = [self.sort_key(case) for case in self.rows]

    def put_cases(self, changed: list[CaseSummary], gone: Collection[str] = ()) -> None:
        """These cases' lines as they are now (a new case added), and those `gone` taken out;
        every other row stays as it was (its index, the selection, the scroll position)."""
        for at in reversed([n for n, case in enumerate(self.rows) if case.id in gone]):
            self.beginRemoveRows(QModelIndex(), at, at)
            del self.rows[at], self.haystacks[at], self.sort_keys[at]
            self.endRemoveRows()
        rows = {case.id: n for n, case in enumerate(self.rows)}
        for case in changed:
            row = rows.get(case.id)
            if row is None:
                end = len(self.rows)
                self.beginInsertRows(QModelIndex(), end, end)
                self.rows.append(case)
                self.haystacks.append(self.haystack(case))
                self.sort_keys.append(self.sort_key(case))
                self.endInsertRows()
            elif case != self.rows[row]:
                self.rows[row] = case
                self.haystacks[row], self.sort_keys[row] = self.haystack(case), self.sort_key(case)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def haystack(self, case: CaseSummary) -> str:
        return "\0".join(self.texts(case)).lower()

    def sort_key(self, case: CaseSummary) -> tuple[Any, ...]:
        return (case.child_name.lower(), (-case.days_overdue, case.next_visit_due or date.max),
                case.category.label.lower(), case.family_name.lower(),
                self.sync_text(case).lower())

    def sync_text(self, case: CaseSummary) -> str:
        if case.sync_state is SyncState.SYNCED and not self.connected:
            return NOT_CONNECTED
        return case.sync_state.label

    def texts(self, case: CaseSummary) -> tuple[str, ...]:
        return (case.child_name, due_text(case), case.category.label, case.family_name,
                self.sync_text(case))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.AccessibleTextRole \
                and 0 <= section < len(self.rows):      # a screen reader's name for the row
            return self.rows[section].child_name
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        case = self.rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.texts(case)[col]
        if role == CASE_ID_ROLE:
            return case.id
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:     # whole, however narrow
            return case.child_name
        if role == Qt.ItemDataRole.ToolTipRole and col == DUE_COLUMN and case.last_visit:
            return f"Last statutory visit: {case.last_visit.strftime('%d %b %Y')}"
        if role == Qt.ItemDataRole.ForegroundRole and col == DUE_COLUMN and case.days_overdue:
            return QBrush(QColor("#8c1d18"))
        if role == Qt.ItemDataRole.UserRole:   # sort key
            return self.sort_keys[index.row()][col]
        return None


class CaseloadProxy(QSortFilterProxyModel):
    """Sorted by each column's key and filtered by the words typed (any column, any case),
    from what the model worked out once."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.needle = ""

    def set_needle(self, text: str) -> None:
        if not hasattr(self, "endFilterChange"):           # Qt before 6.10
            self.needle = text.lower()
            self.invalidateRowsFilter()
            return
        self.beginFilterChange()
        self.needle = text.lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def cases(self) -> CaseloadModel:
        return cast(CaseloadModel, self.sourceModel())

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:  # noqa: N802
        return not self.needle or self.needle in self.cases().haystacks[row]

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802
        keys = self.cases().sort_keys
        column = left.column()
        return bool(keys[left.row()][column] < keys[right.row()][column])


class CaseloadView(QTableView):
    """Enter or double-click opens a case (`sig_open_case(case_id)`)."""

    sig_open_case = Signal(str)

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ = CaseloadModel(self)
        self.proxy = CaseloadProxy(self)
        self.proxy.setSourceModel(self.model_)
        self.setModel(self.proxy)
        self.setAccessibleName("Caseload")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSortingEnabled(True)
        self.sortByColumn(DUE_COLUMN, Qt.SortOrder.AscendingOrder)
        self.verticalHeader().hide()
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        # Its lines stay where they are as it is made narrower or wider (a case opened or
        # closed beside it: the columns keep their widths), so only what a resize uncovers is
        # drawn, not every line again in the frame that opens the case.
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        # Sized once a caseload arrives, from its first rows, not on every resize (an open case
        # narrowing the caseload would ask every cell again, on the UI thread); every row holds
        # two lines (the due column's most).
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setResizeContentsPrecision(SIZE_FROM_ROWS)
        header.setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().lineSpacing() * 2 + 10)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)         # Tab leaves the caseload; arrows move in it
        self.activated.connect(self._open)

    def set_cases(self, rows: list[CaseSummary]) -> None:
        chosen = self.currentIndex().data(CASE_ID_ROLE)
        if rows == self.model_.rows:
            return          # e.g. a draft saved itself: nothing moves, the choice stays
        self.model_.set_cases(rows)
        self._fit_columns()
        self._choose(chosen)

    def _choose(self, case_id: str | None) -> None:
        """The child chosen before a refresh stays chosen; else the first, so Enter opens a
        case straight after unlock."""
        rows = [self.proxy.index(row, 0) for row in range(self.proxy.rowCount())]
        found = [index for index in rows if index.data(CASE_ID_ROLE) == case_id]
        if found or rows:
            self.setCurrentIndex((found or rows)[0])

    def set_connected(self, connected: bool) -> None:
        self.model_.set_connected(connected)

    def put_cases(self, changed: list[CaseSummary], gone: Collection[str] = ()) -> None:
        """Only these rows change (`CaseloadModel.put_cases`), and a column too narrow for a
        changed row's words (a child renamed by a sync) widens to fit them."""
        first = not self.model_.rows
        self.model_.put_cases(changed, gone)
        if first and self.model_.rows:      # the first cases, brought by a sync
            self._fit_columns()
            self._choose(None)
        else:
            self._widen_for(changed)

    def _fit_columns(self) -> None:
        """Each column as wide as its widest words among the first SIZE_FROM_ROWS cases of the
        whole caseload, shown or not: sized to the few a search leaves, the other names would
        be cut off once it is cleared. (Qt measures that many rows, not all of a big caseload;
        a name longer than the column is whole in its tooltip.)"""
        needle = self.proxy.needle
        self.proxy.set_needle("")
        self.resizeColumnsToContents()
        self.proxy.set_needle(needle)

    def _widen_for(self, cases: list[CaseSummary]) -> None:
        """Each column at least as wide as these cases' words on one line, as
        `resizeColumnsToContents` measures a cell; no column narrows, so none the worker
        widened by hand moves back."""
        ids = {case.id for case in cases}
        rows = [row for row, case in enumerate(self.model_.rows) if case.id in ids]
        if not rows:
            return
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        delegate, grid = self.itemDelegate(), int(self.showGrid())
        for column in range(self.model_.columnCount()):
            words = max(delegate.sizeHint(option, self.model_.index(row, column)).width()
                        for row in rows) + grid
            if words > self.columnWidth(column):
                self.setColumnWidth(column, words)

    def set_filter(self, text: str) -> None:
        self.proxy.set_needle(text)

    def _open(self, index: QModelIndex) -> None:
        case_id = index.data(CASE_ID_ROLE)
        if case_id:
            self.sig_open_case.emit(case_id)
