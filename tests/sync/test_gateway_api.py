"""The gateway's v1 API through raw HTTP against the real process: enrolment, push and pull,
idempotent replay, conflicts that keep both sides, blobs, filing, and the OpenAPI document."""

from __future__ import annotations

import gzip
import hashlib
import json
from typing import Any

from rbsw_desktop.gateway.app import openapi_document
from rbsw_desktop.protocol import MAX_BLOB_CHUNK
from tests.sync.gw_world import (
    World,
    board_item_op,
    call,
    enrol,
    pull_all,
    push,
    visit_op,
)


def test_an_enrolment_code_works_once(module_gateway: Any) -> None:
    pod = module_gateway.pod_add("Enrol Pod (fictional)")
    worker = module_gateway.worker_add(pod, "Sam Testworker (fictional)", "social_worker")
    code = module_gateway.enrol_code(worker)
    first = enrol(module_gateway.url, code, "sams-laptop")
    assert first["worker"]["id"] == worker and first["worker"]["role"] == "social_worker"
    assert first["pod"]["id"] == pod and first["pod"]["name"] == "Enrol Pod (fictional)"
    assert len(first["token"]) >= 32 and first["device_id"]
    again = call(module_gateway.url, "POST", "/devices", {"code": code, "device_name": "thief"})
    assert again.status == 400 and again.json()["error"] == "invalid_code"
    # The token is not kept by the gateway, only its hash.
    held = module_gateway.stored_text()
    assert first["device_id"] in held                 # it does hold the device
    assert first["token"] not in held and code.replace("-", "") not in held
    if module_gateway.backend == "sqlite":            # nor in the file's free pages or WAL
        db = b"".join(p.read_bytes() for p in module_gateway.data_dir.glob("gateway.sqlite3*"))
        assert len(db) > 4096
        assert first["token"].encode() not in db and code.replace("-", "").encode() not in db


def test_push_then_pull_round_trip_with_gzip(world: World) -> None:
    op = board_item_op(world.sw.case_id, "Grandma does the school run (fictional)")
    raw = gzip.compress(json.dumps({"ops": [op]}).encode())
    answer = call(world.url, "POST", "/sync/push", raw=raw, token=world.sw.token,
                  headers={"Content-Encoding": "gzip", "Content-Type": "application/json",
                           "Accept-Encoding": "gzip"})
    assert answer.status == 200, answer.body
    (result,) = answer.json()["results"]
    assert (result["op_id"], result["outcome"], result["rev"]) == (op["op_id"], "applied", 1)
    assert answer.json()["server_time"].endswith("Z")

    # The pod manager pulls it (with the pod, its workers, the case and the child).
    seen = pull_all(world.url, world.manager.token)
    change = seen[op["id"]]
    assert change["entity"] == "board_item" and change["rev"] == 1
    assert change["fields"]["text"] == "Grandma does the school run (fictional)"
    assert change["filed"] is False and change["deleted"] is False
    entities = {c["entity"] for c in seen.values()}
    assert {"pod", "worker", "case", "child", "board_item"} <= entities
    case = seen[world.sw.case_id]["fields"]
    assert case["worker_id"] == world.sw.worker_id and case["pod_id"] == world.pod_a
    assert seen[case["child_id"]]["fields"]["name"] == "Ada Fictional"


def test_pull_pages_by_cursor_in_order(world: World) -> None:
    ops = [board_item_op(world.sw.case_id, f"Item {i} (fictional)") for i in range(7)]
    push(world.url, world.sw.token, *ops)
    cursor, seen, pages = "0", [], 0
    while True:
        page = call(world.url, "GET", f"/sync/changes?since={cursor}&limit=3",
                    token=world.manager.token).json()
        pages += 1
        assert len(page["changes"]) <= 3
        seen += [c["id"] for c in page["changes"]]
        assert int(page["cursor"]) >= int(cursor)
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert pages >= 3 and len(seen) == len(set(seen))
    assert [o["id"] for o in ops] == [i for i in seen if i in {o["id"] for o in ops}]
    again = call(world.url, "GET", f"/sync/changes?since={cursor}&limit=3",
                 token=world.manager.token).json()
    assert again["changes"] == [] and again["more"] is False and again["cursor"] == cursor


