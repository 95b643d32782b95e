"""A revoked (or lost) laptop's wipe: its keyring secrets go even when a store file will not, one
failing deletion never keeps the others, and what is left is said plainly, never "wiped"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rbsw_desktop.errors import KeyringUnavailable
from rbsw_desktop.security import keyring_access
from rbsw_desktop.security.wipe import SECRET_NAMES, wipe_store
from rbsw_desktop.store import Store
from rbsw_desktop.sync.engine import SyncEngine
from rbsw_desktop.sync.transport import DeviceRevoked
from tests.security.test_keyring_unlock import needs_real_keyring


def _keep_every_secret(store: Store, data_dir: Path) -> None:
    """What an enrolled laptop with keyring unlock keeps: the device's credentials, the key."""
    for name in SECRET_NAMES:
        if name != keyring_access.DATA_KEY:
            keyring_access.set_secret(data_dir, name, f"fictional {name}")
    keyring_access.remember_data_key(data_dir, store.raw_key())
    assert all(keyring_access.get_secret(data_dir, name) for name in SECRET_NAMES)


def _undeletable(path: Path) -> None:
    """A stand-in for a file Windows will not let go (open elsewhere): a non-empty folder where
    the file was, which neither open nor unlink can remove (the tests run as root, so a
    permission change would not stop them)."""
    path.unlink()
    path.mkdir()
    (path / "held").write_bytes(b"x")


def _secrets_left(data_dir: Path) -> list[str]:
    return [name for name in SECRET_NAMES if keyring_access.get_secret(data_dir, name)]


@needs_real_keyring
def test_secrets_go_even_when_a_store_file_cannot_be_deleted(store: Store,
                                                             data_dir: Path) -> None:
    _keep_every_secret(store, data_dir)
    store.backup("before-wipe")
    store.lock()
    _undeletable(data_dir / "store.db")
    result = wipe_store(store)
    assert _secrets_left(data_dir) == []                      # the token and the key are gone
    assert keyring_access.recall_data_key(data_dir) is None
    assert not (data_dir / "keyfile.json").exists()           # the other files still went
    assert not (data_dir / "backups").exists()                # the backup too
    assert not result.complete and result.files_left == ("store.db",)
    assert "IT support" in result.problem() and "store" in result.problem()


@needs_real_keyring
@pytest.mark.parametrize(("failing", "error"), [
    ("device_token", KeyringUnavailable("the keyring is busy")),   # the first name
    (keyring_access.DATA_KEY, RuntimeError("D-Bus went away")),     # the last, not a keyring error
])
def test_every_secret_is_removed_even_when_one_deletion_fails(
        store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch, failing: str,
        error: Exception) -> None:
    _keep_every_secret(store, data_dir)
    real_delete = keyring_access.delete_secret

    def delete(folder: Path, name: str) -> None:
        if name == failing:
            raise error
        real_delete(folder, name)

    monkeypatch.setattr(keyring_access, "delete_secret", delete)
    result = wipe_store(store)
    assert _secrets_left(data_dir) == [failing]               # every other entry went
    assert not (data_dir / "store.db").exists()               # and so did the files
    assert result.secrets_left == (failing,) and result.files_left == ()
    assert "password store" in result.problem() and "IT support" in result.problem()


def test_a_complete_wipe_reports_nothing_left(store: Store, data_dir: Path) -> None:
    result = wipe_store(store)
    assert result.complete and result.problem() == "" and result.files_removed >= 2
    assert not [p for p in data_dir.rglob("*") if p.is_file()]


class _RevokedTransport:
    """The gateway's answer to a revoked laptop, to every request."""

    def close(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        def revoked(*_args: Any, **_kwargs: Any) -> Any:
            raise DeviceRevoked("device_revoked")
        return revoked


def test_a_revoked_laptop_whose_wipe_is_incomplete_does_not_say_it_was_wiped(
        store: Store, data_dir: Path) -> None:
    _undeletable(data_dir / "keyfile.json")     # read only at unlock: the store stays open
    report = SyncEngine(store, _RevokedTransport()).sync_once()  # type: ignore[arg-type]
    message = report.errors[0]
    assert report.revoked and store.locked and not (data_dir / "store.db").exists()
    assert "signed out by the council" in message and "has been wiped" not in message
    assert "IT support" in message and "do not use it for case work" in message
