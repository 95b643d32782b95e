"""A gateway on loopback for `rbsw-desktop --demo`: its own process, started and stopped by the
app, holding a fictional demo pod so sync and the business support view work on first launch.

    url, stop = start_local_gateway(data_dir, seed_demo=True)
    code = demo_enrol_code(data_dir, "social_worker")      # or "business_support", ...
    ...
    stop()

The process exits by itself if the app that started it dies (`--exit-with-parent`).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rbsw_desktop.errors import RbswError
from rbsw_desktop.gateway import db
from rbsw_desktop.gateway.repository import GatewayRepository

log = logging.getLogger(__name__)

DEMO_POD = "Demo Pod (fictional)"
DEMO_PEOPLE = (
    ("Sam Demoworker (fictional)", "social_worker", ("Ada Fictional", "Ben Example")),
    ("Nia Newqualified (fictional)", "nqsw", ("Cara Sample",)),
    ("Pat Podmanager (fictional)", "pod_manager", ()),
    ("Bea Business (fictional)", "business_support", ()),
)
START_TIMEOUT = 20.0
#: `rbsw-desktop --run-gateway ARGS...` is `rbsw-gateway ARGS...` (for the frozen build).
GATEWAY_SUBCOMMAND = "--run-gateway"


def _open(data_dir: Path) -> GatewayRepository:
    """The embedded gateway's SQLite store in `data_dir`, its schema up to date."""
    url = db.database_url(data_dir, None)
    if db.schema_state(url) != "current":
        db.migrate(url)
    return db.open_repository(url)


def seed_demo_pod(data_dir: Path) -> bool:
    """Create the demo pod once (False when the store already holds a pod), with a few records
    already sent from the demo worker's laptop so business support has something to file."""
    from rbsw_desktop.gateway.service import GatewayService
    from rbsw_desktop.protocol.models import EnrolRequest

    repo = _open(data_dir)
    try:
        if any(r.entity == "pod" for r in repo.records()):
            return False
        service = GatewayService(repo)
        pod = service.add_pod(DEMO_POD)
        first_case = ""
        worker_id = ""
        for name, role, children in DEMO_PEOPLE:
            wid = service.add_worker(pod, name, role)
            for child in children:
                case_id, _ = service.add_case(wid, child)
                if not first_case:
                    first_case, worker_id = case_id, wid
        enrolled = service.enrol(EnrolRequest(code=service.enrol_code(worker_id),
                                              device_name="Demo laptop (fictional)"))
        caller = service.authenticate("Bearer " + enrolled["token"])
        ops = [{"op_id": str(uuid.uuid4()), "entity": "visit", "id": str(uuid.uuid4()),
                "base_rev": None, "deleted": False, "at": f"{day}T10:00:00.000Z",
                "fields": {"case_id": first_case, "status": "finalised",
                           "visited_at": f"{day}T10:00:00.000Z", "observations": text,
                           "updated_at": f"{day}T12:00:00.000Z"}}
               for day, text in (
                   ("2026-11-06", "Grandma does the school run on Tuesdays (fictional)"),
                   ("2026-11-13", "Rent arrears since the summer (fictional)"),
                   ("2026-11-20", "Dad missed two contact visits (fictional)"))]
        service.push(caller, {"ops": ops}, pending=0)
        log.info("demo pod seeded (%d records)", len(ops))
        return True
    finally:
        repo.close()


