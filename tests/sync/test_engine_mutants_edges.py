"""The sync engine at its edges, for `dev.py mutate engine` beside test_engine_mutants.py:
the exact words of the report's warnings (a clock out of step, changes from the council not
saved here, a change too big to send), a photo's upload resumed where the gateway says after a
409 or 416, a batch the gateway refuses whole split until the one change it refuses is alone,
and the size limits at their exact values. Real gateway, real encrypted stores; faults come from
the gateway's own test fault plan (`fail_next`), never a stand-in."""

from __future__ import annotations

import hashlib
import json
import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rbsw_desktop.domain import Zone
from rbsw_desktop.domain.entities import Review, new_id
from rbsw_desktop.domain.enums import VisitType
from rbsw_desktop.protocol import MAX_BLOB_CHUNK, big_records
from rbsw_desktop.protocol.models import Op
from rbsw_desktop.sync import engine as sync_engine
from tests.sync.engine_gateway import gateway_fixture  # noqa: F401 (fixture)
from tests.sync.fault_gateway import BUSY
from tests.sync.faultproxy import FaultProxy
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    manager_laptop_fixture,
    pod_fixture,
    serve_raw,
    worker_laptop_fixture,
)

CLOCK = ("This laptop's clock is about {minutes} minutes {way} the council's. Times you record "
         "are kept as this laptop shows them; please ask IT support to set the clock.")
REVIEW_TOO_BIG_NUMBER = ("this change cannot be sent: `fields`: the record has a number too large "
                         "to keep")
NOT_SAVED = ("{n} change(s) from the council could not be saved on this laptop. They are kept "
             "aside (see Sync problems) and everything else was saved; please tell IT support.")


def _held(gateway: Any, pod: Pod) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in gateway.records(pod=pod.id)}


def _puts(gateway: Any, laptop: Laptop, method: str = "PUT") -> list[str]:
    """The blob requests (uploads, or HEADs) the gateway served this laptop (its audit)."""
    audit = json.loads(gateway.admin("audit", "--limit", "1000", "--json"))
    return [row["action"] for row in sorted(audit, key=lambda r: r["id"])
            if row["action"].startswith(f"{method} /blobs/")
            and row["device_id"] == laptop.enrolment.device_id]


def _review(laptop: Laptop, pod: Pod, *, chars: int, seed: int) -> Review:
    """A review whose one snapshot item holds `chars` letters that hardly compress (fictional)."""
    text = "".join(random.Random(seed).choices("abcdefghijklmnopqrstuvwxyz ", k=chars))
    snapshot = [{"board_item_id": "item-0", "zone": "amber", "shareable": True,
                 "raised_by": "family", "text": f"Worry (fictional) {text}"}]
    return laptop.store.records.save(Review(case_id=pod.case, held_on="2026-11-30",
                                            snapshot=snapshot))


def _waiting(laptop: Laptop, record_id: str) -> Any:
    """The outbox's waiting op of one record (what the engine will send for it)."""
    rows = laptop.store.outbox.next_push_batch(1000, 1 << 40)
    (row,) = [r for r in rows if r.record_id == record_id]
    return row


def _offline(laptop: Laptop, proxy: FaultProxy) -> Any:
    """A sync while the council cannot be reached (every connection is closed at once)."""
    report = laptop.sync(proxy.url, max_attempts=1)
    assert report.errors and not report.pull_finished, report.as_json()
    return report


# -- the report's warnings --------------------------------------------------------------------

