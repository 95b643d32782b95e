"""`rbsw enrol`, `rbsw sync` and `rbsw status` as a script uses them: a real laptop store, the
real gateway process, and the device token in the real keyring (never in a file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

needs_keyring = pytest.mark.skipif(
    os.environ.get("RBSW_TEST_KEYRING") != "secret-service",
    reason="run through `python3 installers/dev.py test`, which starts a private keyring")

PASS = "fictional cli sync passphrase"


def rbsw(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, RBSW_PASSPHRASE=PASS, RBSW_TEST_FAST_KDF="1",
               RBSW_LOG_DIR=str(data_dir.parent / "logs"))
    return subprocess.run([sys.executable, "-m", "rbsw_desktop.cli", "--data-dir",
                           str(data_dir), *args], capture_output=True, text=True, env=env,
                          timeout=120, stdin=subprocess.DEVNULL)


@needs_keyring
def test_enrol_sync_and_status(gateway, tmp_path: Path) -> None:
    pod = gateway.pod_add("CLI Pod (fictional)")
    worker = gateway.worker_add(pod, "Sam Cliworker (fictional)", "social_worker")
    case_id = gateway.case_add(worker, "Ada Clichild")
    data = tmp_path / "laptop"
    assert rbsw(data, "init").returncode == 0
    done = rbsw(data, "enrol", "--gateway", gateway.url, "--code",
                gateway.enrol_code(worker), "--json")
    assert done.returncode == 0, done.stderr
    device_id = json.loads(done.stdout)["device_id"]
    token_files = [p for p in data.rglob("*") if p.is_file()
                   and b"token" in p.read_bytes().lower() and p.suffix != ".db"]
    assert token_files == []                          # the token is in the keyring only

    done = rbsw(data, "sync", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    cases = json.loads(rbsw(data, "cases", "--json").stdout)
    assert [c["id"] for c in cases] == [case_id]
    assert cases[0]["child_name"] == "Ada Clichild"

    assert rbsw(data, "visit", "add", "--case", case_id, "--text",
                "Fictional visit made on the laptop").returncode == 0
    status = json.loads(rbsw(data, "status", "--json").stdout)
    assert status["device_id"] == device_id and status["pending"] == 1
    assert {"conflicts", "quarantined", "last_sync"} <= set(status)

    done = rbsw(data, "sync", "--json")
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)["pushed"] == 1
    assert json.loads(rbsw(data, "status", "--json").stdout)["pending"] == 0
    visits = [r for r in gateway.records(pod=pod) if r["entity"] == "visit"]
    assert len(visits) == 1 and visits[0]["fields"]["observations"] == \
        "Fictional visit made on the laptop"


@needs_keyring
def test_sync_before_enrolling_says_what_to_do(tmp_path: Path) -> None:
    data = tmp_path / "laptop"
    rbsw(data, "init")
    done = rbsw(data, "sync")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "rbsw enrol" in done.stderr


def test_sync_on_a_computer_with_no_keyring_says_why_it_cannot(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No password store at all (keyring's own "fail" backend): sync says so in words, on any
    machine the tests run on."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    data = tmp_path / "laptop"
    rbsw(data, "init")
    done = rbsw(data, "sync")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "no password store (keyring)" in done.stderr
