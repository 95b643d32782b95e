"""Logging for the app, the CLI and the gateway: one rotating file per program, no personal data.

What is logged: event names, ids, counts, exception types and where they happened. Never a
record's content, a name, a passphrase, a token or an exception's message (it may quote data).
The log folder is the per-user log directory (platformdirs), outside the data directory.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
EARLY_LIMIT = 1_000     # records held before the log file opens, at most


class EarlyRecords(logging.Handler):
    """Holds the records logged before the log file is open (the app opens it once its first
    window shows: the file's module takes longer to import than that window takes to show);
    `setup_logging` writes them to the file."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < EARLY_LIMIT:       # never the file opened: memory stays small
            self.records.append(record)


def hold_early_records(*, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    root.addHandler(EarlyRecords())
    root.setLevel(level)


def log_dir() -> Path:
    override = os.environ.get("RBSW_LOG_DIR")
    if override:
        return Path(override)
    import platformdirs
    return Path(platformdirs.user_log_dir("rbsw-desktop", appauthor=False))


def setup_logging(program: str, *, level: int = logging.INFO) -> Path:
    """Send this program's log records to `<log dir>/<program>.log` (with those held since
    `hold_early_records`); returns the path."""
    import logging.handlers
    root = logging.getLogger()
    held = [h for h in root.handlers if isinstance(h, EarlyRecords)]
    for holder in held:
        root.removeHandler(holder)
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{program}.log"
    handler = next((h for h in root.handlers if getattr(h, "rbsw_program", None) == program),
                   None)
    if handler is None:
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.rbsw_program = program  # type: ignore[attr-defined]
        root.addHandler(handler)
        os.chmod(path, 0o600)
    root.setLevel(level)
    for holder in held:
        for record in holder.records:
            handler.handle(record)
    return path


def log_failure(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """An exception's type and where it happened, never its message (it may quote data)."""
    import traceback
    logger.error("%s: %s\n%s", what, type(exc).__name__,
                 "".join(traceback.format_tb(exc.__traceback__)))
