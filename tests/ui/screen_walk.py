"""Every screen of the app, reached as a worker reaches it, for the tests that look at all of
them at once (small screens, Alt-key mnemonics, what a screen reader hears).

    for name, root in walk(qtbot, window):    # the window (or the dialog) now on screen
        ...

Over the fictional demo store, with a synchronous task manager: the lock screen, the caseload,
search results, the open case with each of its tabs and every window a worker opens from them
(Finalise's question, an amendment; the board's item window to add and to edit a note, Start
review with a note just moved to strengths to reword, meeting mode; a session's full-size
photo and the questions before removing it, removing the session or clearing a drawing, the
child's turn, writing words in it and the passphrase that ends it), the family summary and Set
up sync dialogs, the sync problems window (with a conflict in it), the export of refused
changes, and the pod view of business support (its council system unreachable: the view
shows, with nothing loaded).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QListView, QWidget

from rbsw_desktop.domain import DirectWorkTool, Zone
from rbsw_desktop.store.demo import DEMO_PASSPHRASE
from rbsw_desktop.store.sync_state import PushAck
from rbsw_desktop.ui.board import BoardTab
from rbsw_desktop.ui.direct_work import DirectWorkTab
from rbsw_desktop.ui.main_window import MainWindow
from rbsw_desktop.ui.visits import VisitsTab
from tests.ui.test_app_shell import unlock
from tests.ui.test_drawing import drag, line

CHILD = "Poppy Pretend"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def shown_window() -> QWidget:
    """The window on top of the app's: the last dialog opened (the child's turn is one too),
    else meeting mode."""
    modal = QApplication.activeModalWidget()
    if modal is not None:
        return modal
    (window,) = [w for w in QApplication.topLevelWidgets()
                 if w.isVisible() and not isinstance(w, MainWindow)
                 and w.windowType() in (Qt.WindowType.Window, Qt.WindowType.Dialog)]
    return window


def click(qtbot: Any, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def click_line(qtbot: Any, view: QListView, row: int) -> None:
    """Click the line at `row` of a list, as a person chooses it."""
    index = view.model().index(row, 0)
    view.scrollTo(index)
    qtbot.waitUntil(lambda: not view.visualRect(index).isEmpty())     # (laid out)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(index).center())


def escape(qtbot: Any, window: QWidget) -> None:
    """Esc in the window on top (its Cancel), and it is gone."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isVisible())


def open_child(qtbot: Any, window: MainWindow, name: str = CHILD) -> None:
    """Choose the child in the caseload and press Enter, as a worker does."""
    view = window.caseload
    for row in range(view.model().rowCount()):
        index = view.model().index(row, 0)
        if index.data() == name:
            view.setCurrentIndex(index)
            break
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert window.workspace is not None


def show_tab(qtbot: Any, window: MainWindow, index: int) -> QWidget:
    tabs = window.workspace.tabs
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentIndex() == index
    return tabs.currentWidget()