def _pull_from(world: World, token: str, cursor: str, limit: int) -> tuple[list[Any], str]:
    """Every change after `cursor`, page by page; and the cursor the last page gave."""
    changes: list[Any] = []
    for _ in range(100):
        page = call(world.url, "GET", f"/sync/changes?since={cursor}&limit={limit}",
                    token=token).json()
        assert int(page["cursor"]) >= int(cursor)
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes, cursor
    raise AssertionError("the pull never finished")


def test_a_laptops_own_pushes_never_come_back_in_its_next_pull(world: World) -> None:
    """What Sam's laptop pushed is not sent back to it (it has it), yet its cursor moves past
    it; a change somebody else made in between, or since, or a filing still comes, and the
    manager's laptop receives everything."""
    _, cursor = _pull_from(world, world.sw.token, "0", 1000)
    mine = [board_item_op(world.sw.case_id, f"Sam's item {i} (fictional)") for i in range(3)]
    push(world.url, world.sw.token, *mine)
    right_after, moved = _pull_from(world, world.sw.token, cursor, 2)
    assert right_after == [] and int(moved) > int(cursor)
    managers = board_item_op(world.sw.case_id, "Manager's item (fictional)")
    push(world.url, world.manager.token, managers)
    visit = visit_op(world.sw.case_id, "Home visit, all well (fictional)")
    more = [board_item_op(world.sw.case_id, f"Sam's later item {i} (fictional)")
            for i in range(3)]
    push(world.url, world.sw.token, *more, visit)

    got, after = _pull_from(world, world.sw.token, cursor, 2)
    assert [c["id"] for c in got] == [managers["id"]]
    assert int(after) > int(moved)
    assert _pull_from(world, world.sw.token, moved, 2)[0] == got
    again, same = _pull_from(world, world.sw.token, after, 2)
    assert (again, same) == ([], after)
    theirs = pull_all(world.url, world.manager.token)
    assert {o["id"] for o in (*mine, *more, visit)} <= set(theirs)

    edit = board_item_op(world.sw.case_id, "Sam's item 0, edited by the manager (fictional)",
                         rid=mine[0]["id"], base_rev=1)
    push(world.url, world.manager.token, edit)
    filed = call(world.url, "POST", f"/pod/records/{visit['id']}/filed",
                 {"case_system_ref": "LCS-000321"}, token=world.support.token)
    assert filed.status == 200, filed.body
    got, _ = _pull_from(world, world.sw.token, after, 2)
    assert [(c["id"], c["rev"]) for c in got] == [(mine[0]["id"], 2), (visit["id"], 2)]
    assert got[1]["filed"] is True and got[1]["origin_device"] is None


def test_the_same_op_replayed_is_applied_once(world: World, module_gateway: Any) -> None:
    op = board_item_op(world.sw.case_id, "Rent arrears (fictional)")
    (first,) = push(world.url, world.sw.token, op)
    (second,) = push(world.url, world.sw.token, op)
    assert first["outcome"] == "applied"
    assert (second["outcome"], second["rev"]) == ("duplicate", first["rev"])
    held = [r for r in module_gateway.records(pod=world.pod_a) if r["id"] == op["id"]]
    assert len(held) == 1 and held[0]["rev"] == first["rev"]


def test_a_stale_edit_is_a_conflict_and_overwrites_nothing(world: World,
                                                           module_gateway: Any) -> None:
    op = board_item_op(world.sw.case_id, "School attendance (fictional)")
    push(world.url, world.sw.token, op)
    managers = board_item_op(world.sw.case_id, "Attendance improving (manager, fictional)",
                             rid=op["id"], base_rev=1)
    (m,) = push(world.url, world.manager.token, managers)
    assert (m["outcome"], m["rev"]) == ("applied", 2)
    workers = board_item_op(world.sw.case_id, "Attendance 80% (worker, fictional)",
                            rid=op["id"], base_rev=1)
    (w,) = push(world.url, world.sw.token, workers)
    assert w["outcome"] == "conflict"
    assert w["theirs"]["rev"] == 2
    assert w["theirs"]["fields"]["text"] == "Attendance improving (manager, fictional)"
    (held,) = [r for r in module_gateway.records(pod=world.pod_a) if r["id"] == op["id"]]
    assert held["rev"] == 2 and held["fields"]["text"].startswith("Attendance improving")
    # Resolved on the laptop: pushed again on top of the server's revision, it applies.
    (r,) = push(world.url, world.sw.token, board_item_op(
        world.sw.case_id, "Attendance 80% and improving (fictional)", rid=op["id"], base_rev=2))
    assert (r["outcome"], r["rev"]) == ("applied", 3)


