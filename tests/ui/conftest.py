"""UI helpers: a case tab shown over the test's real encrypted store, with a synchronous task
manager (the real-thread path has its own tests)."""

from __future__ import annotations

from typing import Any

from rbsw_desktop.store import Store
from rbsw_desktop.ui.taskman import TaskManager


def open_tab(qtbot: Any, cls: type, store: Store, case_id: str, size=(1100, 720)) -> Any:  # noqa: ANN001
    manager = TaskManager(synchronous=True)
    manager.store = store
    tab = cls(taskman=manager, case_id=case_id)
    qtbot.addWidget(tab)
    tab.resize(*size)
    tab.show()
    return tab
