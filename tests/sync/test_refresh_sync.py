"""What a sync brings from the pod's other laptops rewrites only the lines of the records it
changed: the worker's open visit list and case timeline keep every other line (the same item),
the line chosen and what is being typed. Real stores on both ends, the real gateway process on
127.0.0.1 (SQLite and PostgreSQL); the worker's laptop syncs from its sync button.

Before each sync another record is changed behind the views' backs (raw SQL, announced to no
one): a view that read its whole list again would show it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from rbsw_desktop.domain import BoardItem, Visit, VisitType, Zone
from rbsw_desktop.ui.case_workspace import CaseWorkspace
from rbsw_desktop.ui.sync_status import SyncController, SyncStatusWidget
from rbsw_desktop.ui.taskman import TaskManager
from rbsw_desktop.ui.visits import VisitsTab
from tests.sync.laptops import Laptop, new_laptop
from tests.ui.conftest import line_of, store_taskman

SLOW_AUTOSAVE_MS = 3_600_000        # the worker is still typing: nothing saves by itself


def items(records: QListWidget) -> list[QListWidgetItem]:
    return [records.item(r) for r in range(records.count())]


def click_line(qtbot, records: QListWidget, item: QListWidgetItem) -> None:  # noqa: ANN001
    records.scrollToItem(item)
    qtbot.mouseClick(records.viewport(), Qt.MouseButton.LeftButton,
                     pos=records.visualItemRect(item).center())


def sync_button(qtbot, laptop: Laptop, taskman: TaskManager) -> SyncStatusWidget:  # noqa: ANN001
    """The status bar's sync indicator over this laptop's store; what a sync wrote is
    announced as the main window announces it (`MainWindow._synced`)."""
    controller = SyncController(taskman, lambda store: Laptop(store, laptop.enrolment).engine(),
                                lambda _store: {}, interval_ms=3_600_000)
    controller.sig_finished.connect(
        lambda report: taskman.changes_applied(report.changes, controller) if report else None)
    widget = SyncStatusWidget(controller)
    qtbot.addWidget(widget)
    return widget


def press_sync(qtbot, widget: SyncStatusWidget) -> Any:  # noqa: ANN001
    with qtbot.waitSignal(widget.controller.sig_finished, timeout=20_000) as done:
        qtbot.mouseClick(widget.button, Qt.MouseButton.LeftButton)
    report = done.args[0]
    assert report is not None and not report.errors, report.as_json()
    return report


def enrolled(gateway: Any, tmp_path: Path, worker: str, name: str) -> Laptop:
    laptop = new_laptop(tmp_path / name, gateway.url, gateway.enrol_code(worker), name)
    assert laptop.sync().ok
    return laptop


def test_a_pod_managers_board_change_rewrites_only_its_timeline_lines(
        qtbot, gateway: Any, tmp_path: Path) -> None:
    pod = gateway.pod_add("Refresh Pod (fictional)")
    worker = gateway.worker_add(pod, "Sam Refreshworker (fictional)", "social_worker")
    manager = gateway.worker_add(pod, "Pat Refreshmanager (fictional)", "pod_manager")
    case_id = gateway.case_add(worker, "Ada Refreshchild")
    mine = enrolled(gateway, tmp_path, worker, "worker-laptop")
    theirs = enrolled(gateway, tmp_path, manager, "manager-laptop")
    store = mine.store
    visits = [store.visits.add(case_id, visited_at=f"2026-11-{day:02d}T10:00:00.000Z",
                               visit_type=VisitType.STATUTORY) for day in range(1, 13)]
    item = store.board.add(case_id, Zone.AMBER, "Fictional: bedtimes are late")
    assert mine.sync().ok and theirs.sync().ok
    taskman = store_taskman(store)
    workspace = CaseWorkspace(taskman=taskman, case_id=case_id)
    qtbot.addWidget(workspace)
    workspace.resize(1000, 600)
    workspace.show()
    button = sync_button(qtbot, mine, taskman)
    tabs, timeline = workspace.tabs, workspace.timeline
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=tabs.tabBar().tabRect(tabs.indexOf(timeline)).center())
    chosen = line_of(timeline, ("visit", visits[3].id))
    click_line(qtbot, timeline, chosen)
    before = items(timeline)
    untouched = line_of(timeline, ("visit", visits[0].id))
    untouched_text = untouched.text()
    store.db.execute('UPDATE "visit" SET visit_type = ? WHERE id = ?', ["other", visits[0].id])

    # The pod manager rewords the item on their laptop; the worker presses Sync.
    held = theirs.store.records.get(BoardItem, item.id)
    held.text = "Fictional: bedtimes are calmer now"
    theirs.store.board.update(held)
    assert theirs.sync().ok
    report = press_sync(qtbot, button)
    assert item.id in report.changes.ids(BoardItem.entity)

    (move,) = [key for key in timeline.lines.records if key[0] == "board_move"]
    assert "bedtimes are calmer now" in line_of(timeline, move).text()   # its line follows
    assert items(timeline) == before                     # every line kept, in its place
    assert untouched.text() == untouched_text            # no other line read again
    assert timeline.currentItem() is chosen
    button.controller.stop()


def test_a_visit_changed_on_another_laptop_rewrites_its_line_and_spares_the_one_typed(
        qtbot, gateway: Any, tmp_path: Path) -> None:
    pod = gateway.pod_add("Refresh Visits Pod (fictional)")
    worker = gateway.worker_add(pod, "Sam Twolaptops (fictional)", "social_worker")
    case_id = gateway.case_add(worker, "Ada Twolaptops")
    mine = enrolled(gateway, tmp_path, worker, "office-laptop")
    other = enrolled(gateway, tmp_path, worker, "home-laptop")     # the worker's other laptop
    store = mine.store
    typed, changed, untouched = (
        store.visits.add(case_id, visited_at=f"2026-11-0{day}T10:00:00.000Z",
                         visit_type=VisitType.STATUTORY, observations=f"Fictional {day}")
        for day in (3, 2, 1))
    assert mine.sync().ok and other.sync().ok
    taskman = store_taskman(store)
    tab = VisitsTab(taskman=taskman, case_id=case_id)
    qtbot.addWidget(tab)
    tab.resize(1000, 600)
    tab.show()
    button = sync_button(qtbot, mine, taskman)
    editor = tab.editor
    editor.autosave.timer.setInterval(SLOW_AUTOSAVE_MS)
    click_line(qtbot, tab.list, line_of(tab.list, typed.id))
    qtbot.waitUntil(lambda: editor.visit is not None and editor.visit.id == typed.id)
    words = editor.texts["observations"]
    qtbot.mouseClick(words, Qt.MouseButton.LeftButton)
    words.moveCursor(words.textCursor().MoveOperation.End)
    qtbot.keyClicks(words, ": we played snap")
    editor.save_if_dirty()                                # what the pause in typing does
    qtbot.keyClicks(words, " and")                        # ... and the worker types on
    before = items(tab.list)
    untouched_text = line_of(tab.list, untouched.id).text()
    store.db.execute('UPDATE "visit" SET visit_type = ? WHERE id = ?', ["other", untouched.id])

    # On the other laptop the visit of the 2nd becomes a core group meeting.
    theirs = other.store.records.get(Visit, changed.id)
    theirs.visit_type = VisitType.CORE_GROUP
    other.store.visits.update(theirs)
    assert other.sync().ok
    report = press_sync(qtbot, button)
    assert changed.id in report.changes.ids(Visit.entity)

    assert "Core group meeting" in line_of(tab.list, changed.id).text()   # its line follows
    assert items(tab.list) == before
    assert line_of(tab.list, untouched.id).text() == untouched_text
    assert tab.list.currentItem() is line_of(tab.list, typed.id)
    assert editor.visit.id == typed.id and editor.dirty              # still being typed
    assert words.toPlainText() == "Fictional 3: we played snap and"
    # Its own save came back stamped by the push: the editor carries on from there, so what
    # is typed next is no conflict with itself.
    qtbot.keyClicks(words, " dominoes")
    editor.save_if_dirty()
    report = press_sync(qtbot, button)
    assert report.conflicts == 0 and report.ok, report.as_json()
    assert other.sync().ok
    assert other.store.records.get(Visit, typed.id).observations == \
        "Fictional 3: we played snap and dominoes"

    # The worker opens the changed visit; changed again elsewhere while only read here, the
    # newer version is shown. Changed elsewhere while being typed in, the words typed stay
    # and their save meets it as a conflict (kept for a person to decide).
    click_line(qtbot, tab.list, line_of(tab.list, changed.id))
    qtbot.waitUntil(lambda: editor.visit is not None and editor.visit.id == changed.id)
    theirs = other.store.records.get(Visit, changed.id)
    theirs.observations = "Fictional 2: grandma came too"
    other.store.visits.update(theirs)
    assert other.sync().ok
    press_sync(qtbot, button)
    assert editor.texts["observations"].toPlainText() == "Fictional 2: grandma came too"
    qtbot.mouseClick(editor.texts["observations"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(editor.texts["observations"], " (fictional)")
    theirs = other.store.records.get(Visit, changed.id)
    theirs.observations = "Fictional 2: grandma and grandad came"
    other.store.visits.update(theirs)
    assert other.sync().ok
    press_sync(qtbot, button)
    assert editor.dirty and "(fictional)" in editor.texts["observations"].toPlainText()
    editor.save_if_dirty()
    assert press_sync(qtbot, button).conflicts == 1
    button.controller.stop()
