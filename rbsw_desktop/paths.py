"""Where the worker's data directory is: `--data-dir`, else `RBSW_DATA_DIR`, else the per-OS
user data folder (platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "RBSW_DATA_DIR"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("rbsw-desktop", appauthor=False))


def resolve_data_dir(arg: str | os.PathLike[str] | None = None) -> Path:
    if arg:
        return Path(arg).expanduser()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    return default_data_dir()


#: The store's key file: there is a store in a data directory when it is there. Here, not in the
#: store, so the lock screen can ask before the store's code is imported.
KEYFILE_NAME = "keyfile.json"


def store_exists(data_dir: Path) -> bool:
    return (Path(data_dir) / KEYFILE_NAME).exists()


def demo_data_dir(base: Path) -> Path:
    """The fictional demo store lives apart from any real store."""
    return base / "demo"
