"""`python -m tests.fuzz [SCHEMATHESIS ARGS...]` (or `python3 installers/dev.py fuzz`): Schemathesis
against the real gateway process on loopback, from the OpenAPI document it serves, with real
device tokens: once as a social worker, once as the pod's business support officer.

Every check runs (Schemathesis's default; tests/fuzz/schemathesis.toml says which answers are
the protocol's design): no 5xx; every status, header, content type and body conforms to the
document; bad input is refused and good input accepted. Exit 0 when both runs pass. The
gateway is the production one on the embedded SQLite default, in a temporary data directory,
and stops when the run ends (or by itself after its time limit)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.sync.conftest import GatewayProcess
from tests.sync.gw_world import enrol

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
DEFAULTS = ["--max-examples", "60", "--seed", "20261201",
            "--request-timeout", "10", "--workers", "1", "--warnings", "off"]


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="rbsw-fuzz-") as tmp:
        gw = GatewayProcess(Path(tmp) / "gateway")
        gw.start()
        try:
            pod = gw.pod_add("Fuzz Pod (fictional)")
            worker = gw.worker_add(pod, "Sam Fuzzworker (fictional)", "social_worker")
            gw.case_add(worker, "Ada Fictional")
            support = gw.worker_add(pod, "Bea Fuzzsupport (fictional)", "business_support")
            failed = 0
            for who, person in (("social worker", worker), ("business support", support)):
                token = enrol(gw.url, gw.enrol_code(person), f"fuzz {who}")["token"]
                print(f"\n== schemathesis as the pod's {who} ==", flush=True)
                cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG),
                       "run",
                       f"{gw.url}/api/v1/openapi.json", "-H", f"Authorization: Bearer {token}",
                       *DEFAULTS, *argv]
                failed += subprocess.run(cmd, cwd=ROOT).returncode != 0
            audit = gw.sql("SELECT count(*) FROM audit WHERE status >= 500")
            print(f"\n5xx answers in the gateway's audit: {audit[0][0]}")
            return 1 if failed or audit[0][0] else 0
        finally:
            gw.stop()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
