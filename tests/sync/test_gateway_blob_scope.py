"""Photos and scans on the real gateway process, on both databases: knowing a SHA-256 is not
enough to read one (pods and caseloads, as for records), and uploads no record cites are
limited per laptop and per pod and cleared out after a day."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rbsw_desktop.domain import Zone
from rbsw_desktop.gateway import (
    BLOB_DEVICE_QUOTA_ENV,
    BLOB_ORPHAN_SECONDS_ENV,
    BLOB_POD_QUOTA_ENV,
)
from rbsw_desktop.protocol import MAX_BLOB_CHUNK
from rbsw_desktop.sync.transport import HttpTransport
from tests.sync.conftest import GatewayProcess
from tests.sync.gw_world import OCTETS, Answer, World, call, enrol, push, upload
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    manager_laptop_fixture,
    pod_fixture,
    worker_laptop_fixture,
)

DEVICE_QUOTA, POD_QUOTA = 300_000, 500_000


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
    # The pod-wide roles read it (adding photos is the allocated worker's: protocol.rights).
    assert get(world, world.manager.token, sha).body == data
    assert get(world, world.support.token, sha).body == data
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


# -- uploads no record cites: quotas and clearing out ----------------------------------------


@pytest.fixture
def gateway(tmp_path: Path, gateway_database: str | None,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[GatewayProcess]:
    """This module's per-test gateway: small quotas for uploads no record cites, and an
    hour (not a day) before they are cleared out, set the way an admin would."""
    monkeypatch.setenv(BLOB_DEVICE_QUOTA_ENV, str(DEVICE_QUOTA))
    monkeypatch.setenv(BLOB_POD_QUOTA_ENV, str(POD_QUOTA))
    monkeypatch.setenv(BLOB_ORPHAN_SECONDS_ENV, "3600")
    gw = GatewayProcess(tmp_path / "gateway", gateway_database)
    gw.start()
    try:
        yield gw
    finally:
        gw.stop()


def _people(gateway: GatewayProcess) -> tuple[str, str, dict[str, Any], dict[str, Any],
                                              dict[str, Any]]:
    pod = gateway.pod_add("Quota Pod (fictional)")
    worker = gateway.worker_add(pod, "Sam Testworker (fictional)")
    case = gateway.case_add(worker, "Ada Fictional")
    first = enrol(gateway.url, gateway.enrol_code(worker), "first-laptop")
    other = gateway.worker_add(pod, "Nia Newqualified (fictional)", "nqsw")
    second = enrol(gateway.url, gateway.enrol_code(other), "second-laptop")
    third = enrol(gateway.url, gateway.enrol_code(other), "third-laptop")
    return pod, case, first, second, third


def test_each_laptop_and_each_pod_may_hold_only_so_much_no_record_cites(
        gateway: GatewayProcess) -> None:
    _pod, case, first, second, third = _people(gateway)
    url, size = gateway.url, 200_000
    kept = upload(url, first["token"], os.urandom(size))
    extra = os.urandom(size)
    extra_sha = hashlib.sha256(extra).hexdigest()
    over = call(url, "PUT", f"/blobs/{extra_sha}?offset=0", raw=extra[:MAX_BLOB_CHUNK],
                token=first["token"], headers=OCTETS)
    assert over.status == 413 and over.json()["error"] == "too_large"
    assert "too many photos and scans from this laptop" in over.json()["message"]
    assert call(url, "HEAD", f"/blobs/{extra_sha}", token=first["token"]).status == 404
    # Once a record cites the first, its bytes are the council's and no longer count.
    (r,) = push(url, first["token"], attachment(case, kept))
    assert r["outcome"] == "applied", r
    upload(url, first["token"], extra)                  # 200 000 waiting in the pod
    upload(url, second["token"], os.urandom(size))      # 400 000
    pod_full = call(url, "PUT", f"/blobs/{'e' * 64}?offset=0", raw=os.urandom(size),
                    token=third["token"], headers=OCTETS)
    assert pod_full.status == 413, pod_full.body
    assert "too many photos and scans from your pod" in pod_full.json()["message"]


def test_a_laptop_sending_bytes_its_pod_holds_claims_them_and_they_count_for_it_too(
        gateway: GatewayProcess) -> None:
    _pod, _case, first, second, third = _people(gateway)
    url, data = gateway.url, os.urandom(200_000)
    sha = upload(url, first["token"], data)
    assert call(url, "HEAD", f"/blobs/{sha}", token=second["token"]).status == 404
    upload(url, second["token"], data)              # every byte again: a claim, not a copy
    # The pod holds those bytes once (200 000 of its 500 000), so a third laptop still sends
    # 250 000 ...
    upload(url, third["token"], os.urandom(250_000))
    # ... and each laptop that sent them has them count against its own 300 000.
    for person in (first, second):
        extra = os.urandom(200_000)
        over = call(url, "PUT", f"/blobs/{hashlib.sha256(extra).hexdigest()}?offset=0",
                    raw=extra, token=person["token"], headers=OCTETS)
        assert over.status == 413, over.body
        assert "too many photos and scans from this laptop" in over.json()["message"]


def test_uploads_no_record_cites_are_cleared_out_once_forgotten(
        gateway: GatewayProcess) -> None:
    """Clearing out needs no cron: a new upload, `serve` starting and `prune-uploads` each do
    it. The age here is the hour this module's gateway is given (RBSW_GATEWAY_BLOB_ORPHAN_
    SECONDS); the uploads are made older in the gateway's own store."""
    _pod, case, first, _second, _third = _people(gateway)
    url = gateway.url
    forgotten, recent, cited, deleted = (upload(url, first["token"], os.urandom(5000))
                                         for _ in range(4))
    push(url, first["token"], attachment(case, cited))
    op = attachment(case, deleted)
    push(url, first["token"], op)
    push(url, first["token"], attachment(case, deleted, rid=op["id"], base_rev=1, deleted=True))

    def age(sha: str, when: str) -> None:
        gateway.sql("UPDATE blobs SET updated_at = :when WHERE key LIKE :sha",
                    {"when": when, "sha": f"{sha}@%"})

    def held() -> set[str]:
        return {k[:64] for (k,) in gateway.sql("SELECT DISTINCT key FROM blob_parts")}

    from datetime import UTC, datetime, timedelta

    from rbsw_desktop.domain.instants import instant_text
    now = datetime.now(UTC)
    two_hours_ago = instant_text(now - timedelta(hours=2))
    for sha in (forgotten, cited, deleted):
        age(sha, two_hours_ago)
    age(recent, instant_text(now - timedelta(minutes=30)))
    upload(url, first["token"], os.urandom(100))        # a new upload clears out the old
    assert forgotten not in held()
    assert {recent, cited, deleted} <= held()
    assert call(url, "HEAD", f"/blobs/{forgotten}", token=first["token"]).status == 404
    # The admin's command, and `serve` as it starts, do the same.
    age(recent, two_hours_ago)
    assert json.loads(gateway.admin("prune-uploads", "--json")) == {"removed": 1}
    assert recent not in held() and {cited, deleted} <= held()
    again = upload(url, first["token"], os.urandom(100))
    age(again, two_hours_ago)
    gateway.stop()
    gateway.start()
    assert again not in held() and {cited, deleted} <= held()
    assert json.loads(gateway.admin("prune-uploads", "--json")) == {"removed": 0}


