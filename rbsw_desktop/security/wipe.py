"""A revoked (or retired) laptop wipes its store: delete its keyring entries (the device token,
and the data key where kept) first, then lock it and overwrite then delete the database, its
-wal and -shm, the encrypted backups and the key file. What is left behind is a wipe note
(`wiped.json`: when, why, and how many records were destroyed unsent; counts only), so that
`rbsw status` can still say what happened.

Each secret and each file is tried on its own: one that cannot be removed (a locked file on
Windows, a keyring error) never stops the rest. What is left is returned (WipeResult), so the
caller says so plainly instead of saying the laptop is clean.

Everything on disk is already encrypted; overwriting first means even the ciphertext is gone
from the file's blocks where the file system allows (SSDs may keep old copies: the encryption
is what protects those). Nothing personal is logged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rbsw_desktop.domain.instants import utc_now
from rbsw_desktop.security import keyring_access

if TYPE_CHECKING:
    from rbsw_desktop.store import Store

log = logging.getLogger(__name__)

#: Keyring entries a data directory may have.
SECRET_NAMES = ("device_token", "gateway_url", "device_id", keyring_access.DATA_KEY)
_CHUNK = 1024 * 1024
WIPE_NOTE = "wiped.json"


@dataclass(frozen=True)
class WipeResult:
    """What a wipe removed and what it could not (file names in the data folder, keyring entry
    names: nothing personal)."""
    files_removed: int = 0
    files_left: tuple[str, ...] = ()
    secrets_left: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.files_left and not self.secrets_left

    def problem(self) -> str:
        """Plain words for the person at the laptop; empty when everything went."""
        if self.complete:
            return ""
        left = []
        if self.secrets_left:
            left.append(f"{len(self.secrets_left)} saved sign-in secret(s) in the computer's "
                        "password store")
        if self.files_left:
            left.append(f"{len(self.files_left)} file(s) of the app's encrypted store")
        return (f"Not everything could be removed: {' and '.join(left)} are still on this "
                "laptop. Close the app, do not use it for case work, and tell IT support now so "
                "they can remove them.")


def _overwrite_and_delete(path: Path) -> bool:
    """True when the file went, False when it was not there; OSError when it stays."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    try:
        with open(path, "r+b", buffering=0) as handle:
            left = size
            while left > 0:
                n = min(left, _CHUNK)
                handle.write(os.urandom(n))
                left -= n
            handle.flush()
            os.fsync(handle.fileno())
    except FileNotFoundError:
        return False
    except OSError as exc:      # still delete it: the contents are encrypted anyway
        log.warning("wipe: could not overwrite a file (%s)", type(exc).__name__)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def wipe_data_dir(data_dir: Path) -> WipeResult:
    """Overwrite and delete every file of a store, each on its own: a file that cannot be
    deleted is listed in the result and the rest still go."""
    data_dir = Path(data_dir)
    if not data_dir.exists():
        return WipeResult()
    gone, left = 0, []
    targets = [data_dir / name for name in
               ("store.db", "store.db-wal", "store.db-shm", "keyfile.json", "unlock-attempts.json",
                keyring_access.KEPT_MARKER)]
    backups = data_dir / "backups"
    try:
        if backups.is_dir():
            targets += sorted(p for p in backups.iterdir() if p.is_file())
    except OSError as exc:
        log.warning("wipe: could not list the backups (%s)", type(exc).__name__)
        left.append("backups")
    for path in targets:
        try:
            gone += _overwrite_and_delete(path)
        except OSError as exc:
            log.warning("wipe: a file could not be deleted (%s)", type(exc).__name__)
            left.append(path.relative_to(data_dir).as_posix())
    with contextlib.suppress(OSError):
        backups.rmdir()
    return WipeResult(files_removed=gone, files_left=tuple(left))


def forget_secrets(data_dir: Path) -> tuple[str, ...]:
    """Delete every keyring entry of a data directory, each on its own: an error on one never
    stops the others. Returns the names that could not be deleted."""
    try:
        if not keyring_access.available():
            return ()          # no keyring backend: nothing can have been kept there
    except Exception as exc:  # noqa: BLE001 - try each entry below all the same
        log.warning("wipe: the keyring could not be checked (%s)", type(exc).__name__)
    left = []
    for name in SECRET_NAMES:
        try:
            keyring_access.delete_secret(Path(data_dir), name)
        except Exception as exc:  # noqa: BLE001 - one failure must never keep the others
            log.warning("wipe: keyring entry %s could not be deleted (%s)", name,
                        type(exc).__name__)
            left.append(name)
    return tuple(left)


def note_wipe(data_dir: Path, reason: str, destroyed_unsent: int) -> None:
    """Leave the wipe note (`reason`: "revoked" or "retired"). Counts only, no content."""
    try:
        (Path(data_dir) / WIPE_NOTE).write_text(json.dumps(
            {"at": utc_now(), "reason": reason, "destroyed_unsent": destroyed_unsent}))
    except OSError as exc:
        log.warning("wipe: the wipe note could not be written (%s)", type(exc).__name__)


def wipe_note(data_dir: Path) -> dict[str, Any] | None:
    """The wipe note left in `data_dir`, if any (None when absent or unreadable)."""
    try:
        note = json.loads((Path(data_dir) / WIPE_NOTE).read_text())
    except (OSError, ValueError):
        return None
    return note if isinstance(note, dict) else None


def destroyed_words(count: Any) -> str:
    """What a wipe destroyed unsent, for the person at the laptop: a clause, no full stop."""
    if not isinstance(count, int) or count <= 0:
        return "nothing was lost (everything on it had reached the council)"
    if count == 1:
        return "1 record that had not reached the council (waiting, in a conflict or refused) " \
               "was destroyed with it"
    return (f"{count} records that had not reached the council (waiting, in a conflict or "
            "refused) were destroyed with it")


def wipe_store(store: Store) -> WipeResult:
    """Delete the store's keyring entries, lock it (closing its connection and zeroing its key),
    then wipe its files. Returns what went and what is left; check `.complete`."""
    data_dir = Path(store.data_dir)
    secrets_left = forget_secrets(data_dir)
    try:
        store.lock()
    except Exception as exc:  # noqa: BLE001 - the files must still be wiped
        log.warning("wipe: the store did not close cleanly (%s)", type(exc).__name__)
    files = wipe_data_dir(data_dir)
    result = WipeResult(files_removed=files.files_removed, files_left=files.files_left,
                        secrets_left=secrets_left)
    if result.complete:
        log.warning("store wiped: %d files", result.files_removed)
    else:
        log.error("store wipe incomplete: %d files removed, %d files and %d keyring entries left",
                  result.files_removed, len(result.files_left), len(result.secrets_left))
    return result
