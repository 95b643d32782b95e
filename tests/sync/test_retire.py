"""Taking a laptop out of service, against the real gateway process on both databases and real
encrypted laptop stores. `rbsw-gateway retire` lets a laptop send what it holds once more and
then wipe itself; `revoke` (a lost or stolen laptop) wipes it at once. Either way the laptop
(its sync report, the words the worker reads, `rbsw status` afterwards) and the council's audit
say how many records were destroyed without reaching the council."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from rbsw_desktop.domain import Zone
from rbsw_desktop.domain.entities import BoardItem
from rbsw_desktop.domain.enums import VisitType
from rbsw_desktop.protocol import ERROR_HEADER
from tests.sync.conftest import GATEWAY_CMD, ROOT, GatewayProcess, _env
from tests.sync.gw_world import call
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    manager_laptop_fixture,
    pod_fixture,
    worker_laptop_fixture,
)


def _wipe_rows(gateway: GatewayProcess, device_id: str) -> list[dict[str, Any]]:
    return [r for r in json.loads(gateway.admin("audit", "--limit", "1000", "--json"))
            if r["device_id"] == device_id and r["target"] == "wipe"]


def _rbsw_status(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RBSW_PASSPHRASE="not needed: there is no store",
               RBSW_LOG_DIR=str(data_dir.parent / "logs"))
    return subprocess.run([sys.executable, "-m", "rbsw_desktop.cli", "--data-dir",
                           str(data_dir), "status"], capture_output=True, text=True, env=env,
                          timeout=60, stdin=subprocess.DEVNULL)


def _is_wiped(data_dir: Path) -> bool:
    return not (data_dir / "store.db").exists() and not (data_dir / "keyfile.json").exists()


def test_a_retired_laptop_sends_its_unsent_visit_then_wipes(
        gateway: GatewayProcess, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    visit = worker_laptop.store.visits.add(pod.case, visit_type=VisitType.STATUTORY,
                                           observations="Seen at home (fictional)")
    device = worker_laptop.enrolment.device_id
    data_dir = worker_laptop.store.data_dir
    retired = json.loads(gateway.admin("retire", "--device", device, "--json"))
    assert retired == {"id": device, "retired": True}

    report = worker_laptop.sync()
    assert report.retired and not report.revoked and report.destroyed_unsent == 0
    assert report.pushed == 1                                   # pushed under the usual rules
    assert "retired by the council" in report.errors[0]
    assert "nothing was lost" in report.errors[0].lower()
    assert report.as_json()["retired"] is True and report.as_json()["destroyed_unsent"] == 0
    held = {r["id"]: r for r in gateway.records(pod.id)}
    assert held[visit.id]["fields"]["observations"] == "Seen at home (fictional)"
    assert worker_laptop.store.locked and _is_wiped(data_dir)
    (told,) = _wipe_rows(gateway, device)
    assert told["action"] == "GET /sync/changes" and told["status"] == 401
    assert told["count"] == 0 and told["client"] == "127.0.0.1"
    # After the wipe its token is dead; a laptop still holding it is told again.
    again = call(gateway.url, "POST", "/sync/push", {"ops": []}, token=worker_laptop.token)
    assert again.status == 401 and again.headers[ERROR_HEADER.lower()] == "device_retired"
    status = _rbsw_status(data_dir)
    assert status.returncode == 1 and "retired" in status.stderr
    assert "nothing was lost" in status.stderr and "Traceback" not in status.stderr


def test_a_retired_laptop_says_what_it_could_not_send(
        gateway: GatewayProcess, pod: Pod, worker_laptop: Laptop,
        manager_laptop: Laptop) -> None:
    """A change the council holds a newer version of is a conflict, not sent: the wipe destroys
    it, and both the laptop and the audit say so."""
    assert worker_laptop.sync().ok
    item = worker_laptop.store.board.add(pod.case, Zone.RED, "Rent arrears (fictional)")
    assert worker_laptop.sync().ok and manager_laptop.sync().ok
    mine = worker_laptop.store.records.get(BoardItem, item.id)
    theirs = manager_laptop.store.records.get(BoardItem, item.id)
    mine.text, theirs.text = "Arrears cleared (fictional)", "Arrears halved (fictional)"
    worker_laptop.store.board.update(mine)
    manager_laptop.store.board.update(theirs)
    assert manager_laptop.sync().ok
    device = worker_laptop.enrolment.device_id
    gateway.admin("retire", "--device", device)

    report = worker_laptop.sync()
    assert report.retired and report.conflicts == 1 and report.destroyed_unsent == 1
    assert "1 record that had not reached the council" in report.errors[0]
    assert _is_wiped(worker_laptop.store.data_dir)
    assert [r["count"] for r in _wipe_rows(gateway, device)] == [1]
    held = {r["id"]: r for r in gateway.records(pod.id)}
    assert held[item.id]["fields"]["text"] == "Arrears halved (fictional)"


def test_a_revoked_laptop_says_how_many_unsent_records_its_wipe_destroyed(
        gateway: GatewayProcess, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    worker_laptop.store.visits.add(pod.case, visit_type=VisitType.STATUTORY,
                                   observations="Not yet sent (fictional)")
    worker_laptop.store.visits.add(pod.case, visit_type=VisitType.STATUTORY,
                                   observations="Not yet sent either (fictional)")
    device, data_dir = worker_laptop.enrolment.device_id, worker_laptop.store.data_dir
    gateway.revoke(device)

    report = worker_laptop.sync()
    assert report.revoked and not report.retired and report.destroyed_unsent == 2
    assert report.pushed == 0 and report.as_json()["destroyed_unsent"] == 2
    assert "signed out by the council" in report.errors[0]
    assert "2 records that had not reached the council" in report.errors[0]
    assert _is_wiped(data_dir)
    (told,) = _wipe_rows(gateway, device)
    assert told["status"] == 401 and told["count"] == 2
    assert "Not yet sent" not in json.dumps(gateway.records(pod.id))
    status = _rbsw_status(data_dir)
    assert status.returncode == 1 and "signed out" in status.stderr
    assert "2 records that had not reached the council" in status.stderr


def test_only_a_device_in_service_can_be_retired(gateway: GatewayProcess, pod: Pod,
                                                 worker_laptop: Laptop) -> None:
    device = worker_laptop.enrolment.device_id
    gateway.revoke(device)
    args = ["--data-dir", str(gateway.data_dir)] + (
        ["--database", gateway.database] if gateway.database else [])
    for target in ("no-such-device", device):
        done = subprocess.run([*GATEWAY_CMD, *args, "retire", "--device", target],
                              capture_output=True, text=True, timeout=60, cwd=ROOT, env=_env())
        assert done.returncode == 1 and done.stderr.count(".") == 1
        assert "no such device, or it has been revoked" in done.stderr
    # Revoked stays revoked: told `device_revoked`, never that what it held was sent.
    answer = call(gateway.url, "GET", "/sync/changes", token=worker_laptop.token)
    assert answer.headers[ERROR_HEADER.lower()] == "device_revoked"
