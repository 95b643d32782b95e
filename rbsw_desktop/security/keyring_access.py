"""The OS keyring: the device's gateway credentials, and the data key where policy allows.

A machine with no keyring backend (a bare Linux box) gets a clear message and the passphrase
path: never a crash, never a plaintext fallback. Entries are named per data directory so two
stores on one login never share secrets.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from rbsw_desktop.errors import KeyringLocked, KeyringUnavailable

if TYPE_CHECKING:
    import keyring.backend

SERVICE = "rbsw-desktop"
DATA_KEY = "data_key"        # the store's data key, kept only where the IT policy allows
DATA_KEY_BYTES = 32
#: Beside the store, no secret in it: "a data key was kept in the keyring for this store".
KEPT_MARKER = "login-unlock.kept"

log = logging.getLogger(__name__)

NO_BACKEND = ("This computer has no password store (keyring) the app can use, so it cannot keep "
              "secrets there. Unlock with your passphrase instead; IT support can set up the "
              "keyring.")


def _keyring() -> ModuleType:
    """The keyring package, imported when first asked for: it takes a tenth of a second, and
    the app's first window shows before anything needs it."""
    import keyring
    import keyring.errors
    return keyring


def _account(data_dir: Path, name: str) -> str:
    tag = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return f"{tag}:{name}"


def available() -> bool:
    from keyring.backends import fail
    backend = _keyring().get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    return getattr(backend, "priority", 1) > 0


def require() -> None:
    """KeyringUnavailable (in plain words) when there is no backend to keep secrets in."""
    if not available():
        raise KeyringUnavailable(NO_BACKEND)


def _backend() -> keyring.backend.KeyringBackend:
    require()
    return _keyring().get_keyring()


def set_secret(data_dir: Path, name: str, value: str) -> None:
    errors = _keyring().errors
    try:
        _backend().set_password(SERVICE, _account(data_dir, name), value)
    except errors.KeyringLocked:
        raise KeyringLocked() from None
    except errors.KeyringError as exc:
        raise KeyringUnavailable(f"{NO_BACKEND} ({type(exc).__name__})") from None


def get_secret(data_dir: Path, name: str) -> str | None:
    errors = _keyring().errors
    try:
        return _backend().get_password(SERVICE, _account(data_dir, name))
    except errors.KeyringLocked:
        raise KeyringLocked() from None      # asked again, the keyring asks to be unlocked
    except errors.KeyringError as exc:
        raise KeyringUnavailable(f"{NO_BACKEND} ({type(exc).__name__})") from None


def delete_secret(data_dir: Path, name: str) -> None:
    errors = _keyring().errors
    try:
        _backend().delete_password(SERVICE, _account(data_dir, name))
    except errors.PasswordDeleteError:
        pass
    except errors.KeyringError as exc:
        raise KeyringUnavailable(f"{NO_BACKEND} ({type(exc).__name__})") from None


# -- the data key, for unlock-with-login (only where the IT policy allows it) ------------------

def remember_data_key(data_dir: Path, key: bytes) -> None:
    """Keep the store's data key in the OS keyring, so the computer login unlocks the app.
    KeyringUnavailable (plain words) when there is no keyring: never a file fallback."""
    if len(key) != DATA_KEY_BYTES:
        raise ValueError("not a data key")
    set_secret(data_dir, DATA_KEY, bytes(key).hex())
    (Path(data_dir) / KEPT_MARKER).touch()
    log.info("data key kept in the keyring")


def recall_data_key(data_dir: Path) -> bytes | None:
    """The data key kept in the keyring, or None (none kept, no keyring, or a damaged entry,
    which is removed)."""
    if not available():
        return None
    try:
        text = get_secret(data_dir, DATA_KEY)
    except KeyringUnavailable:
        return None
    if text is None:
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != DATA_KEY_BYTES:
        forget_data_key(data_dir)
        return None
    return key


def forget_data_key(data_dir: Path) -> None:
    """Remove the kept data key, if any. No keyring means there is nothing kept there."""
    with contextlib.suppress(KeyringUnavailable):
        if available():
            delete_secret(data_dir, DATA_KEY)
    (Path(data_dir) / KEPT_MARKER).unlink(missing_ok=True)


def apply_keyring_policy(data_dir: Path, allowed: bool) -> None:
    """Where the IT policy does not (or no longer) allows keyring unlock, no key stays there.
    Only a laptop that kept one reaches the keyring for this: the usual start, with keyring
    unlock off, never touches it (a locked keyring may stop to ask its own questions)."""
    if not allowed and (Path(data_dir) / KEPT_MARKER).exists():
        forget_data_key(data_dir)
