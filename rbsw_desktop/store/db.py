"""Opening SQLCipher connections with the raw data key.

The key is a random 256-bit key, given as a raw key (`x'...'`), so SQLCipher runs no KDF on
open. Temp storage is in memory so SQLite writes no temp files, and the write-ahead log is
encrypted by SQLCipher like the database itself.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import sqlcipher3
import sqlite_utils

from rbsw_desktop.errors import DiskFull, StoreDamaged

DatabaseError = (sqlcipher3.DatabaseError, sqlite3.DatabaseError)
#: What a row the schema cannot take raises (a NOT NULL left empty, a value of a type no column
#: holds, an integer beyond 64 bits): that row's problem, unlike a full disk or a damaged file.
RowRefused = (sqlcipher3.IntegrityError, sqlite3.IntegrityError, sqlcipher3.InterfaceError,
              sqlite3.InterfaceError, OverflowError)

DAMAGED = ("The store on this laptop is damaged or has been changed, so it cannot be opened. "
           "Nothing has been changed or deleted. Ask IT support for help.")


DISK_FULL = ("The laptop's disk is full, so the last change could not be saved. Everything saved "
             "before it is safe. Free some space (or ask IT support) and try again.")


def plain_error(exc: BaseException) -> Exception | None:
    """The person's version of a database error, or None when it is a programming error."""
    if not isinstance(exc, DatabaseError):
        return None
    text = str(exc).lower()
    if "disk is full" in text or "disk i/o" in text:
        return DiskFull(DISK_FULL)
    if "malformed" in text or "not a database" in text or "hmac" in text:
        return StoreDamaged(DAMAGED)
    return None


#: The debug check (on in tests): with RBSW_CHECK_THREADS=1 a connection used, or closed, from
#: any thread but the one that opened it raises ProgrammingError at once (SQLite's own check),
#: instead of working by luck. The app opens, uses and locks its store on one thread.
CHECK_THREADS_ENV = "RBSW_CHECK_THREADS"


def connect(path: Path, key: bytes | bytearray | None) -> sqlite_utils.Database:
    """A new connection. `key=None` gives a plain sqlite3 connection: benchmarks only."""
    same_thread = os.environ.get(CHECK_THREADS_ENV) == "1"
    if key is None:
        conn: Any = sqlite3.connect(str(path), check_same_thread=same_thread,
                                    isolation_level=None)
    else:
        conn = sqlcipher3.connect(str(path), check_same_thread=same_thread, isolation_level=None)
        conn.execute(f"PRAGMA key = \"x'{bytes(key).hex()}'\"")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")   # a saved note survives a power cut
        conn.execute("PRAGMA temp_store = MEMORY")
        # Up to 64 MiB of pages (it grows only as needed): a big save spills fewer pages to the
        # log before it commits, so fewer pages are encrypted twice.
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA busy_timeout = 10000")
    except DatabaseError:
        conn.close()
        raise StoreDamaged(DAMAGED) from None
    return sqlite_utils.Database(conn)


def export_encrypted(db: sqlite_utils.Database, target: Path, key: bytes | bytearray) -> None:
    """Copy the whole database to `target`, encrypted with the same key (sqlcipher_export),
    with its schema version (which sqlcipher_export leaves at 0), so the copy opens as a store."""
    target.unlink(missing_ok=True)
    version = int(db.execute("PRAGMA main.user_version").fetchone()[0])
    db.execute(f"ATTACH DATABASE ? AS backup KEY \"x'{bytes(key).hex()}'\"", [str(target)])
    try:
        db.execute("SELECT sqlcipher_export('backup')")
        db.execute(f"PRAGMA backup.user_version = {version}")
    finally:
        db.execute("DETACH DATABASE backup")
