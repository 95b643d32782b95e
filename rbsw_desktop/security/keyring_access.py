"""The OS keyring: the device's gateway credentials, and the data key where policy allows.

A machine with no keyring backend (a bare Linux box) gets a clear message and the passphrase
path: never a crash, never a plaintext fallback. Entries are named per data directory so two
stores on one login never share secrets.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import keyring
import keyring.errors
from keyring.backends import fail

from rbsw_desktop.errors import KeyringUnavailable

SERVICE = "rbsw-desktop"

NO_BACKEND = ("This computer has no password store (keyring) the app can use, so it cannot keep "
              "secrets there. Unlock with your passphrase instead; IT support can set up the "
              "keyring.")


def _account(data_dir: Path, name: str) -> str:
    tag = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return f"{tag}:{name}"


def available() -> bool:
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return False
    return getattr(backend, "priority", 1) > 0


def _backend() -> keyring.backend.KeyringBackend:
    if not available():
        raise KeyringUnavailable(NO_BACKEND)
    return keyring.get_keyring()


def set_secret(data_dir: Path, name: str, value: str) -> None:
    try:
        _backend().set_password(SERVICE, _account(data_dir, name), value)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"{NO_BACKEND} ({type(exc).__name__})") from None


def get_secret(data_dir: Path, name: str) -> str | None:
    try:
        return _backend().get_password(SERVICE, _account(data_dir, name))
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"{NO_BACKEND} ({type(exc).__name__})") from None


def delete_secret(data_dir: Path, name: str) -> None:
    try:
        _backend().delete_password(SERVICE, _account(data_dir, name))
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"{NO_BACKEND} ({type(exc).__name__})") from None
