"""Nothing typed is lost at a lock, and nothing stays on screen behind it: direct work, an open
board item window, an amendment being typed, meeting mode. Against the real encrypted demo store,
locked with Ctrl+L as a worker does and by the idle timer."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from rbsw_desktop.domain import Attachment, DirectWorkActivity, Visit, VisitStatus
from rbsw_desktop.ui.board import ItemDialog, draft_key
from rbsw_desktop.ui.main_window import MainWindow
from rbsw_desktop.ui.visits import AmendDialog, amendment_draft_key
from tests.ui.test_app_shell import unlock, window  # noqa: F401 - fixture
from tests.ui.test_visits import open_poppy

WORDS = "Fictional: I like it when Nana plaits my hair"


def show_tab(qtbot, win: MainWindow, name: str):  # noqa: ANN001, ANN201
    """Click the case's tab called `name` (as a worker does)."""
    tabs = win.workspace.tabs
    index = next(i for i in range(tabs.count()) if tabs.tabText(i).replace("&", "") == name)
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=tabs.tabBar().tabRect(index).center())
    assert tabs.currentIndex() == index
    return tabs.widget(index)


def lock_by(qtbot, win: MainWindow, how: str, focus=None) -> None:  # noqa: ANN001
    if how == "ctrl_l":
        target = focus or QApplication.focusWidget() or win
        qtbot.keyClick(target, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    else:
        win.idle_timer.setInterval(30)
        win.idle_timer.start()
        qtbot.waitUntil(lambda: win.locked, timeout=3000)
    assert win.locked
    assert win.stack.currentWidget() is win.lock_screen


def gone(widget) -> bool:  # noqa: ANN001
    """Closed (and perhaps already deleted): not on screen."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


def visible_top_levels(win: MainWindow) -> list:  # noqa: ANN001
    return [w for w in QApplication.topLevelWidgets() if w is not win and w.isVisible()]


@pytest.mark.parametrize("how", ["ctrl_l", "idle"])
def test_direct_work_being_typed_survives_a_lock(qtbot, window, how: str) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    tab = show_tab(qtbot, window, "Direct work")
    before = tab.list.count()
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    assert tab.list.count() == before          # kept once something is written in it
    activity_id = tab.activity.id
    tab.child_words.setFocus()
    qtbot.keyClicks(tab.child_words, WORDS)
    qtbot.keyClicks(tab.title, "Three houses at school")
    assert tab.dirty and "Not saved yet" in tab.message.text()
    lock_by(qtbot, window, how, focus=tab.title)     # no Save button pressed

    unlock(qtbot, window)
    assert window.taskman.store.records.get(DirectWorkActivity, activity_id).child_words == WORDS
    open_poppy_again(qtbot, window)
    tab = show_tab(qtbot, window, "Direct work")
    row = next(r for r in range(tab.list.count())
               if tab.list.item(r).data(Qt.ItemDataRole.UserRole).id == activity_id)
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=tab.list.visualItemRect(tab.list.item(row)).center())
    assert tab.child_words.toPlainText() == WORDS
    assert tab.title.text() == "Three houses at school"
    assert "Three houses at school" in tab.list.item(row).text()


def open_poppy_again(qtbot, win: MainWindow) -> None:  # noqa: ANN001
    poppy = next(r for r in win.caseload.model_.rows if r.child_name == "Poppy Pretend")
    win.open_case(poppy.id)


def test_direct_work_saves_itself_when_typing_stops_and_on_focus_change(qtbot,
                                                                       window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    tab = show_tab(qtbot, window, "Direct work")
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    store = window.taskman.store
    activity_id = tab.activity.id
    tab.autosave.timer.setInterval(100)       # the real pause is 3 seconds
    tab.child_words.setFocus()
    qtbot.keyClicks(tab.child_words, "Fictional: the dog is called Pickle")
    qtbot.waitUntil(lambda: [a.child_words for a in store.direct_work.of_case(tab.case_id)
                             if a.id == activity_id] == ["Fictional: the dog is called Pickle"],
                    timeout=3000)
    assert not tab.dirty and tab.message.text().startswith("Saved")

    tab.autosave.timer.setInterval(60_000)    # now only leaving the editor saves
    qtbot.keyClicks(tab.lived, "Fictional: feels safe with the dog")
    assert store.records.get(DirectWorkActivity, activity_id).lived_experience == ""
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)   # focus leaves the editor
    assert store.records.get(DirectWorkActivity, activity_id).lived_experience \
        == "Fictional: feels safe with the dog"


def test_a_caption_being_typed_is_kept_and_the_picture_closes_at_lock(qtbot,
                                                                      window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    tab = show_tab(qtbot, window, "Direct work")
    for row in range(tab.list.count()):         # the session with Poppy's drawing
        qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton,
                         pos=tab.list.visualItemRect(tab.list.item(row)).center())
        if tab.thumbs.count():
            break
    picture = tab.thumbs.item(0).data(Qt.ItemDataRole.UserRole)
    tab.thumbs.setCurrentRow(0)
    qtbot.keyClick(tab.thumbs, Qt.Key.Key_Return)
    viewer = tab.viewer
    qtbot.waitUntil(lambda: viewer is not None and viewer.isVisible())
    viewer.caption.setFocus()
    qtbot.keyClick(viewer.caption, Qt.Key.Key_End)
    qtbot.keyClicks(viewer.caption, " at school")
    lock_by(qtbot, window, "ctrl_l", focus=viewer.caption)
    assert gone(viewer) and visible_top_levels(window) == []

    unlock(qtbot, window)
    assert window.taskman.store.records.get(Attachment, picture.id).caption == \
        picture.caption + " at school"


@pytest.mark.parametrize("how", ["ctrl_l", "idle"])
def test_open_board_item_window_closes_at_lock_and_its_words_come_back(qtbot, window,  # noqa: F811
                                                                       how: str) -> None:
    open_poppy(qtbot, window)
    board = show_tab(qtbot, window, "Board")
    case_id = board.case_id
    qtbot.mouseClick(board.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.dialog is not None and board.dialog.isVisible())
    dialog = board.dialog
    qtbot.keyClicks(dialog.text, "Fictional: the front door lock is broken")
    lock_by(qtbot, window, how, focus=dialog.text)
    assert gone(dialog)
    assert visible_top_levels(window) == []
    assert not any(isinstance(w, ItemDialog) and w.isVisible()
                   for w in QApplication.topLevelWidgets())

    unlock(qtbot, window)
    assert window.taskman.store.drafts.get(draft_key(case_id, None)) is not None
    open_poppy_again(qtbot, window)
    board = show_tab(qtbot, window, "Board")
    assert "press Add item to carry on" in board.announce.text()
    qtbot.mouseClick(board.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.dialog is not None and board.dialog.isVisible())
    assert board.dialog.text.toPlainText() == "Fictional: the front door lock is broken"
    ok = board.dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    texts = [board.models[z].index(r).data() for z in board.models
             for r in range(board.models[z].rowCount())]
    assert any(t.startswith("Fictional: the front door lock is broken") for t in texts)
    assert window.taskman.store.drafts.get(draft_key(case_id, None)) is None


def test_amendment_being_typed_is_kept_and_the_question_closes_at_lock(qtbot,
                                                                      window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    tab = window.workspace.visits
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    editor = tab.editor
    visit_id = editor.visit.id
    editor.child_seen.setChecked(True)
    editor.seen_alone.setChecked(True)
    qtbot.mouseClick(editor.finalise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.dialog is not None and editor.dialog.isVisible())
    yes = editor.dialog.button(editor.dialog.StandardButton.Yes)
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    assert window.taskman.store.records.get(Visit, visit_id).status is VisitStatus.FINALISED

    qtbot.mouseClick(editor.amend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(editor.dialog, AmendDialog) and editor.dialog.isVisible())
    dialog = editor.dialog
    qtbot.keyClicks(dialog.text, "Fictional: Nana was also present")
    qtbot.keyClicks(dialog.reason, "Missed out")
    lock_by(qtbot, window, "ctrl_l", focus=dialog.reason)
    assert gone(dialog) and visible_top_levels(window) == []

    unlock(qtbot, window)
    assert window.taskman.store.drafts.get(amendment_draft_key(visit_id)) is not None
    open_poppy_again(qtbot, window)
    tab = window.workspace.visits
    row = next(r for r in range(tab.list.count())
               if tab.list.item(r).data(Qt.ItemDataRole.UserRole) == visit_id)
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=tab.list.visualItemRect(tab.list.item(row)).center())
    editor = tab.editor
    qtbot.mouseClick(editor.amend_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(editor.dialog, AmendDialog) and editor.dialog.isVisible())
    assert editor.dialog.text.toPlainText() == "Fictional: Nana was also present"
    assert editor.dialog.reason.text() == "Missed out"
    ok = editor.dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert editor.amendments.count() == 1
    assert "Nana was also present" in editor.amendments.item(0).text()
    assert window.taskman.store.drafts.get(amendment_draft_key(visit_id)) is None


def test_meeting_mode_and_the_finalise_question_close_at_lock(qtbot, window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    board = show_tab(qtbot, window, "Board")
    qtbot.mouseClick(board.meeting_button, Qt.MouseButton.LeftButton)
    meeting = board.meeting
    assert meeting is not None and meeting.isVisible()
    visits = show_tab(qtbot, window, "Visits")
    qtbot.mouseClick(visits.new_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(visits.editor.finalise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visits.editor.dialog is not None and visits.editor.dialog.isVisible())
    question = visits.editor.dialog
    lock_by(qtbot, window, "idle")
    assert gone(meeting) and gone(question)
    assert visible_top_levels(window) == []


def test_the_start_review_question_closes_at_lock_and_takes_no_review(
        qtbot, window) -> None:  # noqa: F811
    open_poppy(qtbot, window)
    board = show_tab(qtbot, window, "Board")
    case_id = board.case_id
    before = len(window.taskman.store.board.reviews(case_id))
    qtbot.mouseClick(board.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: board.review_dialog is not None and board.review_dialog.isVisible())
    question = board.review_dialog
    lock_by(qtbot, window, "ctrl_l", focus=question)
    assert gone(question) and visible_top_levels(window) == []
    unlock(qtbot, window)
    assert len(window.taskman.store.board.reviews(case_id)) == before
