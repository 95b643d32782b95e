"""A case tab's records: the "New …" button over the list of records, beside the editor (the
visits and direct work tabs)."""

from __future__ import annotations

from PySide6.QtWidgets import QListWidget, QPushButton, QSplitter, QVBoxLayout, QWidget


def list_beside_editor(new_button: QPushButton, records: QListWidget,
                       editor: QWidget) -> QSplitter:
    left = QWidget()
    column = QVBoxLayout(left)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(new_button)
    column.addWidget(records, 1)
    split = QSplitter()
    split.setAccessibleName(f"{records.accessibleName()} and the one chosen")
    split.addWidget(left)
    split.addWidget(editor)
    split.setStretchFactor(1, 1)
    split.setSizes([230, 800])
    return split
