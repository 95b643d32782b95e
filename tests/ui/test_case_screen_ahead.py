"""Opening a case fills a case screen built ahead (while the lock screen waits), never a new one:
the next case opened shows in the same screen with nothing of the one before, and what was being
typed in the one before is saved first."""

from __future__ import annotations

import threading

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtWidgets import QApplication, QStyle, QWidget

from rbsw_desktop.domain import Visit, Zone
from rbsw_desktop.ui.main_window import MainWindow
from rbsw_desktop.ui.record_list import SLICE_ROWS
from rbsw_desktop.ui.taskman import TaskManager
from rbsw_desktop.ui.visit_fields import RowsTable
from rbsw_desktop.ui.visits import PEOPLE, VisitsTab
from tests.ui.conftest import open_tab
from tests.ui.test_app_shell import SHOTS, demo_window, unlock
from tests.ui.test_lock_keeps_work import show_tab
from tests.ui.test_visit_record import click, new_visit, open_child


def visit_lines(win: MainWindow) -> list[str]:
    shown = win.workspace.visits.list
    return [shown.item(r).text() for r in range(shown.count())]


def holds_no_case(screen) -> bool:  # noqa: ANN001
    """Nothing of any child in a case screen: no case, heading, visit or timeline line."""
    return (screen.case_id == "" and not screen.heading.text()
            and screen.visits.list.count() == 0 and screen.timeline.count() == 0)


def test_the_case_screen_is_built_while_the_lock_screen_waits(qtbot, tmp_path) -> None:  # noqa: ANN001
    """Built behind the lock screen, holding nothing of a case, and the one a case opens in;
    after a lock the next one is built afresh, with nothing of the child shown before."""
    win = demo_window(qtbot, tmp_path, TaskManager(synchronous=True))
    qtbot.waitUntil(lambda: win.spare_workspace is not None, timeout=5000)
    ahead = win.spare_workspace
    assert win.stack.currentWidget() is win.lock_screen and holds_no_case(ahead)
    unlock(qtbot, win)
    assert win.case_area.currentWidget() is win.empty_case
    open_child(qtbot, win, "Poppy Pretend")
    assert win.workspace is ahead and ahead.isVisible()
    case_id = win.workspace.case_id
    qtbot.waitUntil(lambda: len(visit_lines(win)) == len(win.taskman.store.visits.of_case(case_id)))
    assert len(visit_lines(win)) > 0
    win.lock()
    qtbot.waitUntil(lambda: win.spare_workspace is not None, timeout=5000)
    behind_the_lock = win.spare_workspace
    assert win.stack.currentWidget() is win.lock_screen and holds_no_case(behind_the_lock)
    assert behind_the_lock is not ahead


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


def test_the_case_screen_is_laid_out_once_as_a_case_opens(qtbot, tmp_path) -> None:  # noqa: ANN001
    """The child's heading is there from the first frame (the caseload's line for the child),
    so the caseload does not jump narrower a moment later, as the case read from the store
    arrives (the store thread is held up here, as by a sync, to see the first frame)."""
    win = demo_window(qtbot, tmp_path, TaskManager())
    unlock(qtbot, win)
    qtbot.waitUntil(lambda: win.caseload.proxy.rowCount() > 1, timeout=10_000)
    release = threading.Event()
    win.taskman.run_on_store(lambda store: release.wait(10), lambda _: None, lambda _: None)
    proxy = win.caseload.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == "Poppy Pretend")
    win.caseload.setCurrentIndex(proxy.index(row, 0))
    qtbot.keyClick(win.caseload, Qt.Key.Key_Return)
    QApplication.sendPostedEvents()                 # laid out as first shown
    first, screen = win.split.sizes(), win.workspace
    heading = screen.heading.text()
    release.set()
    qtbot.waitUntil(lambda: screen.visits.list.count() > 0 and screen.timeline.count() > 0)
    win.taskman.wait()
    qtbot.wait(50)                                  # (the answers delivered, laid out)
    QApplication.sendPostedEvents()
    assert win.split.sizes() == first
    assert "Poppy Pretend" in heading and screen.heading.text() == heading
    win.lock()


