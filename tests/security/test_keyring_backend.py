"""The keyring tests run against a real Secret Service (gnome-keyring in a private D-Bus session,
started by the test command)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rbsw_desktop.security import keyring_access

needs_real_keyring = pytest.mark.skipif(
    os.environ.get("RBSW_TEST_KEYRING") != "secret-service",
    reason="run through `python3 installers/dev.py test`, which starts a private keyring")


@needs_real_keyring
def test_secret_round_trips_through_the_real_keyring(tmp_path: Path) -> None:
    assert keyring_access.available()
    keyring_access.set_secret(tmp_path, "device_token", "fictional-token-123")
    assert keyring_access.get_secret(tmp_path, "device_token") == "fictional-token-123"
    # Another data directory never sees this one's secrets.
    assert keyring_access.get_secret(tmp_path / "other", "device_token") is None
    keyring_access.delete_secret(tmp_path, "device_token")
    assert keyring_access.get_secret(tmp_path, "device_token") is None
