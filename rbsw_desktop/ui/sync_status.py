"""Sync in the app: a controller that runs the engine as a long job on the task manager's
store thread (cancellable, with progress) when the connection returns (Qt's
QNetworkInformation plus a probe of the gateway, in the task manager's pool), on a timer, or by
hand; and the status-bar widget that shows offline / syncing with progress / synced at HH:MM /
N waiting / needs attention.

    controller = SyncController(taskman, engine_for, sync_status, parent=window)
    window.statusBar().addPermanentWidget(SyncStatusWidget(controller, parent=window))

`engine_factory(store)` and `status_reader(store)` run on the store thread with the task
manager's store: the engine, and the counts to show (`pending`, `conflicts`, `quarantined`,
`last_sync`).
"""

from __future__ import annotations

import logging
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from rbsw_desktop.domain.instants import local_datetime
from rbsw_desktop.errors import KeyringLocked, RbswError
from rbsw_desktop.ui.a11y import StatusLabel
from rbsw_desktop.ui.taskman import Progress, TaskManager

if TYPE_CHECKING:
    from rbsw_desktop.store import Store

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 3.0
SYNC_AFTER_SAVE_MS = 5000      # a save is sent this long after the last one, when online


class SyncPhase(StrEnum):
    OFFLINE = "offline"
    SYNCING = "syncing"
    SYNCED = "synced"
    WAITING = "waiting"
    ATTENTION = "attention"


@dataclass(frozen=True)
class SyncView:
    """What the status bar shows."""

    phase: SyncPhase
    text: str
    done: int = 0
    total: int = 0
    detail: str = ""
    action: str = "Sync now"        # the button's words

    @property
    def connected(self) -> bool | None:
        """Whether this laptop reaches and signs in to the council (None: syncing, not known
        yet)."""
        return None if self.phase is SyncPhase.SYNCING else self.phase is not SyncPhase.OFFLINE


def describe(status: dict[str, Any], *, online: bool, report: Any = None) -> SyncView:
    """Plain words for the status bar from the store's counts and the last report; a warning
    (e.g. this laptop's clock far out of step with the council's) is added to the words and
    the tooltip."""
    view = _describe(status, online=online, report=report)
    warnings = [str(w) for w in (getattr(report, "warnings", None) or []) if w]
    if not warnings:
        return view
    clock = any("clock" in w for w in warnings)
    return SyncView(view.phase, view.text + (" - check the clock" if clock else " - see note"),
                    view.done, view.total, " ".join([view.detail or view.text, *warnings]))


def _describe(status: dict[str, Any], *, online: bool, report: Any = None) -> SyncView:
    errors = list(getattr(report, "errors", []) or [])
    n = sum(int(status.get(key) or 0) for key in ("conflicts", "quarantined",
                                                     "pulled_quarantined"))
    if n:
        return SyncView(SyncPhase.ATTENTION, f"Needs attention ({n})",
                        detail="Some records need a decision, were refused, or could not be "
                               "saved here. Open Sync problems to see them.")
    if not online or (errors and report is not None and not report.pull_finished):
        waiting = int(status.get("pending") or 0)
        text = "Offline" + (f" - {waiting} waiting" if waiting else "")
        return SyncView(SyncPhase.OFFLINE, text, detail=errors[0] if errors else
                        "No connection to the council system. Your work is safe here.")
    if status.get("pending"):
        return SyncView(SyncPhase.WAITING, f"{status['pending']} waiting")
    last = status.get("last_sync")
    if last:
        try:
            when = local_datetime(str(last))
            return SyncView(SyncPhase.SYNCED, f"Synced at {when:%H:%M}")
        except ValueError:
            pass
    return SyncView(SyncPhase.WAITING, "Not synced yet")


def gateway_answers(url: str) -> bool:
    """Whether the gateway is there (network: the task manager's pool, never the UI thread)."""
    try:
        with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT) as resp:  # noqa: S310
            return bool(resp.status < 500)
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


