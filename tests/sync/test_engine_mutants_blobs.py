"""Files on their way, for `dev.py mutate engine` beside test_engine_mutants.py: a photo the
gateway refuses waits with its record while the others go (counted in the progress), a photo
or a big record that cannot be fetched, or arrives damaged, is said so and fetched again next
time. Real gateway, real encrypted stores; faults come from the gateway's own test fault plan
(`fail_next`), and damage is done in the gateway's own database (a damaged disk could do it)."""

from __future__ import annotations

import random
from typing import Any

from rbsw_desktop.domain import Zone
from rbsw_desktop.domain.entities import Review
from tests.sync.engine_gateway import gateway_fixture  # noqa: F401 (fixture)
from tests.sync.fault_gateway import BUSY
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    manager_laptop_fixture,
    pod_fixture,
    worker_laptop_fixture,
)

NOT_HERE = "A photo or scan from the council is not here yet; it will be fetched next time."
DAMAGED = "A photo or scan arrived damaged; it will be fetched again next time."
SIZE = 10_000                                   # each photo: one chunk


def _photos(laptop: Laptop, pod: Pod, n: int) -> list[Any]:
    """`n` fictional drawings of SIZE bytes each, all different, attached to one activity."""
    owner = laptop.store.board.add(pod.case, Zone.GREEN, "Drawings (fictional)").id
    return [laptop.store.direct_work.attach(owner, pod.case, random.Random(k).randbytes(SIZE),
                                            "image/png", filename=f"drawing-{k}.png")
            for k in range(n)]


def _damage(gateway: Any, sha256: str) -> None:
    """Overwrite the gateway's copy of a file with as many zero bytes."""
    zeros = ("zeroblob(length(data))" if gateway.backend == "sqlite"
             else "decode(repeat('00', length(data)), 'hex')")
    gateway.sql(f"UPDATE blob_parts SET data = {zeros} WHERE key LIKE :key",  # noqa: S608
                {"key": f"{sha256}@%"})


def test_a_photo_the_gateway_refuses_waits_with_its_record_while_the_others_go(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    photos = _photos(worker_laptop, pod, 4)
    gateway.fail_next(413, after=6)              # three photos' HEAD and upload; the fourth's HEAD
    stages: list[tuple[str, int, int]] = []
    report = worker_laptop.engine().sync_once(
        progress=lambda stage, done, total: stages.append((stage, done, total)))
    assert report.blobs_uploaded == 3 and report.errors == [
        # A HEAD's answer has no body: the transport words its status.
        "A photo or scan could not be sent (The council system answered 413.). The record "
        "that cites it is waiting here."], report.as_json()
    assert [s for s in stages if s[0] == "blobs"] == [
        ("blobs", SIZE, 4 * SIZE), ("blobs", 2 * SIZE, 4 * SIZE), ("blobs", 3 * SIZE, 4 * SIZE)]
    assert report.pending == 1 and report.refused == 0 and not report.ok
    held = {r["id"] for r in gateway.records(pod=pod.id)}
    assert sum(p.id in held for p in photos) == 3
    later = worker_laptop.sync()
    assert later.ok and later.blobs_uploaded == 1 and later.pushed == 1, later.as_json()
    assert all(p.id in {r["id"] for r in gateway.records(pod=pod.id)} for p in photos)


def test_a_photo_not_fetched_or_damaged_is_said_so_and_fetched_next_time(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    photos = _photos(worker_laptop, pod, 3)
    assert worker_laptop.sync().ok
    gateway.fail_next(404, after=1)              # the page of changes passes; the first file not
    report = manager_laptop.sync()
    assert report.blobs_downloaded == 2 and report.warnings == [NOT_HERE], report.as_json()
    assert report.errors == [] and report.ok          # the records are here; one file is not
    missing = [p for p in photos if manager_laptop.store.direct_work.blob(p.sha256) is None]
    assert len(missing) == 1
    _damage(gateway, missing[0].sha256)
    damaged = manager_laptop.sync()
    assert damaged.blobs_downloaded == 0 and damaged.warnings == [DAMAGED], damaged.as_json()
    assert manager_laptop.store.direct_work.blob(missing[0].sha256) is None
    for p in photos:
        if p is not missing[0]:
            assert manager_laptop.store.direct_work.blob(p.sha256) == \
                random.Random(photos.index(p)).randbytes(SIZE)


def test_a_big_record_whose_file_cannot_be_fetched_or_arrives_damaged_is_kept_aside_with_why(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    reviews = []
    for seed in (7, 8, 9):
        text = "".join(random.Random(seed).choices("abcdefghijklmnopqrstuvwxyz ", k=30_000))
        reviews.append(worker_laptop.store.records.save(Review(
            case_id=pod.case, held_on="2026-11-30",
            snapshot=[{"board_item_id": "item-0", "zone": "amber", "text": f"Worry {text}"}])))
    assert worker_laptop.sync(op_bytes=10_000).ok
    unfetched, damaged, whole = reviews
    blobs = {r["id"]: r["fields_blob"] for r in gateway.records(pod=pod.id)}
    assert all(blobs[r.id] for r in reviews)
    _damage(gateway, blobs[damaged.id])
    gateway.fail_next(404, after=1)              # the page passes; the first review's file not
    report = manager_laptop.sync()
    assert (report.not_applied, report.not_applied_total) == (2, 2), report.as_json()
    kept = {k.record_id: k.reason for k in manager_laptop.store.outbox.not_applied()}
    assert kept == {unfetched.id: f"this change could not be fetched: {BUSY}",
                    damaged.id: "this change cannot be read: it arrived damaged"}
    assert manager_laptop.store.records.get(Review, whole.id).snapshot == whole.snapshot
    assert report.pulled >= 1 and report.errors == []
