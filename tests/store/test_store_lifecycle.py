"""A store's life on the laptop: made in a private folder, refused twice in one place, migrated
after an encrypted backup, refused when a newer app wrote it, its key wiped from memory at a
lock, its passphrase checked and changed, its device id kept; and what was being typed at a lock
kept (encrypted) until it is restored or cleared."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from rbsw_desktop.errors import RbswError, StoreExists, StoreLocked, WrongPassphrase
from rbsw_desktop.store import Store
from rbsw_desktop.store.migrations import MIGRATIONS
from tests.conftest import FAST_KDF, PASSPHRASE


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_store_is_made_in_a_private_folder_once(tmp_path: Path) -> None:
    (tmp_path / "ready").mkdir()
    for folder in (tmp_path / "new" / "deeper", tmp_path / "ready"):
        store = Store.create(folder, PASSPHRASE, kdf=FAST_KDF)
        store.lock()
        assert mode(folder) == 0o700
        where = re.escape(str(folder))
        with pytest.raises(StoreExists, match=f"^There is already a store in {where}. Unlock "
                                              "it instead.$"):
            Store.create(folder, PASSPHRASE, kdf=FAST_KDF)
    lone = tmp_path / "only-a-database"
    lone.mkdir()
    (lone / "store.db").write_bytes(b"")
    with pytest.raises(StoreExists):
        Store.create(lone, PASSPHRASE, kdf=FAST_KDF)


def test_an_older_store_is_backed_up_then_migrated_and_a_newer_one_refused(
        tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    older = Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF, migrations=MIGRATIONS[:4])
    assert older.schema_version() == 4 and not (data_dir / "backups").exists()
    older.set_meta("worker_name", "Pat Fictional")
    older.lock()
    store = Store.unlock(data_dir, PASSPHRASE)
    try:
        assert store.schema_version() == MIGRATIONS[-1].number
        (backup,) = (data_dir / "backups").iterdir()
        assert re.fullmatch(r"store-before-migration-5-\d{8}T\d{9}Z\.db", backup.name)
        assert (mode(backup), mode(backup.parent)) == (0o600, 0o700)
        copy = tmp_path / "copy"
        copy.mkdir()
        backup.rename(copy / "store.db")
        again = Store.open_with_key(copy, store.raw_key(), migrations=MIGRATIONS[:4])
        assert (again.schema_version(), again.meta("worker_name")) == (4, "Pat Fictional")
        again.lock()
        store.backup("by hand")
        store.backup("by hand")
        assert len(list((data_dir / "backups").iterdir())) == 2
        assert store.verify() == []
    finally:
        store.lock()
    with pytest.raises(RbswError, match="^This store was written by a newer version of the "
                                        "app. Please update the app.$"):
        Store.unlock(data_dir, PASSPHRASE, migrations=MIGRATIONS[:5])


def test_a_lock_wipes_the_key_and_the_store_refuses_work_in_words(tmp_path: Path) -> None:
    made = Store.create(tmp_path / "data", PASSPHRASE, kdf=FAST_KDF)
    key = bytearray(made.raw_key())
    made.lock()
    store = Store(tmp_path / "data", key)
    assert not store.locked
    store.lock()
    assert store.locked and key == bytearray(len(key))
    store.lock()                                  # twice is harmless
    for work in (store.raw_key, store.check_open, lambda: store.meta("x"),
                 lambda: store.drafts.get("x"), lambda: store.outbox.pending_count()):
        with pytest.raises(StoreLocked, match="^The app is locked. Unlock it with your "
                                              "passphrase to go on.$"):
            work()


def test_the_passphrase_is_checked_and_changed_with_the_store_open(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    store = Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF)
    device = store.device_id
    try:
        store.check_passphrase(PASSPHRASE)
        with pytest.raises(WrongPassphrase):
            store.check_passphrase("not the passphrase")
        store.change_passphrase(PASSPHRASE, "a new fictional passphrase")
        assert store.meta("device_id") == device            # still open
        store.set_device_id("device-from-the-council")
    finally:
        store.lock()
    with pytest.raises(WrongPassphrase):
        Store.unlock(data_dir, PASSPHRASE)
    again = Store.unlock(data_dir, "a new fictional passphrase")
    try:
        assert again.device_id == "device-from-the-council"
    finally:
        again.lock()


def test_what_was_typed_at_a_lock_is_kept_until_it_is_cleared(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    store = Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF)
    store.drafts.save("visit:1", '{"observations": "Half a thought (fictional)"}')
    store.drafts.save("visit:1", '{"observations": "A whole thought (fictional)"}')
    store.drafts.save("board:2", "Another (fictional)")
    assert store.drafts.get("nothing here") is None
    store.lock()
    store = Store.unlock(data_dir, PASSPHRASE)
    try:
        assert store.drafts.get("visit:1") == '{"observations": "A whole thought (fictional)"}'
        store.drafts.clear("visit:1")
        assert (store.drafts.get("visit:1"), store.drafts.get("board:2")) == (
            None, "Another (fictional)")
        assert store.outbox.pending_count() == 0                # never synced
    finally:
        store.lock()
