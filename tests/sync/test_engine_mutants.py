"""What the sync engine leaves on a laptop and on the council's gateway, and what its report says:
the tests `dev.py mutate engine` runs against each mutant of rbsw_desktop/sync/engine.py. They
use the fast gateway of tests/sync/engine_gateway.py (one shared gateway under mutation, or
each test's own in the normal suite) and look only at behaviour, never the engine's insides."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from pathlib import Path
from typing import Any

import pytest

from rbsw_desktop.domain import Zone
from rbsw_desktop.domain.entities import BoardItem, Review
from rbsw_desktop.domain.enums import EntityKind, SyncState, VisitType
from rbsw_desktop.security.wipe import WIPE_NOTE, wipe_note
from tests.sync.engine_gateway import gateway_fixture  # noqa: F401 (fixture)
from tests.sync.faultproxy import Fault, FaultProxy
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    manager_laptop_fixture,
    pod_fixture,
    worker_laptop_fixture,
)

STOPPED = "Sync was stopped. Nothing was lost; it will carry on next time."


def _held(gateway: Any, pod: Pod) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in gateway.records(pod=pod.id)}


def _review(laptop: Laptop, pod: Pod, *, items: int, words: int) -> Review:
    """A review of a fictional board of `items` items of `words` words each."""
    snapshot = [{"board_item_id": f"item-{i}", "zone": "amber", "shareable": True,
                 "raised_by": "family", "text": f"Worry {i} at the review (fictional)"
                 + " school contact" * words} for i in range(items)]
    return laptop.store.records.save(Review(case_id=pod.case, held_on="2026-11-30",
                                            snapshot=snapshot))


def _items(laptop: Laptop, pod: Pod, n: int, zone: Zone = Zone.AMBER) -> list[BoardItem]:
    return [laptop.store.board.add(pod.case, zone, f"Worry {i} (fictional)") for i in range(n)]


def test_a_push_in_batches_sends_every_change_once_and_stamps_each_synced(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    items = _items(worker_laptop, pod, 4)
    waiting = worker_laptop.store.outbox.pending_count()
    assert waiting == 8                                    # each item and its move
    stages: list[tuple[str, int, int]] = []
    report = worker_laptop.engine(batch_ops=3).sync_once(
        progress=lambda stage, done, total: stages.append((stage, done, total)))
    assert report.ok and report.pushed == waiting and report.pending == 0, report.as_json()
    assert (report.conflicts, report.refused, report.errors) == (0, 0, [])
    # Three ops a batch, at most one per record: three batches, each counted as it lands.
    assert [s for s in stages if s[0] == "push"] == [("push", 3, 8), ("push", 6, 8),
                                                     ("push", 8, 8)]
    held = _held(gateway, pod)
    for item in items:
        here = worker_laptop.store.records.get(BoardItem, item.id)
        assert here.sync_state is SyncState.SYNCED and here.rev == 1
        assert held[item.id]["rev"] == 1 and held[item.id]["fields"]["text"] == item.text
    assert report.changes.ids(EntityKind.BOARD_ITEM) == {i.id for i in items}
    assert worker_laptop.store.outbox.last_sync() is not None


def test_a_records_second_change_goes_after_its_first_on_the_revision_it_got(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    item = store.board.add(pod.case, Zone.GREEN, "Nan collects her (fictional)")
    item.text = "Nan collects her on Fridays (fictional)"
    store.board.update(item)
    report = worker_laptop.sync(batch_ops=1)
    assert report.ok and report.pushed == 3 and report.conflicts == 0, report.as_json()
    held = _held(gateway, pod)[item.id]
    assert held["rev"] == 2 and held["fields"]["text"] == item.text
    assert store.records.get(BoardItem, item.id).rev == 2


def test_a_record_changed_twice_before_a_sync_goes_twice_in_one_sync(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    # Its second change waits for the answer to its first, when nothing else is ready to go.
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    visit = store.visits.add(pod.case, visit_type=VisitType.STATUTORY,
                             observations="Seen at school (fictional)")
    visit.observations = "Seen at school, then at home (fictional)"
    store.visits.update(visit)
    report = worker_laptop.sync()
    assert report.ok and report.pushed == 2 and report.pending == 0, report.as_json()
    held = _held(gateway, pod)[visit.id]
    assert held["rev"] == 2 and held["fields"]["observations"] == visit.observations


def test_pull_follows_every_page_and_keeps_its_cursor(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    assert manager_laptop.sync().ok
    items = _items(manager_laptop, pod, 5)
    assert manager_laptop.sync().ok
    report = worker_laptop.sync(pull_limit=2)
    assert report.ok and report.pull_finished, report.as_json()
    # Every page, each change once: five items and their moves, the case, its child, herself.
    assert report.pulled == 13, report.as_json()
    assert {i.id for i in worker_laptop.store.board.items(pod.case)} == {i.id for i in items}
    assert report.changes.ids(EntityKind.BOARD_ITEM) == {i.id for i in items}
    cursor = worker_laptop.store.outbox.sync_cursor()
    again = worker_laptop.sync(pull_limit=2)               # from the cursor: nothing new
    assert again.ok and again.pulled == 0 and not again.changes
    assert worker_laptop.store.outbox.sync_cursor() == cursor
    one = manager_laptop.store.records.get(BoardItem, items[0].id)
    one.text = "Worry 0, now smaller (fictional)"
    manager_laptop.store.board.update(one)
    assert manager_laptop.sync().ok
    after = worker_laptop.sync(pull_limit=2)
    assert after.ok and after.pulled == 1, after.as_json()
    assert worker_laptop.store.records.get(BoardItem, one.id).text == one.text
    manager_laptop.store.records.delete(manager_laptop.store.records.get(BoardItem, items[1].id))
    assert manager_laptop.sync().ok
    assert worker_laptop.sync().ok
    assert items[1].id not in {i.id for i in worker_laptop.store.board.items(pod.case)}


def test_a_conflict_is_counted_and_keeps_both_versions_until_resolved(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    item = worker_laptop.store.board.add(pod.case, Zone.RED, "School attendance (fictional)")
    assert worker_laptop.sync().ok
    assert manager_laptop.sync().ok
    mine = worker_laptop.store.records.get(BoardItem, item.id)
    theirs = manager_laptop.store.records.get(BoardItem, item.id)
    mine.text, theirs.text = "Worker's view (fictional)", "Manager's view (fictional)"
    worker_laptop.store.board.update(mine)
    manager_laptop.store.board.update(theirs)
    assert manager_laptop.sync().ok
    report = worker_laptop.sync()
    assert (report.conflicts, report.open_conflicts, report.ok) == (1, 1, False), \
        report.as_json()
    assert report.as_json()["conflicts"] == 1 and report.as_json()["open_conflicts"] == 1
    (conflict,) = worker_laptop.store.outbox.conflicts()
    assert conflict.mine["fields"]["text"] == "Worker's view (fictional)"
    assert conflict.theirs["fields"]["text"] == "Manager's view (fictional)"
    assert _held(gateway, pod)[item.id]["fields"]["text"] == "Manager's view (fictional)"
    worker_laptop.store.outbox.resolve_conflict(conflict.id, "merge",
                                                {"text": "Both views (fictional)"})
    done = worker_laptop.sync()
    assert done.ok and done.open_conflicts == 0, done.as_json()
    assert _held(gateway, pod)[item.id]["fields"]["text"] == "Both views (fictional)"


def test_a_refused_change_is_found_by_splitting_and_quarantined_while_the_rest_go(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    good = _items(worker_laptop, pod, 3, Zone.GREEN)
    stray = BoardItem(case_id="no-such-case", zone=Zone.RED, text="Stray (fictional)")
    store.records.save(stray)
    more = _items(worker_laptop, pod, 2)
    report = worker_laptop.sync(batch_ops=4)
    assert (report.refused, report.refused_total, report.ok) == (1, 1, False), report.as_json()
    assert report.pushed == 10 and report.pending == 0, report.as_json()
    assert report.as_json()["quarantined"] == 1 and report.as_json()["quarantined_total"] == 1
    (refused,) = store.outbox.export_refused()
    assert refused["id"] == stray.id and refused["reason"]
    held = _held(gateway, pod)
    assert all(i.id in held for i in good + more) and stray.id not in held
    again = worker_laptop.sync()                   # kept aside: not sent again, still counted
    assert (again.refused, again.refused_total, again.pushed) == (0, 1, 0), again.as_json()


def test_a_busy_gateway_is_waited_for_as_it_asks_and_the_change_goes_once(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    item = worker_laptop.store.board.add(pod.case, Zone.GREEN, "Busy day (fictional)")
    waits: list[float] = []
    gateway.fail_next(503, count=2, retry_after=0.3)

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        threading.Event().wait(seconds)
    report = worker_laptop.sync(sleep=sleep)
    assert report.ok and report.pushed == 2, report.as_json()
    assert 0.55 <= sum(waits) < 1.5                  # Retry-After: 0.3, twice, and no more
    assert _held(gateway, pod)[item.id]["rev"] == 1


def test_a_gateway_busy_past_the_last_attempt_leaves_the_changes_waiting(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    item = worker_laptop.store.board.add(pod.case, Zone.GREEN, "Still busy (fictional)")
    gateway.fail_next(500, count=3, retry_after=None)
    report = worker_laptop.sync(max_attempts=3)
    assert not report.ok and report.errors and report.pushed == 0, report.as_json()
    assert report.pending == 2 and not report.pull_finished
    assert item.id not in _held(gateway, pod)
    assert worker_laptop.store.outbox.last_sync() is not None     # from the first sync only
    later = worker_laptop.sync()
    assert later.ok and later.pushed == 2, later.as_json()


def test_a_cut_answer_is_retried_and_the_change_is_applied_once(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    item = worker_laptop.store.board.add(pod.case, Zone.AMBER, "Rent arrears (fictional)")
    faults = iter([Fault("cut_response", 0), Fault("cut_request", 10)])
    with FaultProxy(gateway.port, lambda n: next(faults, Fault())) as proxy:
        report = worker_laptop.sync(proxy.url, max_attempts=4)
    assert report.ok and report.pushed == 2 and report.conflicts == 0, report.as_json()
    assert {"cut_response", "cut_request"} <= set(proxy.seen)
    assert _held(gateway, pod)[item.id]["rev"] == 1
    assert worker_laptop.store.records.get(BoardItem, item.id).rev == 1


def test_a_photo_goes_up_in_chunks_resumes_after_a_cut_and_comes_down_whole(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    data = bytes(range(256)) * 10_000            # 2.5 MB: three chunks
    activity_id = store.board.add(pod.case, Zone.GREEN, "Drawing (fictional)").id
    attachment = store.direct_work.attach(activity_id, pod.case, data, "image/png",
                                          filename="drawing.png")
    faults = iter([Fault("cut_request", 1_500_000)])
    stages: list[tuple[str, int, int]] = []
    with FaultProxy(gateway.port, lambda n: next(faults, Fault())) as proxy:
        report = worker_laptop.engine(proxy.url, max_attempts=4).sync_once(
            progress=lambda stage, done, total: stages.append((stage, done, total)))
    assert report.ok and report.blobs_uploaded == 1, report.as_json()
    assert "cut_request" in proxy.seen
    sent = [(done, total) for stage, done, total in stages if stage == "blobs"]
    assert sent[-1] == (len(data), len(data)) and sent == sorted(sent), sent
    assert worker_laptop.sync().blobs_uploaded == 0              # sent once, not again
    pulled = manager_laptop.sync()
    assert pulled.ok and pulled.blobs_downloaded == 1, pulled.as_json()
    got = manager_laptop.store.direct_work.blob(attachment.sha256)
    assert got == data and hashlib.sha256(got).hexdigest() == attachment.sha256
    assert manager_laptop.sync().blobs_downloaded == 0


def test_a_cancelled_sync_stops_says_so_and_loses_nothing(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    items = _items(worker_laptop, pod, 3)
    stop = threading.Event()
    stop.set()
    report = worker_laptop.engine().sync_once(cancel=stop)
    assert not report.ok and report.pushed == 0 and report.pending == 6, report.as_json()
    assert report.errors == [STOPPED]
    assert not any(i.id in _held(gateway, pod) for i in items)
    # Stopped between batches: what went is kept, the rest goes next time.
    stop.clear()
    partway = worker_laptop.engine(batch_ops=2).sync_once(
        cancel=stop, progress=lambda stage, done, total: stop.set() if done else None)
    # The first batch landed, then the stop: the second, on its way, is still recorded.
    assert not partway.ok and partway.pushed == 4 and partway.pending == 2, partway.as_json()
    assert partway.errors == [STOPPED]
    finished = worker_laptop.sync()
    assert finished.ok and finished.pushed == 6 - partway.pushed, finished.as_json()
    assert all(i.id in _held(gateway, pod) for i in items)


def test_a_revoked_laptop_wipes_and_says_how_many_records_never_reached_the_council(
        gateway: Any, pod: Pod, worker_laptop: Laptop, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "rbsw_desktop.sync.engine")
    assert worker_laptop.sync().ok
    worker_laptop.store.visits.add(pod.case, visit_type=VisitType.STATUTORY,
                                   observations="Unsent (fictional)")
    data_dir = Path(worker_laptop.store.data_dir)
    gateway.revoke(worker_laptop.enrolment.device_id)
    report = worker_laptop.sync()
    assert report.revoked and not report.retired and report.wiped, report.as_json()
    assert report.destroyed_unsent == 1 and report.pushed == 0
    assert report.errors == [
        "This laptop has been signed out by the council, so its store has been wiped. Ask "
        "business support to set it up again. 1 record that had not reached the council "
        "(waiting, in a conflict or refused) was destroyed with it."]
    assert report.as_json()["revoked"] is True and report.as_json()["destroyed_unsent"] == 1
    assert worker_laptop.store.locked
    assert [p.name for p in data_dir.rglob("*") if p.is_file()] == [WIPE_NOTE]
    note = wipe_note(data_dir)
    assert note is not None and (note["reason"], note["destroyed_unsent"]) == ("revoked", 1)
    assert "device revoked: wiping the store (1 records unsent)" in caplog.messages


def test_a_retired_laptop_sends_what_it_holds_then_wipes(
        gateway: Any, pod: Pod, worker_laptop: Laptop, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "rbsw_desktop.sync.engine")
    assert worker_laptop.sync().ok
    visit = worker_laptop.store.visits.add(pod.case, visit_type=VisitType.STATUTORY,
                                           observations="Seen at home (fictional)")
    data_dir = Path(worker_laptop.store.data_dir)
    gateway.admin("retire", "--device", worker_laptop.enrolment.device_id)
    report = worker_laptop.sync()
    assert report.retired and not report.revoked and report.destroyed_unsent == 0, \
        report.as_json()
    assert report.pushed == 1 and report.errors == [
        "This laptop has been retired by the council: it sent what it could, and its store has "
        "been wiped. Nothing was lost (everything on it had reached the council)."]
    assert _held(gateway, pod)[visit.id]["fields"]["observations"] == "Seen at home (fictional)"
    assert worker_laptop.store.locked
    assert [p.name for p in data_dir.rglob("*") if p.is_file()] == [WIPE_NOTE]
    note = wipe_note(data_dir)
    assert note is not None and (note["reason"], note["destroyed_unsent"]) == ("retired", 0)
    assert "device retired: wiping the store (0 records unsent)" in caplog.messages


def test_the_first_sync_brings_the_councils_case_and_pushes_nothing_back(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    report = worker_laptop.sync()
    assert report.ok and report.pushed == 0 and report.pulled >= 1, report.as_json()
    assert pod.case in report.changes.ids(EntityKind.CASE)
    assert report.as_json() == {
        "ok": True, "pushed": 0, "pulled": report.pulled, "conflicts": 0, "quarantined": 0,
        "blobs_uploaded": 0, "blobs_downloaded": 0, "pending": 0, "open_conflicts": 0,
        "quarantined_total": 0, "pulled_quarantined": 0, "pulled_quarantined_total": 0,
        "revoked": False, "retired": False, "destroyed_unsent": 0,
        "clock_skew_seconds": report.clock_skew_seconds, "errors": [], "warnings": []}
    assert worker_laptop.store.outbox.counts().pending == 0
    assert report.clock_skew_seconds is not None and abs(report.clock_skew_seconds) < 60
    assert report.warnings == []


def test_a_change_too_big_for_one_request_goes_as_a_file_and_arrives_whole(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    review = _review(worker_laptop, pod, items=200, words=3)
    small = worker_laptop.store.board.add(pod.case, Zone.GREEN, "Small (fictional)")
    report = worker_laptop.sync(op_bytes=10_000)
    assert report.ok and report.blobs_uploaded == 0 and report.refused == 0, report.as_json()
    held = _held(gateway, pod)
    assert held[review.id]["fields"]["snapshot"] == review.snapshot
    assert held[small.id]["fields"]["text"] == "Small (fictional)"
    audit = json.loads(gateway.admin("audit", "--limit", "1000", "--json"))
    uploads = [row for row in audit if row["action"].startswith("PUT /blobs/")
               and row["device_id"] == worker_laptop.enrolment.device_id]
    assert len(uploads) == 1, uploads                        # the review, as a file, once
    assert manager_laptop.sync().ok
    assert manager_laptop.store.records.get(Review, review.id).snapshot == review.snapshot


def test_a_batch_too_big_for_the_gateway_is_split_and_every_change_still_goes(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    reviews = [_review(worker_laptop, pod, items=1500, words=60) for _ in range(7)]  # 1.4 MB
    report = worker_laptop.sync(batch_bytes=64 * 1024 * 1024, timeout=60)
    assert report.ok and report.pushed == 7 and report.refused == 0, report.as_json()
    held = _held(gateway, pod)
    assert all(held[r.id]["fields"]["snapshot"] == r.snapshot for r in reviews)


def test_one_change_the_gateway_refuses_whole_is_kept_with_its_reason_and_the_rest_go(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    # Allowed inline here (op_bytes), a 9 MB review is more than the gateway takes in one
    # request: the batch is split until that one change is alone, and it is kept, refused.
    assert worker_laptop.sync().ok
    before = _items(worker_laptop, pod, 2)
    huge = _review(worker_laptop, pod, items=9000, words=60)
    after = _items(worker_laptop, pod, 1)
    report = worker_laptop.sync(op_bytes=64 * 1024 * 1024, batch_bytes=64 * 1024 * 1024,
                                timeout=60)
    assert (report.refused, report.refused_total, report.pushed) == (1, 1, 6), report.as_json()
    assert report.pending == 0 and not report.ok
    (refused,) = worker_laptop.store.outbox.export_refused()
    assert refused["id"] == huge.id and refused["reason"]
    held = _held(gateway, pod)
    assert all(i.id in held for i in before + after) and huge.id not in held
