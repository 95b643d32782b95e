"""The IT team's policy file, and the self-test an IT team reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rbsw_desktop.deployment import load_policy


@pytest.fixture
def policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "policy.json"
    monkeypatch.setenv("RBSW_POLICY_FILE", str(path))
    return path


def test_no_file_gives_the_defaults(policy_file: Path) -> None:
    policy = load_policy()
    assert policy.idle_lock_minutes == 5 and not policy.allow_keyring_unlock
    assert policy.gateway_url is None and policy.warnings == ()


def test_a_pushed_policy_is_read(policy_file: Path) -> None:
    policy_file.write_text(json.dumps({"gateway_url": "https://rbsw.council.example/",
                                       "idle_lock_minutes": 10, "allow_keyring_unlock": True}))
    policy = load_policy()
    assert (policy.gateway_url, policy.idle_lock_minutes, policy.allow_keyring_unlock) == \
        ("https://rbsw.council.example/", 10, True)


def test_the_user_can_only_make_it_stricter(policy_file: Path) -> None:
    policy_file.write_text(json.dumps({"idle_lock_minutes": 10}))
    policy = load_policy()
    assert policy.effective_idle_minutes(3) == 3
    assert policy.effective_idle_minutes(60) == 10
    assert policy.effective_idle_minutes(None) == 10


def test_idle_time_is_capped_at_fifteen_minutes(policy_file: Path) -> None:
    policy_file.write_text(json.dumps({"idle_lock_minutes": 120}))
    policy = load_policy()
    assert policy.idle_lock_minutes == 15 and "outside" in policy.warnings[0]


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"idle_lock_minutes": "ten"}',
                                     '{"allow_keyring_unlock": "yes"}',
                                     '{"gateway_url": "file:///etc/passwd"}'])
def test_a_damaged_policy_gives_the_safest_settings(policy_file: Path, content: str) -> None:
    policy_file.write_text(content)
    policy = load_policy()
    assert policy.idle_lock_minutes == 1 and not policy.allow_keyring_unlock
    assert "safest settings" in policy.warnings[0]


def run_self_test(tmp_path: Path, policy: dict | None, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if policy is not None:
        (tmp_path / "p.json").write_text(json.dumps(policy))
        env["RBSW_POLICY_FILE"] = str(tmp_path / "p.json")
    return subprocess.run([sys.executable, "-m", "rbsw_desktop.app", "--self-test",
                           "--offscreen", *extra], capture_output=True, text=True, env=env,
                          timeout=120)


def test_self_test_reports_each_check_plainly(tmp_path: Path) -> None:
    done = run_self_test(tmp_path, {"gateway_url": "http://127.0.0.1:9/"})
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for name in ("Qt", "SQLCipher", "Keyring", "Fonts", "Policy", "Gateway"):
        assert any(line.split()[1:2] == [name] for line in lines if line.split()), name
    assert any(line.startswith("OK       SQLCipher  4.") for line in lines)
    assert any(line.startswith("WARNING  Gateway") and "did not answer" in line
               for line in lines)
    assert lines[-1] == "Result: ready to use."


def test_self_test_json(tmp_path: Path) -> None:
    done = run_self_test(tmp_path, None, "--json")
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert {c["name"] for c in report["checks"]} >= {"Qt", "SQLCipher", "Fonts"}
