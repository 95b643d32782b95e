"""The visit form's own controls: a day that may be "Not set", and small tables of rows (who was
present, who was not, the actions: what, who, by when).

Both are typed into as a person expects: Tab moves on to the next control (never types a tab
character), a day is typed as 15/12/2026 or chosen from the calendar, and a table always ends
with an empty row to type the next one into. The values are the record's own shapes: a day is
`YYYY-MM-DD` or None, a table a list of dicts (`[{"what", "who", "by_when"}]`).
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QDateEdit, QGridLayout, QLabel, QLineEdit, QWidget

#: Below every real day: the value a DayEdit holds when no day is set.
NOT_SET = QDate(2000, 1, 1)
STEP_KEYS = {Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}
SEPARATORS = {"/", ".", "-"}


class DayEdit(QDateEdit):
    """A calendar day, or "Not set". Typing a day (15/12/2026) or an arrow key starts from
    today; Delete clears it (Backspace too, when all of it is selected); Alt+Down opens the
    calendar, on this month when no day is set."""

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("dd/MM/yyyy")
        self.setMinimumDate(NOT_SET)
        self.setSpecialValueText("Not set")
        self.setDate(NOT_SET)
        self.calendarWidget().installEventFilter(self)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)    # not by the wheel: see wheelEvent

    def day(self) -> str | None:
        value = self.date()
        return None if value == NOT_SET else value.toString("yyyy-MM-dd")

    def set_day(self, text: str | None) -> None:
        """A stored day. One typed as 15/12/2026 before this form had a date control is read
        as that day (and saved as 2026-12-15); anything else shows as not set."""
        for form in ("yyyy-MM-dd", "d/M/yyyy"):
            value = QDate.fromString((text or "").strip(), form)
            if value.isValid() and value > NOT_SET:
                self.setDate(value)
                return
        self.setDate(NOT_SET)

    def is_set(self) -> bool:
        return self.date() != NOT_SET

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if self.isReadOnly():
            super().keyPressEvent(event)
            return
        key = event.key()
        if key == Qt.Key.Key_Delete or key == Qt.Key.Key_Backspace and (
                not self.is_set() or self.lineEdit().selectedText() == self.text()):
            self.setDate(NOT_SET)
            return
        alt = event.modifiers() & Qt.KeyboardModifier.AltModifier
        if key == Qt.Key.Key_F4 or alt and key == Qt.Key.Key_Down:
            self.open_calendar()
            return
        if not self.is_set() and (key in STEP_KEYS and not alt or event.text().isdigit()):
            self.setDate(QDate.currentDate())
            self.setSelectedSection(QDateEdit.Section.DaySection)
            if key in STEP_KEYS:
                return
        if event.text() in SEPARATORS and self.lineEdit().selectedText() == \
                self.sectionText(self.currentSection()):
            # Two digits moved on to the next part already: the slash typed after them must
            # not skip that part too (15/12/2026 is typed as it is written).
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        """The wheel scrolls the form past a day; it changes the day only once it is being
        typed into."""
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()

    def open_calendar(self) -> None:
        """What a click on the arrow does (Qt gives the calendar no key of its own)."""
        at = QPointF(self.width() - 3, self.height() / 2)
        super().mousePressEvent(QMouseEvent(
            QEvent.Type.MouseButtonPress, at, self.mapToGlobal(at), Qt.MouseButton.LeftButton,
            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002, N802
        """Tab steps through day, month and year; with no day set it moves straight on."""
        if self.is_set():
            return super().focusNextPrevChild(next)
        return QWidget.focusNextPrevChild(self, next)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Show and not self.is_set():
            calendar = self.calendarWidget()      # on today, yet nothing chosen until Enter
            calendar.blockSignals(True)
            calendar.setSelectedDate(QDate.currentDate())
            calendar.blockSignals(False)
        return False


Cell = QLineEdit | DayEdit


def value_of(cell: Cell, kept: str) -> str:
    """A cell's value as stored. A day written in words before this form had a calendar
    ("Friday") stays as it was written until the worker sets a day."""
    if isinstance(cell, DayEdit):
        return cell.day() or ("" if QDate.fromString(kept, "yyyy-MM-dd").isValid() else kept)
    return cell.text().strip()


class RowsTable(QWidget):
    """Rows of a few columns, one control a cell (a line of text, or a DayEdit), under their
    headings. A row with nothing in it is not kept; the last row is always empty."""

    sig_changed = Signal()
    sig_rows_added = Signal()       # the tab order takes the new controls in

    def __init__(self, columns: tuple[tuple[str, str, bool], ...], *, name: str,
                 parent: QWidget | None = None) -> None:
        """`columns`: (key, heading, is_a_day) each; `name` says what a row is, for a
        screen reader ("Action 2: who")."""
        super().__init__(parent)
        self.columns = columns
        self.name = name
        self.cells: list[list[Cell]] = []
        self.kept: list[dict[str, str]] = []    # what each row held when shown
        self.read_only = False
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)     # a place in Tab order: see focusInEvent
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        for col, (_key, heading, is_day) in enumerate(columns):
            self.grid.addWidget(QLabel(heading, objectName="hint"), 0, col)
            self.grid.setColumnStretch(col, 0 if is_day else 1)
        self.set_rows([])

    def set_rows(self, rows: list[dict[str, str]]) -> None:
        """The rows shown are filled with these, and only those missing are built (building a
        row takes milliseconds; a case opens with one table after another)."""
        wanted = [*rows, {}]
        for row in self.cells[len(wanted):]:
            for cell in row:
                self.grid.removeWidget(cell)
                cell.hide()             # gone from the screen now, deleted soon
                cell.deleteLater()
        kept, self.cells = self.cells[:len(wanted)], []
        self.kept = [dict(r) for r in rows]
        for n, values in enumerate(wanted):
            if n < len(kept):
                self.cells.append(kept[n])
                self._fill_row(kept[n], values)
                for cell in kept[n]:
                    cell.show()         # the last row was hidden on a finalised record
            else:
                self._add_row(values)
        self._show_last()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        """Tab and the label's Alt letter land in the first cell; Shift+Tab goes on past the
        table. (A focus proxy would do, but Qt sends Tab to a proxied widget wherever it sits
        in Tab order, so one left behind by the Tab order sent Tab back up the form.)"""
        if event.reason() == Qt.FocusReason.BacktabFocusReason:
            self.focusPreviousChild()
        else:
            self.cells[0][0].setFocus(event.reason())

    def rows(self) -> list[dict[str, str]]:
        out = []
        for n, row in enumerate(self.cells):
            kept = self.kept[n] if n < len(self.kept) else {}
            values = {key: value_of(cell, kept.get(key, ""))
                      for (key, _heading, _is_day), cell in zip(self.columns, row, strict=True)}
            if any(values.values()):
                out.append(values)
        return out

    def controls(self) -> list[Cell]:
        """Every cell one can reach, in reading order (row by row)."""
        rows = self.cells[:-1] if self.read_only and len(self.cells) > 1 else self.cells
        return [cell for row in rows for cell in row]

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802 - as Qt's own editors
        self.read_only = read_only
        for row in self.cells:
            for cell in row:
                cell.setReadOnly(read_only)
                cell.style().unpolish(cell)     # the read-only look follows the property
                cell.style().polish(cell)
        self._show_last()

    def _show_last(self) -> None:
        """A finalised record shows what was written, without an empty row to type into."""
        for cell in self.cells[-1]:
            cell.setHidden(self.read_only and len(self.cells) > 1)

    def _add_row(self, values: dict[str, str]) -> None:
        n = len(self.cells) + 1
        row: list[Cell] = []
        for col, (_key, heading, is_day) in enumerate(self.columns):
            cell: Cell
            if is_day:
                cell = DayEdit(parent=self)
                cell.dateChanged.connect(self._edited)
            else:
                cell = QLineEdit(parent=self)
                cell.textChanged.connect(self._edited)
            cell.setAccessibleName(f"{self.name} {n}: {heading.lower()}")
            cell.setReadOnly(self.read_only)
            self.grid.addWidget(cell, n, col)
            cell.show()                 # at once: Tab may go to it before the next paint
            row.append(cell)
        self._fill_row(row, values)
        self.cells.append(row)

    def _fill_row(self, row: list[Cell], values: dict[str, str]) -> None:
        for (key, _heading, _is_day), cell in zip(self.columns, row, strict=True):
            cell.blockSignals(True)     # filled, not typed: no new row, no save
            if isinstance(cell, DayEdit):
                cell.set_day(values.get(key))
                cell.setSpecialValueText(values[key] if values.get(key) and not cell.is_set()
                                         else "Not set")   # words from before the calendar
            else:
                cell.setText(values.get(key, ""))
            cell.blockSignals(False)

    def _edited(self, *_args: object) -> None:
        last = self.cells[-1]
        if any(isinstance(c, QLineEdit) and c.text() or isinstance(c, DayEdit) and c.is_set()
               for c in last):
            self._add_row({})
            self.sig_rows_added.emit()
        self.sig_changed.emit()
