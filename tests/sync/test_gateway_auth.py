"""Who may read and write what, against the real gateway process: another pod's records are
never returned or accepted, a caseload worker sees only their own cases, a revoked device is
told so, forged tokens and expired or replayed enrolment codes are refused, and the business
support endpoints refuse everybody else. Every access lands in the audit log."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rbsw_desktop.protocol import ERROR_HEADER
from tests.sync.gw_world import (
    World,
    board_item_op,
    call,
    enrol,
    pull_all,
    push,
    visit_op,
)


def test_another_pods_records_are_never_returned(world: World) -> None:
    mine = board_item_op(world.sw.case_id, "North pod item (fictional)")
    theirs = board_item_op(world.other.case_id, "South pod item (fictional)")
    push(world.url, world.manager.token, mine)      # (a laptop's own pushes never come back)
    push(world.url, world.other.token, theirs)
    for person in (world.sw, world.manager, world.support):
        seen = pull_all(world.url, person.token)
        assert (mine["id"] in seen) is (person is not world.manager)
        assert theirs["id"] not in seen and world.other.case_id not in seen
        assert world.pod_b not in seen and world.other.worker_id not in seen
        assert all("South" not in json.dumps(c) for c in seen.values())
    south = pull_all(world.url, world.other.token)
    assert world.other.case_id in south and mine["id"] not in south and world.pod_a not in south


def test_a_worker_sees_their_caseload_and_their_pod_and_the_manager_sees_the_pod(
        world: World) -> None:
    sams = board_item_op(world.sw.case_id, "Sam's case (fictional)")
    nias = board_item_op(world.sw2.case_id, "Nia's case (fictional)")
    push(world.url, world.manager.token, sams)      # (a laptop's own pushes never come back)
    push(world.url, world.sw2.token, nias)
    sam_sees = pull_all(world.url, world.sw.token)
    assert sams["id"] in sam_sees and world.sw.case_id in sam_sees
    assert nias["id"] not in sam_sees and world.sw2.case_id not in sam_sees
    assert {world.pod_a, world.sw2.worker_id, world.manager.worker_id} <= set(sam_sees)
    manager_sees = pull_all(world.url, world.manager.token)
    assert {nias["id"], world.sw.case_id, world.sw2.case_id} <= set(manager_sees)


@pytest.mark.parametrize("case_of", ["other", "sw2", "missing"])
def test_a_push_outside_the_callers_scope_is_rejected(world: World, module_gateway: Any,
                                                      case_of: str) -> None:
    case_id = {"other": world.other.case_id, "sw2": world.sw2.case_id,
               "missing": "no-such-case"}[case_of]
    op = board_item_op(case_id, "Stray (fictional)")
    good = board_item_op(world.sw.case_id, "Fine (fictional)")
    stray, fine = push(world.url, world.sw.token, op, good)
    assert stray["outcome"] == "rejected" and "caseload" in stray["reason"]
    assert fine["outcome"] == "applied"
    ids = {r["id"] for r in module_gateway.records()}
    assert op["id"] not in ids and good["id"] in ids


def test_another_pods_record_cannot_be_overwritten(world: World, module_gateway: Any) -> None:
    theirs = board_item_op(world.other.case_id, "South pod item (fictional)")
    push(world.url, world.other.token, theirs)
    hijack = board_item_op(world.sw.case_id, "Overwritten (fictional)", rid=theirs["id"],
                           base_rev=1)
    (r,) = push(world.url, world.sw.token, hijack)
    assert r["outcome"] == "rejected" and r.get("theirs") is None
    (held,) = [x for x in module_gateway.records() if x["id"] == theirs["id"]]
    assert held["fields"]["text"] == "South pod item (fictional)" and held["rev"] == 1


def test_council_records_cannot_be_pushed_from_a_laptop(world: World) -> None:
    op = {"op_id": "op-case-1", "entity": "case", "id": world.sw.case_id, "base_rev": 1,
          "deleted": False, "at": "2026-11-24T10:00:00Z",
          "fields": {"child_id": "x", "pod_id": world.pod_a, "worker_id": world.sw.worker_id}}
    (r,) = push(world.url, world.manager.token, op)
    assert r["outcome"] == "rejected" and "council" in r["reason"]


def test_a_revoked_device_is_told_so(world: World, module_gateway: Any) -> None:
    laptop = enrol(world.url, module_gateway.enrol_code(world.sw.worker_id))
    token = laptop["token"]
    assert call(world.url, "GET", "/sync/changes", token=token).status == 200
    module_gateway.revoke(laptop["device_id"])
    for method, path, body in (("GET", "/sync/changes?since=0", None),
                               ("POST", "/sync/push", {"ops": []}),
                               ("HEAD", "/blobs/" + "0" * 64, None)):
        answer = call(world.url, method, path, body, token=token)
        assert answer.status == 401
        # In a header too: a HEAD answer (the first call of a sync with a photo to upload)
        # has no body, and the laptop must still learn it is revoked and wipe.
        assert answer.headers.get(ERROR_HEADER.lower()) == "device_revoked"
        if method != "HEAD":
            assert answer.json()["error"] == "device_revoked" and answer.json()["message"]
    # The worker's other, unrevoked laptop carries on.
    assert call(world.url, "GET", "/sync/changes", token=world.sw.token).status == 200


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer forged-token-0000000000000000",
                                    "Basic c2FtOnNhbQ==", "Bearer " + "x" * 5000])
def test_missing_or_forged_tokens_are_refused(world: World, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    for method, path, body in (("GET", "/sync/changes?since=0", None),
                               ("POST", "/sync/push", {"ops": [board_item_op(
                                   world.sw.case_id, "Forged (fictional)")]}),
                               ("GET", "/pod/unfiled", None)):
        answer = call(world.url, method, path, body, headers=headers)
        assert answer.status == 401 and answer.json()["error"] == "unauthorized"


def test_a_token_that_is_almost_right_is_refused(world: World) -> None:
    token = world.sw.token
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    answer = call(world.url, "GET", "/sync/changes", token=flipped)
    assert answer.status == 401 and answer.json()["error"] == "unauthorized"


def test_expired_and_unknown_enrolment_codes_are_refused(world: World, module_gateway: Any) -> None:
    expired = module_gateway.enrol_code(world.sw.worker_id, valid_seconds=0)
    for code in (expired, "AAAA-BBBB-CCCC", "", "x" * 500):
        answer = call(world.url, "POST", "/devices", {"code": code, "device_name": "x"})
        assert answer.status == 400 and answer.json()["error"] in ("invalid_code", "bad_request")
    fresh = module_gateway.enrol_code(world.sw.worker_id)
    assert enrol(world.url, fresh.lower().replace("-", " "))["device_id"]


@pytest.mark.parametrize("who", ["sw", "sw2", "manager", "other"])
def test_business_support_endpoints_refuse_everybody_else(world: World, who: str) -> None:
    token = getattr(world, who).token
    for method, path, body in (("GET", "/pod/devices", None), ("GET", "/pod/workers", None),
                               ("GET", "/pod/unfiled", None), ("GET", "/pod/problems", None),
                               ("POST", f"/pod/records/{world.sw.case_id}/filed",
                                {"case_system_ref": "LCS-1"})):
        answer = call(world.url, method, path, body, token=token)
        assert answer.status == 403 and answer.json()["error"] == "forbidden", path


def test_business_support_cannot_file_another_pods_record(world: World,
                                                          module_gateway: Any) -> None:
    theirs = visit_op(world.other.case_id, "South pod visit (fictional)")
    push(world.url, world.other.token, theirs)
    answer = call(world.url, "POST", f"/pod/records/{theirs['id']}/filed",
                  {"case_system_ref": "LCS-1"}, token=world.support.token)
    assert answer.status == 404
    (held,) = [r for r in module_gateway.records(pod=world.pod_b) if r["id"] == theirs["id"]]
    assert held["filed"] is False


def test_every_access_is_audited_without_content(world: World, module_gateway: Any) -> None:
    op = board_item_op(world.sw.case_id, "Private words (fictional)")
    push(world.url, world.sw.token, op)
    pull_all(world.url, world.manager.token)
    call(world.url, "GET", "/sync/changes", token="forged")
    rows = json.loads(module_gateway.admin("audit", "--limit", "100", "--json"))
    actions = [(r["action"], r["device_id"], r["status"]) for r in rows]
    assert ("POST /sync/push", world.sw.device_id, 200) in actions
    assert ("GET /sync/changes", world.manager.device_id, 200) in actions
    assert ("GET /sync/changes", None, 401) in actions
    assert ("POST /devices", None, 201) in actions
    assert "Private words" not in json.dumps(rows)


def test_an_expired_device_token_is_refused(world: World, module_gateway: Any) -> None:
    laptop = enrol(world.url, module_gateway.enrol_code(world.sw.worker_id))
    assert call(world.url, "GET", "/sync/changes", token=laptop["token"]).status == 200
    # A year on: the token's lifetime is over (set in the gateway's own store).
    module_gateway.sql("UPDATE devices SET expires_at = '2025-01-01T00:00:00.000Z' "
                       "WHERE id = :id", {"id": laptop["device_id"]})
    answer = call(world.url, "GET", "/sync/changes", token=laptop["token"])
    assert answer.status == 401 and answer.json()["error"] == "unauthorized"
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_another_pods_upload_of_a_photo_is_invisible_and_untouchable(world: World) -> None:
    """HEAD never tells a device whether (or how much of) another laptop's photo arrived, and a
    PUT from another pod cannot cut short a partial upload: it starts its own."""
    import hashlib

    from rbsw_desktop.protocol import MAX_BLOB_CHUNK

    data = bytes(range(251)) * 6000                 # ~1.5 MB: two chunks
    sha = hashlib.sha256(data).hexdigest()
    octets = {"Content-Type": "application/octet-stream"}
    first = call(world.url, "PUT", f"/blobs/{sha}?offset=0", raw=data[:MAX_BLOB_CHUNK],
                 token=world.sw.token, headers=octets)
    assert first.json() == {"received": MAX_BLOB_CHUNK, "complete": False}
    # HEAD answers only for what the asking laptop itself sent: the pod manager's laptop is
    # told there is nothing yet (it must send its own bytes to claim them) ...
    assert call(world.url, "HEAD", f"/blobs/{sha}", token=world.manager.token).status == 404
    mine = call(world.url, "HEAD", f"/blobs/{sha}", token=world.sw.token)
    assert mine.status == 200 and mine.headers["x-received"] == str(MAX_BLOB_CHUNK)
    # ... and so is another pod, as for a photo nobody sent.
    assert call(world.url, "HEAD", f"/blobs/{sha}", token=world.other.token).status == 404
    assert call(world.url, "HEAD", f"/blobs/{'1' * 64}", token=world.other.token).status == 404
    # Another pod writing at byte 0 starts its own upload; the first pod's part is untouched.
    other = call(world.url, "PUT", f"/blobs/{sha}?offset=0", raw=b"junk", token=world.other.token,
                 headers=octets)
    assert other.status == 200 and other.json() == {"received": 4, "complete": False}
    still = call(world.url, "HEAD", f"/blobs/{sha}", token=world.sw.token)
    assert still.headers["x-received"] == str(MAX_BLOB_CHUNK)
    rest = call(world.url, "PUT", f"/blobs/{sha}?offset={MAX_BLOB_CHUNK}",
                raw=data[MAX_BLOB_CHUNK:], token=world.sw.token, headers=octets)
    assert rest.json() == {"received": len(data), "complete": True}
    # Whole in pod A: still absent for pod B (it would have to send the bytes itself).
    assert call(world.url, "HEAD", f"/blobs/{sha}", token=world.other.token).headers[
        "x-received"] == "4"
    resumed = call(world.url, "PUT", f"/blobs/{sha}?offset=4", raw=b"more",
                   token=world.other.token, headers=octets)
    assert resumed.json() == {"received": 8, "complete": False}
