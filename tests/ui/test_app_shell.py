"""The app as a worker meets it: unlock, the caseload, search, a case, locking (by hand and when
idle), against the real encrypted store (the fictional demo pod)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from rbsw_desktop.store.demo import DEMO_PASSPHRASE, create_demo_store
from rbsw_desktop.ui.main_window import MainWindow
from rbsw_desktop.ui.taskman import TaskManager
from tests.conftest import FAST_KDF

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def demo_window(qtbot, tmp_path: Path, taskman: TaskManager) -> MainWindow:  # noqa: ANN001
    """The app's window over the fictional demo store (created at the first unlock)."""
    win = MainWindow(taskman=taskman, data_dir=tmp_path / "demo", idle_minutes=5,
                     demo_passphrase=DEMO_PASSPHRASE,
                     store_factory=lambda d, p: create_demo_store(d, p, kdf=FAST_KDF))
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def window(qtbot, qapp, tmp_path: Path):
    win = demo_window(qtbot, tmp_path, TaskManager(synchronous=True))
    yield win
    win.lock()


def unlock(qtbot, win: MainWindow, passphrase: str = DEMO_PASSPHRASE) -> None:
    screen = win.lock_screen
    qtbot.keyClicks(screen.passphrase, passphrase)
    if screen.confirm.isVisible():
        qtbot.keyClicks(screen.confirm, passphrase)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)


def test_first_launch_creates_the_demo_and_shows_the_caseload(qtbot, window: MainWindow,
                                                             qtmodeltester) -> None:
    assert DEMO_PASSPHRASE in window.lock_screen.demo_note.text()
    unlock(qtbot, window)
    assert not window.locked
    model = window.caseload.model_
    qtmodeltester.check(model)
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert "Poppy Pretend" in names
    overdue = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert any(text.startswith("⚠ Overdue by") for text in overdue)
    assert "overdue" in window.status.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "caseload.png"))


def test_search_finds_a_note_and_opens_its_case(qtbot, window: MainWindow) -> None:
    unlock(qtbot, window)
    qtbot.keyClicks(window.search, "bunk bed")
    window.search_timer.timeout.emit()
    assert window.results.count() >= 1
    first = window.results.item(0)
    assert "bunk" in first.text()
    window.results.itemActivated.emit(first)
    assert window.workspace is not None
    assert "Poppy Pretend" in window.workspace.heading.text()
    assert window.workspace.timeline.count() > 3
    window.grab().save(str(SHOTS / "case-timeline.png"))


def error_boxes(win: MainWindow) -> list[str]:
    return [box.text() for box in win.findChildren(QMessageBox) if box.isVisible()]


@pytest.mark.parametrize("text", ['"', "AND (", "🙂", "*", "NEAR("])
def test_hostile_search_text_is_harmless(qtbot, window: MainWindow, text: str) -> None:
    """Query syntax typed into search is read as words: an answer comes, never an error, and
    the same marks around a word still find the note that holds it."""
    unlock(qtbot, window)
    for typed in (text, f"{text} bunk {text}"):
        window.search.clear()
        if typed.isascii():
            qtbot.keyClicks(window.search, typed)
        else:  # QTest cannot type emoji; they arrive as an input method or a paste would
            window.search.insert(typed)
        window.search_timer.timeout.emit()
        assert error_boxes(window) == []
        assert window.results.isVisible() and window.results.count() >= 1
    shown = [window.results.item(i).text() for i in range(window.results.count())]
    if not text.startswith(("AND", "NEAR")):    # those are words too: "and", "near" must match
        assert any("bunk" in line for line in shown), shown
    assert not window.locked


def test_ctrl_l_locks_and_clears_the_screen(qtbot, window: MainWindow) -> None:
    unlock(qtbot, window)
    window.open_case(window.caseload.model_.rows[0].id)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked
    assert window.stack.currentWidget() is window.lock_screen
    assert window.caseload.model_.rowCount() == 0 and window.workspace is None
    window.grab().save(str(SHOTS / "lock-screen.png"))


def test_idle_time_locks_and_unlock_brings_the_work_back(qtbot, window: MainWindow) -> None:
    unlock(qtbot, window)
    window.idle_timer.setInterval(50)
    window.idle_timer.start()
    qtbot.waitUntil(lambda: window.locked, timeout=3000)
    unlock(qtbot, window)
    assert window.caseload.model_.rowCount() >= 8


def test_wrong_passphrase_is_said_plainly(qtbot, window: MainWindow) -> None:
    unlock(qtbot, window)
    window.lock()
    unlock(qtbot, window, "not the passphrase")
    assert window.locked
    assert "not right" in window.lock_screen.error.text()
