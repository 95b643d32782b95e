"""Opening a case fills a case screen built ahead (while the lock screen waits), never a new one:
the next case opened shows in the same screen with nothing of the one before, and what was being
typed in the one before is saved first."""

from __future__ import annotations

from PySide6.QtCore import Qt

from rbsw_desktop.domain import Visit
from rbsw_desktop.ui.main_window import MainWindow
from rbsw_desktop.ui.taskman import TaskManager
from rbsw_desktop.ui.visit_fields import RowsTable
from rbsw_desktop.ui.visits import PEOPLE
from tests.ui.test_app_shell import SHOTS, demo_window, unlock
from tests.ui.test_visit_record import click, new_visit, open_child


def visit_lines(win: MainWindow) -> list[str]:
    shown = win.workspace.visits.list
    return [shown.item(r).text() for r in range(shown.count())]


def test_the_case_screen_is_built_while_the_lock_screen_waits(qtbot, tmp_path) -> None:  # noqa: ANN001
    win = demo_window(qtbot, tmp_path, TaskManager(synchronous=True))
    qtbot.waitUntil(lambda: win.spare_workspace is not None, timeout=5000)
    ahead = win.spare_workspace
    assert not ahead.isVisible()             # nothing of a case on screen behind the lock
    unlock(qtbot, win)
    assert win.case_area.currentWidget() is win.empty_case
    open_child(qtbot, win, "Poppy Pretend")
    assert win.workspace is ahead and ahead.isVisible()
    case_id = win.workspace.case_id
    qtbot.waitUntil(lambda: len(visit_lines(win)) == len(win.taskman.store.visits.of_case(case_id)))
    assert len(visit_lines(win)) > 0
    win.lock()


def test_the_next_case_shows_in_the_same_screen_and_the_words_typed_are_kept(
        qtbot, tmp_path) -> None:  # noqa: ANN001
    win = demo_window(qtbot, tmp_path, TaskManager(synchronous=True))
    unlock(qtbot, win)
    open_child(qtbot, win, "Poppy Pretend")
    screen, first_case = win.workspace, win.workspace.case_id
    editor = new_visit(qtbot, win)
    click(qtbot, editor.texts["observations"])
    qtbot.keyClicks(editor.texts["observations"], "Fictional words typed before moving on")
    typed_visit = editor.visit.id
    poppy_visits = visit_lines(win)

    open_child(qtbot, win, "Zain Fictional")
    assert win.workspace is screen and screen.case_id != first_case
    assert "Poppy" not in screen.heading.text()
    store = win.taskman.store
    zain_visits = store.visits.of_case(screen.case_id)
    qtbot.waitUntil(lambda: len(visit_lines(win)) == len(zain_visits))
    assert visit_lines(win) != poppy_visits
    assert screen.visits.editor.visit is None            # no visit of Poppy's left open
    assert screen.visits.editor.pages.currentWidget() is screen.visits.editor.placeholder
    assert all(not e.toPlainText() for e in screen.visits.editor.texts.values())
    assert store.records.get(Visit, typed_visit).observations == \
        "Fictional words typed before moving on"
    screen.grab().save(str(SHOTS / "case-screen-next-case.png"))
    win.lock()


def test_a_table_filled_again_shows_every_row_it_holds(qtbot) -> None:  # noqa: ANN001
    """Rows are reused from the visit shown before: a finalised visit's hidden empty last row
    shows again once it holds a row of the next visit."""
    table = RowsTable(PEOPLE, name="Present")
    qtbot.addWidget(table)
    table.show()
    two = [{"name": "Nana Fictional", "role": "grandmother"},
           {"name": "Sam Pretend", "role": "foster carer"}]
    table.set_rows(two)
    table.setReadOnly(True)
    assert [c.isVisible() for c in table.cells[-1]] == [False, False]
    three = [*two, {"name": "Ari Madeup", "role": "brother"}]
    table.set_rows(three)
    assert table.rows() == three
    assert all(cell.isVisible() for row in table.cells[:3] for cell in row)
    assert [c.text() for c in table.cells[2]] == ["Ari Madeup", "brother"]
    table.setReadOnly(False)
    table.set_rows([])
    assert table.rows() == [] and len(table.cells) == 1
    qtbot.keyClicks(table.cells[0][0], "Kai Fictional")
    assert len(table.cells) == 2                          # typing still adds the next row
    assert table.rows() == [{"name": "Kai Fictional", "role": ""}]
