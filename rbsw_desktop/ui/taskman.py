"""Background work for the UI: one thread for everything that touches the store, a pool for the
rest (network, PDF). Results come back to the UI thread by signal (Anki's taskman + ops).

    StoreOp(parent, lambda store: store.board.items(case_id)).success(show).run_in_background()

`fn` runs off the UI thread with the unlocked store and never touches a widget. Every exception
reaches `.failure()` or, by default, a plain-words error dialog. The records a StoreOp wrote (the
store notes each one, see `Store.collect_changes`) are announced through
`TaskManager.sig_changes_applied` as a `Changes`, so each view refreshes only what changed.
Tests make the manager synchronous (`synchronous=True`): StoreOps then run at once on the calling
thread, so most UI tests need no waiting.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.errors import RbswError, StoreLocked
from rbsw_desktop.logs import log_failure
from rbsw_desktop.store import Store

log = logging.getLogger(__name__)

UNEXPECTED = ("Something went wrong, and nothing was changed. Your saved work is safe. "
              "If it happens again, tell IT support (the details are in the app's log).")


def plain_message(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, RbswError) else UNEXPECTED


class _Relay(QObject):
    """Lives on the UI thread; a signal emitted from a worker is delivered here, queued."""

    sig_done = Signal(object, object)   # (callback, value)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay,
                 on_success: Callable[[Any], None], on_failure: Callable[[BaseException], None]):
        super().__init__()
        self.fn, self.relay = fn, relay
        self.on_success, self.on_failure = on_success, on_failure

    def run(self) -> None:
        try:
            value = self.fn()
        except BaseException as exc:  # noqa: BLE001 - every failure reaches the UI
            self.relay.sig_done.emit(self.on_failure, exc)
        else:
            self.relay.sig_done.emit(self.on_success, value)


class TaskManager(QObject):
    sig_changes_applied = Signal(object, object)   # (Changes, initiator)
    sig_busy = Signal(bool)

    _current: TaskManager | None = None

    def __init__(self, *, synchronous: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.store: Store | None = None
        self.cancel_event = threading.Event()
        self._store_pool = QThreadPool(self)
        self._store_pool.setMaxThreadCount(1)     # the store is used from one thread at a time
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._relay = _Relay(self)
        self._relay.sig_done.connect(self._deliver)
        self._running = 0
        TaskManager._current = self

    @classmethod
    def current(cls) -> TaskManager:
        if cls._current is None:
            raise RuntimeError("no TaskManager yet")
        return cls._current

    # -- running ------------------------------------------------------------------------------

    def run_on_store(self, fn: Callable[[Store], Any], on_success: Callable[[Any], None],
                     on_failure: Callable[[BaseException], None]) -> None:
        def with_store() -> Any:
            store = self.store
            if store is None or store.locked:
                raise StoreLocked()
            return fn(store)
        self._start(with_store, on_success, on_failure, self._store_pool)

    def run_in_pool(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
                    on_failure: Callable[[BaseException], None]) -> None:
        """Work that does not touch the store (network, files)."""
        self._start(fn, on_success, on_failure, self._pool)

    def _start(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
               on_failure: Callable[[BaseException], None], pool: QThreadPool) -> None:
        self._running += 1
        if self._running == 1:
            self.sig_busy.emit(True)
        if self.synchronous:
            try:
                value = fn()
            except BaseException as exc:  # noqa: BLE001
                self._deliver(on_failure, exc)
            else:
                self._deliver(on_success, value)
            return
        pool.start(_Job(fn, self._relay, on_success, on_failure))

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        self._running -= 1
        if self._running == 0:
            self.sig_busy.emit(False)
        callback(value)

    def changes_applied(self, changes: Changes, initiator: object = None) -> None:
        if changes:
            self.sig_changes_applied.emit(changes, initiator)

    def wait(self, msecs: int = -1) -> bool:
        """Wait for queued work (tests, shutdown). True when everything finished."""
        ok = self._store_pool.waitForDone(msecs) and self._pool.waitForDone(msecs)
        return bool(ok)

    def shutdown(self, msecs: int = 10_000) -> None:
        """At exit: ask long jobs to stop between batches, then wait for the threads."""
        self.cancel_event.set()
        self.wait(msecs)


class StoreOp:
    """One user action on the store, run in the background (Anki's `CollectionOp`):
    `StoreOp(parent, fn).success(cb).run_in_background()`. Not a sync op (`protocol.Op`)."""

    def __init__(self, parent: QWidget | None, fn: Callable[[Store], Any], *,
                 taskman: TaskManager | None = None) -> None:
        self.parent = parent
        self.fn = fn
        self.taskman = taskman or TaskManager.current()
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None

    def success(self, cb: Callable[[Any], None]) -> StoreOp:
        self._success = cb
        return self

    def failure(self, cb: Callable[[BaseException], None]) -> StoreOp:
        self._failure = cb
        return self

    def run_in_background(self) -> None:
        def run(store: Store) -> tuple[Any, Changes]:
            with store.collect_changes() as written:
                value = self.fn(store)
            return value, written.changes
        self.taskman.run_on_store(run, self._on_success, self._on_failure)

    def _parent_alive(self) -> bool:
        return self.parent is None or shiboken6.isValid(self.parent)

    def _on_success(self, outcome: tuple[Any, Changes]) -> None:
        value, changes = outcome
        self.taskman.changes_applied(changes, self.parent)
        if self._success is not None and self._parent_alive():
            self._success(value)

    def _on_failure(self, exc: BaseException) -> None:
        if not isinstance(exc, RbswError):
            log_failure(log, "background operation failed", exc)
        if self._failure is not None:
            if self._parent_alive():
                self._failure(exc)
            return
        show_error(self.parent if self._parent_alive() else None, exc)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, "rbsw-desktop", plain_message(exc),
                      QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName("Error message")
    box.open()
