"""The `gateway` fixture: the REAL reference gateway, in its own process, on 127.0.0.1, once
on each backend: the embedded SQLite default and a real PostgreSQL (a throwaway cluster the
tests start, `tests/postgres.py`), so every test that uses it runs on both.

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
        gateway.sql("SELECT ...", {"name": value})      rows of the gateway's own database
        gateway.stored_text()   everything the database holds, as text (to look for secrets)
        gateway.url   "http://127.0.0.1:PORT"     gateway.port   PORT
        gateway.backend   "sqlite" or "postgresql"    gateway.database   its URL (or None)
        gateway.data_dir   the gateway's data directory (gateway.log; the SQLite file)

Every helper runs the real admin CLI (`python -m rbsw_desktop.gateway.cli --data-dir DIR
[--database URL] ...`) as a subprocess against the same database the server uses. The server is
the production gateway with a test-only fault hook in front (`tests/sync/fault_gateway.py`,
which `fail_next` drives), started with `--max-seconds 600` (it stops by itself even if a test
run is killed) and `--client-timeout 5` (a connection silent for 5 s mid-request is dropped),
and is terminated at teardown.
"""

from __future__ import annotations

import json
import os
import queue
import ssl
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
SERVE_CMD = [sys.executable, "-m", "tests.sync.fault_gateway"]
BACKENDS = ("sqlite", "postgresql")
MAX_SECONDS = 600
CLIENT_TIMEOUT = 5          # seconds a client may stay silent mid-request


class GatewayProcess:
    """A running gateway and the admin commands that drive it (see the module docstring)."""

    def __init__(self, data_dir: Path, database: str | None = None, *,
                 workers: int = 1, tls: tuple[Path, Path] | None = None) -> None:
        self.data_dir = data_dir
        self.database = database
        self.tls = tls
        self.backend = "postgresql" if database else "sqlite"
        self.workers = workers
        self.url = ""
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def fault_plan(self) -> Path:
        return self.data_dir / "test-faults.json"

    def _db_args(self) -> list[str]:
        return ["--data-dir", str(self.data_dir)] + (
            ["--database", self.database] if self.database else [])

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, timeout: float = 20.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.database:
            self.admin("migrate")
        log = open(self.data_dir / "gateway.log", "ab")  # noqa: SIM115 (owned by the process)
        self.proc = subprocess.Popen(
            [*SERVE_CMD, *self._db_args(), "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--max-seconds", str(MAX_SECONDS), "--client-timeout",
             str(CLIENT_TIMEOUT), "--workers", str(self.workers),
             *(["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])] if self.tls
               else [])],
            stdout=subprocess.PIPE, stderr=log, cwd=ROOT,
            env={**_env(), "RBSW_TEST_FAULT_PLAN": str(self.fault_plan)})
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
                urllib.request.urlopen(self.url + "/api/v1/openapi.json", timeout=2,  # noqa: S310
                                       context=_NO_CHECK if self.tls else None).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL, as a power cut or an OOM kill would (no clean shutdown)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

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
        out = subprocess.run([*GATEWAY_CMD, *self._db_args(), *args],
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

    def fail_next(self, status: int, count: int = 1, retry_after: float | None = None, *,
                  after: int = 0) -> None:
        """The `count` API requests after the next `after` are answered `status`."""
        self.fault_plan.write_text(json.dumps({"status": status, "remaining": count,
                                               "retry_after": retry_after, "after": after}))

    # -- the gateway's own database -----------------------------------------------------------

    def _engine(self) -> Any:
        from sqlalchemy import create_engine

        from rbsw_desktop.gateway import db

        url = db.database_url(self.data_dir, self.database)
        return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))

    def sql(self, query: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement on the gateway's database (committed); its rows, if any."""
        from sqlalchemy import text

        engine = self._engine()
        try:
            with engine.begin() as conn:
                result = conn.execute(text(query), params or {})
                return [tuple(r) for r in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def stored_text(self) -> str:
        """Every row of every table of the gateway's database, as text."""
        from sqlalchemy import MetaData, select

        engine = self._engine()
        try:
            meta = MetaData()
            meta.reflect(engine)
            with engine.connect() as conn:
                return "\n".join(repr(tuple(row)) for table in meta.sorted_tables
                                 for row in conn.execute(select(table)))
        finally:
            engine.dispose()


#: The readiness probe of an HTTPS test gateway only asks whether it answers; the tests that
#: use it check its certificate themselves.
_NO_CHECK = ssl._create_unverified_context()  # noqa: S323


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _database(request: pytest.FixtureRequest) -> str | None:
    """None for the embedded SQLite default; a fresh PostgreSQL database's URL otherwise."""
    if request.param == "sqlite":
        return None
    cluster = request.getfixturevalue("postgres_cluster")
    url = cluster.create_database()
    request.addfinalizer(lambda: cluster.drop_database(url))
    return str(url)


@pytest.fixture(params=BACKENDS)
def gateway_database(request: pytest.FixtureRequest) -> str | None:
    return _database(request)


@pytest.fixture(scope="module", params=BACKENDS)
def module_database(request: pytest.FixtureRequest) -> str | None:
    return _database(request)


@pytest.fixture
def gateway(tmp_path: Path, gateway_database: str | None) -> Iterator[GatewayProcess]:
    """The real gateway process on 127.0.0.1 with an empty store (see the module docstring)."""
    gw = GatewayProcess(tmp_path / "gateway", gateway_database)
    gw.start()
    try:
        yield gw
    finally:
        gw.stop()


@pytest.fixture(scope="module")
def module_gateway(tmp_path_factory: pytest.TempPathFactory,
                   module_database: str | None) -> Iterator[GatewayProcess]:
    """The same, shared by one test module (tests must not depend on what others added)."""
    gw = GatewayProcess(tmp_path_factory.mktemp("gateway"), module_database)
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