def walk(qtbot: Any, window: MainWindow) -> Iterator[tuple[str, QWidget]]:
    yield "lock screen", window
    unlock(qtbot, window)
    yield "caseload", window
    qtbot.keyClicks(window.search, "bunk")
    window.search_timer.timeout.emit()
    yield "search results", window
    window.search.clear()
    open_child(qtbot, window)
    tabs = window.workspace.tabs
    for index in range(tabs.count()):
        tab = show_tab(qtbot, window, index)
        records = getattr(tab, "list", None)
        if records is not None and records.count():      # a visit, a session: its form
            rect = records.visualItemRect(records.item(0))
            qtbot.mouseClick(records.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        yield f"case, {tabs.tabText(index).replace('&', '')} tab", window
        if isinstance(tab, VisitsTab):
            yield from visit_windows(qtbot, tab)
        if isinstance(tab, BoardTab):
            yield from board_windows(qtbot, tab)
        if isinstance(tab, DirectWorkTab):     # each kind of tool's sheet, map or scores
            for tool in (DirectWorkTool.THREE_HOUSES, DirectWorkTool.ECOMAP,
                         DirectWorkTool.GENOGRAM, DirectWorkTool.SCALING):
                tab.tool.setCurrentIndex(tab.tool.findData(tool.value))
                yield f"case, Direct work tab, {tool.label}", window
            tab.tool.setCurrentIndex(tab.tool.findData(DirectWorkTool.THREE_HOUSES.value))
            yield from direct_work_windows(qtbot, tab)

    click(qtbot, window.workspace.export_button)
    dialog = shown_window()
    yield "family summary", dialog
    dialog.reject()

    assert window.enrol_button is not None and window.enrol_button.isVisible()
    click(qtbot, window.enrol_button)
    dialog = shown_window()
    yield "set up sync", dialog
    dialog.reject()

    from rbsw_desktop.ui.refused import ExportRefusedDialog
    from rbsw_desktop.ui.sync_panel import SyncPanel, SyncSetup
    panel = SyncPanel(SyncSetup(f"http://127.0.0.1:{closed_port()}", "fictional-token", False),
                      taskman=window.taskman, on_changes=lambda _report: None, parent=window)
    panel.controller.stop()
    colleagues_version(window)
    panel.show_conflicts()
    dialog = shown_window()
    yield "sync problems", dialog
    dialog.reject()
    export = ExportRefusedDialog(parent=window)
    export.open()
    yield "export refused changes", export
    export.reject()
    panel.stop()

    from rbsw_desktop.sync.support_client import SupportClient
    window.pod_client = SupportClient(f"http://127.0.0.1:{closed_port()}", "fictional-token")
    window.activateWindow()                  # back from the dialogs
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.case_area.currentWidget() is window.pod_view
    yield "business support", window


def visit_windows(qtbot: Any, tab: VisitsTab) -> Iterator[tuple[str, QWidget]]:
    """Finalise's question on the draft visit, then an amendment to a finalised one."""
    editor = tab.editor
    assert editor.finalise_button.isEnabled()            # the draft the walk chose
    click(qtbot, editor.finalise_button)
    box = shown_window()
    yield "case, Visits tab, finalise this visit?", box
    escape(qtbot, box)                                  # (its answer is No)
    final = next(row for row in range(tab.list.count())
                 if "Finalised" in tab.list.item(row).text())
    click_line(qtbot, tab.list, final)
    click(qtbot, editor.amend_button)
    dialog = shown_window()
    yield "case, Visits tab, add an amendment", dialog
    escape(qtbot, dialog)


def board_windows(qtbot: Any, tab: BoardTab) -> Iterator[tuple[str, QWidget]]:
    """The item window to add a note and to edit one, Start review with a worry just moved to
    strengths (its words to reword for the family), and meeting mode."""
    click(qtbot, tab.add_button)
    dialog = shown_window()
    yield "case, Board tab, add an item", dialog
    escape(qtbot, dialog)
    amber = tab.views[Zone.AMBER]
    click_line(qtbot, amber, 0)
    qtbot.keyClick(amber, Qt.Key.Key_Return)
    dialog = shown_window()
    yield "case, Board tab, edit an item", dialog
    escape(qtbot, dialog)
    click_line(qtbot, amber, next(row for row, item in enumerate(tab.models[Zone.AMBER].items)
                                  if item.text.startswith("Dad shouts")))
    qtbot.keyClick(amber, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)   # to strengths
    qtbot.waitUntil(lambda: any(i.text.startswith("Dad shouts")
                                for i in tab.models[Zone.GREEN].items))
    click(qtbot, tab.review_button)
    dialog = shown_window()
    assert tab.review_dialog is dialog and tab.review_dialog.words   # a box to reword it in
    yield "case, Board tab, start a review", dialog
    escape(qtbot, dialog)
    click(qtbot, tab.meeting_button)
    meeting = shown_window()
    yield "case, Board tab, meeting mode", meeting
    escape(qtbot, meeting)


def direct_work_windows(qtbot: Any, tab: DirectWorkTab) -> Iterator[tuple[str, QWidget]]:
    """The session's photo full size and removing it, removing the session, clearing a
    drawing, and the child's turn: drawing, writing words, the passphrase that ends it."""
    tab.thumbs.setFocus()                               # (as Tab reaches it)
    qtbot.keyClick(tab.thumbs, Qt.Key.Key_Home)
    qtbot.keyClick(tab.thumbs, Qt.Key.Key_Return)
    viewer = shown_window()
    yield "case, Direct work tab, full-size photo", viewer
    click(qtbot, viewer.remove_button)
    box = shown_window()
    yield "case, Direct work tab, remove the photo?", box
    escape(qtbot, box)
    click(qtbot, viewer.close_button)
    qtbot.waitUntil(lambda: not viewer.isVisible())
    click(qtbot, tab.remove_button)
    box = shown_window()
    yield "case, Direct work tab, remove the session?", box
    escape(qtbot, box)
    sheet = tab.editor
    canvas = sheet.current
    middle = QPoint(canvas.width() // 2, canvas.height() // 2)
    drag(qtbot, canvas, line(middle, middle + QPoint(80, 0)))
    click(qtbot, sheet.toolbox.clear_button)
    box = shown_window()
    yield "case, Direct work tab, clear the drawing?", box
    escape(qtbot, box)                                 # (its answer is Keep it)
    click(qtbot, tab.childs_turn_button)
    turn = tab.childs_turn
    qtbot.waitUntil(lambda: turn is not None and turn.isActiveWindow())
    if turn.write_button.isChecked():                  # (words written here already)
        click(qtbot, turn.write_button)
    yield "child's turn", turn
    click(qtbot, turn.write_button)
    assert turn.writing.isVisible()
    yield "child's turn, writing words", turn
    click(qtbot, turn.done_button)
    yield "child's turn, back to the worker", turn
    qtbot.keyClicks(turn.passphrase, DEMO_PASSPHRASE)
    qtbot.keyClick(turn.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.childs_turn is None)


def colleagues_version(window: MainWindow) -> None:
    """A board note the worker changed and a colleague changed too, sent back by the council
    as a conflict (as a sync records it), for the sync problems window to show."""
    store = window.taskman.store
    while batch := store.outbox.next_push_batch(500, 10**7):
        store.outbox.mark_pushed(batch, [PushAck(op.op_id, "applied", 1) for op in batch])
    case_id = window.workspace.case_id
    item = store.board.add(case_id, Zone.AMBER, "Rent arrears letter came (fictional)")
    (op,) = [o for o in store.outbox.next_push_batch(500, 10**7) if o.record_id == item.id]
    theirs = {"rev": 2, "deleted": False,
              "fields": {**op.fields, "text": "Rent plan agreed at the office (fictional)"}}
    store.outbox.mark_pushed([op], [PushAck(op.op_id, "conflict", theirs=theirs)])
