"""A case tab's records: the "New …" button over the list of records, beside the editor (the
visits and direct work tabs); the lines of such a list (the timeline's too), refreshed a record
at a time from what changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStyle,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from rbsw_desktop.domain.entities import Record

T = TypeVar("T")
R = TypeVar("R", bound=Record)

#: Lines a list writes in one turn of the event loop: a few milliseconds, well under a frame.
SLICE_ROWS = 15


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


class WidthWatch(QObject):
    """Calls `changed` once the list's width has changed, in the next turn of the event loop
    (once for a run of resizes, as a splitter is dragged)."""

    def __init__(self, widget: QListWidget, changed: Callable[[], None]) -> None:
        super().__init__(widget)
        self._later = QTimer(self, singleShot=True, interval=0)
        self._later.timeout.connect(changed)
        widget.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize and isinstance(event, QResizeEvent) \
                and event.size().width() != event.oldSize().width():
            self._later.start()
        return False


class RecordLines(Generic[T]):
    """The lines of a list of records (visits, direct work sessions, the timeline), one a
    record, in order, refreshed a record at a time: a changed record's line is rewritten in
    place, a new one goes where it sorts, a removed one goes; every other line keeps its item,
    and the list keeps its current line and scroll position, so nothing moves under the
    worker. A long list (a big case's hundreds of visits) is written SLICE_ROWS lines per turn
    of the event loop, so no one turn holds the UI thread for all of them; the lines of records
    shown already are rewritten at once (a few), and a line chosen is scrolled to. Each line
    keeps the size its words take at the list's width, worked out as it is written and again
    when the width changes, so laying the list out again (as each slice comes) measures no
    words."""

    def __init__(self, widget: QListWidget, *, key: Callable[[T], Hashable],
                 title: Callable[[T], str], order: Callable[[T], Any],
                 data: Callable[[T], Any], empty: str = "") -> None:
        """Newest first by `order`; `data(record)` is each item's UserRole; `empty` is the
        line shown when there are none."""
        self.widget = widget
        self.key, self.title, self.order, self.data, self.empty = key, title, order, data, empty
        self.records: dict[Hashable, T] = {}
        self._items: dict[Hashable, QListWidgetItem] = {}
        self._unwritten: set[Hashable] = set()   # records whose line is not written yet
        self._sorted: list[T] = []              # the lines in order, written up to `_row`
        self._row = 0
        self._chosen: Hashable | None = None    # to be the current line once written
        self._timer = QTimer(widget, singleShot=True, interval=0)
        self._timer.timeout.connect(self._write_slice)
        self._width_watch = WidthWatch(widget, self._resize_lines)

    def show(self, records: Iterable[T]) -> None:
        """The whole list as it is now: a line whose record is not among them goes."""
        wanted = {self.key(r): r for r in records}
        self.put(wanted.values(), gone=set(self.records) - set(wanted))

    def put(self, records: Iterable[T], gone: Iterable[Hashable] = ()) -> None:
        """These records as they are now, and the lines of those `gone` taken out."""
        widget = self.widget
        widget.blockSignals(True)
        if self.empty and widget.count() and widget.item(0).data(Qt.ItemDataRole.UserRole) \
                is None:
            widget.takeItem(0)                  # the "nothing yet" line
        for key in gone:
            self.records.pop(key, None)
            self._unwritten.discard(key)
            item = self._items.pop(key, None)
            if item is not None:
                widget.takeItem(widget.row(item))
        at_once = SLICE_ROWS        # lines shown already are rewritten at once (a few)
        option = self._option()
        for record in records:
            key = self.key(record)
            self.records[key] = record
            item = self._items.get(key)
            if item is not None and at_once > 0:
                at_once -= 1
                self._write(item, record, option)
            else:
                self._unwritten.add(key)
        widget.blockSignals(False)
        self._sorted = sorted(self.records.values(), key=self.order, reverse=True)
        self._row = 0
        self._write_slice()

    def _write_slice(self) -> None:
        """The next SLICE_ROWS lines written and put in their place; the rest next turn."""
        widget = self.widget
        current, scroll = widget.currentItem(), widget.verticalScrollBar().value()
        chosen, option = None, self._option()
        widget.blockSignals(True)
        end = self._row + SLICE_ROWS
        for row, record in enumerate(self._sorted[self._row:end], start=self._row):
            key = self.key(record)
            item = self._items.get(key)
            if item is None:
                item = self._items[key] = QListWidgetItem()
            if key in self._unwritten:
                self._unwritten.discard(key)
                self._write(item, record, option)
            if widget.item(row) is not item:
                if widget.row(item) >= 0:
                    widget.takeItem(widget.row(item))
                widget.insertItem(row, item)
            if key == self._chosen:
                self._chosen, current, chosen = None, item, item
        self._row = end
        if not self.records and self.empty:
            widget.addItem(self.empty)
        if current is not None and widget.row(current) >= 0 and widget.currentItem() is not current:
            widget.setCurrentItem(current)
        if chosen is not None:
            widget.scrollToItem(chosen)
        else:
            widget.verticalScrollBar().setValue(scroll)
        widget.blockSignals(False)
        if self._row < len(self._sorted):
            self._timer.start()

    def _write(self, item: QListWidgetItem, record: T, option: QStyleOptionViewItem) -> None:
        title = self.title(record)
        item.setText(title)
        item.setData(Qt.ItemDataRole.UserRole, self.data(record))
        self._size(item, option)

    def _size(self, item: QListWidgetItem, option: QStyleOptionViewItem) -> None:
        """The size Qt's own item delegate gives the line's words at the list's width, kept in
        the line. Qt lays the whole list out again whenever a line comes or goes, asking every
        line its size, and a word-wrapped line's size is a text layout; a kept one is read
        without any (the lines hold words only: no icon or font of their own)."""
        option.text = item.text().replace("\n", "\u2028")   # as the delegate shows a break
        item.setSizeHint(self.widget.style().sizeFromContents(
            QStyle.ContentsType.CT_ItemViewItem, option, QSize(), self.widget))

    def _option(self) -> QStyleOptionViewItem:
        """A line as the list lays it out now: its font and features, and the room Qt gives it
        (the list's width inside the spacing around each line)."""
        option = QStyleOptionViewItem()
        widget = self.widget
        widget.initViewItemOption(option)
        option.features |= QStyleOptionViewItem.ViewItemFeature.HasDisplay
        room = widget.viewport().size() - QSize(2 * widget.spacing(), 2 * widget.spacing())
        option.rect = QRect(0, 0, max(room.width(), 1), max(room.height(), 1))
        return option

    def _resize_lines(self) -> None:
        """Every line written sized again for the list's new width, then laid out once."""
        option, model = self._option(), self.widget.model()
        model.blockSignals(True)            # one layout for them all, below, not one a line
        for key, item in self._items.items():
            if key not in self._unwritten:
                self._size(item, option)
        model.blockSignals(False)
        self.widget.doItemsLayout()

    def choose(self, key: Hashable) -> None:
        """This record's line becomes the current one (quietly: nothing opens) and is scrolled
        to, now or as soon as it is written."""
        item = self._items.get(key)
        if item is not None and self.widget.row(item) >= 0:
            self.widget.blockSignals(True)
            self.widget.setCurrentItem(item)
            self.widget.blockSignals(False)
        elif key in self.records:
            self._chosen = key

    def clear(self) -> None:
        self._timer.stop()
        self.records.clear()
        self._items.clear()
        self._unwritten.clear()
        self._sorted, self._row, self._chosen = [], 0, None
        self.widget.blockSignals(True)      # clearing moves the current line: nothing opens
        QListWidget.clear(self.widget)      # Qt's own (the timeline's clear() comes here)
        self.widget.blockSignals(False)


def stamped_only(stored: R, shown: R) -> R | None:
    """`shown` at `stored`'s revision and sync state when nothing else differs (this laptop's
    own save, stamped by a push): the editor carries on from it. None when `stored` is another
    version (a colleague's, pulled)."""
    if dataclasses.replace(stored, rev=shown.rev, sync_state=shown.sync_state) != shown:
        return None
    return dataclasses.replace(shown, rev=stored.rev, sync_state=stored.sync_state)