def test_a_delete_is_a_tombstone_that_reaches_the_other_laptop(world: World) -> None:
    op = board_item_op(world.sw.case_id, "Old worry (fictional)")
    push(world.url, world.sw.token, op)
    gone = {**board_item_op(world.sw.case_id, "Old worry (fictional)", rid=op["id"],
                            base_rev=1), "deleted": True, "fields": {}}
    (r,) = push(world.url, world.sw.token, gone)
    assert r["outcome"] == "applied"
    change = pull_all(world.url, world.manager.token)[op["id"]]
    assert change["deleted"] is True and change["rev"] == 2


def test_a_photo_uploads_in_resumable_chunks_and_only_its_case_can_read_it(
        world: World) -> None:
    data = bytes(range(256)) * 6000                 # ~1.5 MB: two chunks
    sha = hashlib.sha256(data).hexdigest()
    put = f"/blobs/{sha}?offset="
    assert call(world.url, "HEAD", f"/blobs/{sha}", token=world.sw.token).status == 404
    first = call(world.url, "PUT", put + "0", raw=data[:MAX_BLOB_CHUNK], token=world.sw.token,
                 headers={"Content-Type": "application/octet-stream"})
    assert first.json() == {"received": MAX_BLOB_CHUNK, "complete": False}
    head = call(world.url, "HEAD", f"/blobs/{sha}", token=world.sw.token)
    assert head.status == 200 and head.headers["x-received"] == str(MAX_BLOB_CHUNK)
    gap = call(world.url, "PUT", put + str(MAX_BLOB_CHUNK + 10), raw=b"x", token=world.sw.token)
    assert gap.status == 409
    rest = call(world.url, "PUT", put + str(MAX_BLOB_CHUNK), raw=data[MAX_BLOB_CHUNK:],
                token=world.sw.token)
    assert rest.json() == {"received": len(data), "complete": True}
    # No attachment cites it yet: nobody reads it back.
    assert call(world.url, "GET", f"/blobs/{sha}", token=world.manager.token).status == 404
    attachment = {"op_id": "att-op-1", "entity": "attachment", "id": "att-1", "base_rev": None,
                  "deleted": False, "at": "2026-11-24T10:00:00Z",
                  "fields": {"owner_id": "dw-1", "case_id": world.sw.case_id, "sha256": sha,
                             "media_type": "image/png", "size": len(data)}}
    (r,) = push(world.url, world.sw.token, attachment)
    assert r["outcome"] == "applied", r
    got = call(world.url, "GET", f"/blobs/{sha}", token=world.manager.token)
    assert got.status == 200 and got.body == data
    assert call(world.url, "GET", f"/blobs/{sha}", token=world.other.token).status == 404
    assert call(world.url, "GET", f"/blobs/{sha}", token=world.sw2.token).status == 404


