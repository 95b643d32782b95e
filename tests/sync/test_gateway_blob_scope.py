"""Photos and scans on the real gateway process, on both databases: knowing a SHA-256 is not
enough to read one (pods and caseloads, as for records)."""

from __future__ import annotations

import hashlib
import os
import uuid
from typing import Any

from rbsw_desktop.protocol import MAX_BLOB_CHUNK
from tests.sync.conftest import GatewayProcess
from tests.sync.gw_world import Answer, World, call, enrol, push

OCTETS = {"Content-Type": "application/octet-stream"}


def upload(url: str, token: str, data: bytes) -> str:
    """Send `data` in chunks; its SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    for offset in range(0, len(data), MAX_BLOB_CHUNK):
        answer = call(url, "PUT", f"/blobs/{sha}?offset={offset}",
                      raw=data[offset:offset + MAX_BLOB_CHUNK], token=token, headers=OCTETS)
        assert answer.status == 200, answer.body
    assert answer.json() == {"received": len(data), "complete": True}
    return sha


def attachment(case_id: str, sha: str, *, rid: str | None = None, base_rev: int | None = None,
               deleted: bool = False) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "entity": "attachment", "id": rid or str(uuid.uuid4()),
            "base_rev": base_rev, "deleted": deleted, "at": "2026-11-24T10:00:00Z",
            "fields": {"owner_id": str(uuid.uuid4()), "case_id": case_id, "sha256": sha,
                       "media_type": "image/png", "size": 1}}


def get(world: World, token: str, sha: str) -> Answer:
    return call(world.url, "GET", f"/blobs/{sha}", token=token)


def unknown(world: World, token: str, method: str = "GET") -> Answer:
    return call(world.url, method, f"/blobs/{os.urandom(32).hex()}", token=token)


def same_answer(a: Answer, b: Answer) -> bool:
    """The same status, error code and words: nothing tells the two apart."""
    return (a.status, a.headers.get("x-rbsw-error"), a.body) == \
        (b.status, b.headers.get("x-rbsw-error"), b.body)


# -- knowing a SHA-256 is not enough ---------------------------------------------------------


def test_another_pods_hash_reads_nothing_and_its_bytes_are_never_shared(
        world: World, module_gateway: GatewayProcess) -> None:
    data = os.urandom(MAX_BLOB_CHUNK + 5000)            # two chunks
    sha = upload(world.url, world.sw.token, data)
    (mine,) = push(world.url, world.sw.token, attachment(world.sw.case_id, sha))
    assert mine["outcome"] == "applied", mine
    assert get(world, world.sw.token, sha).body == data
    # Pod B is told exactly what it is told for a hash nobody holds, by HEAD and by GET ...
    assert same_answer(call(world.url, "HEAD", f"/blobs/{sha}", token=world.other.token),
                       unknown(world, world.other.token, "HEAD"))
    # ... may not cite pod A's hash in its own case (nothing of pod B's holds it) ...
    (theirs,) = push(world.url, world.other.token, attachment(world.other.case_id, sha))
    assert theirs["outcome"] == "rejected"
    assert "photo or scan" in theirs["reason"]
    # ... and reads nothing, in the same words as for a hash nobody holds.
    answer = get(world, world.other.token, sha)
    assert answer.status == 404 and same_answer(answer, unknown(world, world.other.token))
    # Pod B sending the same bytes sends every one of them, into a copy of its own.
    first = call(world.url, "PUT", f"/blobs/{sha}?offset=0", raw=data[:MAX_BLOB_CHUNK],
                 token=world.other.token, headers=OCTETS)
    assert first.json() == {"received": MAX_BLOB_CHUNK, "complete": False}
    rest = call(world.url, "PUT", f"/blobs/{sha}?offset={MAX_BLOB_CHUNK}",
                raw=data[MAX_BLOB_CHUNK:], token=world.other.token, headers=OCTETS)
    assert rest.json() == {"received": len(data), "complete": True}
    (again,) = push(world.url, world.other.token, attachment(world.other.case_id, sha))
    assert again["outcome"] == "applied", again
    assert get(world, world.other.token, sha).body == data
    copies = module_gateway.sql("SELECT pod_id FROM blobs WHERE key LIKE :sha",
                                {"sha": f"{sha}@%"})
    assert sorted(p for (p,) in copies) == sorted([world.pod_a, world.pod_b])


def test_another_caseloads_hash_reads_nothing_and_the_pods_managers_read_it(
        world: World, module_gateway: GatewayProcess) -> None:
    data = os.urandom(4000)
    sha = upload(world.url, world.sw.token, data)
    (mine,) = push(world.url, world.sw.token, attachment(world.sw.case_id, sha))
    assert mine["outcome"] == "applied", mine
    # Another worker of the pod (not pod-wide) cannot read it ...
    assert same_answer(get(world, world.sw2.token, sha), unknown(world, world.sw2.token))
    # ... nor make it theirs by citing the hash in an attachment of their own case.
    (cited,) = push(world.url, world.sw2.token, attachment(world.sw2.case_id, sha))
    assert cited["outcome"] == "rejected", cited
    assert same_answer(get(world, world.sw2.token, sha), unknown(world, world.sw2.token))
    # The pod-wide roles read it, and may cite it (they could read it already).
    assert get(world, world.manager.token, sha).body == data
    assert get(world, world.support.token, sha).body == data
    (managers,) = push(world.url, world.manager.token, attachment(world.sw.case_id, sha))
    assert managers["outcome"] == "applied", managers
    # The worker's second laptop, which sent nothing, may cite it too: the worker reads it.
    second = enrol(world.url, module_gateway.enrol_code(world.sw.worker_id), "second-laptop")
    (other_laptop,) = push(world.url, second["token"], attachment(world.sw.case_id, sha))
    assert other_laptop["outcome"] == "applied", other_laptop
    assert get(world, second["token"], sha).body == data


def test_a_deleted_attachment_no_longer_opens_its_photo(world: World) -> None:
    data = os.urandom(3000)
    sha = upload(world.url, world.sw.token, data)
    op = attachment(world.sw.case_id, sha)
    push(world.url, world.sw.token, op)
    assert get(world, world.manager.token, sha).body == data
    (gone,) = push(world.url, world.sw.token, attachment(world.sw.case_id, sha, rid=op["id"],
                                                         base_rev=1, deleted=True))
    assert gone["outcome"] == "applied", gone
    for person in (world.sw, world.manager):
        assert same_answer(get(world, person.token, sha), unknown(world, person.token))
