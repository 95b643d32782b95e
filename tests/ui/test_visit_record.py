"""The visit recorded as the law asks, driven as a worker drives it (mouse and keyboard into the
real app over the fictional demo store): a draft never clears "overdue", the next visit is a
day chosen with a date control, actions are a table, Tab moves on, amendments name their
author, the timeline opens what it lists, and search says whose record it found and opens it."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QMessageBox,
    QTableView,
    QWidget,
)

from rbsw_desktop.domain import Visit, VisitStatus
from rbsw_desktop.ui.main_window import MainWindow
from rbsw_desktop.ui.visit_fields import DayEdit
from rbsw_desktop.ui.visits import VisitEditor
from tests.ui.test_app_shell import SHOTS, unlock, window  # noqa: F401 - fixture

QUICK_AUTOSAVE_MS = 30
SMALL = (1024, 600)


def caseload_lines(win: MainWindow) -> list[tuple[str, str]]:
    """The caseload as it reads, top to bottom: each child and the next visit's words."""
    proxy = win.caseload.proxy
    return [(proxy.index(r, 0).data(), proxy.index(r, 1).data())
            for r in range(proxy.rowCount())]


def click(qtbot, widget: QWidget) -> None:  # noqa: ANN001
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_text(qtbot, widget: QWidget) -> None:  # noqa: ANN001
    """Click into a field's text, where a person's click lands (a date control's line edit)."""
    target = widget.findChild(QLineEdit) if isinstance(widget, DayEdit) else widget
    widget.window().activateWindow()
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=QPoint(5, target.height() // 2))
    qtbot.waitUntil(widget.hasFocus)


def open_child(qtbot, win: MainWindow, name: str) -> None:  # noqa: ANN001
    """Click the child in the caseload and press Enter."""
    proxy = win.caseload.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == name)
    rect = win.caseload.visualRect(proxy.index(row, 0))
    qtbot.mouseClick(win.caseload.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(win.caseload, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.workspace is not None and name in win.workspace.heading.text())


def new_visit(qtbot, win: MainWindow) -> VisitEditor:  # noqa: ANN001
    tab = win.workspace.visits
    click(qtbot, tab.new_button)
    editor = tab.editor
    qtbot.waitUntil(lambda: editor.visit is not None and editor.form_page.isVisible())
    editor.autosave.timer.setInterval(QUICK_AUTOSAVE_MS)
    return editor


def saved(win: MainWindow, editor: VisitEditor) -> Visit:
    return win.taskman.store.records.get(Visit, editor.visit.id)


def wait_saved(qtbot, editor: VisitEditor) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: not editor.dirty and editor.status.text().startswith("Saved"),
                    timeout=3000)


def record_seen_visit(qtbot, win: MainWindow) -> VisitEditor:  # noqa: ANN001
    """A new visit with the child seen, seen alone (by mouse and Space) and a few words typed,
    saved by its autosave."""
    editor = new_visit(qtbot, win)
    click(qtbot, editor.child_seen)
    editor.seen_alone.setFocus()
    qtbot.keyClick(editor.seen_alone, Qt.Key.Key_Space)
    click_text(qtbot, editor.texts["observations"])
    qtbot.keyClicks(editor.texts["observations"], "Fictional: we talked about school")
    wait_saved(qtbot, editor)
    return editor


def overdue_child(win: MainWindow) -> str:
    return next(name for name, due in caseload_lines(win) if "Overdue by" in due)


# -- 1. a draft never clears "overdue" ------------------------------------------------------------

