"""The business support view, driven as a person does, against the real gateway process: it
shows the pod's laptops and records to file, and "Mark filed" sends the reference, which flows
back to the worker's laptop as filed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from rbsw_desktop.sync.support_client import SupportClient  # noqa: E402
from rbsw_desktop.ui.business_support import BusinessSupportView  # noqa: E402
from rbsw_desktop.ui.taskman import TaskManager  # noqa: E402
from tests.sync.gw_world import World, pull_all, push, visit_op  # noqa: E402


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
    assert view.unfiled.item(row, 4).text() == "Visit on 2026-11-24"
    assert not view.file_button.isEnabled()

    view.tabs.setCurrentIndex(2)
    view.show()
    view.unfiled.selectRow(row)
    qtbot.keyClicks(view.reference, "LCS-000123")
    assert view.file_button.isEnabled()
    view.grab().save(str(tmp_path / "business_support.png"))
    with qtbot.waitSignal(view.sig_refreshed, timeout=10_000):
        qtbot.mouseClick(view.file_button, Qt.MouseButton.LeftButton)
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
        report = laptop.engine(batch_ops=1).sync_once(
            cancel=stop, progress=lambda stage, done, total: stop.set())
        assert report.errors and laptop.store.outbox.counts().pending == before - 1

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
