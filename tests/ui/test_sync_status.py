"""The sync indicator and the conflict view, driven as a worker would, on a real store."""

from __future__ import annotations

import socket

from PySide6.QtWidgets import QApplication

from rbsw_desktop.domain import Case, Zone
from rbsw_desktop.domain.entities import BoardItem
from rbsw_desktop.domain.enums import SyncState
from rbsw_desktop.store import Store
from rbsw_desktop.store.sync_state import PushAck
from rbsw_desktop.sync.backoff import Backoff
from rbsw_desktop.sync.engine import SyncEngine
from rbsw_desktop.sync.transport import HttpTransport
from rbsw_desktop.ui.conflicts import ConflictsView, merged_text
from rbsw_desktop.ui.sync_status import SyncController, SyncPhase, SyncStatusWidget, describe
from rbsw_desktop.ui.taskman import TaskManager
from tests.ui.conftest import store_taskman, threaded_taskman


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_with_no_gateway_the_indicator_says_offline_and_the_ui_stays_responsive(
        qtbot, store: Store, case: Case) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    taskman = threaded_taskman(qtbot, store)      # sync runs on its store thread

    def engine_factory(own: Store) -> SyncEngine:
        return SyncEngine(own, HttpTransport(url, "fictional-token", timeout=1),
                          max_attempts=2, backoff=Backoff(base=0.01, cap=0.02))

    controller = SyncController(taskman, engine_factory, lambda _store: {"pending": 1},
                                interval_ms=3_600_000)
    widget = SyncStatusWidget(controller)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(controller.sig_finished, timeout=10_000):
        widget.button.click()
        assert widget.label.text() == "Syncing..."    # the click returned at once
        assert not widget.button.isEnabled()
        QApplication.processEvents()
    assert controller.view.phase is SyncPhase.OFFLINE
    assert "Offline" in widget.label.text() or "Not synced" in widget.label.text()
    assert "council system" in widget.toolTip()
    assert widget.button.isEnabled()
    controller.stop()
    taskman.close_store()


def test_the_status_words_match_what_is_waiting() -> None:
    assert describe({"pending": 3}, online=True).text == "3 waiting"
    assert describe({"pending": 0, "conflicts": 2}, online=True).phase is SyncPhase.ATTENTION
    assert describe({"pending": 2}, online=False).text == "Offline - 2 waiting"
    synced = describe({"pending": 0, "last_sync": "2026-11-24T09:05:00.000Z"}, online=True)
    assert synced.phase is SyncPhase.SYNCED and synced.text.startswith("Synced at ")


def test_the_conflict_view_shows_both_versions_and_merging_keeps_both_words(
        qtbot, store: Store, case: Case) -> None:
    while batch := store.outbox.next_push_batch(500, 10**7):
        store.outbox.mark_pushed(batch, [PushAck(op.op_id, "applied", 1) for op in batch])
    item = store.board.add(case.id, Zone.RED, "Mum worried about rent (fictional)")
    (op,) = [o for o in store.outbox.next_push_batch(500, 10**7) if o.record_id == item.id]
    theirs = {"rev": 6, "deleted": False,
              "fields": {**op.fields, "text": "Rent plan agreed at the office (fictional)"}}
    store.outbox.mark_pushed([op], [PushAck(op.op_id, "conflict", theirs=theirs)])

    view = ConflictsView(taskman=store_taskman(store))
    qtbot.addWidget(view)
    view.reload()
    assert view.list.count() == 1
    assert "Mum worried about rent" in view.mine.toPlainText()
    assert "Rent plan agreed" in view.theirs.toPlainText()
    assert view.merge_edit.toPlainText() == merged_text(
        "Mum worried about rent (fictional)", "Rent plan agreed at the office (fictional)")
    view.merge.click()
    saved = store.records.get(BoardItem, item.id)
    assert "Mum worried" in saved.text and "Rent plan agreed" in saved.text
    assert saved.sync_state is SyncState.PENDING and saved.rev == 6
    assert view.list.count() == 0 and not view.keep_mine.isEnabled()


def test_a_clock_far_out_of_step_is_shown_in_plain_words(qtbot) -> None:
    from rbsw_desktop.sync.engine import SyncReport

    report = SyncReport(pull_finished=True, clock_skew_seconds=3600, warnings=[
        "This laptop's clock is about 60 minutes ahead of the council's. Times you record are "
        "kept as this laptop shows them; please ask IT support to set the clock."])
    view = describe({"pending": 0, "last_sync": "2026-11-24T10:05:00.000Z"}, online=True,
                    report=report)
    assert view.text.startswith("Synced at") and "check the clock" in view.text
    assert "60 minutes ahead" in view.detail
    controller = SyncController(TaskManager(synchronous=True), lambda _store: None,
                                lambda _store: {}, interval_ms=3_600_000)
    widget = SyncStatusWidget(controller)
    qtbot.addWidget(widget)
    widget.show_view(view)
    assert "check the clock" in widget.label.text() and "IT support" in widget.toolTip()
    plain = describe({"pending": 0, "last_sync": "2026-11-24T10:05:00.000Z"}, online=True,
                     report=SyncReport(pull_finished=True))
    assert "clock" not in plain.text + plain.detail