def test_ticking_child_seen_on_a_draft_leaves_the_caseload_as_it_was(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    child = overdue_child(window)
    before = caseload_lines(window)
    open_child(qtbot, window, child)
    editor = record_seen_visit(qtbot, window)
    assert saved(window, editor).child_seen and saved(window, editor).child_seen_alone
    assert caseload_lines(window) == before            # still overdue, in the same order
    assert window.caseload.currentIndex().data() == child      # and still the one chosen
    assert "Overdue by" in window.workspace.subheading.text()

    # Finalised, the visit is on record: the child is no longer overdue.
    click(qtbot, editor.finalise_button)
    box = editor.dialog
    assert isinstance(box, QMessageBox)
    click(qtbot, box.button(QMessageBox.StandardButton.Yes))
    qtbot.waitUntil(lambda: saved(window, editor).status is VisitStatus.FINALISED)
    now = dict(caseload_lines(window))[child]
    assert "Overdue" not in now and now.startswith("Due "), now


# -- 2. the next visit is a day from a date control, shown in one way -----------------------------

def test_next_visit_due_is_typed_as_a_day_and_stored_as_one(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    open_child(qtbot, window, "Poppy Pretend")
    editor = new_visit(qtbot, window)
    due = editor.next_due
    assert due.text() == "Not set" and editor.next_due_words.text() == ""
    click_text(qtbot, due)
    next_week = date.today() + timedelta(days=7)
    qtbot.keyClicks(due, next_week.strftime("%d/%m/%Y"))
    wait_saved(qtbot, editor)
    assert saved(window, editor).next_visit_due == next_week.isoformat()
    year = "" if next_week.year == date.today().year else f" {next_week.year}"
    assert editor.next_due_words.text() == \
        f"Due {next_week:%a} {next_week.day} {next_week:%b}{year}"

    # Letters and a second slash are refused by the control: the day stays a day.
    qtbot.keyClicks(due, "abc/")
    assert due.day() == next_week.isoformat()
    # Up and Down step the part clicked on; the words follow ("Due tomorrow").
    click_text(qtbot, due)                                      # on the day
    for _ in range(6):
        qtbot.keyClick(due, Qt.Key.Key_Down)
    assert due.day() == (date.today() + timedelta(days=1)).isoformat()
    assert editor.next_due_words.text() == "Due tomorrow"
    wait_saved(qtbot, editor)
    # Delete clears it: no next visit set.
    due.lineEdit().selectAll()
    qtbot.keyClick(due, Qt.Key.Key_Delete)
    assert due.text() == "Not set"
    wait_saved(qtbot, editor)
    assert saved(window, editor).next_visit_due is None

    # The calendar by keyboard: Alt+Down opens it on today, Right goes a day on, Enter picks.
    qtbot.keyClick(due, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: due.calendarWidget().isVisible())
    assert due.text() == "Not set"                     # nothing chosen by opening it
    days = due.calendarWidget().findChild(QTableView)          # the calendar's days
    qtbot.keyClick(days, Qt.Key.Key_Right)
    qtbot.keyClick(days, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not due.calendarWidget().isVisible())
    assert editor.next_due_words.text() == "Due tomorrow"
    wait_saved(qtbot, editor)
    assert saved(window, editor).next_visit_due == (date.today() + timedelta(days=1)).isoformat()


def test_a_day_typed_as_15_12_2026_into_the_old_text_field_is_read_as_that_day(
        qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    open_child(qtbot, window, "Poppy Pretend")
    editor = new_visit(qtbot, window)
    visit = saved(window, editor)
    visit.next_visit_due = "15/12/2026"            # what the free-text field let through
    window.taskman.store.visits.update(visit)
    window.workspace.visits.open_visit(visit.id)
    assert editor.next_due.text() == "15/12/2026"
    qtbot.keyClicks(editor.texts["analysis"], "Fictional")
    wait_saved(qtbot, editor)
    assert saved(window, editor).next_visit_due == "2026-12-15"     # the council gets a day


# -- 3. actions: a small table ---------------------------------------------------------------------

def test_actions_are_typed_into_a_table_and_stored_as_what_who_by_when(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    open_child(qtbot, window, "Poppy Pretend")
    editor = new_visit(qtbot, window)
    window.resize(*SMALL)
    what, who, by_when = editor.action_rows.cells[0]
    editor.action_rows.parentWidget().parentWidget().parentWidget().ensureWidgetVisible(what)
    click_text(qtbot, what)
    qtbot.keyClicks(what, "Book the dentist - fictional")     # " - " is part of the words
    qtbot.keyClick(what, Qt.Key.Key_Tab)
    assert who.hasFocus()
    qtbot.keyClicks(who, "Mum")
    qtbot.keyClick(who, Qt.Key.Key_Tab)
    assert by_when.hasFocus()
    qtbot.keyClicks(by_when, "15/01/2027")
    assert len(editor.action_rows.cells) == 2          # an empty row to type the next one into
    qtbot.keyClick(by_when, Qt.Key.Key_Tab)
    assert editor.action_rows.cells[1][0].hasFocus()
    qtbot.keyClicks(editor.action_rows.cells[1][0], "Ring school")
    wait_saved(qtbot, editor)
    assert saved(window, editor).actions == [
        {"what": "Book the dentist - fictional", "who": "Mum", "by_when": "2027-01-15"},
        {"what": "Ring school", "who": "", "by_when": ""}]
    # At 1024x600 the table is whole: "By when" is not cut off at the form's edge.
    scroll = editor.action_rows.parentWidget().parentWidget().parentWidget()
    right = by_when.mapTo(scroll.viewport(), by_when.rect().topRight()).x()
    assert right < scroll.viewport().width(), (right, scroll.viewport().width())
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "visit-form-1024x600.png"))

    # Opened again, the table shows what was stored.
    window.workspace.visits.open_visit(editor.visit.id)
    assert [c.text() for c in editor.action_rows.cells[0][:2]] == ["Book the dentist - fictional",
                                                              "Mum"]
    assert editor.action_rows.cells[0][2].day() == "2027-01-15"


def test_an_action_due_in_words_from_before_is_kept_until_a_day_is_chosen(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    open_child(qtbot, window, "Poppy Pretend")
    editor = new_visit(qtbot, window)
    store = window.taskman.store
    visit = saved(window, editor)
    visit.actions = [{"what": "Fictional: write to school", "who": "Sam", "by_when": "Friday"}]
    store.visits.update(visit)
    window.workspace.visits.open_visit(visit.id)
    by_when = editor.action_rows.cells[0][2]
    assert by_when.text() == "Friday"
    qtbot.keyClicks(editor.action_rows.cells[0][1], " (fictional)")
    wait_saved(qtbot, editor)
    assert saved(window, editor).actions[0]["by_when"] == "Friday"


# -- 6. Tab moves on, in reading order; focus stays on the visit after Finalise -------------------

def focus_walk(qtbot, start: QWidget, stop: QWidget, limit: int = 120) -> list[QWidget]:  # noqa: ANN001
    """Press Tab from `start` until `stop` has focus: each control focus passed through, once."""
    seen: list[QWidget] = []
    start.window().activateWindow()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(start.hasFocus)
    for _ in range(limit):
        widget = QApplication.focusWidget()
        if isinstance(widget.parentWidget(), QAbstractSpinBox):     # a date's own text
            widget = widget.parentWidget()
        if not seen or seen[-1] is not widget:
            seen.append(widget)
        if widget is stop:
            return seen
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {stop}: {[w.accessibleName() for w in seen]}")


def test_tab_moves_through_the_visit_form_in_reading_order(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    open_child(qtbot, window, "Poppy Pretend")
    editor = new_visit(qtbot, window)
    qtbot.keyClicks(editor.present.cells[0][0], "Fictional Mum")     # a second row appears
    wait_saved(qtbot, editor)
    words = editor.texts["observations"].toPlainText()
    tab = window.workspace.visits
    seen = focus_walk(qtbot, tab.new_button, editor.finalise_button)
    expected = [tab.new_button, tab.list, editor.visited_at, editor.visit_type,
                editor.announced, editor.child_seen, editor.seen_alone, editor.bedroom_seen,
                editor.not_alone_reason, editor.seen_awake,
                *editor.present.controls(), *editor.absent.controls(),
                *editor.texts.values(), *editor.action_rows.controls(), editor.next_due,
                editor.finalise_button]
    assert [w.accessibleName() for w in seen] == [w.accessibleName() for w in expected], \
        [f"{type(w).__name__}:{w.accessibleName() or w.objectName()}" for w in seen]
    assert seen == expected
    # Tab moved on from the long texts and the tables: nothing typed, nothing to save.
    assert editor.texts["observations"].toPlainText() == words
    assert "\t" not in saved(window, editor).observations and not editor.dirty
    assert saved(window, editor).present == [{"name": "Fictional Mum", "role": ""}]


def test_after_finalise_the_focus_stays_on_the_visit(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    open_child(qtbot, window, "Poppy Pretend")
    editor = new_visit(qtbot, window)
    click(qtbot, editor.seen_alone)
    click(qtbot, editor.child_seen)
    editor.finalise_button.setFocus()
    qtbot.keyClick(editor.finalise_button, Qt.Key.Key_Space)
    box = editor.dialog
    assert isinstance(box, QMessageBox)
    yes = box.button(QMessageBox.StandardButton.Yes)
    yes.setFocus()
    qtbot.keyClick(yes, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: editor.visit.status is VisitStatus.FINALISED)
    focus = QApplication.focusWidget()
    assert focus is editor.amend_button, focus
    assert not window.search.hasFocus()


# -- 4. amendments name their author; the amendment box lets Tab move on --------------------------

def test_an_amendment_typed_with_the_keyboard_shows_who_wrote_it_and_when(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    open_child(qtbot, window, "Poppy Pretend")
    editor = new_visit(qtbot, window)
    click(qtbot, editor.seen_alone)
    click(qtbot, editor.child_seen)
    editor.finalise_now()
    click(qtbot, editor.amend_button)
    dialog = editor.dialog
    qtbot.waitUntil(lambda: dialog.text.hasFocus())
    qtbot.keyClicks(dialog.text, "Fictional: the visit was on the Tuesday")
    qtbot.keyClick(dialog.text, Qt.Key.Key_Tab)                       # moves on, types nothing
    assert dialog.reason.hasFocus()
    assert dialog.text.toPlainText() == "Fictional: the visit was on the Tuesday"
    qtbot.keyClicks(dialog.reason, "wrong day")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.amendments.count() == 1)
    store = window.taskman.store
    me = store.meta("worker_name")
    (amendment,) = store.visits.amendments(editor.visit.id)
    from rbsw_desktop.domain.instants import local_text
    line = editor.amendments.item(0).text()
    assert line == f"{local_text(amendment.amended_at)}: Fictional: the visit was on the " \
        f"Tuesday (reason: wrong day) — by {me}"
    assert me == "Sam Demo-Worker"


def finding(qtbot, win: MainWindow, words: str) -> list[str]:  # noqa: ANN001
    win.search.setFocus()
    qtbot.keyClicks(win.search, words)
    qtbot.waitUntil(lambda: win.results.isVisible() and win.results.count() > 0, timeout=3000)
    return [win.results.item(i).text() for i in range(win.results.count())]


# -- 5. search says whose record it is, in worker words, and opens it -----------------------------

def test_search_names_the_child_and_opens_the_visit_found(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    lines = finding(qtbot, window, "bunk bed")
    assert lines[0].startswith("Poppy Pretend · Visit note\n"), lines
    assert all("«" not in line and "\x02" not in line for line in lines)
    first = window.results.item(0)
    visit_id = first.data(Qt.ItemDataRole.UserRole)[2]
    window.results.setCurrentItem(first)
    window.results.setFocus()
    qtbot.keyClick(window.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.workspace is not None)
    workspace = window.workspace
    assert workspace.tabs.currentWidget() is workspace.visits
    qtbot.waitUntil(lambda: workspace.visits.editor.visit is not None)
    assert workspace.visits.editor.visit.id == visit_id
    assert workspace.visits.list.currentItem().data(Qt.ItemDataRole.UserRole) == visit_id
    assert "bunk bed" in "".join(e.toPlainText() for e in workspace.visits.editor.texts.values())


def test_search_opens_direct_work_at_the_session_found(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    lines = finding(qtbot, window, "garage")
    assert len(lines) == 1 and lines[0].startswith("Zain Fictional · Direct work\n"), lines
    assert "my own garage." in lines[0] and "direct work activity" not in lines[0]
    item = window.results.item(0)
    rect = window.results.visualItemRect(item)
    qtbot.mouseClick(window.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(window.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.workspace is not None
                    and window.workspace.direct_work is not None)
    work = window.workspace.direct_work
    assert window.workspace.tabs.currentWidget() is work
    qtbot.waitUntil(lambda: work.activity is not None)
    assert work.activity.id == item.data(Qt.ItemDataRole.UserRole)[2]
    assert "garage" in work.activity.child_words


def test_search_opens_a_photo_at_its_direct_work_session(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    lines = finding(qtbot, window, "Poppy's three houses")
    row = next(i for i, line in enumerate(lines)
               if line.startswith("Poppy Pretend · Photo or scan\n"))
    window.results.setCurrentRow(row)
    window.results.setFocus()
    qtbot.keyClick(window.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.workspace is not None
                    and window.workspace.direct_work is not None
                    and window.workspace.direct_work.activity is not None)
    work = window.workspace.direct_work
    assert window.workspace.tabs.currentWidget() is work
    assert work.activity.title == "Three Houses with Poppy"


def test_the_wheel_scrolls_the_form_past_a_day_without_changing_it(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    open_child(qtbot, window, "Poppy Pretend")
    editor = new_visit(qtbot, window)
    due = editor.next_due
    due.set_day("2026-12-15")
    editor.texts["analysis"].setFocus()
    at = QPointF(due.rect().center())
    wheel = QWheelEvent(at, due.mapToGlobal(at), QPoint(), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(due, wheel)
    assert due.day() == "2026-12-15"


def test_search_opens_the_board_with_the_item_found_selected(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    lines = finding(qtbot, window, "missed school")
    row = next(i for i, line in enumerate(lines)
               if line.startswith("Poppy Pretend · Board item\n"))
    item_id = window.results.item(row).data(Qt.ItemDataRole.UserRole)[2]
    window.results.setCurrentRow(row)
    window.results.setFocus()
    qtbot.keyClick(window.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.workspace is not None and window.workspace.board is not None)
    board = window.workspace.board
    assert window.workspace.tabs.currentWidget() is board
    qtbot.waitUntil(lambda: any(v.selected_id() == item_id for v in board.views.values()))
