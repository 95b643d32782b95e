"""The board's item model: one list model per zone, with drag and drop between zones.

A drop does not change the model by itself: it asks for the move (`sig_move_requested`), the
move is written to the store (item + BoardMove, one transaction), and the board reloads. So
what is on screen is always what is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from rbsw_desktop.domain import BoardItem, RaisedBy, Zone

MIME = "application/x-rbsw-board-item"
ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ITEM_ROLE = Qt.ItemDataRole.UserRole + 2       # the BoardItem itself, for the note's look
Index = QModelIndex | QPersistentModelIndex


def describe_item(item: BoardItem, *, for_family: bool = False) -> str:
    """The board item's words, with who raised it and whether the family may have it (what a
    screen reader reads and the tooltip shows)."""
    if for_family:
        return item.text
    raised = "Raised by the family" if item.raised_by is RaisedBy.FAMILY \
        else "Raised by a professional"
    if item.shareable:
        shared = "Shared with the family"
    else:
        shared = f"Worker only, not shared: {withheld_label(item)}"
    return f"{item.text}\n{raised} · {shared} · {item.sync_state.label}"


def withheld_label(item: BoardItem) -> str:
    return item.withheld_reason.label if item.withheld_reason else "Professionals only"


def quiet_line(item: BoardItem) -> str:
    """The short line under the words: who raised it, why it is not shared, its sync state."""
    raised = "From the family" if item.raised_by is RaisedBy.FAMILY else "From a professional"
    parts = [raised] if item.shareable else [raised, withheld_label(item)]
    return " · ".join([*parts, item.sync_state.label])


class ZoneModel(QAbstractListModel):
    sig_move_requested = Signal(str, object, int)   # item id, Zone, row (-1: at the end)

    def __init__(self, zone: Zone, *, for_family: bool = False, parent: Any = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.for_family = for_family
        self.items: list[BoardItem] = []

    def set_items(self, items: list[BoardItem]) -> None:
        self.beginResetModel()
        self.items = [i for i in items if i.zone is self.zone
                      and (i.shareable or not self.for_family)]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        item = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return describe_item(item, for_family=self.for_family)
        if role == Qt.ItemDataRole.ToolTipRole and not self.for_family:
            note = f"\nWorker note: {item.worker_note}" if item.worker_note else ""
            return describe_item(item) + note
        if role == ITEM_ID_ROLE:
            return item.id
        if role == ITEM_ROLE:
            return item
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        return base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable \
            | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802
        mime = QMimeData()
        ids = [self.items[i.row()].id for i in indexes if i.isValid()]
        mime.setData(MIME, QByteArray("\n".join(ids).encode()))
        return mime

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int,  # noqa: N802
                        column: int, parent: Index) -> bool:
        return data.hasFormat(MIME)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int,  # noqa: N802
                     column: int, parent: Index) -> bool:
        if not data.hasFormat(MIME) or action == Qt.DropAction.IgnoreAction:
            return False
        if parent.isValid():
            row = parent.row()
        for item_id in bytes(data.data(MIME).data()).decode().split("\n"):
            if item_id:
                self.sig_move_requested.emit(item_id, self.zone, row)
        # The store decides; the source must not remove its row itself.
        return False