class Paints(QObject):
    """Counts the frames a window draws."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.count = 0
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.UpdateRequest:
            self.count += 1
        return False


def test_the_store_thread_waits_for_a_screen_just_shown_to_be_drawn(qtbot) -> None:  # noqa: ANN001
    """What is asked of the store after `hold_for_a_frame` starts once the window has drawn
    (a case screen comes up at once, its records a moment later), in the order asked."""
    taskman = TaskManager()
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    paints = Paints(window)
    window.update()
    taskman.hold_for_a_frame(window)
    seen: list[object] = []
    for n in range(3):
        taskman.run_on_store_thread(lambda n=n: (n, paints.count), seen.append, seen.append)
    qtbot.waitUntil(lambda: len(seen) == 3)
    assert [n for n, _ in seen] == [0, 1, 2]
    assert all(drawn > 0 for _, drawn in seen), seen
    taskman.shutdown()


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


def line_ids(tab: VisitsTab) -> list[str]:
    return [tab.list.item(r).data(Qt.ItemDataRole.UserRole) for r in range(tab.list.count())]


def test_a_long_visit_list_fills_in_slices_and_a_new_fill_drops_the_rest(
        qtbot, store, case) -> None:  # noqa: ANN001
    """A big case's list never holds the UI thread: a slice of lines at once, the rest in the
    next turns of the event loop, every visit in the end, newest first; a visit asked for
    (a search hit) is chosen, shown and scrolled to once its line is written, and a list
    cleared while it fills (the next case) stays empty."""
    visits = [Visit(case_id=case.id, observations=f"Fictional note {n}",
                    visited_at=f"2026-03-{1 + n % 28:02d}T10:{n % 60:02d}:00.000Z")
              for n in range(SLICE_ROWS * 4 + 5)]
    store.records.save_many(visits)
    newest_first = [v.id for v in sorted(visits, key=lambda v: v.visited_at, reverse=True)]
    tab = open_tab(qtbot, VisitsTab, store, case.id)
    assert 0 < tab.list.count() <= SLICE_ROWS                # the rest comes in the next turns
    qtbot.waitUntil(lambda: tab.list.count() == len(visits))
    assert line_ids(tab) == newest_first

    oldest = newest_first[-1]                 # the last line: written in the last slice
    tab.clear()
    tab.reload(select=oldest)
    assert tab.list.count() <= SLICE_ROWS
    qtbot.waitUntil(lambda: tab.list.count() == len(visits))
    assert line_ids(tab) == newest_first
    assert tab.list.currentItem().data(Qt.ItemDataRole.UserRole) == oldest
    assert tab.editor.visit is not None and tab.editor.visit.id == oldest
    qtbot.waitUntil(lambda: tab.list.viewport().rect().intersects(      # scrolled to, on screen
        tab.list.visualItemRect(tab.list.currentItem())))

    tab.reload()
    tab.clear()                                              # cleared before the fill is done
    qtbot.wait(50)
    assert tab.list.count() == 0


def lines_cut_short(shown) -> list[str]:  # noqa: ANN001
    """The lines of a list not tall enough for their words, wrapped at the list's width as Qt
    draws them (inside the focus frame's margin)."""
    margin = shown.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, shown) + 1
    short = []
    for row in range(shown.count()):
        item = shown.item(row)
        rect = shown.visualItemRect(item)
        words = shown.fontMetrics().boundingRect(
            QRect(0, 0, rect.width() - 2 * margin, 10_000), Qt.TextFlag.TextWordWrap, item.text())
        if rect.height() < words.height():
            short.append(item.text())
    return short


def test_every_line_of_a_long_list_is_tall_enough_for_all_its_words(
        qtbot, store, case) -> None:  # noqa: ANN001
    """Each line's size is worked out as it is written and again when the list's width
    changes (Qt asks every line's size each time it lays the list out): every visit's two
    lines (its time; its kind and state, wrapped in a narrow list) are shown whole, on every
    line of a list filled over many turns, and again once the list is made narrower."""
    store.records.save_many([Visit(case_id=case.id, observations=f"Fictional note {n}",
                                   visited_at=f"2026-04-{1 + n % 28:02d}T09:{n % 60:02d}:00.000Z")
                             for n in range(SLICE_ROWS * 2 + 3)])
    tab = open_tab(qtbot, VisitsTab, store, case.id)
    qtbot.waitUntil(lambda: tab.list.count() == SLICE_ROWS * 2 + 3)
    qtbot.wait(150)                                          # (Qt's own layout after a resize)
    assert all(len(tab.list.item(r).text().splitlines()) == 2 for r in range(tab.list.count()))
    assert lines_cut_short(tab.list) == []
    split = tab.list.parentWidget().parentWidget()
    split.setSizes([120, 980])                       # narrower: "Waiting to sync" wraps
    qtbot.waitUntil(lambda: tab.list.width() < 130)
    qtbot.wait(150)
    assert tab.list.visualItemRect(tab.list.item(0)).height() > \
        3 * tab.list.fontMetrics().lineSpacing()
    assert lines_cut_short(tab.list) == []


