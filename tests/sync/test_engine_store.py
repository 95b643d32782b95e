"""The store's side of sync, on a real encrypted store: the outbox in batches, answers from the
gateway, pulled pages, conflicts, quarantine, the cursor and the clock. (The engine against a
real gateway process is in test_engine.py.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rbsw_desktop.domain import Case, Zone
from rbsw_desktop.domain.entities import BoardItem, Visit, new_id
from rbsw_desktop.domain.enums import SyncState, VisitType
from rbsw_desktop.security.wipe import wipe_store
from rbsw_desktop.store import Store
from rbsw_desktop.store.sync_state import PushAck


def _ops_for(store: Store, record_id: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in store.db.execute(
        "SELECT op_id, state FROM outbox WHERE record_id = ? ORDER BY seq", [record_id])]


def _ack_all(store: Store, rev: int = 1) -> None:
    while batch := store.outbox.next_push_batch(500, 10_000_000):
        store.outbox.mark_pushed(batch, [PushAck(op.op_id, "applied", rev) for op in batch])


def test_a_pushed_record_clears_its_older_versions_kept_aside_from_pulls(
        store: Store, case: Case) -> None:
    """A laptop's own pushes never come back in its pull (where a newer revision used to clear
    the older ones kept aside): the gateway's answer clears them."""
    _ack_all(store)
    item = store.board.add(case.id, Zone.RED, "Rent arrears (fictional)")
    other = store.board.add(case.id, Zone.GREEN, "Grandma helps (fictional)")
    for record in (item, other):
        bad = {"entity": "board_item", "id": record.id, "rev": 2, "fields": {"zone": 7}}
        store.outbox.apply_pulled([], [(bad, "this change cannot be read (fictional)")])
    assert store.outbox.not_applied_count() == 2
    batch = [op for op in store.outbox.next_push_batch(500, 10**7) if op.record_id == item.id]
    store.outbox.mark_pushed(batch, [PushAck(batch[0].op_id, "applied", 3)])
    assert [p.record_id for p in store.outbox.not_applied()] == [other.id]


def test_a_batch_holds_one_op_per_record_and_respects_its_bounds(store: Store, case: Case) -> None:
    _ack_all(store)
    visit = store.visits.add(case.id, visit_type=VisitType.STATUTORY, visited_at="2026-11-20T10:00")
    visit.observations = "Tidy kitchen, warm house (fictional)."
    store.visits.update(visit)
    for i in range(5):
        store.board.add(case.id, Zone.GREEN, f"Strength {i} (fictional)")
    batch = store.outbox.next_push_batch(500, 10_000_000)
    ids = [op.record_id for op in batch]
    assert len(ids) == len(set(ids))                 # the visit's second op waits its turn
    assert ids.count(visit.id) == 1
    assert len(store.outbox.next_push_batch(3, 10_000_000)) == 3
    assert len(store.outbox.next_push_batch(500, 1)) == 1    # always at least one op goes


def test_an_applied_op_syncs_the_record_and_its_next_op_builds_on_the_new_rev(
        store: Store, case: Case) -> None:
    _ack_all(store)
    item = store.board.add(case.id, Zone.RED, "Rent arrears (fictional)")
    item.text = "Rent arrears, plan agreed (fictional)"
    store.board.update(item)
    batch = [op for op in store.outbox.next_push_batch(500, 10**7) if op.record_id == item.id]
    store.outbox.mark_pushed(batch, [PushAck(batch[0].op_id, "applied", 7)])
    assert store.records.get(BoardItem, item.id).rev == 7
    assert store.records.get(BoardItem, item.id).sync_state is SyncState.PENDING  # one more waits
    nxt = [op for op in store.outbox.next_push_batch(500, 10**7) if op.record_id == item.id]
    assert nxt[0].base_rev == 7
    store.outbox.mark_pushed(nxt, [PushAck(nxt[0].op_id, "duplicate", 8)])
    saved = store.records.get(BoardItem, item.id)
    assert (saved.rev, saved.sync_state) == (8, SyncState.SYNCED)
    assert _ops_for(store, item.id) == []


