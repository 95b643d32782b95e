"""A change rewrites only the lines of the records it changed: the visit list, the direct-work
sessions, the case timeline and the caseload keep every other line as it is (the same item, the
same model row), and the worker's chosen line and scroll position stay where they were.

Each test first changes another record behind the views' backs (raw SQL, announced to no
one): a view that read its whole list again would show that change, so it staying unseen
proves only the changed record was read."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from rbsw_desktop.domain import Case, DirectWorkTool, Visit, VisitStatus, VisitType
from rbsw_desktop.store import Store
from rbsw_desktop.ui.case_workspace import CaseWorkspace
from rbsw_desktop.ui.direct_work import DirectWorkTab
from rbsw_desktop.ui.visits import VisitsTab
from tests.ui.conftest import line_of, open_tab
from tests.ui.test_app_shell import SHOTS, unlock, window  # noqa: F401 - fixture
from tests.ui.test_visit_record import (
    caseload_lines,
    click,
    open_child,
    overdue_child,
    record_seen_visit,
    saved,
)

QUICK_AUTOSAVE_MS = 30


def items(records: QListWidget) -> list[QListWidgetItem]:
    return [records.item(r) for r in range(records.count())]


def choose(qtbot, records: QListWidget, item: QListWidgetItem) -> None:  # noqa: ANN001
    """Scroll to a line and click it, as a person does."""
    records.scrollToItem(item)
    qtbot.mouseClick(records.viewport(), Qt.MouseButton.LeftButton,
                     pos=records.visualItemRect(item).center())
    assert records.currentItem() is item


def add_visits(store: Store, case: Case, days: int) -> list[Visit]:
    """One visit a day from 1 October 2026, oldest first."""
    return [store.visits.add(case.id, visited_at=f"{date(2026, 10, 1) + timedelta(days=n)}"
                             "T10:00:00.000Z", visit_type=VisitType.STATUTORY,
                             observations=f"Fictional visit {n + 1}") for n in range(days)]


def test_a_saved_visit_rewrites_only_its_own_line(qtbot, store: Store, case: Case) -> None:
    visits = add_visits(store, case, 28)
    tab = open_tab(qtbot, VisitsTab, store, case.id)
    tab.editor.autosave.timer.setInterval(QUICK_AUTOSAVE_MS)
    qtbot.waitUntil(lambda: tab.list.count() == 28)     # (more than a slice: a few turns)
    before = items(tab.list)
    chosen, other = visits[9], visits[3]
    choose(qtbot, tab.list, line_of(tab.list, chosen.id))
    qtbot.waitUntil(lambda: tab.editor.visit is not None and tab.editor.visit.id == chosen.id)
    scroll = tab.list.verticalScrollBar().value()
    assert scroll > 0                                     # the list was scrolled to it
    store.db.execute('UPDATE "visit" SET sync_state = ? WHERE id = ?', ["synced", other.id])
    other_line = line_of(tab.list, other.id).text()
    assert "Waiting to sync" in other_line

    # The worker changes the visit's type with the keyboard; it saves itself.
    tab.editor.visit_type.setFocus()
    qtbot.keyClick(tab.editor.visit_type, Qt.Key.Key_End)           # "Other visit"
    qtbot.waitUntil(lambda: saved_type(store, chosen.id) is VisitType.OTHER, timeout=3000)
    assert "Other visit" in line_of(tab.list, chosen.id).text()       # its line follows ...
    assert items(tab.list) == before                               # ... every line kept
    assert line_of(tab.list, other.id).text() == other_line           # (no other line read)
    assert tab.list.currentItem() is line_of(tab.list, chosen.id)
    assert tab.list.verticalScrollBar().value() == scroll
    assert tab.editor.visit_type.hasFocus()

    # A new visit: one line more, at the top; the others are the same lines.
    click(qtbot, tab.new_button)
    qtbot.waitUntil(lambda: tab.list.count() == 29)
    assert items(tab.list)[1:] == before
    assert line_of(tab.list, other.id).text() == other_line


def saved_type(store: Store, visit_id: str) -> VisitType:
    return store.records.get(Visit, visit_id).visit_type


def test_a_saved_session_rewrites_only_its_own_line(qtbot, store: Store, case: Case) -> None:
    sessions = [store.direct_work.add(case.id, DirectWorkTool.THREE_HOUSES,
                                      held_on=(date(2026, 10, 1) + timedelta(days=n)).isoformat(),
                                      title=f"Fictional {n + 1}") for n in range(40)]
    tab = open_tab(qtbot, DirectWorkTab, store, case.id)
    tab.autosave.timer.setInterval(QUICK_AUTOSAVE_MS)
    qtbot.waitUntil(lambda: tab.list.count() == 40)     # a long list fills over a few turns
    before = items(tab.list)
    chosen, other = sessions[5], sessions[2]
    choose(qtbot, tab.list, line_of(tab.list, chosen.id))
    assert tab.activity is not None and tab.activity.id == chosen.id
    scroll = tab.list.verticalScrollBar().value()
    assert scroll > 0
    store.db.execute('UPDATE "direct_work_activity" SET title = ? WHERE id = ?',
                     ["Fictional: changed behind its back", other.id])

    qtbot.mouseClick(tab.title, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(tab.title, " at school")
    qtbot.waitUntil(lambda: "Fictional 6 at school" in line_of(tab.list, chosen.id).text(),
                    timeout=3000)
    assert items(tab.list) == before
    assert "Fictional 3" in line_of(tab.list, other.id).text()
    assert tab.list.currentItem() is line_of(tab.list, chosen.id)
    assert tab.list.verticalScrollBar().value() == scroll
    assert tab.title.hasFocus() and tab.title.text() == "Fictional 6 at school"


def test_the_timeline_reads_again_only_the_entries_of_what_changed(
        qtbot, store: Store, case: Case) -> None:
    visits = add_visits(store, case, 60)
    session = store.direct_work.add(case.id, DirectWorkTool.THREE_HOUSES,
                                    held_on="2026-11-05", title="Fictional houses")
    workspace = open_tab(qtbot, CaseWorkspace, store, case.id)
    timeline, tabs = workspace.timeline, workspace.tabs
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=tabs.tabBar().tabRect(tabs.indexOf(timeline)).center())
    assert tabs.currentWidget() is timeline
    qtbot.waitUntil(lambda: timeline.count() == 61)     # a long list fills over a few turns
    before = items(timeline)
    last = timeline.item(timeline.count() - 1)
    choose(qtbot, timeline, last)
    scroll = timeline.verticalScrollBar().value()
    assert scroll > 0
    store.db.execute('UPDATE "direct_work_activity" SET title = ? WHERE id = ?',
                     ["Fictional: changed behind its back", session.id])

    # On the visits tab the worker changes a visit's type; the timeline is read when shown.
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=tabs.tabBar().tabRect(tabs.indexOf(workspace.visits)).center())
    visits_tab = workspace.visits
    visits_tab.editor.autosave.timer.setInterval(QUICK_AUTOSAVE_MS)
    changed = visits[7]
    choose(qtbot, visits_tab.list, line_of(visits_tab.list, changed.id))
    qtbot.waitUntil(lambda: visits_tab.editor.visit is not None
                    and visits_tab.editor.visit.id == changed.id)
    visits_tab.editor.visit_type.setFocus()
    qtbot.keyClick(visits_tab.editor.visit_type, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: saved_type(store, changed.id) is VisitType.OTHER, timeout=3000)
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=tabs.tabBar().tabRect(tabs.indexOf(timeline)).center())

    line = line_of(timeline, ("visit", changed.id))
    assert line is not None and "Other visit" in line.text()
    assert items(timeline) == before                   # the same lines, in the same order
    assert "Fictional houses" in line_of(
        timeline, ("direct_work_activity", session.id)).text()   # not read again: it did not change
    assert timeline.currentItem() is last
    assert timeline.verticalScrollBar().value() == scroll
    SHOTS.mkdir(parents=True, exist_ok=True)
    workspace.grab().save(str(SHOTS / "timeline-after-a-change.png"))


def test_finalising_a_visit_changes_only_that_childs_caseload_line(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    store = window.taskman.store
    model = window.caseload.model_
    child = overdue_child(window)
    other = next(case for case in model.rows if case.child_name != child)
    store.db.execute('UPDATE "case" SET family_name = ? WHERE id = ?',
                     ["The Behindback family (fictional)", other.id])
    kept = [QPersistentModelIndex(model.index(row, 0)) for row in range(model.rowCount())]
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    open_child(qtbot, window, child)
    chosen = window.caseload.currentIndex().data(Qt.ItemDataRole.UserRole + 1)
    editor = record_seen_visit(qtbot, window)
    click(qtbot, editor.finalise_button)
    click(qtbot, editor.dialog.button(editor.dialog.StandardButton.Yes))
    qtbot.waitUntil(lambda: saved(window, editor).status is VisitStatus.FINALISED)

    now = dict(caseload_lines(window))[child]
    assert "Overdue" not in now and now.startswith("Due ")          # its line follows
    assert "Overdue" not in window.workspace.subheading.text()      # and the case's header
    assert resets == [] and all(index.isValid() for index in kept)  # no row was rebuilt
    assert next(case.family_name for case in model.rows if case.id == other.id) == \
        other.family_name                                           # nor read again
    assert window.caseload.currentIndex().data(Qt.ItemDataRole.UserRole + 1) == chosen
