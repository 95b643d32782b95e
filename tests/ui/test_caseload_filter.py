"""Typing in the search box narrows the caseload at once (any column, any case) and clearing
it brings every child back, most overdue first, each name whole: after a lock, after a sync,
however narrow its column (then in its tooltip)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QStyle

from rbsw_desktop.domain import Child, changes
from rbsw_desktop.domain.enums import EntityKind
from rbsw_desktop.store import codec
from rbsw_desktop.store.sync_state import PushAck
from tests.ui.test_app_shell import SHOTS, unlock, window  # noqa: F401 - fixture


def shown(win) -> list[str]:  # noqa: ANN001
    proxy = win.caseload.proxy
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def test_typing_narrows_the_caseload_and_clearing_brings_it_back(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    everyone = shown(window)
    assert "Poppy Pretend" in everyone and len(everyone) > 2
    qtbot.keyClicks(window.search, "pOPPY")
    assert shown(window) == ["Poppy Pretend"]
    family = next(r.family_name for r in window.caseload.model_.rows
                  if r.child_name == "Poppy Pretend")
    window.search.clear()
    qtbot.keyClicks(window.search, family.upper())          # another column matches too
    assert "Poppy Pretend" in shown(window)
    window.search.clear()
    assert sorted(shown(window)) == sorted(everyone)
    overdue = [r.days_overdue for r in sorted(window.caseload.model_.rows,
                                              key=lambda r: -r.days_overdue)]
    by_due = [next(r.days_overdue for r in window.caseload.model_.rows if r.child_name == n)
              for n in shown(window)]
    assert by_due[0] == overdue[0] and by_due == sorted(by_due, reverse=True)


def test_clearing_the_search_puts_the_caseload_back_at_once_without_the_results(
        qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    qtbot.keyClicks(window.search, "bunk")
    window.search_timer.timeout.emit()                  # (the search's pause, not waited for)
    qtbot.waitUntil(lambda: window.results.isVisible() and window.results.count() > 0)
    window.search.selectAll()
    qtbot.keyClick(window.search, Qt.Key.Key_Backspace)
    assert not window.results.isVisible()               # at once, not after the pause
    assert window.results.count() == 0


def cut_off(win) -> list[str]:  # noqa: ANN001
    """The children's names the caseload shows that do not fit their column on one line (Qt
    draws a cell's text inside a margin each side)."""
    view = win.caseload
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    room = view.columnWidth(0) - 2 * margin
    return [name for name in shown(win) if view.fontMetrics().horizontalAdvance(name) > room]


def test_after_a_lock_with_a_search_typed_every_child_is_back_with_the_name_whole(
        qtbot, window) -> None:  # noqa: F811
    window.resize(1024, 600)
    unlock(qtbot, window)
    everyone = shown(window)
    qtbot.keyClicks(window.search, "Pretend")
    window.search_timer.timeout.emit()                  # (the search's pause, not waited for)
    assert shown(window) == ["Poppy Pretend"] and window.results.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    unlock(qtbot, window)
    assert window.search.text() == ""
    assert sorted(shown(window)) == sorted(everyone)    # not only the child searched for
    assert not window.results.isVisible()               # no empty results under the caseload
    assert cut_off(window) == []
    qtbot.keyClicks(window.search, "Poppy")
    window.search.clear()
    assert cut_off(window) == []
    window.grab().save(str(SHOTS / "caseload-after-lock-with-a-search-1024x600.png"))


def test_a_sync_read_in_full_while_a_search_is_typed_leaves_every_name_whole(
        qtbot, window, monkeypatch) -> None:  # noqa: F811
    unlock(qtbot, window)
    qtbot.keyClicks(window.search, "Pretend")
    store = window.taskman.store
    while ops := store.outbox.next_push_batch(100, 10_000_000):    # all sent: nothing waits
        store.outbox.mark_pushed(ops, [PushAck(op.op_id, "applied", 1) for op in ops])
    child = next(c for c in store.records.find(Child) if c.name == "Oscar Makebelieve")
    change = {"entity": "child", "id": child.id, "rev": 2, "deleted": False,
              "fields": {**codec.to_fields(child), "name": "Oscar Makebelieve-Fictitious"}}
    monkeypatch.setattr(changes, "FEW", 0)   # a sync big enough that the caseload is read whole
    with store.collect_changes() as written:               # a colleague's change, pulled
        store.outbox.apply_pulled([change])
    window.taskman.changes_applied(written.changes, None)  # ... and announced as a sync does
    assert shown(window) == ["Poppy Pretend"]
    window.search.clear()
    assert "Oscar Makebelieve-Fictitious" in shown(window)
    assert cut_off(window) == []


def test_a_name_too_long_for_its_column_is_whole_in_its_tooltip(qtbot, window) -> None:  # noqa: F811
    unlock(qtbot, window)
    view = window.caseload
    header = view.horizontalHeader()
    edge = QPoint(header.sectionViewportPosition(0) + header.sectionSize(0) - 1,
                  header.height() // 2)
    qtbot.mousePress(header.viewport(), Qt.MouseButton.LeftButton, pos=edge)   # narrower, by
    qtbot.mouseMove(header.viewport(), edge - QPoint(60, 0))                   # dragging its
    qtbot.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton,          # edge
                       pos=edge - QPoint(60, 0))
    assert cut_off(window)
    for name in cut_off(window):
        index = next(view.model().index(r, 0) for r in range(view.model().rowCount())
                     if view.model().index(r, 0).data() == name)
        assert index.data(Qt.ItemDataRole.ToolTipRole) == name
        assert index.data(Qt.ItemDataRole.AccessibleTextRole) == name


def test_a_child_renamed_by_a_small_sync_has_the_new_name_whole(qtbot, window) -> None:  # noqa: F811
    """A sync of a few changes reads only the lines it touches; a name it made longer than
    its column widens the column, as a caseload read in full is sized."""
    unlock(qtbot, window)
    store = window.taskman.store
    while ops := store.outbox.next_push_batch(100, 10_000_000):    # all sent: nothing waits
        store.outbox.mark_pushed(ops, [PushAck(op.op_id, "applied", 1) for op in ops])
    child = next(c for c in store.records.find(Child) if c.name == "Zain Fictional")
    change = {"entity": "child", "id": child.id, "rev": 2, "deleted": False,
              "fields": {**codec.to_fields(child), "name": "Zain Fictional-Makebelieve-Smith"}}
    with store.collect_changes() as written:               # a colleague's change, pulled
        store.outbox.apply_pulled([change])
    assert written.changes.ids_if_few(EntityKind.CHILD) is not None     # (a few: lines read)
    window.taskman.changes_applied(written.changes, None)  # ... and announced as a sync does
    qtbot.waitUntil(lambda: "Zain Fictional-Makebelieve-Smith" in shown(window))
    assert cut_off(window) == []