def test_a_push_conflict_keeps_both_versions_and_holds_the_record(store: Store,
                                                                  case: Case) -> None:
    _ack_all(store)
    item = store.board.add(case.id, Zone.RED, "Mine: school attendance (fictional)")
    batch = [op for op in store.outbox.next_push_batch(500, 10**7) if op.record_id == item.id]
    theirs = {"rev": 4, "fields": {"text": "Theirs: attendance improving (fictional)"},
              "deleted": False}
    tally = store.outbox.mark_pushed(batch, [PushAck(batch[0].op_id, "conflict", theirs=theirs)])
    assert tally.conflicts == 1
    (conflict,) = store.outbox.conflicts()
    assert conflict.mine["fields"]["text"] == "Mine: school attendance (fictional)"
    assert conflict.theirs["fields"]["text"] == "Theirs: attendance improving (fictional)"
    assert store.records.get(BoardItem, item.id).sync_state is SyncState.CONFLICT
    assert all(op.record_id != item.id for op in store.outbox.next_push_batch(500, 10**7))
    store.outbox.resolve_conflict(conflict.id, "merge", {"text": "Merged: both views (fictional)"})
    (op,) = [o for o in store.outbox.next_push_batch(500, 10**7) if o.record_id == item.id]
    assert (op.base_rev, op.fields["text"]) == (4, "Merged: both views (fictional)")
    assert store.outbox.conflicts() == []


def test_a_rejected_op_is_quarantined_with_its_reason_and_the_rest_go_on(
        store: Store, case: Case) -> None:
    _ack_all(store)
    a = store.board.add(case.id, Zone.RED, "Bad one (fictional)")
    b = store.board.add(case.id, Zone.GREEN, "Good one (fictional)")
    batch = [op for op in store.outbox.next_push_batch(500, 10**7) if op.entity == "board_item"]
    acks = [PushAck(op.op_id, "rejected", reason="Case is closed") if op.record_id == a.id
            else PushAck(op.op_id, "applied", 3) for op in batch]
    tally = store.outbox.mark_pushed(batch, acks)
    assert (tally.pushed, tally.refused) == (1, 1)
    assert store.records.get(BoardItem, b.id).sync_state is SyncState.SYNCED
    (exported,) = store.outbox.export_refused()
    assert (exported["id"], exported["reason"]) == (a.id, "Case is closed")
    assert store.outbox.counts().refused == 1
    assert store.outbox.retry_refused() == 1
    assert any(op.record_id == a.id for op in store.outbox.next_push_batch(500, 10**7))


def _change(record: BoardItem, rev: int, **over: object) -> dict:
    fields = {"case_id": record.case_id, "zone": "red", "text": record.text,
              "raised_by": "family", "shareable": True, "worker_note": "", "position": 0,
              "updated_at": "2026-11-20T10:00:00.000Z", "updated_by": "w-other",
              "device_id": "d-other", "deleted": False}
    fields.update(over)
    return {"entity": "board_item", "id": record.id, "rev": rev, "fields": fields,
            "deleted": False}


def test_a_pulled_page_lands_in_one_go_with_no_outbox_rows_and_audit_pull(
        store: Store, case: Case) -> None:
    _ack_all(store)
    remote = [BoardItem(case_id=case.id, zone=Zone.RED, text=f"From the office {i} (fictional)")
              for i in range(20)]
    changes = [_change(r, 10 + i) for i, r in enumerate(remote)]
    changes[3]["filed"] = True
    tally = store.outbox.apply_pulled(changes)
    assert tally.applied == 20 and store.outbox.count_present(changes) == 20
    assert store.outbox.counts().pending == 0
    assert store.records.get(BoardItem, remote[3].id).sync_state is SyncState.FILED
    assert store.records.get(BoardItem, remote[4].id).rev == 14
    pulls = store.db.execute("SELECT count(*) FROM audit WHERE action = 'pull'").fetchone()[0]
    assert pulls == 20
    assert [h.record_id for h in store.search.find("office 7")] == [remote[7].id]
    # Pulling the same page again changes nothing (a cursor that did not move).
    assert store.outbox.apply_pulled(changes).skipped == 20


