"""The store's side of sync beyond the basics (tests/sync/test_engine_store.py): a pulled change
the store refuses, kept aside while the rest of the page lands; newer versions superseding those
kept aside; a conflict that keeps the newest of theirs; each way a person resolves one; what
waits, is held or is refused; photos' bytes to upload and to fetch; the demo's council records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from rbsw_desktop.domain import Attachment, BoardItem, Case, DirectWorkTool, SyncState, Zone
from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.domain.entities import Pod
from rbsw_desktop.domain.enums import EntityKind
from rbsw_desktop.errors import InvalidInput, NotFound
from rbsw_desktop.store import Store
from rbsw_desktop.store.sync_state import OutboxCounts, PushAck

PNG = b"\x89PNG fictional photo bytes"


def ack_all(store: Store, rev: int = 1) -> None:
    while batch := store.outbox.next_push_batch(500, 10_000_000):
        store.outbox.mark_pushed(batch, [PushAck(op.op_id, "applied", rev) for op in batch])


def change(item: BoardItem, rev: int, **fields: Any) -> dict[str, Any]:
    return {"entity": "board_item", "id": item.id, "rev": rev, "deleted": False,
            "fields": {"case_id": item.case_id, "zone": "red", "text": item.text,
                       "raised_by": "family", "shareable": True, "worker_note": "",
                       "position": 0, "updated_at": "2026-11-20T10:00:00.000Z",
                       "updated_by": "w-other", "device_id": "d-other", **fields}}


def audit_actions(store: Store, record_id: str) -> list[str]:
    return [r[0] for r in store.db.execute(
        "SELECT action FROM audit WHERE record_id = ? ORDER BY seq", [record_id])]


def test_a_change_the_store_refuses_is_kept_aside_and_the_rest_of_the_page_lands(
        store: Store, case: Case) -> None:
    good = BoardItem(case_id=case.id, zone=Zone.RED, text="Lands (fictional)")
    bad = BoardItem(case_id=case.id, zone=Zone.RED, text="Refused (fictional)")
    later = BoardItem(case_id=case.id, zone=Zone.RED, text="Lands too (fictional)")
    refused = change(bad, 3, text=None)                   # NOT NULL: the store refuses it
    tally = store.outbox.apply_pulled([change(good, 2), refused, change(later, 4)])
    assert (tally.applied, tally.not_applied, tally.total) == (2, 1, 3)
    assert {i.text for i in store.board.items(case.id)} == {good.text, later.text}
    (kept,) = store.outbox.not_applied()
    assert (kept.entity, kept.record_id, kept.rev, kept.change) == (
        "board_item", bad.id, 3, refused)
    assert kept.reason.startswith("this laptop's store refused it (IntegrityError: ")
    assert kept.as_json() == {"entity": "board_item", "id": bad.id, "rev": 3,
                              "change": refused, "reason": kept.reason,
                              "received_at": kept.received_at}
    assert audit_actions(store, bad.id) == ["pull-quarantine"]
    assert audit_actions(store, good.id) == audit_actions(store, later.id) == ["pull"]
    # A newer version that fits supersedes it; an older one than the store holds is skipped.
    assert store.outbox.apply_pulled([change(bad, 5), change(good, 1)]).applied == 1
    assert store.outbox.not_applied_count() == 0
    assert store.records.get(BoardItem, bad.id).rev == 5


def test_what_cannot_be_read_is_kept_with_what_it_said_and_why(store: Store) -> None:
    huge, flag, words = ({"entity": "board_item", "id": "a", "rev": 2**63},
                         {"entity": "board_item", "id": "b", "rev": True},
                         {"entity": "visit", "id": "c", "rev": "7"})
    tally = store.outbox.apply_pulled(
        [{"entity": "space ship", "id": "x", "rev": 1}, {"entity": "visit", "rev": 1},
         words], [(huge, "x" * 600), (flag, "a flag is no revision"), ("not a change", "?")])
    assert tally.not_applied == 6 and tally.applied == 0
    kept = store.outbox.not_applied()
    assert [(k.entity, k.record_id, k.rev) for k in kept] == [
        ("board_item", "a", None), ("board_item", "b", None), ("", "", None),
        ("space ship", "x", 1), ("visit", "", 1), ("visit", "c", None)]
    assert [len(k.reason) for k in kept[:1]] == [500]
    assert kept[2].change == "not a change"
    assert kept[3].reason == "this version of the app does not know records of kind 'space ship'"
    assert kept[4].reason == kept[5].reason == "the change has no record id or revision"


def test_a_newer_version_that_lands_supersedes_only_the_older_ones_kept_aside(
        store: Store, case: Case) -> None:
    item = BoardItem(case_id=case.id, zone=Zone.RED, text="Kept aside (fictional)")
    other = BoardItem(case_id=case.id, zone=Zone.RED, text="Another (fictional)")
    store.outbox.apply_pulled([], [(change(item, 2), "unreadable (fictional)"),
                                   (change(item, 9), "unreadable (fictional)"),
                                   (change(other, 1), "unreadable (fictional)")])
    store.outbox.apply_pulled([change(item, 4)])
    assert [(k.record_id, k.rev) for k in store.outbox.not_applied()] == [(item.id, 9),
                                                                          (other.id, 1)]
    # Held already at a revision past the one kept aside: that one goes too.
    store.outbox.apply_pulled([change(other, 3)])
    store.outbox.apply_pulled([], [(change(other, 2), "unreadable (fictional)")])
    assert store.outbox.apply_pulled([change(other, 3)]).skipped == 1
    assert [(k.record_id, k.rev) for k in store.outbox.not_applied()] == [(item.id, 9)]


def test_an_open_conflict_keeps_the_newest_of_their_versions(store: Store, case: Case) -> None:
    item = store.board.add(case.id, Zone.RED, "Mine (fictional)")
    ack_all(store, rev=2)
    item = store.records.get(BoardItem, item.id)
    item.text = "Mine, edited (fictional)"
    store.board.update(item)
    assert store.outbox.apply_pulled([change(item, 5, text="Theirs 5 ✓")]).conflicts == 1
    tally = store.outbox.apply_pulled([change(item, 4, text="Theirs 4"),
                                       change(item, 7, text="Theirs 7 ✓")])
    assert (tally.conflicts, tally.skipped) == (0, 2)
    assert store.outbox.apply_pulled([change(item, 6, text="Theirs 6")]).skipped == 1
    (conflict,) = store.outbox.conflicts()
    assert (conflict.their_rev, conflict.theirs["rev"], conflict.theirs["deleted"]) == (
        7, 7, False)
    assert conflict.theirs["fields"]["text"] == "Theirs 7 ✓"
    row = store.db.execute("SELECT theirs FROM conflict").fetchone()[0]
    assert "Theirs 7 ✓" in row                         # kept as written, not escaped
    assert conflict.mine["fields"]["text"] == "Mine, edited (fictional)"
    assert conflict.mine["base_rev"] == 2
    assert conflict.as_json() == {
        "id": conflict.id, "entity": "board_item", "record_id": item.id,
        "mine": conflict.mine, "theirs": conflict.theirs, "their_rev": 7,
        "detected_at": conflict.detected_at}
    assert store.outbox.open_conflict_count() == 1
    assert store.records.get(BoardItem, item.id).sync_state is SyncState.CONFLICT
    assert store.outbox.count_present([change(item, 9)]) == 1     # kept as a conflict
    assert "conflict" in audit_actions(store, item.id)


@pytest.mark.parametrize("choice", ["mine", "theirs", "merge"])
def test_a_conflict_resolved_each_way(store: Store, case: Case, choice: str) -> None:
    item = store.board.add(case.id, Zone.RED, "Mine (fictional)")
    ack_all(store, rev=2)
    item = store.records.get(BoardItem, item.id)
    item.text = "Mine, edited (fictional)"
    store.board.update(item)
    store.outbox.apply_pulled([change(item, 5, text="Theirs (fictional)", zone="green")])
    (conflict,) = store.outbox.conflicts()
    with pytest.raises(InvalidInput, match="keep mine, keep theirs, or merge"):
        store.outbox.resolve_conflict(conflict.id, "both")
    store.outbox.resolve_conflict(conflict.id, choice, {"text": "Both views ✓"})
    saved = store.records.get(BoardItem, item.id)
    ops = store.outbox.next_push_batch(500, 10**7)
    assert store.outbox.conflicts() == [] and store.outbox.open_conflict_count() == 0
    resolution = store.db.execute("SELECT resolution, resolved_at FROM conflict").fetchone()
    assert resolution[0] == choice and resolution[1]
    assert audit_actions(store, item.id)[-1] == f"resolve-{choice}"
    if choice == "theirs":
        assert (saved.text, saved.zone, saved.rev, saved.sync_state) == (
            "Theirs (fictional)", Zone.GREEN, 5, SyncState.SYNCED)
        assert ops == []
        return
    text = "Both views ✓" if choice == "merge" else "Mine, edited (fictional)"
    assert (saved.text, saved.zone, saved.rev, saved.sync_state, saved.deleted) == (
        text, Zone.RED, 5, SyncState.PENDING, False)
    (op,) = ops
    assert (op.record_id, op.base_rev, op.fields["text"], op.deleted) == (item.id, 5, text,
                                                                          False)
    assert text in store.db.execute("SELECT fields FROM outbox").fetchone()[0]
    with pytest.raises(NotFound, match="already been resolved"):
        store.outbox.resolve_conflict(conflict.id, choice)


def test_a_held_record_waits_and_photos_wait_for_their_bytes(store: Store,
                                                             case: Case) -> None:
    ack_all(store)
    held = store.board.add(case.id, Zone.RED, "Held (fictional)")
    ack_all(store, rev=2)
    held.text = "Held, edited (fictional)"
    store.board.update(held)
    store.outbox.apply_pulled([change(held, 5)])
    activity = store.direct_work.add(case.id, DirectWorkTool.FREE_FORM)
    photo = store.direct_work.attach(activity.id, case.id, PNG, "image/png")
    assert [op.record_id for op in store.outbox.next_push_batch(500, 10**7)] == [activity.id]
    assert store.outbox.blobs_to_upload() == [(photo.sha256, len(PNG))]
    assert store.outbox.blob_chunk(photo.sha256, 4, 10) == PNG[4:14]
    assert store.outbox.blob_chunk(photo.sha256, len(PNG), 10) == b""
    assert store.outbox.blob_chunk("0" * 64, 0, 10) == b""
    store.outbox.mark_blob_uploaded(photo.sha256)
    assert [op.record_id for op in store.outbox.next_push_batch(500, 10**7)] == [
        activity.id, photo.id]
    store.outbox.mark_blob_uploaded(photo.sha256, uploaded=False)
    assert photo.id not in [op.record_id for op in store.outbox.next_push_batch(500, 10**7)]
    assert store.outbox.counts() == OutboxCounts(pending=2, held=1, refused=0)
    assert (store.outbox.pending_count(), store.outbox.unsent_record_count()) == (2, 3)


def test_bytes_the_laptop_lacks_are_asked_for_and_kept_when_they_come(
        store: Store, case: Case) -> None:
    activity = store.direct_work.add(case.id, DirectWorkTool.FREE_FORM)
    sha = "ab" * 32
    pulled = Attachment(owner_id=activity.id, case_id=case.id, sha256=sha,
                        media_type="image/jpeg", size=4)
    fields = {"owner_id": activity.id, "case_id": case.id, "sha256": sha,
              "media_type": "image/jpeg", "size": 4, "updated_at": "2026-11-20T10:00:00.000Z",
              "updated_by": "w-other", "device_id": "d-other"}
    store.outbox.apply_pulled([{"entity": "attachment", "id": pulled.id, "rev": 1,
                                "fields": fields}])
    store.direct_work.attach(activity.id, case.id, PNG, "image/png")    # held already
    assert store.outbox.missing_blobs() == [(sha, "image/jpeg")]
    store.outbox.put_blob(sha, "image/jpeg", b"JPEG")
    store.outbox.put_blob(sha, "image/jpeg", b"other")                 # once is enough
    assert store.outbox.missing_blobs() == []
    assert store.direct_work.blob(sha) == b"JPEG"
    assert store.outbox.blobs_to_upload() == [(store.direct_work.attachments(activity.id)[1]
                                               .sha256, len(PNG))]


def test_refused_changes_are_retried_all_or_by_id_and_exported(store: Store,
                                                              case: Case) -> None:
    ack_all(store)
    a = store.board.add(case.id, Zone.RED, "First (fictional)")
    b = store.board.add(case.id, Zone.RED, "Second (fictional)")
    ops = {op.record_id: op for op in store.outbox.next_push_batch(500, 10**7)}
    store.outbox.mark_pushed([ops[a.id], ops[b.id]],
                             [PushAck(ops[a.id].op_id, "rejected"),
                              PushAck(ops[b.id].op_id, "rejected", reason="Case closed")])
    store.outbox.refuse(ops[b.id].op_id, "Still closed")
    exported = {e["id"]: e for e in store.outbox.export_refused()}
    assert exported[a.id] == {**ops[a.id].as_op(), "attempts": 1,
                              "reason": "The council system refused this change."}
    assert (exported[b.id]["reason"], exported[b.id]["attempts"]) == ("Still closed", 2)
    assert ops[a.id].as_op() == {"op_id": ops[a.id].op_id, "entity": "board_item", "id": a.id,
                                 "base_rev": None, "fields": ops[a.id].fields,
                                 "deleted": False, "at": ops[a.id].at}
    assert store.outbox.counts().refused == 2
    assert store.outbox.retry_refused([ops[b.id].op_id]) == 1
    assert [op.record_id for op in store.outbox.refused()] == [a.id]
    assert store.outbox.retry_refused() == 1 and store.outbox.refused() == []


def test_the_demos_council_records_count_as_synced_and_leave_the_outbox(
        store: Store, case: Case) -> None:
    other = store.records.save(Pod(name="Another Pod (fictional)"))
    removed = store.outbox.adopt_council_records([("pod", case.pod_id), ("case", case.id),
                                                  ("spaceship", "x")], rev=3)
    assert removed == 2
    assert (store.records.get(Pod, case.pod_id).rev,
            store.records.get(Pod, case.pod_id).sync_state) == (3, SyncState.SYNCED)
    assert store.records.get(Pod, other.id).sync_state is SyncState.PENDING
    assert {op.record_id for op in store.outbox.next_push_batch(500, 10**7)} == {
        other.id, case.child_id, case.worker_id}
    with store.collect_changes() as written:
        store.outbox.adopt_council_records([("pod", other.id)])
    assert store.records.get(Pod, other.id).rev == 1
    assert written.changes == Changes.of(EntityKind.POD, other.id)


def test_the_clock_is_compared_whatever_form_the_gateways_time_takes(store: Store) -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert store.outbox.note_server_time("2026-11-24T08:59:00Z", now=now) == 60
    assert store.outbox.note_server_time("2026-11-24T09:00:30", now=now) == -30
    assert store.outbox.clock_skew() == -30.0
    assert store.outbox.note_server_time(None, now=now) is None   # type: ignore[arg-type]
    assert store.outbox.clock_skew() == -30.0
    assert store.outbox.last_sync() is None
    store.outbox.set_last_sync()
    assert (store.outbox.last_sync() or "")[:4] == str(datetime.now(UTC).year)


def test_a_deleted_pulled_photo_takes_its_bytes_with_it(store: Store, case: Case) -> None:
    activity = store.direct_work.add(case.id, DirectWorkTool.FREE_FORM)
    photo = store.direct_work.attach(activity.id, case.id, PNG, "image/png")
    store.outbox.mark_blob_uploaded(photo.sha256)
    ack_all(store)
    fields = {"owner_id": activity.id, "case_id": case.id, "sha256": photo.sha256,
              "media_type": "image/png", "size": len(PNG), "updated_at": photo.updated_at,
              "updated_by": "w-other", "device_id": "d-other", "deleted": True}
    store.outbox.apply_pulled([{"entity": "attachment", "id": photo.id, "rev": 2,
                                "deleted": True, "fields": fields}])
    assert store.direct_work.blob(photo.sha256) is None
    assert store.records.find(Attachment, "id = ?", [photo.id]) == []


def test_the_councils_answers_are_counted_and_each_record_they_touch_is_noted(
        store: Store, case: Case) -> None:
    ack_all(store)
    assert store.outbox.counts() == OutboxCounts(0, 0, 0)
    items = [store.board.add(case.id, Zone.GREEN, f"Item {n} (fictional)") for n in range(8)]
    ops = [op for op in store.outbox.next_push_batch(500, 10**7) if op.entity == "board_item"]
    outcomes = ["applied", "duplicate", "conflict", "conflict", "rejected", "rejected"]
    theirs = {"rev": 4, "fields": {"text": "Theirs (fictional)"}, "deleted": False}
    acks = [PushAck(op.op_id, outcome, 3, theirs=theirs if outcome == "conflict" else None)
            for op, outcome in zip(ops, outcomes, strict=False)]
    with store.collect_changes() as written:
        tally = store.outbox.mark_pushed(ops, acks)                  # two left unanswered
    assert (tally.pushed, tally.conflicts, tally.refused, tally.unanswered) == (2, 2, 2, 2)
    assert written.changes == Changes.of(EntityKind.BOARD_ITEM, *(i.id for i in items[:4]))
    assert store.outbox.counts() == OutboxCounts(pending=2 + 8, held=2, refused=2)  # + moves
    conflict = next(c for c in store.outbox.conflicts() if c.record_id == items[2].id)
    assert conflict.mine == {"fields": ops[2].fields, "deleted": False, "base_rev": None,
                             "op_id": ops[2].op_id}
    assert (conflict.their_rev, conflict.theirs) == (4, theirs)
    assert "conflict" in audit_actions(store, items[2].id)
    # What the store holds is counted before the cursor moves on: at or past each revision,
    # or kept as a conflict; not a record it does not know, nor one behind.
    changes = [{"entity": "board_item", "id": items[0].id, "rev": 3},
               {"entity": "board_item", "id": items[1].id, "rev": 4},
               {"entity": "board_item", "id": items[2].id, "rev": 9},
               {"entity": "board_item", "id": "unknown", "rev": 1},
               {"entity": "spaceship", "id": items[0].id, "rev": 1},
               {"entity": "board_item", "id": items[6].id, "rev": 1},
               {"entity": "board_item", "id": items[0].id}]
    assert store.outbox.count_present(changes) == 3


def test_their_removal_kept_in_a_conflict_removes_the_record_when_chosen(
        store: Store, case: Case) -> None:
    item = store.board.add(case.id, Zone.RED, "Mine (fictional)")
    ack_all(store, rev=2)
    item = store.records.get(BoardItem, item.id)
    item.text = "Mine, edited (fictional)"
    store.board.update(item)
    removal = change(item, 5)
    removal["deleted"] = True
    store.outbox.apply_pulled([removal])
    (conflict,) = store.outbox.conflicts()
    assert conflict.theirs["deleted"] is True and conflict.mine["deleted"] is False
    store.outbox.resolve_conflict(conflict.id, "theirs")
    assert store.records.get(BoardItem, item.id).deleted
    assert store.board.items(case.id) == []


def test_a_pulled_change_from_a_newer_app_keeps_what_this_one_knows(store: Store,
                                                                    case: Case) -> None:
    item = BoardItem(case_id=case.id, zone=Zone.RED, text="From a newer app (fictional)")
    pulled = change(item, 6)
    pulled["fields"] = {"mood_colour": "teal", "rev": 99, "sync_state": "pending",
                        "id": "another", **pulled["fields"], "position": 2}
    pulled["filed"] = True
    assert store.outbox.apply_pulled([pulled]).applied == 1
    held = store.records.get(BoardItem, item.id)
    assert (held.text, held.position, held.rev, held.sync_state) == (
        "From a newer app (fictional)", 2, 6, SyncState.FILED)


def test_a_page_lands_in_one_go_each_record_as_its_newest_version_searchable_by_its_words(
        store: Store, case: Case) -> None:
    # A page is written a kind of record at a time; a record twice in it (two revisions) ends
    # as the newer, and search finds each record by the words it now holds, newest first.
    items = [BoardItem(case_id=case.id, zone=Zone.RED, text=f"Kestrel visit {i} (fictional)")
             for i in range(3)]
    store.records.save(items[0])               # held here already, with its own words
    ack_all(store)
    page = [change(items[0], 2, text="Heron walk (fictional)"), change(items[1], 1),
            change(items[2], 1), change(items[1], 2, text="Heron swim (fictional)")]
    tally = store.outbox.apply_pulled(page)
    assert (tally.applied, tally.not_applied) == (4, 0)
    assert {i.id: i.text for i in store.board.items(case.id)} == {
        items[0].id: "Heron walk (fictional)", items[1].id: "Heron swim (fictional)",
        items[2].id: items[2].text}
    assert store.records.get(BoardItem, items[1].id).rev == 2
    assert [h.record_id for h in store.search.find("heron")] == [items[1].id, items[0].id]
    assert [h.record_id for h in store.search.find("kestrel")] == [items[2].id]
