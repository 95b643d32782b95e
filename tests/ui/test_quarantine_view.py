"""Sync problems: the changes the council system refused, driven as a worker would, on a real
encrypted store. A refusal is recorded the way the sync engine records one (a `rejected` answer
with the gateway's own reason, via `mark_pushed`)."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from rbsw_desktop.domain import Case, Zone
from rbsw_desktop.domain.enums import VisitType
from rbsw_desktop.store import Store
from rbsw_desktop.store.sync_state import PushAck
from rbsw_desktop.ui.conflicts import ConflictsView
from rbsw_desktop.ui.refused import plain_reason
from tests.ui.conftest import store_taskman

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
#: Reasons exactly as the reference gateway words them (rbsw_desktop/gateway/service.py).
NOT_IN_CASELOAD = "the case is not in your caseload"
MISSING = "missing fields: case_id, zone"


def _everything_synced(store: Store) -> None:
    while batch := store.outbox.next_push_batch(500, 10**7):
        store.outbox.mark_pushed(batch, [PushAck(op.op_id, "applied", 1) for op in batch])


def _refuse(store: Store, record_id: str, reason: str) -> str:
    (op,) = [o for o in store.outbox.next_push_batch(500, 10**7) if o.record_id == record_id]
    store.outbox.mark_pushed([op], [PushAck(op.op_id, "rejected", reason=reason)])
    return op.op_id


def _pending_op_ids(store: Store) -> set[str]:
    return {o.op_id for o in store.outbox.next_push_batch(500, 10**7)}


def _view(qtbot, store: Store) -> ConflictsView:  # noqa: ANN001
    view = ConflictsView(taskman=store_taskman(store))
    qtbot.addWidget(view)
    view.resize(900, 620)
    view.reload()
    view.show()
    qtbot.waitExposed(view)
    return view


def _row_text(view: ConflictsView, row: int) -> str:
    return str(view.refused.list.item(row).data(Qt.ItemDataRole.AccessibleTextRole))


def test_a_refused_change_says_what_and_why_and_try_again_puts_only_it_back_in_the_outbox(
        qtbot, store: Store, case: Case) -> None:
    _everything_synced(store)
    visit = store.visits.add(case.id, visit_type=VisitType.STATUTORY,
                             visited_at="2026-11-20T10:00", observations="Home warm (fictional)")
    item = store.board.add(case.id, Zone.RED, "Mum worried about rent (fictional)")
    visit_op = _refuse(store, visit.id, NOT_IN_CASELOAD)
    item_op = _refuse(store, item.id, MISSING)
    assert _pending_op_ids(store) & {visit_op, item_op} == set()

    view = _view(qtbot, store)
    assert view.refused.list.count() == 2
    assert "refused 2 changes" in view.refused.heading.text()
    first, second = _row_text(view, 0), _row_text(view, 1)
    assert first.startswith("Visit note, changed ")
    assert "not in your caseload on the council system" in first
    assert second.startswith("Board item, changed ")
    assert "missing or not in the form the council system expects" in second
    assert "`" not in second and "case_id" not in second      # no field names for a worker
    assert "Home warm" not in first and "rent" not in second   # no case content in the list
    buttons = view.refused.retry_buttons()
    assert [b.text() for b in buttons] == ["Try again", "Try again"]
    assert buttons[1].accessibleName().startswith("Try again: Board item, changed ")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert view.grab().save(str(SCREENSHOTS / "sync-problems.png"))

    qtbot.mouseClick(buttons[1], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.refused.list.count() == 1)
    assert _row_text(view, 0).startswith("Visit note")          # the other one stays refused
    assert "next sync" in view.refused.message.text()
    assert [o.op_id for o in store.outbox.refused()] == [visit_op]
    pending = _pending_op_ids(store)
    assert item_op in pending and visit_op not in pending       # goes at the next sync
    assert store.outbox.counts().refused == 1


def test_with_nothing_refused_the_view_says_so_and_export_is_off(
        qtbot, store: Store, case: Case) -> None:
    _everything_synced(store)
    view = _view(qtbot, store)
    assert view.refused.heading.text() == "Nothing was refused."
    assert not view.refused.list.isVisible()
    assert not view.refused.export_button.isEnabled()
    assert view.refused.retry_buttons() == []


def test_try_again_is_reachable_from_the_keyboard(qtbot, store: Store, case: Case) -> None:
    _everything_synced(store)
    item = store.board.add(case.id, Zone.GREEN, "Goes to football club (fictional)")
    op_id = _refuse(store, item.id, NOT_IN_CASELOAD)
    view = _view(qtbot, store)
    view.activateWindow()
    view.refused.list.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.refused.list)
    assert view.refused.list.accessibleName() == "Changes the council system refused"
    qtbot.keyClick(view.refused.list, Qt.Key.Key_Tab)
    (button,) = view.refused.retry_buttons()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is button)
    qtbot.keyClick(button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: view.refused.list.count() == 0)
    assert op_id in _pending_op_ids(store)
    assert store.outbox.refused() == []


def test_export_warns_in_the_save_dialog_and_writes_only_where_the_worker_chose(
        qtbot, store: Store, case: Case, tmp_path: Path) -> None:
    _everything_synced(store)
    item = store.board.add(case.id, Zone.AMBER, "Nan helps after school (fictional)")
    op_id = _refuse(store, item.id, NOT_IN_CASELOAD)
    view = _view(qtbot, store)
    qtbot.mouseClick(view.refused.export_button, Qt.MouseButton.LeftButton)
    refused = view.refused
    qtbot.waitUntil(lambda: refused.export_dialog is not None and refused.export_dialog.isVisible())
    dialog = refused.export_dialog
    assert dialog.warning.isVisible() and "not encrypted" in dialog.warning.text()
    assert not dialog.save_button.isEnabled()                  # nothing written until chosen
    chosen = tmp_path / "for-it" / "refused.json"
    chosen.parent.mkdir()
    qtbot.keyClicks(dialog.path, str(chosen))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SCREENSHOTS / "sync-problems-export.png"))
    before = set(tmp_path.rglob("*"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(chosen.exists)
    saved = json.loads(chosen.read_text(encoding="utf-8"))["refused_changes"]
    assert [(r["op_id"], r["entity"], r["reason"]) for r in saved] == [
        (op_id, "board_item", NOT_IN_CASELOAD)]
    if sys.platform != "win32":
        assert stat.S_IMODE(chosen.stat().st_mode) == 0o600     # only this user can read it
    assert "not encrypted" in view.refused.message.text()
    assert set(tmp_path.rglob("*")) - before == {chosen}        # nothing written elsewhere
    assert [o.op_id for o in store.outbox.refused()] == [op_id]     # exporting retries nothing


def test_the_gateways_reasons_read_as_plain_words() -> None:
    assert plain_reason("this record belongs to a case outside your caseload").startswith(
        "It belongs to a case that is not in your caseload")
    assert plain_reason("'case' records come from the council and cannot be sent from a "
                        "laptop").startswith("This kind of record can only be changed")
    assert "`" not in plain_reason("`sha256` should be 64 lowercase hex digits")
    assert plain_reason("") == "The council system refused this change and gave no reason."
    assert plain_reason("server is tired") == "The council system said: Server is tired"
