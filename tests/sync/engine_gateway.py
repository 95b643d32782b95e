"""The gateway for the engine's behaviour tests (tests/sync/test_engine_mutants.py), fast enough
for mutation testing: each test takes a few hundred ms, not the 30-40 s of the usual `gateway`
fixture (a gateway start and six admin subprocesses per test).

Two things make it fast. Admin commands run the real gateway CLI (`rbsw_desktop.gateway.cli`)
in this process, on the same database the server uses, rather than in a subprocess that imports
everything again. And when `RBSW_ENGINE_GATEWAY` is set (`dev.py mutate engine` sets it to
`{"url": ..., "data_dir": ...}` of the ONE gateway it started, a `tests.sync.fault_gateway` on
loopback with embedded SQLite), every test uses that gateway instead of starting its own; each
test makes its own pod, workers and case, so tests stay apart. Without the variable each test
starts its own gateway on each backend, as tests/sync does.

mutmut runs two mutants at once against the one gateway, and `fail_next` (the fault plan) is the
gateway's, not a test's: so each test holds a shared lock on the gateway's data directory, and
a test that plans faults upgrades it to an exclusive one until it ends (its faults can reach no
other test's requests, and no other test's requests can use up its faults)."""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from tests.sync.conftest import BACKENDS, GatewayProcess, _database

SHARED_ENV = "RBSW_ENGINE_GATEWAY"


class InProcessAdminGateway(GatewayProcess):
    """A gateway whose admin commands run the real CLI in this process (see the docstring)."""

    lock: IO[str] | None = None
    exclusive = False

    def admin(self, *args: str, check: bool = True) -> str:
        from rbsw_desktop.gateway import cli

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main([*self._db_args(), *args])
        if check and code != 0:
            raise AssertionError(f"rbsw-gateway {' '.join(args[:2])} failed ({code}): "
                                 f"{err.getvalue().strip()}")
        return out.getvalue().strip()

    def fail_next(self, status: int, count: int = 1, retry_after: float | None = None, *,
                  after: int = 0) -> None:
        if self.lock is not None:
            fcntl.flock(self.lock, fcntl.LOCK_EX)     # held until the test ends
            self.exclusive = True
        super().fail_next(status, count, retry_after, after=after)

    def clear_faults(self) -> None:
        """Drop what is left of a fault plan (a test whose mutant never used it up)."""
        if self.fault_plan.exists():
            self.fault_plan.write_text(json.dumps({"remaining": 0}))


def _shared() -> dict[str, str] | None:
    spec = os.environ.get(SHARED_ENV)
    return json.loads(spec) if spec else None


@pytest.fixture(name="gateway", params=["shared"] if _shared() else BACKENDS)
def gateway_fixture(request: pytest.FixtureRequest,
                    tmp_path: Path) -> Iterator[InProcessAdminGateway]:
    """The real gateway process on 127.0.0.1: the shared one, or one of this test's own."""
    spec = _shared()
    if spec is None:
        gw = InProcessAdminGateway(tmp_path / "gateway", _database(request))
        gw.start()
        try:
            yield gw
        finally:
            gw.stop()
        return
    gw = InProcessAdminGateway(Path(spec["data_dir"]))
    gw.url = spec["url"]
    gw.port = int(gw.url.rsplit(":", 1)[1])
    with open(gw.data_dir / "engine-tests.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
        gw.clear_faults()              # nobody holds it exclusively: any plan left is stale
        gw.lock = lock
        try:
            yield gw
        finally:
            if gw.exclusive:
                gw.clear_faults()
            fcntl.flock(lock, fcntl.LOCK_UN)
