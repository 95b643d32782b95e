"""Every screen of the app, reached as a worker reaches it, for the tests that look at all of
them at once (small screens, Alt-key mnemonics, what a screen reader hears).

    for name, root in walk(qtbot, window):    # the window (or the dialog) now on screen
        ...

Over the fictional demo store, with a synchronous task manager: the lock screen, the caseload,
search results, the open case with each of its tabs, the family summary and Set up sync
dialogs, the sync problems window, the export of refused changes, and the pod view of business
support (its council system unreachable: the view shows, with nothing loaded).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from rbsw_desktop.domain import DirectWorkTool
from rbsw_desktop.ui.direct_work import DirectWorkTab
from rbsw_desktop.ui.main_window import MainWindow
from tests.ui.test_app_shell import unlock

CHILD = "Poppy Pretend"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def shown_dialog() -> QDialog:
    (dialog,) = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QDialog) and w.isVisible()]
    return dialog


def click(qtbot: Any, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


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
        if isinstance(tab, DirectWorkTab):     # each kind of tool's sheet, map or scores
            for tool in (DirectWorkTool.THREE_HOUSES, DirectWorkTool.ECOMAP,
                         DirectWorkTool.GENOGRAM, DirectWorkTool.SCALING):
                tab.tool.setCurrentIndex(tab.tool.findData(tool.value))
                yield f"case, Direct work tab, {tool.label}", window

    click(qtbot, window.workspace.export_button)
    dialog = shown_dialog()
    yield "family summary", dialog
    dialog.reject()

    assert window.enrol_button is not None and window.enrol_button.isVisible()
    click(qtbot, window.enrol_button)
    dialog = shown_dialog()
    yield "set up sync", dialog
    dialog.reject()

    from rbsw_desktop.ui.refused import ExportRefusedDialog
    from rbsw_desktop.ui.sync_panel import SyncPanel, SyncSetup
    panel = SyncPanel(SyncSetup(f"http://127.0.0.1:{closed_port()}", "fictional-token", False),
                      taskman=window.taskman, on_changes=lambda _report: None, parent=window)
    panel.controller.stop()
    panel.show_conflicts()
    dialog = shown_dialog()
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
