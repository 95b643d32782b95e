"""Logging for the app, the CLI and the gateway: one rotating file per program, no personal data.

What is logged: event names, ids, counts, exception types and where they happened. Never a
record's content, a name, a passphrase, a token or an exception's message (it may quote data).
The log folder is the per-user log directory (platformdirs), outside the data directory.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import traceback
from pathlib import Path

import platformdirs

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_dir() -> Path:
    override = os.environ.get("RBSW_LOG_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_log_dir("rbsw-desktop", appauthor=False))


def setup_logging(program: str, *, level: int = logging.INFO) -> Path:
    """Send this program's log records to `<log dir>/<program>.log`; returns the path."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{program}.log"
    root = logging.getLogger()
    if not any(getattr(h, "rbsw_program", None) == program for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.rbsw_program = program  # type: ignore[attr-defined]
        root.addHandler(handler)
        os.chmod(path, 0o600)
    root.setLevel(level)
    return path


def log_failure(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """An exception's type and where it happened, never its message (it may quote data)."""
    logger.error("%s: %s\n%s", what, type(exc).__name__,
                 "".join(traceback.format_tb(exc.__traceback__)))
