"""The child's turn: the worker hands the laptop over. Full screen, the activity's sheet and
words only; the main window's shortcuts do nothing inside it; it is left only with the worker's
passphrase; the idle lock still locks, and what the child drew is kept."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from rbsw_desktop.domain import DirectWorkActivity
from rbsw_desktop.store.demo import DEMO_PASSPHRASE
from rbsw_desktop.ui.direct_work import DirectWorkTab
from rbsw_desktop.ui.drawing.childs_turn import ChildsTurn, speech_engine
from rbsw_desktop.ui.main_window import MainWindow
from tests.ui.test_app_shell import SHOTS, unlock, window  # noqa: F401 - fixture
from tests.ui.test_drawing import drag, line
from tests.ui.test_lock_keeps_work import gone, lock_by, show_tab, visible_top_levels
from tests.ui.test_visits import open_poppy

WORDS = "My cat Pickle (fictional)"


def hand_over(qtbot, win: MainWindow) -> tuple[DirectWorkTab, ChildsTurn]:  # noqa: ANN001
    tab = show_tab(qtbot, win, "Direct work")
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    assert tab.activity.tool.value == "three_houses"
    qtbot.mouseClick(tab.childs_turn_button, Qt.MouseButton.LeftButton)
    turn = tab.childs_turn
    assert isinstance(turn, ChildsTurn)
    qtbot.waitUntil(lambda: turn.isVisible() and turn.isFullScreen() and turn.isActiveWindow())
    assert QApplication.activeModalWidget() is turn
    # Read aloud only where Qt's text-to-speech and a voice exist (here: whichever holds).
    assert (turn.read_aloud is None) == (speech_engine() is None)
    return tab, turn


def draw_and_write(qtbot, turn: ChildsTurn) -> None:  # noqa: ANN001
    canvas = turn.sheet.current
    assert canvas.window() is turn and turn.heading.text() == "House of worries"
    w, h = canvas.width(), canvas.height()
    drag(qtbot, canvas, line(QPoint(w // 3, h // 2), QPoint(w * 2 // 3, h // 2)))
    assert not turn.writing.isVisible()                 # drawing first; words if they choose
    qtbot.mouseClick(turn.write_button, Qt.MouseButton.LeftButton)
    assert turn.writing.isVisible()
    qtbot.keyClicks(turn.writing, WORDS)


def test_nothing_else_is_reachable_and_only_the_passphrase_leaves(qtbot, window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    qtbot.keyClick(window.caseload, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is window.search         # Find works outside the child's turn
    tab, turn = hand_over(qtbot, window)
    draw_and_write(qtbot, turn)
    turn.resize(1024, 600)
    SHOTS.mkdir(parents=True, exist_ok=True)
    turn.grab().save(str(SHOTS / "childs-turn.png"))
    case_screen = window.case_area.currentWidget()

    # The main window's shortcuts (Find, the pod view, Quit...), pressed inside the child's
    # turn, do nothing: the search box does not take the keys, the case stays, nothing closes.
    shortcuts = [a.shortcut() for a in window.actions() if a.shortcut().toString() != "Ctrl+L"]
    assert any(k.toString() == "Ctrl+F" for k in shortcuts)
    for keys in shortcuts:
        if keys.isEmpty():
            continue          # (Quit has no key on some desktops)
        combo = keys[0]
        qtbot.keyClick(turn.sheet.current, combo.key(), combo.keyboardModifiers())
        assert turn.isVisible() and window.isVisible() and not window.locked
    assert window.focusWidget() is not window.search
    assert window.case_area.currentWidget() is case_screen
    qtbot.keyClicks(turn.sheet.current, "Poppy")
    assert window.search.text() == ""

    # Esc asks for the worker's passphrase; a wrong one does not leave.
    qtbot.keyClick(turn.sheet.current, Qt.Key.Key_Escape)
    assert turn.leave_panel.isVisible() and turn.passphrase.hasFocus()
    qtbot.keyClicks(turn.passphrase, "not the passphrase")
    qtbot.keyClick(turn.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: turn.message.text() not in ("", "Checking…"))
    assert "passphrase" in turn.message.text().lower()
    assert turn.isVisible() and tab.childs_turn is turn
    # Closing the window (what Alt+F4 or its close button do) only asks again.
    turn.close()
    assert turn.isVisible()

    turn.passphrase.clear()
    qtbot.keyClicks(turn.passphrase, DEMO_PASSPHRASE)
    qtbot.keyClick(turn.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: gone(turn))
    assert tab.childs_turn is None
    assert tab.editor.parent() is tab.editor_box and tab.editor.isVisible()
    assert tab.parts["House of worries"].toPlainText() == WORDS
    stored = window.taskman.store.records.get(DirectWorkActivity, tab.activity.id)
    assert stored.parts["House of worries"] == WORDS
    assert len(stored.content["drawing"]["House of worries"]["strokes"]) == 1


@pytest.mark.parametrize("how", ["idle", "ctrl_l"])
def test_the_lock_still_locks_and_keeps_the_childs_drawing(qtbot, window, how: str) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    tab, turn = hand_over(qtbot, window)
    activity_id = tab.activity.id
    draw_and_write(qtbot, turn)
    lock_by(qtbot, window, how, focus=turn.sheet.current)
    assert gone(turn) and visible_top_levels(window) == []
    unlock(qtbot, window)
    stored = window.taskman.store.records.get(DirectWorkActivity, activity_id)
    assert len(stored.content["drawing"]["House of worries"]["strokes"]) == 1
    assert stored.parts["House of worries"] == WORDS