def test_a_laptop_over_its_quota_keeps_the_photo_and_sends_it_at_a_later_sync(
        gateway: GatewayProcess, pod: Pod, worker_laptop: Laptop,
        manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    photos = [os.urandom(200_000) for _ in range(2)]
    owner = store.board.add(pod.case, Zone.GREEN, "Drawing (fictional)").id
    attached = [store.direct_work.attach(owner, pod.case, data, "image/png", filename=f"d{i}.png")
                for i, data in enumerate(photos)]
    report = worker_laptop.sync()
    # The first went, with its record; the second is refused for now, in words, and waits.
    assert not report.ok and report.blobs_uploaded == 1, report.as_json()
    assert any("too many photos and scans from this laptop" in e for e in report.errors)
    assert report.pending == 1 and report.refused_total == 0, report.as_json()
    assert store.direct_work.blob(attached[1].sha256) == photos[1]
    later = worker_laptop.sync()
    assert later.ok and later.blobs_uploaded == 1, later.as_json()
    assert manager_laptop.sync().ok
    assert [manager_laptop.store.direct_work.blob(a.sha256) for a in attached] == photos


def test_a_photo_cleared_out_before_its_record_went_is_sent_again(
        gateway: GatewayProcess, pod: Pod, worker_laptop: Laptop,
        manager_laptop: Laptop) -> None:
    """The laptop sent the photo, then lost the connection before the record went, and stayed
    offline past the day the gateway keeps an upload no record cites. Its next sync sends the
    photo again before the record (and when the quota refuses it, the record waits too)."""
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    data = os.urandom(200_000)
    owner = store.board.add(pod.case, Zone.GREEN, "Drawing (fictional)").id
    photo = store.direct_work.attach(owner, pod.case, data, "image/png", filename="drawing.png")
    transport = HttpTransport(worker_laptop.enrolment.gateway_url, worker_laptop.token)
    try:
        assert transport.blob_put(photo.sha256, 0, data).complete
        store.outbox.mark_blob_uploaded(photo.sha256)
        gateway.sql("UPDATE blobs SET updated_at = '2026-01-01T00:00:00.000Z'")
        assert json.loads(gateway.admin("prune-uploads", "--json")) == {"removed": 1}
        # Meanwhile something else from this laptop fills most of its quota.
        other = os.urandom(150_000)
        assert transport.blob_put(hashlib.sha256(other).hexdigest(), 0, other).complete
    finally:
        transport.close()
    refused = worker_laptop.sync()
    assert any("too many photos and scans from this laptop" in e for e in refused.errors)
    assert refused.pending == 1 and refused.refused_total == 0, refused.as_json()
    gateway.sql("UPDATE blobs SET updated_at = '2026-01-01T00:00:00.000Z'")
    assert json.loads(gateway.admin("prune-uploads", "--json")) == {"removed": 1}
    report = worker_laptop.sync()
    assert report.ok and report.blobs_uploaded == 1, report.as_json()
    assert manager_laptop.sync().ok
    assert manager_laptop.store.direct_work.blob(photo.sha256) == data


# -- file modes -------------------------------------------------------------------------------

#: What the tests' harness itself writes into a gateway's data directory (the server's stderr,
#: the fault plan); everything else there is the gateway's.
HARNESS_FILES = {"gateway.log", "test-faults.json"}


def _not_private(data: Path, backend: str) -> list[str]:
    """What in the data directory others could read: folders not 0700, files not 0600. On
    PostgreSQL the gateway keeps nothing there at all."""
    found = []
    for path in [data, *data.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_dir():
            if mode != 0o700 and (backend == "sqlite" or path != data):
                found.append(f"{path.name}/ {mode:o}")
        elif path.name not in HARNESS_FILES and (backend != "sqlite" or mode != 0o600):
            found.append(f"{path.name} {mode:o}")
    return found


def test_everything_the_gateway_writes_is_its_owners_alone_under_umask_022(
        tmp_path: Path, gateway_database: str | None) -> None:
    old = os.umask(0o022)
    try:
        fresh = GatewayProcess(tmp_path / "fresh", gateway_database)
        fresh.admin("migrate")                           # makes the data directory itself
        assert not fresh.data_dir.exists() or _not_private(fresh.data_dir, fresh.backend) == []
        fresh.start()
        try:
            _pod, case, first, _second, _third = _people(fresh)
            sha = upload(fresh.url, first["token"], os.urandom(MAX_BLOB_CHUNK + 10))
            push(fresh.url, first["token"], attachment(case, sha))
            assert call(fresh.url, "GET", f"/blobs/{sha}", token=first["token"]).status == 200
            fresh.admin("prune-uploads")
            if fresh.backend == "sqlite":
                assert {p.name for p in fresh.data_dir.iterdir()} >= {
                    "gateway.sqlite3", "gateway.sqlite3-wal", "gateway.sqlite3-shm"}
            assert _not_private(fresh.data_dir, fresh.backend) == []
        finally:
            fresh.stop()
        assert _not_private(fresh.data_dir, fresh.backend) == []
        # A data directory the admin made beforehand (0755 under this umask) is made private.
        made = tmp_path / "made-by-admin"
        made.mkdir()
        GatewayProcess(made, gateway_database).admin("pod", "add", "Admin Pod (fictional)")
        assert _not_private(made, "postgresql" if gateway_database else "sqlite") == []
    finally:
        os.umask(old)
