"""A laptop with no keyring cannot keep a device token, so enrolment stops before it spends the
one-time code: the worker is told why, and the same code still works once a keyring is there."""

from __future__ import annotations

import json
from pathlib import Path

from tests.sync.test_cli_sync import needs_keyring, rbsw


@needs_keyring
def test_enrol_without_a_keyring_keeps_the_code_usable(gateway, tmp_path: Path,
                                                        monkeypatch) -> None:
    pod = gateway.pod_add("Keyless Pod (fictional)")
    worker = gateway.worker_add(pod, "Kit Keyless (fictional)", "social_worker")
    code = gateway.enrol_code(worker)
    data = tmp_path / "laptop"
    assert rbsw(data, "init").returncode == 0

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    refused = rbsw(data, "enrol", "--gateway", gateway.url, "--code", code)
    assert refused.returncode == 1
    assert "keyring" in refused.stderr and "Traceback" not in refused.stderr
    assert not [p for p in data.rglob("*") if p.is_file() and code.encode() in p.read_bytes()]

    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    done = rbsw(data, "enrol", "--gateway", gateway.url, "--code", code, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["device_id"]
