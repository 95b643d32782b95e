"""The one autosave (ui/autosave.py), as a worker meets it in the visit editor and the board's
item window: saved a few seconds after typing stops (not while typing goes on), when focus
moves to another field, and a board item's words kept as a draft without waiting for a lock."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

from rbsw_desktop.domain import Visit
from rbsw_desktop.ui.board import draft_key
from tests.ui.test_app_shell import window  # noqa: F401 - fixture
from tests.ui.test_lock_keeps_work import show_tab
from tests.ui.test_visits import open_poppy

PAUSE_MS = 400          # the pause before a save, made short for the test (3 s in the app)
KEY_EVERY_MS = 40       # a worker typing steadily: ten times faster than the pause


def test_a_visit_saves_once_typing_stops_not_while_it_goes_on(qtbot, window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    tab = window.workspace.visits
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    editor = tab.editor
    editor.autosave.timer.setInterval(PAUSE_MS)
    field = editor.texts["observations"]
    field.setFocus()
    saves: list[Visit] = []
    editor.sig_saved.connect(saves.append)
    words = list("Fictional: a long calm tea time")   # about 1.2 s of steady typing
    typist = QTimer(interval=KEY_EVERY_MS)

    def next_key() -> None:
        if words:
            qtbot.keyClicks(field, words.pop(0))
        else:
            typist.stop()
    typist.timeout.connect(next_key)
    typist.start()
    qtbot.waitUntil(lambda: not typist.isActive(), timeout=10_000)
    assert saves == [] and editor.dirty          # nothing saved while the worker types
    qtbot.waitUntil(lambda: bool(saves), timeout=5_000)
    assert len(saves) == 1 and not editor.dirty
    stored = window.taskman.store.records.get(Visit, editor.visit.id)
    assert stored.observations == "Fictional: a long calm tea time"
    assert editor.status.text().startswith("Saved")


def test_a_visit_saves_when_focus_moves_to_another_field(qtbot, window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    tab = window.workspace.visits
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    editor = tab.editor
    editor.autosave.timer.setInterval(60_000)   # only the focus change can save here
    field = editor.texts["observations"]
    field.setFocus()
    qtbot.keyClicks(field, "Fictional: Nana made soup")
    assert window.taskman.store.records.get(Visit, editor.visit.id).observations == ""
    other = editor.texts["analysis"]
    qtbot.mouseClick(other.viewport(), Qt.MouseButton.LeftButton)
    assert other.hasFocus()
    assert window.taskman.store.records.get(Visit, editor.visit.id).observations \
        == "Fictional: Nana made soup"


def test_a_board_item_being_typed_is_kept_without_waiting_for_a_lock(qtbot,
                                                                    window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    board = show_tab(qtbot, window, "Board")
    key = draft_key(board.case_id, None)
    qtbot.mouseClick(board.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.dialog is not None and board.dialog.isVisible())
    dialog = board.dialog
    dialog.autosave.timer.setInterval(50)
    qtbot.keyClicks(dialog.text, "Fictional: the boiler is fixed")
    store = window.taskman.store
    qtbot.waitUntil(lambda: store.drafts.get(key) is not None, timeout=5_000)
    assert "the boiler is fixed" in store.drafts.get(key)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)      # the worker cancels: the draft goes too
    assert store.drafts.get(key) is None