def test_an_answer_for_the_child_before_never_opens_in_the_next_childs_screen(
        qtbot, tmp_path) -> None:  # noqa: ANN001
    """The store thread is busy (a sync, say) while the worker clicks one of Poppy's visits and
    then chooses Zain: Poppy's visit, read afterwards, is not opened under Zain's name."""
    import threading
    win = demo_window(qtbot, tmp_path, TaskManager())
    unlock(qtbot, win)
    qtbot.waitUntil(lambda: win.caseload.proxy.rowCount() > 1, timeout=10_000)
    open_child(qtbot, win, "Poppy Pretend")
    screen = win.workspace
    qtbot.waitUntil(lambda: screen.visits.list.count() > 1)
    release = threading.Event()
    win.taskman.run_on_store(lambda store: release.wait(10), lambda _: None, lambda _: None)
    item = screen.visits.list.item(1)
    qtbot.mouseClick(screen.visits.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=screen.visits.list.visualItemRect(item).center())
    proxy = win.caseload.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == "Zain Fictional")
    win.caseload.setCurrentIndex(proxy.index(row, 0))
    qtbot.keyClick(win.caseload, Qt.Key.Key_Return)
    release.set()
    qtbot.waitUntil(lambda: "Zain" in screen.heading.text())
    zain = screen.case_id
    qtbot.wait(300)
    visit = screen.visits.editor.visit
    assert visit is None or visit.case_id == zain
    win.lock()


def test_the_board_says_nothing_of_the_child_before(qtbot, tmp_path) -> None:  # noqa: ANN001
    """A move announced on Poppy's board, in the family's words, is neither shown nor heard on
    Zain's board, shown next in the same screen (the real store thread)."""
    win = demo_window(qtbot, tmp_path, TaskManager())
    unlock(qtbot, win)
    qtbot.waitUntil(lambda: win.caseload.proxy.rowCount() > 1, timeout=10_000)
    open_child(qtbot, win, "Poppy Pretend")
    board = show_tab(qtbot, win, "Board")
    qtbot.waitUntil(lambda: any(board.models[z].items for z in (Zone.RED, Zone.AMBER)),
                    timeout=10_000)
    zone = next(z for z in (Zone.RED, Zone.AMBER) if board.models[z].items)
    view = board.views[zone]
    words = board.models[zone].items[0].text
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(board.models[zone].index(0)).center())
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: words in board.announce.text(), timeout=10_000)

    open_child(qtbot, win, "Zain Fictional")
    assert win.workspace.board is board
    qtbot.waitUntil(lambda: board.data is not None, timeout=10_000)     # Zain's board shown
    win.taskman.wait()
    qtbot.wait(100)
    assert words not in board.announce.text()
    assert words not in board.announce.accessibleName() + board.announce.accessibleDescription()
    win.lock()


def test_a_search_answered_after_the_box_is_cleared_or_the_app_locks_shows_nothing(
        qtbot, tmp_path) -> None:  # noqa: ANN001
    """The store thread is busy (a sync, say) while a search waits behind it: the worker clears
    the box, or locks the app, before it is answered; its answer, arriving afterwards, shows no
    child's name (not under an empty box, not behind the lock screen)."""
    import threading
    win = demo_window(qtbot, tmp_path, TaskManager())
    unlock(qtbot, win)
    qtbot.waitUntil(lambda: win.caseload.proxy.rowCount() > 1, timeout=10_000)
    for leave in ("clear", "lock"):
        release = threading.Event()
        win.taskman.run_on_store(lambda store, r=release: r.wait(10), lambda _: None,
                                 lambda _: None)
        qtbot.keyClicks(win.search, "Pretend")
        win.search_timer.timeout.emit()                 # (the search's pause, not waited for)
        if leave == "clear":
            win.search.selectAll()
            qtbot.keyClick(win.search, Qt.Key.Key_Backspace)
            release.set()
        else:
            threading.Timer(0.2, release.set).start()   # answered while the lock waits on it
            qtbot.keyClick(win.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
            assert win.locked
        win.taskman.wait()
        qtbot.wait(100)                                 # the answer is delivered
        assert not win.results.isVisible() and win.results.count() == 0, leave
    win.lock()
