"""Sync in the main window: once the laptop is enrolled, the status-bar indicator, the sync
controller (by hand, on a timer, when the connection returns) and the conflict view.

The engine runs on the controller's worker thread over its own connection to the store (each
thread has its own SQLite connection), opened once and closed when the app locks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from rbsw_desktop.domain import Role, Worker
from rbsw_desktop.store import Store
from rbsw_desktop.sync.device import credentials, engine_for, enrolled, sync_status
from rbsw_desktop.sync.engine import SyncReport
from rbsw_desktop.sync.support_client import SupportClient
from rbsw_desktop.ui.business_support import BusinessSupportView
from rbsw_desktop.ui.conflicts import ConflictsView
from rbsw_desktop.ui.sync_status import SyncController, SyncStatusWidget
from rbsw_desktop.ui.taskman import TaskManager


class SyncPanel:
    def __init__(self, store: Store, *, taskman: TaskManager,
                 on_changes: Callable[[SyncReport | None], None], parent: QWidget,
                 on_revoked: Any = None) -> None:
        self.parent = parent
        self.taskman = taskman
        self.ui_store = store
        self._data_dir, self._key = store.data_dir, store.raw_key()
        self._worker_store: Store | None = None
        self._lock = threading.Lock()
        url, _token = credentials(store)
        self.controller = SyncController(self._engine, self._status, gateway_url=url,
                                         parent=parent)
        self.controller.sig_finished.connect(on_changes)       # with the sync's report
        if on_revoked is not None:        # the window leaves the case screens (store wiped)
            self.controller.sig_revoked.connect(on_revoked)
        self.widget = SyncStatusWidget(self.controller, parent=parent)
        self.widget.sig_show_problems.connect(self.show_conflicts)

    @staticmethod
    def wanted(store: Store) -> bool:
        return enrolled(store)

    def _store(self) -> Store:
        with self._lock:
            if self._worker_store is None or self._worker_store.locked:
                self._worker_store = Store.open_with_key(self._data_dir, self._key)
            return self._worker_store

    def _engine(self) -> Any:
        return engine_for(self._store())

    def _status(self) -> dict:
        return sync_status(self._store())

    def is_business_support(self) -> bool:
        worker_id = self.ui_store.meta("worker_id")
        if not worker_id:
            return False
        workers = self.ui_store.records.find(Worker, "id = ?", [worker_id])
        return bool(workers) and workers[0].role is Role.BUSINESS_SUPPORT

    def business_support_view(self) -> BusinessSupportView:
        """The pod's devices, what is waiting, what to file: read from the gateway."""
        url, token = credentials(self.ui_store)
        return BusinessSupportView(SupportClient(url, token), taskman=self.taskman)

    def show_conflicts(self) -> None:
        dialog = QDialog(self.parent)
        dialog.setWindowTitle("Sync problems")
        view = ConflictsView(taskman=self.taskman, parent=dialog)
        view.reload()                     # conflicts, and the changes the council refused
        QVBoxLayout(dialog).addWidget(view)
        dialog.resize(900, 560)
        dialog.open()

    def stop(self) -> None:
        """At lock: cancel and wait for the sync thread, then close its connection."""
        self.controller.stop()
        self.widget.setParent(None)
        self.widget.deleteLater()
        with self._lock:
            if self._worker_store is not None:
                self._worker_store.lock()
                self._worker_store = None
        self._key = b""
