"""The demo's link to its own gateway (sync/demo_link.py), against the real gateway process:
only the records the gateway was seeded with count as synced, and a demo laptop that business
support revoked is never quietly enrolled again: its next sync is told so and wipes the store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rbsw_desktop.demo_link import link_demo
from rbsw_desktop.domain import Child
from rbsw_desktop.gateway.embedded import start_local_gateway
from rbsw_desktop.store.demo import create_demo_store
from rbsw_desktop.sync import device
from tests.conftest import FAST_KDF

pytestmark = pytest.mark.skipif(
    os.environ.get("RBSW_TEST_KEYRING") != "secret-service",
    reason="run through `python3 installers/dev.py test`, which starts a private keyring")


def test_a_revoked_demo_laptop_is_not_enrolled_again(tmp_path: Path) -> None:
    store = create_demo_store(tmp_path / "demo", kdf=FAST_KDF)
    # A child with no case: the gateway is never seeded with it, so it must not count as synced.
    orphan = store.records.save(Child(name="Una Caseless (fictional)"))
    gateway_dir = tmp_path / "demo" / "demo-gateway"
    url, stop = start_local_gateway(gateway_dir, seed_demo=False)
    try:
        link_demo(store, gateway_dir, url)
        device_id = store.device_id
        assert device.enrolled(store) and device_id
        assert store.records.find(Child, "id = ?", [orphan.id])[0].rev is None

        subprocess.run([sys.executable, "-m", "rbsw_desktop.gateway.cli", "--data-dir",
                        str(gateway_dir), "revoke", "--device", device_id],
                       check=True, capture_output=True, timeout=60)
        link_demo(store, gateway_dir, url)                   # the next launch
        assert store.device_id == device_id                  # no new enrolment

        report = device.engine_for(store).sync_once()
        assert report.revoked
        assert not (tmp_path / "demo" / "store.db").exists()
    finally:
        stop()
