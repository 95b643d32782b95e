"""Unlocking: wrong passphrases, the growing wait, tampered files refused with nothing
overwritten, the real Argon2id parameters, and lock() dropping the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rbsw_desktop.domain import Zone
from rbsw_desktop.errors import (
    InvalidInput,
    KeyringUnavailable,
    StoreDamaged,
    StoreLocked,
    TooManyAttempts,
    WrongPassphrase,
)
from rbsw_desktop.security import keyring_access
from rbsw_desktop.security.keys import DEFAULT_PARAMS
from rbsw_desktop.security.lockout import wait_after
from rbsw_desktop.store import Store
from tests.conftest import PASSPHRASE


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_wrong_passphrase_then_a_growing_wait(store: Store, data_dir: Path) -> None:
    store.lock()
    clock = Clock()
    for _ in range(3):
        with pytest.raises(WrongPassphrase, match="not right"):
            Store.unlock(data_dir, "not it", clock=clock)
    # The fourth try comes too soon: refused even with the right passphrase.
    with pytest.raises(TooManyAttempts, match="wait 5 seconds"):
        Store.unlock(data_dir, PASSPHRASE, clock=clock)
    clock.now += 5.1
    with pytest.raises(WrongPassphrase, match="wait 10 seconds"):
        Store.unlock(data_dir, "still not it", clock=clock)
    clock.now += 10.1
    Store.unlock(data_dir, PASSPHRASE, clock=clock).lock()
    # Success resets the count: the next wrong try costs no wait.
    with pytest.raises(WrongPassphrase) as caught:
        Store.unlock(data_dir, "not it", clock=clock)
    assert caught.value.wait_seconds == 0


def test_wait_grows_and_is_capped() -> None:
    assert [wait_after(n) for n in range(6)] == [0, 0, 0, 5, 10, 20]
    assert wait_after(50) == 300


def test_the_real_kdf_parameters_unlock(tmp_path: Path) -> None:
    store = Store.create(tmp_path / "d", "a long fictional passphrase", kdf=DEFAULT_PARAMS)
    store.lock()
    doc = json.loads((tmp_path / "d" / "keyfile.json").read_text())
    assert doc["kdf"]["name"] == "argon2id" and doc["kdf"]["memory_kib"] >= 65536
    Store.unlock(tmp_path / "d", "a long fictional passphrase").lock()


def test_short_passphrases_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="at least 8"):
        Store.create(tmp_path / "d", "short")
    assert not (tmp_path / "d" / "keyfile.json").exists()


def _flip(doc: dict) -> dict:
    wrapped = bytearray(doc["wrapped_key"].encode())
    wrapped[5] = ord("A") if wrapped[5] != ord("A") else ord("B")
    doc["wrapped_key"] = wrapped.decode()
    return doc


@pytest.mark.parametrize("tamper", ["flip-wrapped-key", "lower-kdf-cost", "truncate", "garbage",
                                    "resign-checksum"])
def test_a_tampered_key_file_is_refused_and_left_as_it_is(store: Store, data_dir: Path,
                                                          tamper: str) -> None:
    store.lock()
    path = data_dir / "keyfile.json"
    doc = json.loads(path.read_text())
    if tamper == "flip-wrapped-key":
        path.write_text(json.dumps(_flip(doc)))
    elif tamper == "lower-kdf-cost":
        doc["kdf"]["time_cost"] = 2
        path.write_text(json.dumps(doc))
    elif tamper == "truncate":
        path.write_bytes(path.read_bytes()[:40])
    elif tamper == "garbage":
        path.write_bytes(b"\x00\xff not json")
    else:  # an attacker who also recomputes the checksum: the GCM tag still refuses
        import hashlib

        from rbsw_desktop.security.keys import _canonical
        doc = _flip(doc)
        body = {k: v for k, v in doc.items() if k != "checksum"}
        doc["checksum"] = hashlib.sha256(_canonical(body)).hexdigest()
        path.write_text(json.dumps(doc))
    before = path.read_bytes()
    db_before = (data_dir / "store.db").read_bytes()
    with pytest.raises((StoreDamaged, WrongPassphrase)) as caught:
        Store.unlock(data_dir, PASSPHRASE)
    assert "Traceback" not in str(caught.value) and len(str(caught.value)) > 20
    assert path.read_bytes() == before
    assert (data_dir / "store.db").read_bytes() == db_before


def test_a_tampered_database_is_refused_and_not_rewritten(store: Store, data_dir: Path,
                                                         case) -> None:
    for i in range(300):
        store.board.add(case.id, Zone.RED, f"Fictional item number {i} " + "x" * 200)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.lock()
    path = data_dir / "store.db"
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 3 + 100, len(data), 4096):   # a byte in every page after the 3rd
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(StoreDamaged, match="damaged or has been changed"):
        reopened = Store.unlock(data_dir, PASSPHRASE)
        reopened.board.items(case.id)   # if opening succeeded, reading a damaged page must refuse
    assert path.read_bytes() == bytes(data)


def test_first_page_tampering_is_refused_on_open(store: Store, data_dir: Path) -> None:
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.lock()
    path = data_dir / "store.db"
    data = bytearray(path.read_bytes())
    data[200] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(StoreDamaged):
        Store.unlock(data_dir, PASSPHRASE)


def test_lock_drops_the_key_and_the_connection(store: Store, case) -> None:
    key = store._key
    assert key is not None and any(key)
    store.lock()
    assert store.locked and not any(key)
    with pytest.raises(StoreLocked):
        store.cases.summaries()
    with pytest.raises(StoreLocked):
        store.board.add(case.id, Zone.RED, "after lock")
    with pytest.raises(StoreLocked):
        store.raw_key()


def test_no_keyring_backend_is_a_plain_message_not_a_crash(tmp_path: Path) -> None:
    import keyring
    from keyring.backends import fail
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert not keyring_access.available()
        with pytest.raises(KeyringUnavailable, match="passphrase"):
            keyring_access.set_secret(tmp_path, "device_token", "fictional")
        with pytest.raises(KeyringUnavailable):
            keyring_access.get_secret(tmp_path, "device_token")
    finally:
        keyring.set_keyring(previous)
    assert list(tmp_path.iterdir()) == []   # no plaintext fallback file
