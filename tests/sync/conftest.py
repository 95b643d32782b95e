"""The `gateway` fixture: the REAL reference gateway, in its own process, on 127.0.0.1.

    def test_something(gateway):
        pod = gateway.pod_add("Test Pod (fictional)")                 -> pod id (str)
        worker = gateway.worker_add(pod, "Sam Testworker (fictional)", "social_worker")
        case = gateway.case_add(worker, "Ada Fictional")             -> case id (str)
        code = gateway.enrol_code(worker)                            -> one-time code (str)
        code = gateway.enrol_code(worker, valid_seconds=0)           an already-expired code
        gateway.revoke(device_id)
        gateway.records(pod=pod)           -> [{"entity", "id", "rev", "pod_id", "case_id",
                                               "deleted", "filed", "case_system_ref",
                                               "fields", ...}]
        gateway.fail_next(503, count=2, retry_after=1)  the next 2 API requests get 503 with
                                           `Retry-After: 1` (429 and 500 work too; retry_after
                                           None sends no header). openapi.json is never failed.
        gateway.admin("pod", "add", "X", "--json")      any admin command; returns its stdout
        gateway.url   "http://127.0.0.1:PORT"     gateway.port   PORT
        gateway.data_dir   the gateway's data directory (its SQLite store, blobs, gateway.log)

Every helper runs the real admin CLI (`python -m rbsw_desktop.gateway.cli --data-dir DIR ...`)
as a subprocess against the same data directory the server uses. The server is started with
`--max-seconds 600` (it stops by itself even if a test run is killed), `--client-timeout 5`
(a connection silent for 5 s mid-request is dropped) and `--test-faults`
(enables `fail_next`; never used outside tests), and is terminated at teardown.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_CMD = [sys.executable, "-m", "rbsw_desktop.gateway.cli"]
MAX_SECONDS = 600
CLIENT_TIMEOUT = 5          # seconds a client may stay silent mid-request


class GatewayProcess:
    """A running gateway and the admin commands that drive it (see the module docstring)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.url = ""
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, timeout: float = 20.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "gateway.log", "ab")  # noqa: SIM115 (owned by the process)
        self.proc = subprocess.Popen(
            [*GATEWAY_CMD, "--data-dir", str(self.data_dir), "serve", "--host", "127.0.0.1",
             "--port", "0", "--max-seconds", str(MAX_SECONDS), "--client-timeout",
             str(CLIENT_TIMEOUT), "--test-faults"],
            stdout=subprocess.PIPE, stderr=log, cwd=ROOT, env=_env())
        log.close()
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        stdout = self.proc.stdout
        lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            self.url = str(json.loads(lines.get(timeout=timeout))["url"])
        except (queue.Empty, ValueError, KeyError):
            self.stop()
            raise RuntimeError("the gateway did not start; see " +
                               str(self.data_dir / "gateway.log")) from None
        self.port = int(self.url.rsplit(":", 1)[1])
        while True:                               # it answers before we hand it over
            try:
                urllib.request.urlopen(self.url + "/api/v1/openapi.json", timeout=2).close()  # noqa: S310
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    # -- admin commands -----------------------------------------------------------------------

    def admin(self, *args: str, check: bool = True) -> str:
        out = subprocess.run([*GATEWAY_CMD, "--data-dir", str(self.data_dir), *args],
                             capture_output=True, text=True, timeout=60, cwd=ROOT, env=_env())
        if check and out.returncode != 0:
            raise AssertionError(f"rbsw-gateway {' '.join(args[:2])} failed "
                                 f"({out.returncode}): {out.stderr.strip()}")
        return out.stdout.strip()

    def _id(self, *args: str) -> str:
        return str(json.loads(self.admin(*args, "--json"))["id"])

    def pod_add(self, name: str) -> str:
        return self._id("pod", "add", name)

    def worker_add(self, pod: str, name: str, role: str = "social_worker") -> str:
        return self._id("worker", "add", "--pod", pod, "--name", name, "--role", role)

    def case_add(self, worker: str, child: str) -> str:
        return self._id("case", "add", "--worker", worker, "--child", child)

    def enrol_code(self, worker: str, *, valid_seconds: int | None = None) -> str:
        extra = [] if valid_seconds is None else ["--valid-seconds", str(valid_seconds)]
        return str(json.loads(self.admin("enrol-code", "--worker", worker, *extra,
                                         "--json"))["code"])

    def revoke(self, device: str) -> None:
        self.admin("revoke", "--device", device)

    def records(self, pod: str | None = None) -> list[dict[str, Any]]:
        args = ["records", "--json"] + (["--pod", pod] if pod else [])
        return list(json.loads(self.admin(*args)))

    def fail_next(self, status: int, count: int = 1, retry_after: float | None = None) -> None:
        args = ["fault", "--status", str(status), "--count", str(count)]
        if retry_after is not None:
            args += ["--retry-after", str(retry_after)]
        self.admin(*args)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[GatewayProcess]:
    """The real gateway process on 127.0.0.1 with an empty store (see the module docstring)."""
    gw = GatewayProcess(tmp_path / "gateway")
    gw.start()
    try:
        yield gw
    finally:
        gw.stop()


@pytest.fixture(scope="module")
def module_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewayProcess]:
    """The same, shared by one test module (tests must not depend on what others added)."""
    gw = GatewayProcess(tmp_path_factory.mktemp("gateway"))
    gw.start()
    try:
        yield gw
    finally:
        gw.stop()


@pytest.fixture(scope="module")
def world(module_gateway: GatewayProcess) -> Any:
    """Two fictional pods with a worker of each kind, enrolled (tests/sync/gw_world.py)."""
    from tests.sync.gw_world import make_world

    return make_world(module_gateway)
