"""The `rbsw-gateway` admin CLI contract, run as the real command against a real data
directory: ids printed (bare, or `{"id": ...}` with --json), records listed, plain-words errors
with no traceback, and a server that stops by itself after --max-seconds."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.sync.conftest import GATEWAY_CMD, ROOT, _env

UUID = re.compile(r"^[0-9a-f-]{36}$")


def gw(data_dir: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GATEWAY_CMD, "--data-dir", str(data_dir), *args], text=True,
                          capture_output=True, timeout=timeout, cwd=ROOT, env=_env())


def test_each_add_prints_the_new_id_and_records_lists_them(tmp_path: Path) -> None:
    d = tmp_path / "gw"
    pod = gw(d, "pod", "add", "CLI Pod (fictional)")
    assert pod.returncode == 0 and UUID.match(pod.stdout.strip()), pod.stderr
    pod_id = pod.stdout.strip()
    other = json.loads(gw(d, "pod", "add", "Other Pod (fictional)", "--json").stdout)
    assert set(other) == {"id"} and UUID.match(other["id"])
    worker = gw(d, "worker", "add", "--pod", pod_id, "--name", "Sam Testworker (fictional)",
                "--role", "senior_social_worker", "--json")
    worker_id = json.loads(worker.stdout)["id"]
    case = json.loads(gw(d, "case", "add", "--worker", worker_id, "--child", "Ada Fictional",
                         "--json").stdout)
    assert UUID.match(case["id"]) and UUID.match(case["child_id"])
    bare_case = gw(d, "case", "add", "--worker", worker_id, "--child", "Ben Example")
    assert UUID.match(bare_case.stdout.strip())
    code = gw(d, "enrol-code", "--worker", worker_id).stdout.strip()
    assert re.match(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$", code)
    assert json.loads(gw(d, "enrol-code", "--worker", worker_id, "--json").stdout)["code"]

    rows = json.loads(gw(d, "records", "--pod", pod_id, "--json").stdout)
    by_entity: dict[str, list[dict]] = {}
    for row in rows:
        assert {"entity", "id", "rev", "fields", "filed", "case_system_ref"} <= set(row)
        by_entity.setdefault(row["entity"], []).append(row)
    assert {e: len(v) for e, v in by_entity.items()} == {"pod": 1, "worker": 1, "child": 2,
                                                          "case": 2}
    (case_row,) = [r for r in by_entity["case"] if r["id"] == case["id"]]
    assert case_row["fields"]["child_id"] == case["child_id"]
    assert case_row["fields"]["worker_id"] == worker_id and case_row["rev"] == 1
    everything = json.loads(gw(d, "records", "--json").stdout)
    assert other["id"] in {r["id"] for r in everything} and len(everything) == len(rows) + 1
    text = gw(d, "records", "--pod", pod_id).stdout
    assert case["id"] in text and "Ada Fictional" not in text      # ids, not names
    audit = json.loads(gw(d, "audit", "--json").stdout)
    assert {"admin pod add", "admin worker add", "admin case add", "admin enrol-code",
            "admin records"} <= {a["action"] for a in audit}
    assert "Ada Fictional" not in json.dumps(audit) and code not in json.dumps(audit)


def test_mistakes_get_plain_words_and_no_traceback(tmp_path: Path) -> None:
    d = tmp_path / "gw"
    for args in (("worker", "add", "--pod", "no-such-pod", "--name", "X", "--role", "nqsw"),
                 ("case", "add", "--worker", "no-such-worker", "--child", "X"),
                 ("enrol-code", "--worker", "no-such-worker"),
                 ("revoke", "--device", "no-such-device")):
        out = gw(d, *args)
        assert out.returncode == 1 and out.stdout == ""
        assert out.stderr.startswith("rbsw-gateway: ") and "Traceback" not in out.stderr
    bad_role = gw(d, "worker", "add", "--pod", "p", "--name", "X", "--role", "wizard")
    assert bad_role.returncode == 2 and "invalid choice" in bad_role.stderr


def test_text_that_is_not_utf8_is_named_and_nothing_is_added(tmp_path: Path) -> None:
    d = tmp_path / "gw"
    pod = gw(d, "pod", "add", "UTF-8 Pod (fictional)").stdout.strip()
    worker = gw(d, "worker", "add", "--pod", pod, "--name", "Sam Bytes (fictional)", "--role",
                "social_worker").stdout.strip()
    out = gw(d, "case", "add", "--worker", worker, "--child", b"Ada \xff Fictional")
    assert out.returncode == 1 and out.stdout == "" and "Traceback" not in out.stderr
    assert "The text given to --child is not valid UTF-8" in out.stderr, out.stderr
    assert [r["entity"] for r in json.loads(gw(d, "records", "--json").stdout)] == [
        "pod", "worker"]


def test_serve_stops_by_itself_and_refuses_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = gw(tmp_path / "gw", "serve", "--port", str(port), "--max-seconds", "5")
        assert out.returncode == 1 and "could not listen" in out.stderr
        assert "Traceback" not in out.stderr
    t0 = time.monotonic()
    out = gw(tmp_path / "gw", "serve", "--port", "0", "--max-seconds", "1")
    assert out.returncode == 0 and time.monotonic() - t0 < 10
    assert json.loads(out.stdout.splitlines()[0])["url"].startswith("http://127.0.0.1:")


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="reads /proc (Linux)")
def test_a_demo_gateway_stops_when_the_app_that_started_it_dies(tmp_path: Path) -> None:
    app = subprocess.Popen(
        [*GATEWAY_CMD[:1], "-c",
         "import subprocess, sys, time\n"
         f"p = subprocess.Popen({GATEWAY_CMD!r} + ['--data-dir', {str(tmp_path)!r}, 'serve', "
         "'--port', '0', '--exit-with-parent'], stdout=subprocess.PIPE)\n"
         "print(p.pid, p.stdout.readline().decode().strip(), flush=True)\n"
         "time.sleep(60)\n"], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=_env())
    assert app.stdout is not None
    pid_text, url_line = app.stdout.readline().split(" ", 1)
    assert json.loads(url_line)["url"].startswith("http://127.0.0.1:")
    app.kill()                                  # the app dies without stopping its gateway
    app.wait(timeout=10)
    app.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{int(pid_text)}").exists() \
            and "zombie" not in _state(int(pid_text)):
        time.sleep(0.1)
    assert not Path(f"/proc/{int(pid_text)}").exists() or "zombie" in _state(int(pid_text))


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return "zombie"
