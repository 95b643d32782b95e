"""One background system: the store is opened, used and locked on the task manager's one store
thread, and the debug check (RBSW_CHECK_THREADS=1, on in tests) makes any other use raise. The
app is driven here with real threads, as a worker uses it: any UI path that reads the store on
the UI thread fails the test with SQLite's ProgrammingError."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from rbsw_desktop.errors import RbswError
from rbsw_desktop.store import Store
from rbsw_desktop.store.db import DatabaseError
from rbsw_desktop.ui.main_window import MainWindow
from rbsw_desktop.ui.taskman import StoreOp, TaskManager
from tests.ui.conftest import threaded_taskman
from tests.ui.test_app_shell import demo_window, unlock

BATCHES = 200      # a long job's batches (few: PySide6 6.12's emit() drops a reference to True)


def test_a_store_used_from_another_thread_raises(store: Store) -> None:
    caught: list[BaseException] = []

    def elsewhere() -> None:
        try:
            store.cases.summaries()
        except BaseException as exc:  # noqa: BLE001 - the check's error is what is tested
            caught.append(exc)
    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert caught and isinstance(caught[0], DatabaseError)
    assert "same thread" in str(caught[0])
    assert store.cases.summaries() is not None            # its own thread still uses it


@pytest.fixture
def threaded_window(qtbot, qapp, tmp_path: Path):  # noqa: ANN001, ANN201
    taskman = TaskManager()                     # real threads, as in the app
    win = demo_window(qtbot, tmp_path, taskman)
    yield win
    win.lock()
    taskman.shutdown()


def test_the_ui_reads_the_store_only_through_the_task_manager(qtbot,
                                                             threaded_window: MainWindow) -> None:
    win = threaded_window
    with qtbot.waitSignal(win.sig_unlocked, timeout=20_000) as unlocked:
        unlock(qtbot, win)
    store = unlocked.args[0]
    assert not win.locked
    qtbot.waitUntil(lambda: win.caseload.model_.rowCount() > 0, timeout=10_000)
    assert "changes waiting to sync" in win.status.text()
    qtbot.waitUntil(lambda: win.enrol_button is not None and win.enrol_button.isVisible(),
                    timeout=10_000)               # not enrolled: read on the store thread

    qtbot.keyClicks(win.search, "bunk bed")
    win.search_timer.timeout.emit()
    qtbot.waitUntil(lambda: win.results.count() >= 1, timeout=10_000)
    assert "bunk bed" in win.results.item(0).text()

    poppy = next(r for r in win.caseload.model_.rows if r.child_name == "Poppy Pretend")
    win.open_case(poppy.id)
    visits = win.workspace.visits
    qtbot.waitUntil(lambda: visits.list.count() > 0, timeout=10_000)
    qtbot.mouseClick(visits.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visits.editor.visit is not None, timeout=10_000)
    editor = visits.editor
    visit_id = editor.visit.id
    qtbot.keyClicks(editor.texts["observations"], "Fictional: a calm tea time")

    qtbot.keyClick(win.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert win.locked and store.locked            # locked on its own thread, without error

    with qtbot.waitSignal(win.sig_unlocked, timeout=20_000) as again:
        unlock(qtbot, win)
    seen: list = []
    win.taskman.run_on_store(lambda s: s.visits.of_case(poppy.id), seen.append, seen.append)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert again.args[0] is not store
    saved = next(v for v in seen[0] if v.id == visit_id)
    assert saved.observations == "Fictional: a calm tea time"     # saved before the lock


def test_a_long_job_reports_progress_on_the_ui_thread_and_stops_when_cancelled(
        qtbot, store: Store) -> None:
    """What sync runs as: a job on the store thread that reports progress and checks the cancel
    flag between batches; the worker's "stop" (here: after the third batch) ends it early."""
    taskman = threaded_taskman(qtbot, store)
    cancel = threading.Event()
    seen: list[tuple[str, int, int, str]] = []
    ended: list = []

    def job(own: Store, cancelled, progress) -> tuple[str, int, str]:  # noqa: ANN001
        for batch in range(1, BATCHES + 1):
            if cancelled():
                return "stopped", batch, threading.current_thread().name
            own.cases.summaries()                         # a batch of real store work
            progress("push", batch, BATCHES)
            if batch == 3:      # a slow batch, as a real one waiting on the network is: the
                cancel.wait(10)  # worker's "stop" reaches the job before its next batch
        return "finished", BATCHES, threading.current_thread().name

    def on_progress(stage: str, done: int, total: int) -> None:
        seen.append((stage, done, total, threading.current_thread().name))
        if done >= 3:
            cancel.set()
    taskman.run_long(job, cancel=cancel, on_progress=on_progress, on_success=ended.append,
                     on_failure=ended.append)
    try:
        qtbot.waitUntil(lambda: bool(ended), timeout=20_000)
        qtbot.waitUntil(lambda: len(seen) >= ended[0][1] - 1)     # every report delivered
    finally:
        taskman.close_store()
    outcome, batch, thread = ended[0]
    assert (outcome, batch) == ("stopped", 4)
    assert thread.startswith("rbsw-store")
    assert seen[0][:3] == ("push", 1, BATCHES)
    assert {name for *_, name in seen} == {threading.main_thread().name}


def test_a_failure_answered_after_another_child_is_shown_is_still_said(
        qtbot, store: Store) -> None:
    """The case screen is reused: a save for the child before that fails once the worker has
    chosen another child is not handed to the new child's screen, but it is never silent
    either: it is said in an error message."""
    taskman = threaded_taskman(qtbot, store)
    screen = QWidget()
    qtbot.addWidget(screen)
    screen.case_id = "case-before (fictional)"          # type: ignore[attr-defined]
    release, handed = threading.Event(), []

    def save(own: Store) -> None:
        release.wait(10)
        raise RbswError("The change could not be saved (fictional).")
    try:
        StoreOp(screen, save, taskman=taskman).failure(handed.append).run_in_background()
        screen.case_id = "case-next (fictional)"         # type: ignore[attr-defined]
        release.set()
        qtbot.waitUntil(lambda: any(box.isVisible() for box in screen.findChildren(QMessageBox)))
    finally:
        taskman.close_store()
    [box] = [b for b in screen.findChildren(QMessageBox) if b.isVisible()]
    assert "could not be saved" in box.text() and handed == []
    box.close()
