"""Background work for the UI: one thread for everything that touches the store, a pool for the
rest (network, PDF). Results come back to the UI thread by signal (Anki's taskman + ops).

    StoreOp(parent, lambda store: store.board.items(case_id)).success(show).run_in_background()

`fn` runs off the UI thread with the unlocked store and never touches a widget. Every exception
reaches `.failure()` or, by default, a plain-words error dialog. The records a StoreOp wrote (the
store notes each one, see `Store.collect_changes`) are announced through
`TaskManager.sig_changes_applied` as a `Changes`, so each view refreshes only what changed.
Tests make the manager synchronous (`synchronous=True`): StoreOps then run at once on the calling
thread, so most UI tests need no waiting.

The store's thread is one long-lived thread: the store is opened there (`run_on_store_thread`,
the KDF included), used there, and locked there, so its connection never changes thread (the
debug check in `store.db` catches one that does). A long job (sync) runs there too
(`run_long`): it checks a cancel flag between batches and reports progress by signal.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.errors import RbswError, StoreLocked
from rbsw_desktop.logs import log_failure

if TYPE_CHECKING:       # the store's code is imported on the store thread, not before the window
    from rbsw_desktop.store import Store

log = logging.getLogger(__name__)

#: What a long job is given to report with: progress(stage, done, total).
Progress = Callable[[str, int, int], None]

#: Seconds a thread waits for Python's lock before asking a busy one to let go (Python's own is
#: 0.005): a pool thread painting or parsing then holds the UI thread up by at most this at each
#: of its calls into Qt, not 5 ms at each (several in a frame).
SWITCH_INTERVAL = 0.0005

#: The longest the store thread waits for the UI thread to draw a screen just shown
#: (`TaskManager.hold_for_a_frame`).
FRAME_HOLD_S = 0.05

UNEXPECTED = ("Something went wrong, and nothing was changed. Your saved work is safe. "
              "If it happens again, tell IT support (the details are in the app's log).")


def plain_message(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, RbswError) else UNEXPECTED


class _Relay(QObject):
    """Lives on the UI thread; a signal emitted from a worker is delivered here, queued."""

    sig_done = Signal(object, object)   # (callback, value)
    sig_progress = Signal(object, object)   # (callback, (stage, done, total))


class _FrameWatch(QObject):
    """Watches a window (its own events, not its children's) for the next frame it draws."""

    def __init__(self, drawing: Callable[[QObject], None], parent: QObject) -> None:
        super().__init__(parent)
        self.drawing = drawing

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.UpdateRequest:
            self.drawing(watched)
        return False


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
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.store: Store | None = None
        self.cancel_event = threading.Event()
        # One thread, kept for the manager's life (a QThreadPool's threads expire and come back
        # as other threads): the store is opened, used and locked on it.
        self._store_thread = ThreadPoolExecutor(1, thread_name_prefix="rbsw-store")
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._relay = _Relay(self)
        self._relay.sig_done.connect(self._deliver)
        self._relay.sig_progress.connect(self._report)
        self._running = 0
        self._holds: list[threading.Event] = []     # see hold_for_a_frame
        self._frame_watch = _FrameWatch(self._frame_drawing, self)
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
        self._start(with_store, on_success, on_failure, None)

    def run_on_store_thread(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
                            on_failure: Callable[[BaseException], None]) -> None:
        """Work on the store's thread that needs no unlocked store: opening it (the KDF)."""
        self._start(fn, on_success, on_failure, None)

    def run_long(self, fn: Callable[[Store, Callable[[], bool], Progress], Any], *,
                 cancel: threading.Event, on_progress: Progress,
                 on_success: Callable[[Any], None],
                 on_failure: Callable[[BaseException], None]) -> None:
        """A long job on the store thread: `fn(store, cancelled, progress)` checks
        `cancelled()` between batches (true once `cancel` or shutdown is set) and calls
        `progress(stage, done, total)`, which reaches `on_progress` on the UI thread."""
        def cancelled() -> bool:
            return cancel.is_set() or self.cancel_event.is_set()

        def progress(stage: str, done: int, total: int) -> None:
            if self.synchronous:
                on_progress(stage, done, total)
            else:
                self._relay.sig_progress.emit(on_progress, (stage, done, total))
        self.run_on_store(lambda store: fn(store, cancelled, progress), on_success, on_failure)

    def run_in_pool(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
                    on_failure: Callable[[BaseException], None]) -> None:
        """Work that does not touch the store (network, files)."""
        self._start(fn, on_success, on_failure, self._pool)

    def hold_for_a_frame(self, window: QWidget) -> None:
        """The store thread starts on the work queued after this once `window` has drawn its
        next frame (what the UI thread was just given, e.g. a case screen shown), or after
        FRAME_HOLD_S at most; the work keeps its order. The frame is then drawn without the
        store thread's Python competing for Python's lock: each of the UI thread's many calls
        into Python as it draws (a widget's events, a cell of the caseload) would wait for it.
        Nothing when synchronous."""
        if self.synchronous:
            return
        drawn = threading.Event()
        self._holds.append(drawn)
        self._store_thread.submit(drawn.wait, FRAME_HOLD_S)
        window.window().installEventFilter(self._frame_watch)   # its own events: a few a frame

    def _frame_drawing(self, window: QObject) -> None:
        """A frame is being drawn: the store thread may start once it is (the next turn)."""
        window.removeEventFilter(self._frame_watch)
        QTimer.singleShot(0, self, self._release_holds)

    def _release_holds(self) -> None:
        holds, self._holds = self._holds, []
        for drawn in holds:
            drawn.set()

    def close_store(self) -> None:
        """Detach the store and lock it on its own thread (its connection closes where it was
        opened); returns once it is locked. Queued work finishes first."""
        self._release_holds()           # the UI thread waits below: nothing waits for it
        store, self.store = self.store, None
        if store is None:
            return
        if self.synchronous:
            store.lock()
            return
        self._store_thread.submit(store.lock).result()

    def _start(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
               on_failure: Callable[[BaseException], None], pool: QThreadPool | None) -> None:
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
        job = _Job(fn, self._relay, on_success, on_failure)
        if pool is None:
            self._store_thread.submit(job.run)
        else:
            pool.start(job)

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        self._running -= 1
        if self._running == 0:
            self.sig_busy.emit(False)
        callback(value)

    @Slot(object, object)
    def _report(self, callback: Progress, args: tuple[str, int, int]) -> None:
        callback(*args)

    def changes_applied(self, changes: Changes, initiator: object = None) -> None:
        if changes:
            self.sig_changes_applied.emit(changes, initiator)

    def wait(self, msecs: int = -1) -> bool:
        """Wait for queued work (tests, shutdown). True when everything finished."""
        self._release_holds()
        try:    # the store thread runs in order: once this no-op runs, all before it has
            self._store_thread.submit(lambda: None).result(None if msecs < 0 else msecs / 1000)
        except TimeoutError:
            return False
        return bool(self._pool.waitForDone(msecs))

    def shutdown(self, msecs: int = 10_000) -> None:
        """At exit: ask long jobs to stop between batches, then wait for the threads."""
        self.cancel_event.set()
        self.wait(msecs)


class StoreOp:
    """One user action on the store, run in the background (Anki's `CollectionOp`):
    `StoreOp(parent, fn).success(cb).run_in_background()`. Not a sync op (`protocol.Op`).
    A parent that shows one case (it has a `case_id`) gets only the answers asked for that
    case: the case screen is reused, so an answer that arrives after the worker chose another
    child is dropped (a failure is still shown)."""

    def __init__(self, parent: QWidget | None, fn: Callable[[Store], Any], *,
                 taskman: TaskManager | None = None) -> None:
        self.parent = parent
        self.fn = fn
        self.taskman = taskman or TaskManager.current()
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self.case_id = getattr(parent, "case_id", None)

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

    def _same_case(self) -> bool:
        return getattr(self.parent, "case_id", None) == self.case_id

    def _on_success(self, outcome: tuple[Any, Changes]) -> None:
        value, changes = outcome
        self.taskman.changes_applied(changes, self.parent)
        if self._success is not None and self._parent_alive() and self._same_case():
            self._success(value)

    def _on_failure(self, exc: BaseException) -> None:
        if not isinstance(exc, RbswError):
            log_failure(log, "background operation failed", exc)
        alive = self._parent_alive()
        if self._failure is not None and alive and self._same_case():
            self._failure(exc)
        elif self._failure is None or alive:    # no one here to take it: said as an error
            show_error(self.parent if alive else None, exc)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, "rbsw-desktop", plain_message(exc),
                      QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName("Error message")
    box.open()