def test_a_missing_change_is_never_a_delete_only_an_explicit_one_is(store: Store,
                                                                    case: Case) -> None:
    _ack_all(store)
    keep = store.board.add(case.id, Zone.GREEN, "Grandma helps (fictional)")
    gone = store.board.add(case.id, Zone.RED, "Old worry (fictional)")
    _ack_all(store, rev=2)
    store.outbox.apply_pulled([])                                # keep is simply not mentioned
    deletion = _change(gone, 5)
    deletion["deleted"] = True
    store.outbox.apply_pulled([deletion])
    assert [i.id for i in store.board.items(case.id) if i.id in (keep.id, gone.id)] == [keep.id]
    assert store.records.get(BoardItem, gone.id).deleted


def test_a_pulled_change_to_a_record_with_a_waiting_edit_is_a_conflict_not_an_overwrite(
        store: Store, case: Case) -> None:
    _ack_all(store)
    item = store.board.add(case.id, Zone.RED, "Mine (fictional)")
    _ack_all(store, rev=2)
    item.text = "Mine, edited offline (fictional)"
    store.board.update(item)
    tally = store.outbox.apply_pulled([_change(item, 3, text="Theirs (fictional)")])
    assert tally.conflicts == 1
    assert store.records.get(BoardItem, item.id).text == "Mine, edited offline (fictional)"
    (conflict,) = store.outbox.conflicts()
    assert conflict.theirs["fields"]["text"] == "Theirs (fictional)"
    assert conflict.mine["fields"]["text"] == "Mine, edited offline (fictional)"
    store.outbox.resolve_conflict(conflict.id, "theirs")
    saved = store.records.get(BoardItem, item.id)
    assert (saved.text, saved.rev, saved.sync_state) == ("Theirs (fictional)", 3,
                                                         SyncState.SYNCED)
    assert _ops_for(store, item.id) == []


def test_a_change_the_store_cannot_apply_is_kept_aside_and_does_not_stop_the_page(
        store: Store, case: Case) -> None:
    good = BoardItem(case_id=case.id, zone=Zone.RED, text="Readable (fictional)")
    bad = {"entity": "visit", "id": new_id(), "rev": 3, "fields": {"status": "nonsense"}}
    tally = store.outbox.apply_pulled([bad, {"entity": "spaceship", "id": "x", "rev": 1},
                                       _change(good, 4)])
    assert tally.applied == 1 and tally.not_applied == 2
    assert store.records.find(Visit, "id = ?", [bad["id"]]) == []
    kept = store.outbox.not_applied()
    assert [(p.entity, p.record_id) for p in kept] == [("visit", bad["id"]), ("spaceship", "x")]
    assert kept[0].change == bad and "do not fit" in kept[0].reason


def test_cursor_last_sync_and_clock_skew_are_kept(store: Store) -> None:
    assert store.outbox.sync_cursor() == "0"
    store.outbox.set_sync_cursor("42")
    store.outbox.set_last_sync("2026-11-24T09:00:00.000Z")
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    skew = store.outbox.note_server_time((now - timedelta(minutes=12)).isoformat(), now=now)
    assert skew == 720
    assert (store.outbox.sync_cursor(), store.outbox.last_sync(), store.outbox.clock_skew()) == (
        "42", "2026-11-24T09:00:00.000Z", 720.0)
    assert store.outbox.note_server_time("not a time") is None


def test_wiping_a_store_leaves_nothing_of_it_on_disk(store: Store, case: Case) -> None:
    store.backup("fictional")
    data_dir = Path(store.data_dir)
    assert (data_dir / "store.db").exists() and any((data_dir / "backups").iterdir())
    wipe_store(store)
    assert store.locked
    assert not [p for p in data_dir.rglob("*") if p.is_file()]
    assert json.dumps([]) == "[]"


def test_a_change_naming_a_kind_in_text_no_database_keeps_is_kept_aside_too(
        store: Store) -> None:
    odd = {"entity": "space\ud800ship", "id": "x", "rev": 1, "fields": {}}
    assert store.outbox.apply_pulled([odd]).not_applied == 1
    (kept,) = store.outbox.not_applied()
    assert kept.entity.startswith("space") and kept.change == odd
