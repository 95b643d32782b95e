"""Sync in the main window: once the laptop is enrolled, the status-bar indicator, the sync
controller (by hand, on a timer, when the connection returns) and the conflict view.

What the panel needs to start (`sync_setup`: enrolled?, the keyring's address and token, the
worker's role) is read on the store thread, never the UI thread (the keyring is a D-Bus call);
the engine runs there too, over the task manager's one store connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class SyncSetup:
    url: str
    token: str = field(repr=False)     # never in a log line
    business_support: bool


def sync_setup(store: Store) -> SyncSetup | None:
    """On the store thread: None when this laptop is not enrolled; else the address and token
    from the keyring (RbswError in plain words when there is no keyring) and the role."""
    if not enrolled(store):
        return None
    url, token = credentials(store)
    worker_id = store.meta("worker_id")
    workers = store.records.find(Worker, "id = ?", [worker_id]) if worker_id else []
    return SyncSetup(url, token, bool(workers) and workers[0].role is Role.BUSINESS_SUPPORT)


class SyncPanel:
    def __init__(self, setup: SyncSetup, *, taskman: TaskManager,
                 on_changes: Callable[[SyncReport | None], None], parent: QWidget,
                 on_revoked: Any = None) -> None:
        self.parent = parent
        self.taskman = taskman
        self.setup = setup
        self.controller = SyncController(taskman, engine_for, sync_status,
                                         gateway_url=setup.url, parent=parent)
        self.controller.sig_finished.connect(on_changes)       # with the sync's report
        if on_revoked is not None:        # the window leaves the case screens (store wiped)
            self.controller.sig_revoked.connect(on_revoked)
        self.widget = SyncStatusWidget(self.controller, parent=parent)
        self.widget.sig_show_problems.connect(self.show_conflicts)

    def is_business_support(self) -> bool:
        return self.setup.business_support

    def business_support_view(self) -> BusinessSupportView:
        """The pod's devices, what is waiting, what to file: read from the gateway."""
        return BusinessSupportView(SupportClient(self.setup.url, self.setup.token),
                                   taskman=self.taskman)

    def show_conflicts(self) -> None:
        dialog = QDialog(self.parent)
        dialog.setWindowTitle("Sync problems")
        view = ConflictsView(taskman=self.taskman, parent=dialog)
        view.reload()                     # conflicts, and the changes the council refused
        QVBoxLayout(dialog).addWidget(view)
        dialog.resize(900, 560)
        dialog.open()

    def stop(self) -> None:
        """At lock: no more syncs; the running one stops between batches."""
        self.controller.stop()
        self.widget.setParent(None)
        self.widget.deleteLater()
