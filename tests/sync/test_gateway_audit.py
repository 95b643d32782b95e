"""The gateway's audit, against the real gateway process on both databases: every access is a
row naming who, which device, the client's address, what (the records read as well as those
written), when and the answer, refusals and unreadable requests included; an access that
cannot be audited is not served; and the table is append-only, a hash chain that
`rbsw-gateway audit --verify` checks, kept whole by several gateway instances writing at once.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from typing import Any

import pytest

from tests.sync.conftest import GATEWAY_CMD, ROOT, GatewayProcess, _env
from tests.sync.gw_world import World, board_item_op, call, pull_all, push
from tests.sync.test_gateway_input import _raw_request, _read_answer

LOOPBACK = "127.0.0.1"


def audit_rows(gateway: GatewayProcess) -> list[dict[str, Any]]:
    return list(json.loads(gateway.admin("audit", "--limit", "100000", "--json")))


def verify(gateway: GatewayProcess) -> subprocess.CompletedProcess[str]:
    args = ["--data-dir", str(gateway.data_dir)] + (
        ["--database", gateway.database] if gateway.database else [])
    return subprocess.run([*GATEWAY_CMD, *args, "audit", "--verify"], capture_output=True,
                          text=True, timeout=60, cwd=ROOT, env=_env())


def _waited_for(gateway: GatewayProcess, found: Any, seconds: float = 10) -> list[dict[str, Any]]:
    """The audit rows once `found(rows)` holds (an unreadable request's row is written just
    after its answer)."""
    deadline = time.monotonic() + seconds
    while True:
        rows = audit_rows(gateway)
        if found(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def test_each_row_names_the_device_the_client_and_the_records_read_and_written(
        world: World, module_gateway: GatewayProcess) -> None:
    mine = board_item_op(world.sw.case_id, "Audited item (fictional)")
    other = board_item_op(world.sw.case_id, "Second audited item (fictional)")
    stray = board_item_op(world.other.case_id, "Refused: another pod's case (fictional)")
    results = push(world.url, world.sw.token, mine, other, stray)
    assert [r["outcome"] for r in results] == ["applied", "applied", "rejected"]
    read = pull_all(world.url, world.manager.token)
    assert mine["id"] in read

    rows = audit_rows(module_gateway)
    (pushed,) = [r for r in rows if r["action"] == "POST /sync/push"
                 and r["device_id"] == world.sw.device_id and mine["id"] in
                 (r["record_ids"] or [])]
    assert pushed["worker_id"] == world.sw.worker_id and pushed["client"] == LOOPBACK
    assert pushed["status"] == 200 and pushed["count"] == 3
    assert pushed["record_ids"] == [mine["id"], other["id"]]        # what it wrote, not more
    pulled = [r for r in rows if r["action"] == "GET /sync/changes"
              and r["device_id"] == world.manager.device_id]
    read_ids = {rid for r in pulled for rid in r["record_ids"] or []}
    assert {mine["id"], other["id"], world.sw.case_id} <= read_ids   # which records, not a count
    assert all(r["client"] == LOOPBACK and r["worker_id"] == world.manager.worker_id
               for r in pulled)
    assert all(len(r["hash"]) == 64 for r in rows)
    assert "Audited item" not in json.dumps(rows)                     # never content


def test_refusals_name_the_device_and_unreadable_requests_are_audited_too(
        world: World, module_gateway: GatewayProcess) -> None:
    for method in ("TRACE", "PATCH"):
        answer = call(world.url, method, "/sync/push", token=world.support.token)
        assert answer.status == 405
    heads = {
        431: "GET /api/v1/sync/changes HTTP/1.1\r\nHost: x\r\nX-Big: " + "a" * 70_000,
        400: "GARBAGE\r\n\r\n",
        414: "GET /" + "a" * 70_000 + " HTTP/1.1\r\n\r\n",
    }
    for status, head in heads.items():
        sock, _ = _raw_request(world.url, head.encode())
        with sock:
            assert int(_read_answer(sock).split(b" ", 2)[1]) == status

    def all_there(rows: list[dict[str, Any]]) -> bool:
        return {431, 400, 414} <= {r["status"] for r in rows if "request" in r["action"]}
    rows = _waited_for(module_gateway, all_there)
    for method in ("TRACE", "PATCH"):
        assert [r for r in rows if r["action"] == f"{method} /sync/push" and r["status"] == 405
                and r["device_id"] == world.support.device_id and r["client"] == LOOPBACK]
    unreadable = {r["status"]: r for r in rows if r["action"].startswith("(a request")}
    assert {431, 400, 414} <= set(unreadable)
    assert all(unreadable[s]["client"] == LOOPBACK for s in (431, 400, 414))
    assert verify(module_gateway).returncode == 0


def test_an_access_that_cannot_be_audited_is_not_served(world: World,
                                                        module_gateway: GatewayProcess) -> None:
    read = board_item_op(world.sw.case_id, "Not to be read unaudited (fictional)")
    push(world.url, world.sw.token, read)
    module_gateway.sql("ALTER TABLE audit RENAME TO audit_away")      # the audit is lost
    try:
        answer = call(world.url, "GET", "/sync/changes?since=0", token=world.manager.token)
        written = call(world.url, "POST", "/sync/push", {"ops": [board_item_op(
            world.sw.case_id, "Not to be kept unaudited (fictional)")]}, token=world.sw.token)
    finally:
        module_gateway.sql("ALTER TABLE audit_away RENAME TO audit")
    assert answer.status == 503 and answer.json()["error"] == "unavailable"
    assert "cannot record" in answer.json()["message"] and read["id"].encode() not in answer.body
    assert written.status == 503
    assert "Not to be kept" not in json.dumps(module_gateway.records())


def _drop_append_only_triggers(gateway: GatewayProcess) -> None:
    """What a database owner could do: take the triggers away, to tamper by hand."""
    if gateway.backend == "postgresql":
        gateway.sql("DROP TRIGGER audit_no_change ON audit")
    else:
        gateway.sql("DROP TRIGGER audit_no_update")
        gateway.sql("DROP TRIGGER audit_no_delete")


def test_verify_finds_a_changed_row_and_a_removed_row(gateway: GatewayProcess) -> None:
    pod = gateway.pod_add("Audit Pod (fictional)")
    worker = gateway.worker_add(pod, "Sam Testworker (fictional)")
    token = call(gateway.url, "POST", "/devices", {"code": gateway.enrol_code(worker)}).json()[
        "token"]
    for _ in range(5):
        assert call(gateway.url, "GET", "/sync/changes", token=token).status == 200
    intact = verify(gateway)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert intact.stdout.startswith("The audit is intact") and intact.stdout.count(".") == 1

    ids = sorted(r["id"] for r in audit_rows(gateway))
    changed, removed = ids[3], ids[6]
    # The table refuses to be changed or emptied ...
    for statement in ("UPDATE audit SET status = 200 WHERE id = :id",
                      "DELETE FROM audit WHERE id = :id"):
        with pytest.raises(Exception, match="append-only"):
            gateway.sql(statement, {"id": changed})
    assert verify(gateway).returncode == 0
    # ... and what someone does by going round that is found, at the row it touched.
    _drop_append_only_triggers(gateway)
    (status,) = gateway.sql("SELECT status FROM audit WHERE id = :id", {"id": changed})[0]
    gateway.sql("UPDATE audit SET status = 404 WHERE id = :id", {"id": changed})
    broken = verify(gateway)
    assert broken.returncode == 1
    assert broken.stdout.strip() == (
        f"The audit is broken at row {changed}: that row was changed, or a row before it "
        f"removed, after it was written ({ids.index(changed)} rows before it are intact).")
    gateway.sql("UPDATE audit SET status = :s WHERE id = :id", {"s": status, "id": changed})
    assert verify(gateway).returncode == 0                         # put back: whole again
    gateway.sql("DELETE FROM audit WHERE id = :id", {"id": removed})
    gone = verify(gateway)
    assert gone.returncode == 1 and f"broken at row {ids[7]}:" in gone.stdout


def test_instances_writing_at_once_keep_one_chain(gateway: GatewayProcess) -> None:
    """Two gateway processes on the same database (two instances on PostgreSQL, two writers
    of one file on SQLite), eight laptops' worth of requests at once: one unbroken chain."""
    second = GatewayProcess(gateway.data_dir, gateway.database)
    second.start()
    try:
        pod = gateway.pod_add("Busy Pod (fictional)")
        worker = gateway.worker_add(pod, "Sam Testworker (fictional)")
        case = gateway.case_add(worker, "Ada Fictional")
        token = call(gateway.url, "POST", "/devices", {"code": gateway.enrol_code(worker)}
                     ).json()["token"]
        failures: list[BaseException] = []

        def laptop(i: int) -> None:
            url = (gateway.url, second.url)[i % 2]
            try:
                for n in range(15):
                    if n % 3 == 0:
                        push(url, token, board_item_op(case, f"Item {i}-{n} (fictional)"))
                    else:
                        assert call(url, "GET", "/sync/changes", token=token).status == 200
            except BaseException as exc:  # noqa: BLE001 (reported below)
                failures.append(exc)
        threads = [threading.Thread(target=laptop, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not failures, failures[0]
    finally:
        second.stop()
    assert len([r for r in audit_rows(gateway) if r["action"].startswith(
        ("GET /sync", "POST /sync"))]) == 8 * 15
    result = verify(gateway)
    assert result.returncode == 0, result.stdout


def test_the_audit_json_keeps_its_keys_and_verify_has_a_json_form(
        world: World, module_gateway: GatewayProcess) -> None:
    rows = audit_rows(module_gateway)
    assert {"id", "at", "device_id", "worker_id", "action", "target", "count", "status",
            "client", "record_ids", "hash"} <= set(rows[0])
    report = json.loads(module_gateway.admin("audit", "--verify", "--json"))
    assert report["intact"] is True and report["first_broken"] is None
    assert report["rows"] >= len(rows) and len(report["heads_hash"]) == 64


def test_the_chain_is_linked_under_one_lock_whatever_writes_at_once(
        gateway: GatewayProcess) -> None:
    """The lock itself, at full contention: two more repositories on the gateway's database
    (as two more instances would hold), six threads appending audit rows as fast as they can,
    beside the running gateway. Without the lock two rows link to the same predecessor."""
    from rbsw_desktop.domain.instants import utc_now
    from rbsw_desktop.gateway import db

    url = db.database_url(gateway.data_dir, gateway.database)
    repos = [db.open_repository(url) for _ in range(2)]
    failures: list[BaseException] = []

    def appender(i: int) -> None:
        repo = repos[i % 2]
        try:
            for n in range(40):
                with repo.transaction(lock=False):
                    repo.audit(utc_now(), None, None, "GET /sync/changes", "", n, 200,
                               client=f"192.0.2.{i}")
        except BaseException as exc:  # noqa: BLE001 (reported below)
            failures.append(exc)
    threads = [threading.Thread(target=appender, args=(i,)) for i in range(6)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        for repo in repos:
            repo.close()
    assert not failures, failures[0]
    result = verify(gateway)
    assert result.returncode == 0, result.stdout
    assert json.loads(gateway.admin("audit", "--verify", "--json"))["rows"] >= 240