def seed_council_records(data_dir: Path, records: list[dict[str, Any]]) -> bool:
    """Hold the demo laptop's council-side records (its pod, workers, children, cases and
    people) under the same ids, at rev 1, so the demo store and the demo gateway agree.
    `records`: [{"entity", "id", "pod_id", "case_id", "fields"}]. False when already held."""
    from rbsw_desktop.domain.instants import utc_now
    from rbsw_desktop.gateway.repository import StoredRecord

    repo = _open(data_dir)
    try:
        pods = [r for r in records if r["entity"] == "pod"]
        if not pods or repo.pod(pods[0]["id"]) is not None:
            return False
        at = utc_now()
        children = {r["id"]: r["fields"] for r in records if r["entity"] == "child"}
        with repo.transaction():
            for r in pods:
                repo.add_pod(r["id"], r["fields"].get("name", ""), at)
            for r in records:
                f = r["fields"]
                if r["entity"] == "worker":
                    repo.add_worker(r["id"], r["pod_id"], f.get("name", ""), f.get("role", ""), at)
            for r in records:
                f = r["fields"]
                if r["entity"] == "case":
                    child = children.get(f.get("child_id", ""), {})
                    repo.add_case(r["id"], f["child_id"], child.get("name", ""), f["worker_id"],
                                  r["pod_id"], at)
            for r in records:
                repo.put_record(StoredRecord(r["entity"], r["id"], 1, repo.next_seq(),
                                             r["pod_id"], r["case_id"], r["fields"], False, at,
                                             None, at))
        log.info("demo gateway holds the demo store's %d council records", len(records))
        return True
    finally:
        repo.close()


def enrol_code_for(data_dir: Path, worker_id: str) -> str:
    """A fresh one-time code for one worker (the demo laptop enrols itself with it)."""
    from rbsw_desktop.gateway.service import GatewayService

    repo = _open(data_dir)
    try:
        return GatewayService(repo).enrol_code(worker_id, 3600)
    finally:
        repo.close()


def device_state(data_dir: Path, device_id: str) -> str | None:
    """"active", "revoked", or None for a device this gateway never enrolled."""
    repo = _open(data_dir)
    try:
        device = repo.device(device_id)
    finally:
        repo.close()
    if device is None:
        return None
    return "active" if device.get("revoked_at") is None else "revoked"


def gateway_command() -> list[str]:
    """How to run `rbsw-gateway`: the module from source; in a frozen (PyInstaller) build,
    the app's own executable with the `--run-gateway` sub-command (app.main hands it over)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, GATEWAY_SUBCOMMAND]
    return [sys.executable, "-m", "rbsw_desktop.gateway.cli"]


def demo_enrol_code(data_dir: Path, role: str = "social_worker") -> str:
    """A fresh one-time code for the demo pod's first worker with this role."""
    from rbsw_desktop.gateway.service import GatewayService

    repo = _open(data_dir)
    try:
        pods = [r for r in repo.records() if r.entity == "pod"]
        for pod in pods:
            for worker in repo.workers_in_pod(pod.id):
                if worker["role"] == role:
                    return GatewayService(repo).enrol_code(worker["id"], 3600)
    finally:
        repo.close()
    raise RbswError("The demo council system has nobody in that role.")


def start_local_gateway(data_dir: Path, *, seed_demo: bool = True,
                        ) -> tuple[str, Callable[[], None]]:
    """Start the gateway process on 127.0.0.1 (a free port); return its URL and a stop
    function. Raises RbswError in plain words if it does not come up."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    data_dir.chmod(0o700)                      # the council's copy: the owner's alone
    if seed_demo:
        seed_demo_pod(data_dir)
    log_file = os.fdopen(os.open(data_dir / "gateway.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                                 0o600), "ab")   # handed to the process
    proc = subprocess.Popen(
        [*gateway_command(), "--data-dir", str(data_dir),
         "serve", "--host", "127.0.0.1", "--port", "0", "--exit-with-parent"],
        stdout=subprocess.PIPE, stderr=log_file, stdin=subprocess.DEVNULL)
    log_file.close()

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()

    try:
        url = _read_url(proc)
    except RbswError:
        stop()
        raise
    log.info("local gateway started")
    return url, stop


def _read_url(proc: subprocess.Popen[bytes]) -> str:
    """The `{"url": ...}` line the server prints once it listens (a thread: pipes cannot be
    select()ed on Windows)."""
    assert proc.stdout is not None
    stdout = proc.stdout
    lines: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=START_TIMEOUT)
        return str(json.loads(line)["url"])
    except (queue.Empty, ValueError, KeyError, TypeError):
        raise RbswError("The demo council system could not be started. The app works "
                        "without it; sync will not be available.") from None