class SyncController(QObject):
    """Starts sync by hand, on a timer, and when the connection returns; never blocks the UI."""

    sig_view_changed = Signal(object)          # SyncView
    sig_finished = Signal(object)              # SyncReport or None
    sig_revoked = Signal(str)                  # the message; the store is wiped

    def __init__(self, taskman: TaskManager, engine_factory: Callable[[Store], Any],
                 status_reader: Callable[[Store], dict], *, gateway_url: str = "",
                 interval_ms: int = 5 * 60 * 1000, after_save_ms: int = SYNC_AFTER_SAVE_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.taskman = taskman
        self.engine_factory, self.status_reader = engine_factory, status_reader
        self.gateway_url = gateway_url.rstrip("/")
        self.online = True
        self.running = False
        self.view = SyncView(SyncPhase.WAITING, "Not synced yet")
        self._cancel = threading.Event()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.sync_now)
        self._timer.start()
        self._soon = QTimer(self, singleShot=True, interval=after_save_ms)
        self._soon.timeout.connect(self._sync_soon_due)
        self._watch_network()

    # -- connectivity -------------------------------------------------------------------------

    def _watch_network(self) -> None:
        try:
            from PySide6.QtNetwork import QNetworkInformation
        except ImportError:      # pragma: no cover - QtNetwork ships with PySide6-Essentials
            return
        if not QNetworkInformation.loadBackendByFeatures(
                QNetworkInformation.Feature.Reachability):
            return
        info = QNetworkInformation.instance()
        if info is not None:
            info.reachabilityChanged.connect(self._on_reachability)

    @Slot(object)
    def _on_reachability(self, reachability: Any) -> None:
        from PySide6.QtNetwork import QNetworkInformation
        reachable = reachability in (QNetworkInformation.Reachability.Online,
                                     QNetworkInformation.Reachability.Site,
                                     QNetworkInformation.Reachability.Local)
        if reachable:
            self.probe()
        else:
            self._set_online(False)

    def probe(self) -> None:
        """Ask the gateway if it is there; sync when it is."""
        if not self.gateway_url:
            self.sync_now()
            return
        url = self.gateway_url + "/api/v1/openapi.json"
        self.taskman.run_in_pool(lambda: gateway_answers(url), self._on_probe,
                                 lambda _exc: self._on_probe(False))

    @Slot(bool)
    def _on_probe(self, ok: bool) -> None:
        self._set_online(ok)
        if ok:
            self.sync_now()

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            if not online and not self.running:
                self._show(SyncView(SyncPhase.OFFLINE, "Offline", detail=(
                    "No connection to the council system. Your work is safe here.")))

    # -- running ------------------------------------------------------------------------------

    @Slot()
    def sync_now(self) -> bool:
        """Start a sync unless one is running. Returns whether it started."""
        if self.running:
            return False
        self.running = True
        self._cancel.clear()
        self._show(SyncView(SyncPhase.SYNCING, "Syncing..."))
        self.taskman.run_long(self._sync, cancel=self._cancel, on_progress=self._on_progress,
                              on_success=lambda done: self._on_done(*done, ""),
                              on_failure=self._on_failed)
        return True

    @Slot()
    def sync_soon(self) -> None:
        """A change was saved: sync a few seconds after the last of a run of saves (each
        restarts the wait), when online; offline, the connection's return syncs it."""
        if self.online:
            self._soon.start()

    def _sync_soon_due(self) -> None:
        if self.running:
            self._soon.start()          # after the sync under way, what was saved during it
        else:
            self.sync_now()

    def _sync(self, store: Store, cancelled: Callable[[], bool],
              progress: Progress) -> tuple[Any, dict]:
        """On the store thread: one sync, then the counts to show (none once wiped)."""
        report = self.engine_factory(store).sync_once(cancel=cancelled, progress=progress)
        return report, ({} if report.wiped else self.status_reader(store))

    def stop(self) -> None:
        """At lock or exit: no more syncs, and the one running stops between batches (the task
        manager's `wait()` waits for it)."""
        self._timer.stop()
        self._soon.stop()
        self._cancel.set()

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, KeyringLocked):          # what is wrong, and what to do
            self.running = False
            self._show(SyncView(SyncPhase.OFFLINE, exc.short, detail=str(exc),
                                action=exc.action))
            self.sig_finished.emit(None)
            return
        if isinstance(exc, RbswError):
            self._on_done(None, {}, str(exc))
            return
        log.error("sync job failed: %s", type(exc).__name__)  # the UI hears about every failure
        self._on_done(None, {}, "Sync stopped unexpectedly. Your work is safe here; "
                                "it will try again.")

    @Slot(str, int, int)
    def _on_progress(self, stage: str, done: int, total: int) -> None:
        words = {"blobs": "Sending photos", "push": "Sending", "pull": "Receiving"}
        self._show(SyncView(SyncPhase.SYNCING, f"{words.get(stage, 'Syncing')}...", done,
                            max(total, done)))

    def _on_done(self, report: Any, status: dict, error: str) -> None:
        self.running = False
        if report is not None and report.wiped:
            self._show(SyncView(SyncPhase.ATTENTION, "Signed out", detail=report.errors[0]))
            self.sig_revoked.emit(report.errors[0])
            self.sig_finished.emit(report)
            return
        if error:
            self._show(SyncView(SyncPhase.OFFLINE, "Not synced", detail=error))
        else:
            online = not (report and report.errors and not report.pull_finished)
            self.online = online
            self._show(describe(status, online=online, report=report))
        self.sig_finished.emit(report)

    def _show(self, view: SyncView) -> None:
        self.view = view
        self.sig_view_changed.emit(view)


class SyncStatusWidget(QWidget):
    """The status-bar indicator: words, a progress bar while syncing, and "Sync now"."""

    sig_show_problems = Signal()

    def __init__(self, controller: SyncController, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.label = StatusLabel("Sync status", controller.view.text)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Sync progress")
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.button = QPushButton("Sync now")
        self.button.setAccessibleName("Sync now")
        self.button.clicked.connect(controller.sync_now)
        self.problems = QPushButton("Show")
        self.problems.setAccessibleName("Show sync problems")
        self.problems.clicked.connect(self.sig_show_problems)
        self.problems.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        for w in (self.label, self.progress, self.problems, self.button):
            layout.addWidget(w)
        controller.sig_view_changed.connect(self.show_view)
        self.show_view(controller.view)

    @Slot(object)
    def show_view(self, view: SyncView) -> None:
        if view.phase in (SyncPhase.OFFLINE, SyncPhase.ATTENTION) and view.detail:
            self.label.announce(view.text)       # sync stopped or needs a person: said aloud
        else:
            self.label.setText(view.text)
        self.setToolTip(view.detail or view.text)
        self.button.setText(view.action)
        self.button.setAccessibleName(view.action)
        syncing = view.phase is SyncPhase.SYNCING
        self.progress.setVisible(syncing)
        if syncing:
            self.progress.setRange(0, view.total or 0)
            self.progress.setValue(view.done)
        self.button.setEnabled(not syncing)
        self.problems.setVisible(view.phase is SyncPhase.ATTENTION)
