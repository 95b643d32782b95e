"""UI helpers: a case tab shown over the test's real encrypted store, with a synchronous task
manager (the real-thread path has its own tests)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from rbsw_desktop.store import Store
from rbsw_desktop.ui import style
from rbsw_desktop.ui.taskman import TaskManager


@pytest.fixture(autouse=True, scope="session")
def app_style(qapp: Any) -> None:
    """The app's own look and bundled fonts for every UI test, whatever order they run in."""
    style.apply(qapp)


def store_taskman(store: Store) -> TaskManager:
    """A synchronous task manager over the test's store: each StoreOp runs at once."""
    manager = TaskManager(synchronous=True)
    manager.store = store
    return manager


def threaded_taskman(qtbot: Any, store: Store) -> TaskManager:
    """A real-thread task manager with its own connection to the test's store, opened on the
    manager's store thread as the app does (the test keeps its own connection, on its own
    thread). Lock it at the end with `close_store()`."""
    manager = TaskManager()
    data_dir, key, opened = store.data_dir, store.raw_key(), []
    manager.run_on_store_thread(lambda: Store.open_with_key(data_dir, key), opened.append,
                                opened.append)
    qtbot.waitUntil(lambda: bool(opened))
    assert isinstance(opened[0], Store), opened[0]
    manager.store = opened[0]
    return manager


def line_of(records: QListWidget, key: object) -> QListWidgetItem:
    """The line a list of records shows for one of them: `key` is the record's id (a visit, a
    direct work session), or a timeline entry's (kind, id)."""
    def shows(item: QListWidgetItem) -> bool:
        data = item.data(Qt.ItemDataRole.UserRole)
        return data == key or getattr(data, "id", None) == key
    return next(item for item in map(records.item, range(records.count())) if shows(item))


def open_tab(qtbot: Any, cls: type, store: Store, case_id: str, size=(1100, 720)) -> Any:  # noqa: ANN001
    manager = store_taskman(store)
    tab = cls(taskman=manager, case_id=case_id)
    qtbot.addWidget(tab)
    tab.resize(*size)
    tab.show()
    return tab
