"""The keyboard-friendly tables the ecomap and genogram are edited in: type into a cell to
change it, Enter keeps it; a column of choices opens a list (arrow keys or the first letter)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

VALUE = Qt.ItemDataRole.UserRole          # what is kept; the cell shows its label
Index = QModelIndex | QPersistentModelIndex


class ChoiceDelegate(QStyledItemDelegate):
    """A column of fixed choices: `choices` are (value, label); the editor is a list."""

    def __init__(self, choices: Sequence[tuple[str, str]], parent: QWidget) -> None:
        super().__init__(parent)
        self.choices = list(choices)

    def createEditor(self, parent: QWidget, _option: QStyleOptionViewItem,  # noqa: N802
                     _index: Index) -> QWidget:
        box = QComboBox(parent)
        for value, label in self.choices:
            box.addItem(label, value)
        return box

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(0, editor.findData(index.data(VALUE))))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,  # noqa: N802
                     index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), VALUE)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.DisplayRole)

    def set_choices(self, choices: Sequence[tuple[str, str]]) -> None:
        self.choices = list(choices)


def edit_table(headers: Sequence[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                          | QAbstractItemView.EditTrigger.DoubleClicked
                          | QAbstractItemView.EditTrigger.EditKeyPressed)
    table.setTabKeyNavigation(False)        # Tab leaves the table; arrows move in it
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)      # the names
    table.verticalHeader().setVisible(False)
    return table


def text_cell(text: str) -> QTableWidgetItem:
    return QTableWidgetItem(text)


def choice_cell(value: str, labels: dict[str, str]) -> QTableWidgetItem:
    item = QTableWidgetItem(labels.get(value, value))
    item.setData(VALUE, value)
    return item


def check_cell(on: bool, label: str) -> QTableWidgetItem:
    item = QTableWidgetItem(label)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                  | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
    return item


def cell_text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item is not None else ""


def cell_value(table: QTableWidget, row: int, column: int, default: str) -> str:
    item = table.item(row, column)
    value = item.data(VALUE) if item is not None else None
    return str(value) if value else default


def cell_checked(table: QTableWidget, row: int, column: int) -> bool:
    item = table.item(row, column)
    return item is not None and item.checkState() == Qt.CheckState.Checked
