"""A revoked laptop wipes its store: lock it, overwrite then delete the database, its -wal and
-shm, the encrypted backups and the key file, and delete its keyring entries.

Everything on disk is already encrypted; overwriting first means even the ciphertext is gone
from the file's blocks where the file system allows (SSDs may keep old copies: the encryption
is what protects those). Nothing personal is logged.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

from rbsw_desktop.errors import KeyringUnavailable
from rbsw_desktop.security import keyring_access

log = logging.getLogger(__name__)

#: Keyring entries a data directory may have.
SECRET_NAMES = ("device_token", "gateway_url", "device_id", keyring_access.DATA_KEY)
_CHUNK = 1024 * 1024


def _overwrite_and_delete(path: Path) -> bool:
    try:
        size = path.stat().st_size
        with open(path, "r+b", buffering=0) as handle:
            left = size
            while left > 0:
                n = min(left, _CHUNK)
                handle.write(os.urandom(n))
                left -= n
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
        return True
    except FileNotFoundError:
        return False


def wipe_data_dir(data_dir: Path) -> int:
    """Overwrite and delete every file of a store. Returns how many files went."""
    data_dir = Path(data_dir)
    gone = 0
    if not data_dir.exists():
        return 0
    names = ["store.db", "store.db-wal", "store.db-shm", "keyfile.json", "unlock-attempts.json"]
    for name in names:
        gone += _overwrite_and_delete(data_dir / name)
    backups = data_dir / "backups"
    if backups.is_dir():
        for path in sorted(backups.iterdir()):
            if path.is_file():
                gone += _overwrite_and_delete(path)
        with contextlib.suppress(OSError):
            backups.rmdir()
    return gone


def forget_secrets(data_dir: Path) -> None:
    for name in SECRET_NAMES:
        try:
            keyring_access.delete_secret(Path(data_dir), name)
        except KeyringUnavailable:
            return


def wipe_store(store: Any) -> None:
    """Lock the store (closing its connection and zeroing its key), then wipe its files and
    keyring entries."""
    data_dir = Path(store.data_dir)
    store.lock()
    count = wipe_data_dir(data_dir)
    forget_secrets(data_dir)
    log.warning("store wiped: %d files", count)