def test_a_clock_out_of_step_is_warned_of_in_minutes_ahead_or_behind_past_five_minutes(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    # The skew the laptop last heard from the council, reported while it is out of reach.
    outbox = worker_laptop.store.outbox
    now = datetime.now(UTC)
    with FaultProxy(gateway.port) as proxy:
        proxy.mark_down(gateway.port)
        never = _offline(worker_laptop, proxy)
        assert never.clock_skew_seconds is None and never.warnings == []
        seen = []
        for skew in (3600, -5400, 301, 300, -300, -301):
            outbox.note_server_time((now - timedelta(seconds=skew)).isoformat(), now=now)
            report = _offline(worker_laptop, proxy)
            assert report.clock_skew_seconds == skew
            assert report.as_json()["clock_skew_seconds"] == skew
            seen.append(report.warnings)
    assert seen == [
        [CLOCK.format(minutes=60, way="ahead of")],
        [CLOCK.format(minutes=90, way="behind")],
        [CLOCK.format(minutes=5, way="ahead of")],
        [], [],                                    # five minutes exactly: no warning
        [CLOCK.format(minutes=5, way="behind")],
    ]


def test_changes_from_the_council_not_saved_here_are_counted_and_said_in_words(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    item = {"case_id": pod.case, "zone": "amber", "raised_by": "professional",
            "shareable": True, "withheld_reason": None, "worker_note": "", "category": None,
            "position": 0}
    serve_raw(gateway, pod, new_id(), {**item, "text": "Fine (fictional)"})
    serve_raw(gateway, pod, new_id(), {**item, "text": "Too big (fictional)",
                                        "position": 2**70})
    serve_raw(gateway, pod, new_id(), {**item, "text": None})     # the store's NOT NULL
    report = worker_laptop.sync()
    assert (report.pulled, report.not_applied, report.not_applied_total) == (1, 2, 2), \
        report.as_json()
    assert report.warnings == [NOT_SAVED.format(n=2)] and report.errors == []
    again = worker_laptop.sync()
    assert (again.pulled, again.not_applied, again.not_applied_total) == (0, 0, 2)
    assert again.as_json()["pulled_quarantined_total"] == 2
    assert again.warnings == [NOT_SAVED.format(n=2)] and not again.ok


# -- a change too big for one request ---------------------------------------------------------

def test_a_change_exactly_as_big_as_a_request_takes_goes_inline_one_byte_more_as_a_file(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    inline = _review(worker_laptop, pod, chars=20_000, seed=1)
    size = _waiting(worker_laptop, inline.id).size
    report = worker_laptop.sync(op_bytes=size)
    assert report.ok and report.pushed == 1, report.as_json()
    assert _puts(gateway, worker_laptop) == []
    blobbed = _review(worker_laptop, pod, chars=20_000, seed=2)
    row = _waiting(worker_laptop, blobbed.id)
    packed = big_records.pack(Op.model_validate(row.as_op()).fields)
    stages: list[tuple[str, int, int]] = []
    report = worker_laptop.engine(op_bytes=row.size - 1).sync_once(
        progress=lambda stage, done, total: stages.append((stage, done, total)))
    assert report.ok and report.pushed == 1 and report.refused == 0, report.as_json()
    assert len(_puts(gateway, worker_laptop)) == 1
    assert [s for s in stages if s[0] == "blobs"] == [("blobs", len(packed), len(packed))]
    held = _held(gateway, pod)
    assert held[blobbed.id]["fields"]["snapshot"] == blobbed.snapshot
    assert held[blobbed.id]["fields_blob"] == hashlib.sha256(packed).hexdigest()
    assert held[inline.id]["fields"]["snapshot"] == inline.snapshot
    assert held[inline.id]["fields_blob"] is None


def test_a_change_the_protocol_cannot_carry_is_kept_here_with_why_and_the_rest_go(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    bad = [worker_laptop.store.records.save(Review(
        case_id=pod.case, held_on="2026-11-30",
        snapshot=[{"board_item_id": f"item-{i}", "zone": "red", "text": "Worry (fictional)",
                   "position": 2**70}])) for i in range(2)]
    alone = worker_laptop.sync()                 # a batch all held here: nothing goes
    assert (alone.refused, alone.refused_total, alone.pushed) == (2, 2, 0), alone.as_json()
    assert alone.pending == 0 and alone.errors == [] and alone.pull_finished
    good = worker_laptop.store.board.add(pod.case, Zone.GREEN, "Fine (fictional)")
    report = worker_laptop.sync()
    assert (report.refused, report.refused_total, report.pushed) == (0, 2, 2), report.as_json()
    assert report.pending == 0 and report.errors == []
    refused = {r["id"]: r["reason"] for r in worker_laptop.store.outbox.export_refused()}
    assert refused == {b.id: REVIEW_TOO_BIG_NUMBER for b in bad}
    held = _held(gateway, pod)
    assert good.id in held and not any(b.id in held for b in bad)


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f}"


def test_a_change_too_big_even_as_a_file_is_kept_here_refused_with_its_size_in_words(
        gateway: Any, pod: Pod, worker_laptop: Laptop, monkeypatch: pytest.MonkeyPatch) -> None:
    # The protocol's limit is 64 MiB once gzip'd; here it is made small, so the records are too.
    assert worker_laptop.sync().ok
    at_limit = _review(worker_laptop, pod, chars=30_000, seed=3)
    row = _waiting(worker_laptop, at_limit.id)
    packed = len(big_records.pack(Op.model_validate(row.as_op()).fields))
    monkeypatch.setattr(sync_engine, "MAX_BLOB_BYTES", packed)
    report = worker_laptop.sync(op_bytes=10_000)             # exactly at the limit: it goes
    assert report.ok and report.pushed == 1 and report.warnings == [], report.as_json()
    assert _held(gateway, pod)[at_limit.id]["fields"]["snapshot"] == at_limit.snapshot

    most = 50_000                   # 0.05 MB: said "0.1", to one decimal of a million bytes
    big = [_review(worker_laptop, pod, chars=100_000 + 40_000 * i, seed=4 + i) for i in range(2)]
    small = worker_laptop.store.board.add(pod.case, Zone.GREEN, "Small (fictional)")
    monkeypatch.setattr(sync_engine, "MAX_BLOB_BYTES", most)
    report = worker_laptop.sync(op_bytes=10_000)
    assert (report.refused, report.refused_total, report.pushed) == (2, 2, 2), report.as_json()
    refused = {r["id"]: r["reason"] for r in worker_laptop.store.outbox.export_refused()}
    assert set(refused) == {b.id for b in big}
    sizes = []
    for reason in refused.values():
        found = re.fullmatch(r"too big to send: (\d+\.\d) MB, and the council system takes at "
                             rf"most {re.escape(_mb(most))} MB at once", reason)
        assert found, reason
        sizes.append(found[1])
    assert _mb(most) == "0.1" and all(s == "0.1" for s in sizes), sizes  # 64 and 90 kB
    assert sorted(report.warnings) == sorted(
        f"One change (review) is too big to send to the council system ({s} MB; at most "
        f"{_mb(most)} MB goes at once). It is kept safe on this laptop among the refused "
        "changes; please tell IT support." for s in sizes)
    held = _held(gateway, pod)
    assert small.id in held and not any(b.id in held for b in big)
    assert len(_puts(gateway, worker_laptop)) == 1           # only the one at the limit went


def test_a_change_whose_file_the_gateway_refuses_is_kept_with_the_reason_and_the_rest_go(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    review = _review(worker_laptop, pod, chars=30_000, seed=9)
    small = worker_laptop.store.board.add(pod.case, Zone.GREEN, "Small (fictional)")
    gateway.fail_next(413, after=1)              # the HEAD passes, its upload is refused
    report = worker_laptop.sync(op_bytes=10_000)
    assert (report.refused, report.refused_total, report.pushed) == (1, 1, 2), report.as_json()
    assert report.errors == [] and report.pending == 0
    (refused,) = worker_laptop.store.outbox.export_refused()
    assert refused["id"] == review.id
    assert refused["reason"] == f"the council system did not take it as a file: {BUSY}"
    held = _held(gateway, pod)
    assert small.id in held and review.id not in held


def test_a_file_the_gateway_holds_whole_already_is_not_sent_again(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    # Its change's push went unanswered after the upload; the next sync asks, and sends none.
    assert worker_laptop.sync().ok
    review = _review(worker_laptop, pod, chars=30_000, seed=10)
    gateway.fail_next(503, after=2)              # the HEAD and the upload pass; the push not
    first = worker_laptop.sync(op_bytes=10_000, max_attempts=1)
    assert first.errors and first.pushed == 0 and first.pending == 1, first.as_json()
    assert len(_puts(gateway, worker_laptop)) == 1
    report = worker_laptop.sync(op_bytes=10_000)
    assert report.ok and report.pushed == 1, report.as_json()
    assert len(_puts(gateway, worker_laptop)) == 1 and len(_puts(gateway, worker_laptop,
                                                                  "HEAD")) == 2
    assert _held(gateway, pod)[review.id]["fields"]["snapshot"] == review.snapshot


# -- a photo's upload resumed -----------------------------------------------------------------

@pytest.mark.parametrize("status", [409, 416])
def test_a_photo_upload_the_gateway_refuses_part_way_resumes_where_it_says(
        gateway: Any, pod: Pod, worker_laptop: Laptop, status: int) -> None:
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    size = MAX_BLOB_CHUNK + MAX_BLOB_CHUNK // 2           # two chunks each
    photos = [bytes([n]) * 7 + bytes(range(256)) * (size // 256 - 1) + bytes(249) for n in (1, 2)]
    assert all(len(p) == size for p in photos)
    owner = store.board.add(pod.case, Zone.GREEN, "Drawing (fictional)").id
    for n, data in enumerate(photos):
        store.direct_work.attach(owner, pod.case, data, "image/png", filename=f"d{n}.png")
    gateway.fail_next(status, after=2)           # HEAD, the first chunk; then its second
    stages: list[tuple[str, int, int]] = []
    report = worker_laptop.engine().sync_once(
        progress=lambda stage, done, total: stages.append((stage, done, total)))
    assert report.ok and report.blobs_uploaded == 2, report.as_json()
    total, chunk = 2 * size, MAX_BLOB_CHUNK
    assert [s for s in stages if s[0] == "blobs"] == [
        ("blobs", chunk, total), ("blobs", chunk, total), ("blobs", size, total),
        ("blobs", size + chunk, total), ("blobs", total, total)]
    assert len(_puts(gateway, worker_laptop)) == 4          # no byte sent twice
    assert len(_puts(gateway, worker_laptop, "HEAD")) == 3  # each photo's, and one to resume
    assert worker_laptop.sync().blobs_uploaded == 0


# -- a batch the gateway refuses whole --------------------------------------------------------

def _visits(laptop: Laptop, pod: Pod, n: int) -> list[Any]:
    return [laptop.store.visits.add(pod.case, visit_type=VisitType.STATUTORY,
                                    observations=f"Visit {i} (fictional)") for i in range(n)]


def test_a_batch_refused_whole_is_halved_until_the_one_refused_is_alone(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    visits = _visits(worker_laptop, pod, 4)
    gateway.fail_next(413, count=3)              # the four, the first two, then the first
    stages: list[tuple[str, int, int]] = []
    report = worker_laptop.engine(batch_ops=4).sync_once(
        progress=lambda stage, done, total: stages.append((stage, done, total)))
    assert (report.refused, report.refused_total, report.pushed) == (1, 1, 3), report.as_json()
    assert report.pending == 0 and report.errors == []
    assert [s for s in stages if s[0] == "push"] == [("push", 4, 4)]
    (refused,) = worker_laptop.store.outbox.export_refused()
    assert refused["id"] == visits[0].id and refused["reason"] == BUSY
    held = _held(gateway, pod)
    assert visits[0].id not in held and all(v.id in held for v in visits[1:])


def test_a_batch_refused_whole_twice_still_sends_every_change(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    visits = _visits(worker_laptop, pod, 4)
    gateway.fail_next(413, count=2)              # the four, then the first two
    report = worker_laptop.sync(batch_ops=4)
    assert report.ok and (report.refused, report.pushed) == (0, 4), report.as_json()
    held = _held(gateway, pod)
    assert all(held[v.id]["rev"] == 1 for v in visits)