def test_business_support_files_a_record_and_it_flows_back_as_filed(world: World) -> None:
    op = visit_op(world.sw.case_id, "Dad missed two contact visits (fictional)")
    push(world.url, world.sw.token, op)
    call(world.url, "GET", "/sync/changes?since=0", token=world.sw.token,
         headers={"X-Pending-Ops": "4"})
    unfiled = call(world.url, "GET", "/pod/unfiled", token=world.support.token).json()
    (row,) = [r for r in unfiled["records"] if r["id"] == op["id"]]
    assert row["child_name"] == "Ada Fictional" and row["worker_id"] == world.sw.worker_id
    filed = call(world.url, "POST", f"/pod/records/{op['id']}/filed",
                 {"case_system_ref": "LCS-000123"}, token=world.support.token)
    assert filed.status == 200 and filed.json()["rev"] == 2
    again = call(world.url, "POST", f"/pod/records/{op['id']}/filed",
                 {"case_system_ref": "LCS-000999"}, token=world.support.token)
    assert again.status == 409
    change = pull_all(world.url, world.sw.token)[op["id"]]
    assert (change["filed"], change["case_system_ref"], change["rev"]) == (True, "LCS-000123", 2)
    left = call(world.url, "GET", "/pod/unfiled", token=world.support.token).json()["records"]
    assert op["id"] not in {r["id"] for r in left}

    devices = call(world.url, "GET", "/pod/devices", token=world.support.token).json()["devices"]
    sams = [d for d in devices if d["device_id"] == world.sw.device_id]
    assert sams and sams[0]["last_sync"] and sams[0]["pending"] == 4
    assert world.other.device_id not in {d["device_id"] for d in devices}
    workers = call(world.url, "GET", "/pod/workers", token=world.support.token).json()["workers"]
    (sam,) = [w for w in workers if w["worker_id"] == world.sw.worker_id]
    assert sam["pending"] == 4 and sam["devices"] == 1


def test_conflicts_and_failures_are_listed_for_business_support(world: World) -> None:
    op = board_item_op(world.sw.case_id, "A (fictional)")
    push(world.url, world.sw.token, op)
    push(world.url, world.manager.token, board_item_op(world.sw.case_id, "B (fictional)",
                                                       rid=op["id"], base_rev=1))
    push(world.url, world.sw.token, board_item_op(world.sw.case_id, "C (fictional)",
                                                  rid=op["id"], base_rev=1))
    stray = board_item_op(world.other.case_id, "Stray (fictional)")
    push(world.url, world.sw.token, stray)
    found = call(world.url, "GET", "/pod/problems", token=world.support.token).json()
    (conflict,) = [c for c in found["conflicts"] if c["record_id"] == op["id"]]
    assert conflict["worker_name"] == "Sam Testworker (fictional)"
    assert (conflict["base_rev"], conflict["server_rev"]) == (1, 2)
    (failure,) = [f for f in found["failures"] if f["record_id"] == stray["id"]]
    assert "caseload" in failure["reason"] and "Stray" not in json.dumps(found)


def test_openapi_describes_every_endpoint(module_gateway: Any) -> None:
    answer = call(module_gateway.url, "GET", "/openapi.json")
    doc = answer.json()
    assert doc["openapi"].startswith("3.") and doc == json.loads(json.dumps(openapi_document()))
    paths = set(doc["paths"])
    assert paths == {"/api/v1/openapi.json", "/api/v1/devices", "/api/v1/sync/push",
                     "/api/v1/sync/changes", "/api/v1/blobs/{sha256}", "/api/v1/pod/devices",
                     "/api/v1/pod/workers", "/api/v1/pod/unfiled", "/api/v1/pod/problems",
                     "/api/v1/pod/records/{id}/filed"}
    assert set(doc["paths"]["/api/v1/blobs/{sha256}"]) == {"put", "head", "get"}
    for item in doc["paths"].values():
        for op in item.values():
            assert op["summary"] and op["responses"]


def test_the_test_fault_hook_answers_busy_for_the_next_requests(world: World,
                                                                module_gateway: Any) -> None:
    module_gateway.fail_next(429, count=2, retry_after=3)
    answers = [call(world.url, "GET", "/sync/changes", token=world.sw.token) for _ in range(3)]
    assert [a.status for a in answers] == [429, 429, 200]
    assert answers[0].headers["retry-after"] == "3"
    assert answers[0].json()["error"] == "rate_limited"
    module_gateway.fail_next(503, count=1)
    busy = call(world.url, "POST", "/sync/push", {"ops": []}, token=world.sw.token)
    assert busy.status == 503 and "retry-after" not in busy.headers
    assert call(world.url, "GET", "/openapi.json").status == 200


def test_big_answers_are_gzipped_when_asked(world: World) -> None:
    push(world.url, world.sw.token,
         *[board_item_op(world.sw.case_id, f"Item {i} (fictional)") for i in range(50)])
    plain = call(world.url, "GET", "/sync/changes", token=world.manager.token)
    packed = call(world.url, "GET", "/sync/changes", token=world.manager.token,
                  headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) * 3 < len(plain.body)
    assert packed.json()["changes"] == plain.json()["changes"]
