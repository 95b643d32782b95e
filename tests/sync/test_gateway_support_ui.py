"""The business support view, driven as a person does, against the real gateway process: it
shows the pod's laptops and records to file, and "Mark filed" sends the reference, which flows
back to the worker's laptop as filed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, Qt  # noqa: E402

from rbsw_desktop.sync.support_client import SupportClient  # noqa: E402
from rbsw_desktop.ui.business_support import BusinessSupportView  # noqa: E402
from rbsw_desktop.ui.taskman import TaskManager  # noqa: E402
from tests.sync.gw_world import AT, World, pull_all, push, visit_op  # noqa: E402
from tests.ui.test_app_shell import SHOTS  # noqa: E402


@pytest.fixture
def view(qtbot: Any, world: World) -> BusinessSupportView:
    taskman = TaskManager()                          # real threads: the UI thread never waits
    widget = BusinessSupportView(SupportClient(world.url, world.support.token), taskman=taskman)
    qtbot.addWidget(widget)
    widget.resize(900, 420)
    yield widget
    taskman.shutdown()


def test_the_view_shows_the_pod_and_files_a_record(qtbot: Any, qtmodeltester: Any, world: World,
                                                   view: BusinessSupportView,
                                                   tmp_path: Path) -> None:
    op = visit_op(world.sw.case_id, "Grandma does the school run (fictional)")
    push(world.url, world.sw.token, op)
    with qtbot.waitSignal(view.sig_refreshed, timeout=10_000):
        qtbot.mouseClick(view.refresh_button, Qt.MouseButton.LeftButton)
    qtmodeltester.check(view.unfiled.model())
    laptops = {view.devices.item(r, 1).text() for r in range(view.devices.rowCount())}
    assert "social_worker-laptop" in laptops and "Active" in view.devices.item(0, 4).text()
    assert all(view.devices.item(r, 0).text() != "Olu Otherpod (fictional)"
               for r in range(view.devices.rowCount()))

    def listed() -> list[str]:
        return [view.unfiled.item(r, 0).data(Qt.ItemDataRole.UserRole)
                for r in range(view.unfiled.rowCount())]

    row = listed().index(op["id"])
    assert view.unfiled.item(row, 0).text() == "Ada Fictional"
    assert view.unfiled.item(row, 1).text() == "Visit note"
    assert view.unfiled.item(row, 4).text() == "Visit on Tue 24 Nov 2026"
    assert not view.file_button.isEnabled()

    view.tabs.setCurrentIndex(2)
    view.show()
    view.unfiled.selectRow(row)
    qtbot.keyClicks(view.reference, "LCS-000123")
    assert view.file_button.isEnabled()
    view.grab().save(str(tmp_path / "business_support.png"))
    view.undo_ms = 300
    qtbot.mouseClick(view.file_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.confirm is not None and view.confirm.isVisible())
    with qtbot.waitSignal(view.sig_refreshed, timeout=10_000):
        qtbot.mouseClick(view.confirm.defaultButton(), Qt.MouseButton.LeftButton)
    assert op["id"] not in listed()
    change = pull_all(world.url, world.sw.token)[op["id"]]
    assert change["filed"] is True and change["case_system_ref"] == "LCS-000123"


def test_a_social_worker_gets_plain_words_not_the_pod(qtbot: Any, world: World) -> None:
    taskman = TaskManager()
    widget = BusinessSupportView(SupportClient(world.url, world.sw.token), taskman=taskman)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.sig_failed, timeout=10_000) as blocker:
        widget.refresh()
    assert "business support" in blocker.args[0]
    assert widget.devices.rowCount() == 0 and widget.refresh_button.isEnabled()
    taskman.shutdown()


def test_the_view_shows_what_each_laptop_has_waiting(qtbot: Any, world: World,
                                                     module_gateway: Any,
                                                     view: BusinessSupportView,
                                                     tmp_path: Path) -> None:
    """The engine tells the gateway its outbox count (X-Pending-Ops); business support sees it
    per laptop and per worker, and it goes back to 0 once everything is sent."""
    import threading

    from rbsw_desktop.domain import Zone
    from tests.sync.laptops import new_laptop

    name = "Rae Waitingworker (fictional)"
    worker = module_gateway.worker_add(world.pod_a, name, "social_worker")
    case_id = module_gateway.case_add(worker, "Dee Fictional")
    laptop = new_laptop(tmp_path / "rae", world.url, module_gateway.enrol_code(worker),
                        "rae-laptop")
    try:
        assert laptop.sync().pull_finished                # the case arrives
        for i in range(3):
            laptop.store.board.add(case_id, Zone.GREEN, f"Strength {i} (fictional)")
        before = laptop.store.outbox.counts().pending
        assert before >= 3
        stop = threading.Event()
        here = threading.current_thread()
        report = laptop.engine(batch_ops=1).sync_once(
            cancel=lambda: stop.is_set() and threading.current_thread() is here,
            progress=lambda stage, done, total: stop.set())
        # Stopped as the first change's answer is recorded: the second, on its way then, is
        # answered and recorded too before the sync ends.
        assert report.errors and laptop.store.outbox.counts().pending == before - 2

        def waiting(table: Any, column: int, key: str) -> str:
            with qtbot.waitSignal(view.sig_refreshed, timeout=10_000):
                qtbot.mouseClick(view.refresh_button, Qt.MouseButton.LeftButton)
            rows = [r for r in range(table.rowCount())
                    if key in (table.item(r, 0).text(), table.item(r, 1).text())]
            assert len(rows) == 1
            return table.item(rows[0], column).text()

        # What waited when it last spoke; the cancelled sync's push said so.
        assert waiting(view.devices, 3, "rae-laptop") == str(before)
        assert waiting(view.workers, 3, name) == str(before)
        assert laptop.sync().ok
        assert waiting(view.devices, 3, "rae-laptop") == "0"
        assert waiting(view.workers, 3, name) == "0"
    finally:
        laptop.store.lock()


# -- filing as an officer does it, by keyboard and mouse ---------------------------------------


def refreshed(qtbot: Any, view: BusinessSupportView) -> None:
    with qtbot.waitSignal(view.sig_refreshed, timeout=10_000):
        qtbot.mouseClick(view.refresh_button, Qt.MouseButton.LeftButton)


def row_of(view: BusinessSupportView, record_id: str) -> int:
    return next(r for r in range(view.unfiled.rowCount())
                if view.unfiled.item(r, 0).data(Qt.ItemDataRole.UserRole) == record_id)


def click_row(qtbot: Any, view: BusinessSupportView, record_id: str,
              modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    item = view.unfiled.item(row_of(view, record_id), 0)
    view.unfiled.scrollToItem(item)
    qtbot.mouseClick(view.unfiled.viewport(), Qt.MouseButton.LeftButton, modifier,
                     view.unfiled.visualItemRect(item).center())


def selected_ids(view: BusinessSupportView) -> set[str]:
    return {view.unfiled.item(i.row(), 0).data(Qt.ItemDataRole.UserRole)
            for i in view.unfiled.selectionModel().selectedRows()}


def shown_ids(view: BusinessSupportView) -> list[str]:
    return [view.unfiled.item(r, 0).data(Qt.ItemDataRole.UserRole)
            for r in range(view.unfiled.rowCount()) if not view.unfiled.isRowHidden(r)]


def filed_refs(gateway: Any, world: World) -> dict[str, str | None]:
    """{record id: its case-system reference, None while not filed} as the council holds it."""
    return {r["id"]: r["case_system_ref"] if r["filed"] else None
            for r in gateway.records(pod=world.pod_a)}


def confirm_box(qtbot: Any, view: BusinessSupportView) -> Any:
    qtbot.waitUntil(lambda: view.confirm is not None and view.confirm.isVisible())
    return view.confirm


@pytest.fixture
def filing_view(qtbot: Any, view: BusinessSupportView) -> BusinessSupportView:
    view.resize(1024, 600)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.tabs.setCurrentIndex(2)
    return view


def test_mark_filed_names_the_record_asks_and_leaves_nothing_selected(
        qtbot: Any, world: World, module_gateway: Any,
        filing_view: BusinessSupportView) -> None:
    view = filing_view
    first = visit_op(world.sw.case_id, "Filing one (fictional)")
    second = visit_op(world.sw.case_id, "Filing two (fictional)")
    push(world.url, world.sw.token, first, second)
    refreshed(qtbot, view)
    click_row(qtbot, view, first["id"])
    assert "the visit note for Ada Fictional (Visit on Tue 24 Nov 2026)" in view.what.text()
    assert "Sam Testworker" in view.what.text()
    qtbot.keyClick(view.unfiled, Qt.Key.Key_Tab)          # on to the reference, by keyboard
    view.reference.setFocus()
    qtbot.keyClicks(view.reference, "LCS-000777")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in ((1366, 768), (1024, 600)):
        view.resize(*size)
        qtbot.waitUntil(lambda w=size[0]: view.width() == w)
        view.grab().save(str(SHOTS / f"business-support-filing-{size[0]}x{size[1]}.png"))
    view.undo_ms = 400
    qtbot.keyClick(view.reference, Qt.Key.Key_Return)
    box = confirm_box(qtbot, view)
    assert "LCS-000777" in box.text() and "the visit note for Ada Fictional" in box.text()
    assert first["id"] in selected_ids(view)
    assert filed_refs(module_gateway, world)[first["id"]] is None   # nothing sent as it asks
    with qtbot.waitSignal(view.sig_filed, timeout=10_000) as filed:
        qtbot.keyClick(box, Qt.Key.Key_Return)             # "Mark filed" is the default
        assert view.undo_button.isVisible() and "LCS-000777" in view.undo_label.text()
        assert view.focusWidget() is view.unfiled           # focus stays with the work
        assert selected_ids(view) == set() and not view.file_button.isEnabled()
        assert first["id"] not in shown_ids(view)
    assert filed.args == [first["id"], "LCS-000777"]
    qtbot.waitUntil(lambda: first["id"] not in view.records, timeout=10_000)
    assert selected_ids(view) == set()                    # the next row was not picked for it
    assert second["id"] in shown_ids(view) and not view.file_button.isEnabled()
    assert view.focusWidget() is view.unfiled
    assert filed_refs(module_gateway, world)[first["id"]] == "LCS-000777"


def test_undo_before_the_filing_is_sent_files_nothing(
        qtbot: Any, world: World, module_gateway: Any,
        filing_view: BusinessSupportView) -> None:
    view = filing_view
    kept = visit_op(world.sw.case_id, "Undone filing (fictional)")
    later = visit_op(world.sw.case_id, "Filed after the undo (fictional)")
    push(world.url, world.sw.token, kept, later)
    refreshed(qtbot, view)
    view.undo_ms = 300
    click_row(qtbot, view, kept["id"])
    qtbot.keyClicks(view.reference, "LCS-WRONG-1")
    qtbot.mouseClick(view.file_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(confirm_box(qtbot, view), Qt.Key.Key_Return)
    assert kept["id"] not in shown_ids(view)
    qtbot.mouseClick(view.undo_button, Qt.MouseButton.LeftButton)
    assert kept["id"] in shown_ids(view) and selected_ids(view) == {kept["id"]}
    assert view.reference.text() == "LCS-WRONG-1" and not view.undo_button.isVisible()
    # Another filing, sent after its own wait: by then the undone one would have gone too.
    view.reference.clear()
    click_row(qtbot, view, later["id"])
    qtbot.keyClicks(view.reference, "LCS-000888")
    qtbot.mouseClick(view.file_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.sig_refreshed, timeout=10_000):
        qtbot.keyClick(confirm_box(qtbot, view), Qt.Key.Key_Return)
    held = filed_refs(module_gateway, world)
    assert held[later["id"]] == "LCS-000888"
    assert held[kept["id"]] is None and kept["id"] in view.records


def test_several_records_of_one_child_are_filed_at_once(
        qtbot: Any, world: World, module_gateway: Any,
        filing_view: BusinessSupportView) -> None:
    view = filing_view
    ada = [visit_op(world.sw.case_id, f"Ada's visit {n} (fictional)") for n in range(2)]
    ben = visit_op(world.sw2.case_id, "Ben's visit (fictional)")
    push(world.url, world.sw.token, *ada)
    push(world.url, world.sw2.token, ben)
    refreshed(qtbot, view)
    ctrl = Qt.KeyboardModifier.ControlModifier
    click_row(qtbot, view, ada[0]["id"])
    click_row(qtbot, view, ada[1]["id"], ctrl)
    click_row(qtbot, view, ben["id"], ctrl)
    qtbot.keyClicks(view.reference, "LCS-000999")
    assert "different children" in view.what.text() and not view.file_button.isEnabled()
    click_row(qtbot, view, ben["id"], ctrl)                # Ben's is not this child's
    assert view.what.text() == "Filing 2 records for Ada Fictional: visit note, visit note."
    view.undo_ms = 300
    qtbot.mouseClick(view.file_button, Qt.MouseButton.LeftButton)
    box = confirm_box(qtbot, view)
    assert box.text().count("the visit note for Ada Fictional") == 2
    with qtbot.waitSignal(view.sig_refreshed, timeout=10_000):
        qtbot.keyClick(box, Qt.Key.Key_Return)
    held = filed_refs(module_gateway, world)
    assert [held[op["id"]] for op in ada] == ["LCS-000999"] * 2
    assert held[ben["id"]] is None and ben["id"] in view.records


def test_sort_and_filter_fifty_records(qtbot: Any, world: World, module_gateway: Any,
                                       filing_view: BusinessSupportView) -> None:
    view = filing_view
    sams = [visit_op(world.sw.case_id, f"Sam's visit {n} (fictional)") for n in range(30)]
    nias = [visit_op(world.sw2.case_id, f"Nia's visit {n} (fictional)") for n in range(22)]
    work = [{**visit_op(world.sw2.case_id, "x"), "entity": "direct_work_activity",
             "fields": {"updated_at": AT, "case_id": world.sw2.case_id, "held_on": "2026-11-24",
                        "tool": "three_houses", "title": f"Three houses {n} (fictional)"}}
            for n in range(3)]
    push(world.url, world.sw.token, *sams)
    push(world.url, world.sw2.token, *nias, *work)
    old = {op["id"]: f"2026-11-0{n + 1}T09:00:00.000Z" for n, op in enumerate(nias[:3])}
    for record_id, at in old.items():                     # three have waited for weeks
        module_gateway.sql("UPDATE records SET received_at = :at WHERE id = :id",
                           {"at": at, "id": record_id})
    refreshed(qtbot, view)
    assert view.unfiled.rowCount() >= 55
    header = view.unfiled.horizontalHeader()

    def click_header(column: int) -> None:
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(header.sectionViewportPosition(column) + 5, 5))

    # Longest waiting first: the three oldest, oldest first, whatever else is listed.
    assert shown_ids(view)[:3] == list(old)
    click_header(0)                                       # by child
    children = [view.unfiled.item(r, 0).text() for r in range(view.unfiled.rowCount())]
    assert children == sorted(children, key=str.casefold)
    view.worker_filter.setFocus()
    qtbot.keyClicks(view.worker_filter, "Nia")
    assert {view.records[i]["worker_name"] for i in shown_ids(view)} == {
        "Nia Newqualified (fictional)"}
    assert {op["id"] for op in nias + work} <= set(shown_ids(view))
    qtbot.keyClicks(view.kind_filter, "Direct")
    assert set(shown_ids(view)) >= {op["id"] for op in work}
    assert {view.records[i]["entity"] for i in shown_ids(view)} == {"direct_work_activity"}
    qtbot.keyClick(view.kind_filter, Qt.Key.Key_Home)     # every kind again
    qtbot.keyClick(view.age_filter, Qt.Key.Key_End)       # the last: waiting over 2 weeks
    assert view.age_filter.currentText() == "Waiting over 2 weeks"
    assert shown_ids(view) == list(old)
    assert view.shown.text().startswith("Showing 3 of ")
    click_header(3)                                       # by when received: oldest first
    assert shown_ids(view) == list(old)
    click_header(3)                                       # again: newest first
    assert shown_ids(view) == list(old)[::-1]
