"""Big records on the real gateway process and real laptops' stores, on both databases: a review
too big for one request goes as a blob of its fields and comes back to another laptop by
reference (issue 11, point 9), under the same rules as an inline change; and two laptops of
one pod sending the same photo each hold a claim to the pod's one copy (issue 11, point 4)."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

from rbsw_desktop.domain import Zone
from rbsw_desktop.domain.entities import Review
from rbsw_desktop.protocol import MAX_OP_BYTES, big_records
from tests.sync.gw_world import OCTETS, call, enrol, pull_all, push, upload
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    manager_laptop_fixture,
    new_laptop,
    pod_fixture,
    worker_laptop_fixture,
)


def _review(laptop: Laptop, case_id: str, items: int, text_bytes: int) -> Review:
    """A review of a fictional board of `items` items, each about `text_bytes` of text."""
    words = ("school", "contact", "nan", "bedtime", "football", "dentist", "homework", "park")
    snapshot = [{"board_item_id": f"item-{i}", "zone": ("red", "amber", "green")[i % 3],
                 "shareable": i % 2 == 0, "raised_by": "family",
                 "text": f"Board item {i} (fictional): " + " ".join(
                     words[(i * 7 + k) % len(words)] for k in range(text_bytes // 7))}
                for i in range(items)]
    return laptop.store.records.save(Review(case_id=case_id, held_on="2026-11-30",
                                            snapshot=snapshot,
                                            notes="A very long review (fictional)"))


def _same_review(a: Review, b: Review) -> bool:
    return (a.id, a.rev, a.case_id, a.held_on, a.snapshot, a.notes) == \
        (b.id, b.rev, b.case_id, b.held_on, b.snapshot, b.notes)


def _nothing_refused(laptop: Laptop) -> None:
    assert laptop.store.outbox.refused() == []
    assert laptop.store.outbox.not_applied_count() == 0


def test_a_review_over_the_request_limit_syncs_as_a_blob_to_the_pods_other_laptop(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    """About 9 MB of JSON: over what one push may carry (8.3 MB), so it can only go as a blob."""
    assert worker_laptop.sync().ok
    review = _review(worker_laptop, pod.case, 8_000, 1100)
    assert len(json.dumps(review.snapshot)) > MAX_OP_BYTES
    item = worker_laptop.store.board.add(pod.case, Zone.GREEN, "Small and sent (fictional)")
    report = worker_laptop.sync()
    assert report.ok and report.refused == 0, report.as_json()
    _nothing_refused(worker_laptop)
    assert manager_laptop.sync().ok
    _nothing_refused(manager_laptop)
    theirs = manager_laptop.store.records.get(Review, review.id)
    assert _same_review(theirs, worker_laptop.store.records.get(Review, review.id))
    assert theirs.snapshot == review.snapshot and theirs.rev == 1
    mine = manager_laptop.store.records.get(type(item), item.id)
    assert mine.text == "Small and sent (fictional)"
    # On the way down it came by reference: its page carried no fields, only the blob's name,
    # and the blob holds the fields as the council keeps them (its author stamped).
    pulled = pull_all(gateway.url, manager_laptop.token)
    ref = pulled[review.id]
    assert ref["fields"] == {} and len(ref["fields_blob"]) == 64, ref
    assert "fields_blob" not in pulled[item.id]
    data = call(gateway.url, "GET", f"/blobs/{ref['fields_blob']}",
                token=manager_laptop.token).body
    kept = big_records.unpack(data)
    assert kept["snapshot"] == review.snapshot and kept["updated_by"] == pod.worker
    # The council's copy is whole: what `records` and its history hold is the full review.
    (on_gateway,) = [r for r in gateway.records(pod=pod.id) if r["id"] == review.id]
    assert on_gateway["fields"]["snapshot"] == review.snapshot


def test_with_a_lowered_limit_a_small_review_goes_the_same_way(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    review = _review(worker_laptop, pod.case, 200, 100)
    report = worker_laptop.sync(op_bytes=10_000)
    assert report.ok and report.blobs_uploaded == 0, report.as_json()
    _nothing_refused(worker_laptop)
    assert manager_laptop.sync().ok
    _nothing_refused(manager_laptop)
    assert _same_review(manager_laptop.store.records.get(Review, review.id),
                        worker_laptop.store.records.get(Review, review.id))
    sha = pull_all(gateway.url, manager_laptop.token)[review.id]["fields_blob"]
    # The manager's laptop fetched it; the worker's, pulling its own push back, did not.
    audit = json.loads(gateway.admin("audit", "--limit", "1000", "--json"))
    fetched = [row["device_id"] for row in audit if row["action"] == f"GET /blobs/{sha}"]
    assert fetched == [manager_laptop.enrolment.device_id], fetched


def test_a_review_the_size_of_the_one_seen_syncs_without_copies_of_it_filling_memory(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    """81,512 board items gave one 92.7 MB op: the same here, pushed and pulled. The gateway
    never held ten copies of it at once (its peak memory, whole process, stays under 1 GB)."""
    assert worker_laptop.sync().ok and manager_laptop.sync().ok
    review = _review(worker_laptop, pod.case, 81_512, 1000)
    assert worker_laptop.store.outbox.counts().pending == 1
    report = worker_laptop.sync(timeout=120)
    assert report.ok, report.as_json()
    pulled = manager_laptop.sync(timeout=120)
    assert pulled.ok, pulled.as_json()
    _nothing_refused(worker_laptop)
    _nothing_refused(manager_laptop)
    assert manager_laptop.store.records.get(Review, review.id).snapshot == review.snapshot
    [(kept,)] = gateway.sql("SELECT length(fields) FROM records WHERE id = :id",
                            {"id": review.id})
    assert kept > 90_000_000
    status = Path(f"/proc/{gateway.proc.pid}/status").read_text()
    (peak,) = [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")]
    assert peak < 1_000_000, f"the gateway's memory peaked at {peak} kB"


# -- the rules are an inline change's ---------------------------------------------------------


def _review_op(case_id: str, **fields: Any) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "entity": "review", "id": str(uuid.uuid4()),
            "base_rev": None, "deleted": False, "at": "2026-11-30T10:00:00Z",
            "fields": {"case_id": case_id, "held_on": "2026-11-30", "snapshot": [],
                       "updated_at": "2026-11-30T10:00:00.000Z", **fields}}


def _as_blob(url: str, token: str, op: dict[str, Any]) -> dict[str, Any]:
    sha = upload(url, token, big_records.pack(op["fields"]))
    return {**op, "fields": {}, "fields_blob": sha}


def test_a_change_sent_as_a_blob_meets_every_rule_of_an_inline_one(world: Any,
                                                                     module_gateway: Any
                                                                     ) -> None:
    url, sw = world.url, world.sw
    good = _as_blob(url, sw.token, _review_op(sw.case_id, notes="Fine (fictional)"))
    (applied,) = push(url, sw.token, good)
    assert applied["outcome"] == "applied", applied
    # The author is checked and stamped from the token, as inline ...
    forged = _as_blob(url, sw.token, _review_op(sw.case_id, updated_by=world.sw2.worker_id))
    (refused,) = push(url, sw.token, forged)
    assert refused["outcome"] == "rejected" and "someone else" in refused["reason"], refused
    # ... and so are the caseload and the rights of the role ...
    elsewhere = _as_blob(url, sw.token, _review_op(world.sw2.case_id))
    (scope,) = push(url, sw.token, elsewhere)
    assert scope == {**scope, "outcome": "rejected", "reason": "the case is not in your caseload"}
    manager = _as_blob(url, world.manager.token, _review_op(sw.case_id))
    (rights,) = push(url, world.manager.token, manager)
    assert rights["outcome"] == "rejected" and "cannot add" in rights["reason"], rights
    # ... the legal lock (a review held is never changed) ...
    again = _as_blob(url, sw.token, {**_review_op(sw.case_id, notes="Changed (fictional)"),
                                     "id": good["id"], "base_rev": 1})
    (locked,) = push(url, sw.token, again)
    assert locked["outcome"] == "rejected" and "cannot be changed" in locked["reason"], locked
    # ... and the protocol's model (a number beyond 64 bits).
    huge = _as_blob(url, sw.token, _review_op(sw.case_id, goals=[2**70]))
    (model,) = push(url, sw.token, huge)
    assert model["outcome"] == "rejected" and "too large" in model["reason"], model
    # A blob only its pod's other laptop sent, or another pod's, cannot carry a change here.
    other_op = _review_op(sw.case_id)
    sha = upload(url, world.sw2.token, big_records.pack(other_op["fields"]))
    (not_sent,) = push(url, sw.token, {**other_op, "fields": {}, "fields_blob": sha})
    assert not_sent["outcome"] == "rejected", not_sent
    assert "did not reach the council system from this laptop" in not_sent["reason"]
    theirs = _review_op(world.other.case_id)
    sha = upload(url, world.other.token, big_records.pack(theirs["fields"]))
    (cross,) = push(url, sw.token, {**_review_op(sw.case_id), "fields": {}, "fields_blob": sha})
    assert cross["outcome"] == "rejected", cross
    # Garbage in a blob is refused in words, and so are fields beside a blob.
    junk = upload(url, sw.token, os.urandom(500))
    (damaged,) = push(url, sw.token, {**_review_op(sw.case_id), "fields": {},
                                      "fields_blob": junk})
    assert damaged["outcome"] == "rejected" and "damaged" in damaged["reason"], damaged
    (both,) = push(url, sw.token, {**good, "op_id": str(uuid.uuid4()), "id": str(uuid.uuid4()),
                                   "fields": {"case_id": sw.case_id}})
    assert both["outcome"] == "rejected" and "no fields of its own" in both["reason"], both
    # What is kept, and pulled by reference (here by the pod manager: a laptop's own pushes
    # never come back to it), is stamped with its author from the token.
    (ref,) = [c for c in pull_all(url, world.manager.token).values() if c["id"] == good["id"]]
    kept = big_records.unpack(call(url, "GET", f"/blobs/{ref['fields_blob']}",
                                   token=world.manager.token).body)
    assert (kept["updated_by"], kept["device_id"], kept["notes"]) == \
        (sw.worker_id, sw.device_id, "Fine (fictional)")
    # Another pod's laptop that knows the kept blob's name reads nothing of it.
    assert call(url, "GET", f"/blobs/{ref['fields_blob']}", token=world.other.token).status \
        == 404
    assert call(url, "GET", f"/blobs/{ref['fields_blob']}", token=world.sw2.token).status \
        == 404


def test_a_change_page_ends_before_the_records_that_would_take_it_past_16_mib(
        world: Any, module_gateway: Any) -> None:
    """Three reviews of about 6 MB each, sent inline (each fits one push): a page holds two
    (about 12 MB, within `MAX_PAGE_BYTES`) and says `more`; the next page holds the third."""
    worker = module_gateway.worker_add(world.pod_a, "Ray Pagewise (fictional)")
    case = module_gateway.case_add(worker, "Dee Example")
    token = enrol(world.url, module_gateway.enrol_code(worker), "page-laptop")["token"]
    snapshot = [{"board_item_id": f"item-{i}", "zone": "amber", "shareable": True,
                 "raised_by": "family", "text": f"Item {i} (fictional) " + "y" * 950}
                for i in range(6_000)]
    for _ in range(3):
        (done,) = push(world.url, token, _review_op(case, snapshot=snapshot))
        assert done["outcome"] == "applied", done
    # Read by the worker's second laptop (a laptop's own pushes never come back to it).
    token = enrol(world.url, module_gateway.enrol_code(worker), "page-laptop-2")["token"]
    first = call(world.url, "GET", "/sync/changes?since=0&limit=1000", token=token).json()
    reviews = [c for c in first["changes"] if c["entity"] == "review"]
    assert len(reviews) == 2 and first["more"] is True
    assert all(c["fields"]["snapshot"] == snapshot for c in reviews)
    rest = call(world.url, "GET", f"/sync/changes?since={first['cursor']}&limit=1000",
                token=token).json()
    assert [c["entity"] for c in rest["changes"]] == ["review"] and rest["more"] is False


# -- the same file from two laptops of one pod -------------------------------------------------


def test_two_laptops_of_one_pod_attach_the_same_photo_and_each_has_it_applied(
        tmp_path: Path, gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    nqsw = gateway.worker_add(pod.id, "Nia Newqualified (fictional)", "nqsw")
    case_b = gateway.case_add(nqsw, "Ben Example")
    laptop_b = new_laptop(tmp_path / "b", gateway.url, gateway.enrol_code(nqsw), "laptop-b")
    photo = os.urandom(1024 * 1024 + 7000)            # the same drawing, photographed once
    sha = hashlib.sha256(photo).hexdigest()
    assert worker_laptop.sync().ok and laptop_b.sync().ok
    owner_a = worker_laptop.store.board.add(pod.case, Zone.GREEN, "Drawing (fictional)").id
    worker_laptop.store.direct_work.attach(owner_a, pod.case, photo, "image/png", filename="d.png")
    report_a = worker_laptop.sync()
    assert report_a.ok and report_a.blobs_uploaded == 1, report_a.as_json()
    # Knowing the hash is not holding the bytes: B's HEAD says nothing of A's upload.
    unknown = call(gateway.url, "HEAD", f"/blobs/{os.urandom(32).hex()}", token=laptop_b.token)
    head_b = call(gateway.url, "HEAD", f"/blobs/{sha}", token=laptop_b.token)
    assert (head_b.status, head_b.headers.get("x-received")) == (unknown.status, None) == \
        (404, None)
    owner_b = laptop_b.store.board.add(case_b, Zone.GREEN, "Drawing (fictional)").id
    attached_b = laptop_b.store.direct_work.attach(owner_b, case_b, photo, "image/png",
                                                   filename="d.png")
    report_b = laptop_b.sync()
    assert report_b.ok and report_b.blobs_uploaded == 1, report_b.as_json()
    _nothing_refused(laptop_b)
    # Both attachments applied; the pod keeps one copy of the bytes and both laptops' claims.
    on_gateway = {r["id"]: r for r in gateway.records(pod=pod.id)}
    assert on_gateway[attached_b.id]["fields"]["sha256"] == sha
    assert gateway.sql("SELECT DISTINCT key FROM blob_parts WHERE key LIKE :k",
                       {"k": f"{sha}%"}) == [(f"{sha}@{pod.id}",)]
    claims = gateway.sql("SELECT device_id FROM blob_claims WHERE key = :k",
                         {"k": f"{sha}@{pod.id}"})
    assert sorted(d for (d,) in claims) == sorted([worker_laptop.enrolment.device_id,
                                                   laptop_b.enrolment.device_id])
    # B's copy is readable by B's caseload: B's worker on another laptop fetches it.
    b_again = new_laptop(tmp_path / "b2", gateway.url, gateway.enrol_code(nqsw), "laptop-b2")
    report = b_again.sync()
    assert report.ok and report.blobs_downloaded == 1, report.as_json()
    assert b_again.store.direct_work.blob(sha) == photo
    # A device of another pod that knows the hash gets nothing, in the words for no file.
    pod_c = gateway.pod_add("Pod C (fictional)")
    worker_c = gateway.worker_add(pod_c, "Cy Otherpod (fictional)")
    case_c = gateway.case_add(worker_c, "Cara Elsewhere")
    device_c = enrol(gateway.url, gateway.enrol_code(worker_c), "laptop-c")["token"]
    for method in ("HEAD", "GET"):
        theirs = call(gateway.url, method, f"/blobs/{sha}", token=device_c)
        nobody = call(gateway.url, method, f"/blobs/{os.urandom(32).hex()}", token=device_c)
        assert (theirs.status, theirs.body) == (nobody.status, nobody.body) and \
            theirs.status == 404
    cite = {"op_id": str(uuid.uuid4()), "entity": "attachment", "id": str(uuid.uuid4()),
            "base_rev": None, "deleted": False, "at": "2026-11-24T10:00:00Z",
            "fields": {"owner_id": str(uuid.uuid4()), "case_id": case_c, "sha256": sha,
                       "media_type": "image/png", "size": len(photo)}}
    (refused,) = push(gateway.url, device_c, cite)
    assert refused["outcome"] == "rejected", refused
    # A piece of the bytes is not the file: C's PUT of half of it claims nothing.
    half = call(gateway.url, "PUT", f"/blobs/{sha}?offset=0", raw=photo[:1024 * 1024],
                token=device_c, headers=OCTETS)
    assert half.json() == {"received": 1024 * 1024, "complete": False}
    (still,) = push(gateway.url, device_c, {**cite, "op_id": str(uuid.uuid4())})
    assert still["outcome"] == "rejected", still
