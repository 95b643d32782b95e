"""From a database URL to a configured SQLAlchemy engine, and database trouble in plain words.

SQLite (`sqlite:///PATH`, the embedded default): WAL, `synchronous=FULL` (a commit is on disk
before the laptop hears "applied"), foreign keys on, a 30 s busy timeout. The sqlite3 driver's
own transaction handling is switched off and SQLAlchemy emits BEGIN itself (the recipe in
SQLAlchemy's SQLite dialect docs, "Enabling Non-Legacy SQLite Transactional Modes"), so that a
writer's connection, marked with the `WRITER` execution option, begins with BEGIN IMMEDIATE and
takes the write lock before it reads anything. `SQLITE_SHA256(text)` is there for the audit's
hash chain (PostgreSQL has `sha256()` built in). The file, its -wal/-shm and a data directory
created here are readable by their owner only.

PostgreSQL (`postgresql://...`, rewritten to the psycopg 3 driver): a 5 s connect timeout,
READ COMMITTED (the default) and the server's default `synchronous_commit`.

Every error a person can cause with a setting (a wrong URL, an unreachable server, a refused
password, a missing database) is an `RbswError` with one sentence that never holds the password.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import select as select_module
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, literal, select
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, SQLAlchemyError

from rbsw_desktop.errors import RbswError

DB_NAME = "gateway.sqlite3"
#: Execution option: this connection's transactions write (SQLite: BEGIN IMMEDIATE).
WRITER = "rbsw_writer"
CONNECT_TIMEOUT = 5
BUSY_TIMEOUT = 30
#: Connections per process: up to 40, more than it uses at once (a request holds one on one of
#: its database threads, `edge.DATABASE_THREADS`, also while it waits for the writers' lock),
#: each opened when first needed and then kept: a connection opened and closed per request
#: under load cost more than the request (a PostgreSQL backend and its password exchange;
#: SQLite's file and pragmas). Waiting longer for one is an error.
POOL = {"pool_size": 40, "max_overflow": 0, "pool_timeout": 30}
#: SQLite's SHA-256 of text, as lowercase hex (the audit's hash chain; see `repository`).
SQLITE_SHA256 = "rbsw_sha256"
SHAPES = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DATABASE"


def normalise(url: str) -> URL:
    """The URL, checked, with PostgreSQL on psycopg 3 and a SQLite path made absolute."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        raise RbswError("The gateway's database setting is not a database URL: it should look "
                        f"like {SHAPES}.") from None
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "sqlite":
        if "+" in parsed.drivername and driver != "pysqlite":
            raise RbswError(f"The gateway uses SQLite through Python's sqlite3, not {driver}: "
                            "write the database URL as sqlite:///PATH.")
        if not parsed.database or parsed.database == ":memory:" or \
                parsed.query.get("mode") == "memory":
            raise RbswError("The gateway's SQLite database needs a file: write the URL as "
                            "sqlite:///PATH (an in-memory database would lose every record).")
        path = Path(parsed.database).expanduser().absolute()
        return parsed.set(drivername="sqlite", database=str(path))
    if backend in ("postgresql", "postgres"):
        if "+" in parsed.drivername and driver != "psycopg":
            raise RbswError(f"The gateway reaches PostgreSQL through psycopg 3, not {driver}: "
                            "write the database URL as postgresql://USER:PASSWORD@HOST:PORT/"
                            "DATABASE.")
        return parsed.set(drivername="postgresql+psycopg")
    raise RbswError(f"The gateway cannot keep its data in a {backend}:// database: use "
                    f"{SHAPES}.")


def database_file(url: URL) -> Path | None:
    """The SQLite file of a normalised URL (None for PostgreSQL)."""
    return Path(url.database or "") if url.get_backend_name() == "sqlite" else None


def location(url: URL) -> str:
    """Where the database is, for messages: the file, or HOST:PORT/DATABASE. No password."""
    path = database_file(url)
    if path is not None:
        return str(path)
    host = url.host or url.query.get("host") or "localhost"
    return f"{host}:{url.port or 5432}/{url.database or url.username or ''}"


def private_dir(path: Path) -> None:
    """Create the gateway's data directory (0700) if it is missing, and take group and other
    access away from one made beforehand (say by an admin's `mkdir`, under umask 022)."""
    try:
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
        if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) != 0o700:
            path.chmod(0o700)                     # exactly, whatever the umask
    except OSError as exc:
        raise RbswError(f"The gateway could not create its data directory {path}: "
                        f"{(exc.strerror or str(exc)).lower()}.") from None


def prepare_sqlite_file(path: Path) -> None:
    """Create the data directory (0700) and the database file (0600) if they are missing, and
    take group and other access away from an existing file and its -wal/-shm (SQLite gives
    those the database file's mode when it creates them)."""
    posix = os.name == "posix"
    if not path.parent.exists():
        private_dir(path.parent)
    try:
        if not path.exists():
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                if posix:
                    path.chmod(0o600)
        if posix:
            for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                if each.exists() and stat.S_IMODE(each.stat().st_mode) & 0o077:
                    each.chmod(0o600)
    except OSError as exc:
        raise RbswError(f"The gateway could not create its database file {path}: "
                        f"{(exc.strerror or str(exc)).lower()}.") from None


def create(url: URL) -> Engine:
    """An engine for a normalised URL (nothing is connected yet)."""
    if database_file(url) is not None:
        return _sqlite_engine(url)
    # synchronous_commit=on whatever the server's default: what a laptop was told "applied"
    # is on disk before the answer leaves.
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT,
                                    "application_name": "rbsw-gateway",
                                    "options": "-c synchronous_commit=on"}
    engine = create_engine(url, connect_args=connect_args, hide_parameters=True, **POOL)
    event.listen(engine, "checkout", _hung_up_on)
    return engine


def _hung_up_on(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled PostgreSQL connection the server has closed (a restart, an idle timeout, a
    terminated backend) is dropped as it leaves the pool, and the pool opens a fresh one
    (SQLAlchemy's `DisconnectionError` from a checkout handler): an idle connection has
    nothing to read, so anything to read is the server's goodbye. A look at the socket, not
    a round trip (`pool_pre_ping`'s SELECT 1 cost one a request)."""
    try:
        closed = dbapi_connection.closed or dbapi_connection.broken or _readable(
            dbapi_connection.fileno())
    except (OSError, ValueError, AttributeError):
        closed = True
    if closed:
        raise DisconnectionError("the database server closed this connection")


def _readable(fd: int) -> bool:
    """Whether a socket has something to read (or was closed), without waiting. poll, not
    select: select cannot watch a descriptor past 1023, and a gateway serving a thousand
    laptops at once holds more."""
    if not hasattr(select_module, "poll"):            # (Windows: select takes any socket)
        return bool(select_module.select([fd], [], [], 0)[0])
    poller = select_module.poll()
    poller.register(fd, select_module.POLLIN)
    return bool(poller.poll(0))


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT,
                                              "check_same_thread": False},
                           hide_parameters=True, **POOL)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None      # SQLAlchemy emits BEGIN, not sqlite3
        dbapi_connection.create_function(SQLITE_SHA256, 1, _sha256_hex, deterministic=True)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")          # = BUSY_TIMEOUT
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writer = connection.get_execution_options().get(WRITER, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_connection(engine: Engine, url: URL) -> None:
    """Connect once now, so a wrong setting is reported at start-up in plain words."""
    try:
        with engine.connect() as conn:
            conn.execute(select(literal(1)))
    except SQLAlchemyError as exc:
        raise plain_error(exc, url) from None


def plain_error(exc: BaseException, url: URL, doing: str = "connect to {db}") -> RbswError:
    """One sentence for a database error: what was tried (`doing`, where `{db}` stands for
    the database), and what went wrong."""
    text = str(getattr(exc, "orig", None) or exc)
    if url.password:
        text = text.replace(str(url.password), "***")
    low = text.lower()
    path = database_file(url)
    if path is not None:
        if "not a database" in low:
            reason = "the file is not a database (or is damaged)"
        elif "unable to open" in low:
            reason = "the file cannot be opened or created there"
        elif "readonly" in low or "read-only" in low:
            reason = "the file cannot be written"
        elif "locked" in low:
            reason = "another program kept it locked for too long"
        else:
            reason = _first_line(text)
        doing = doing.replace("connect to {db}", "open {db}")
        db = f"its database file {path}"
        return RbswError(f"The gateway could not {doing.format(db=db)}: {reason}.")
    host = f"{url.host or url.query.get('host') or 'localhost'}:{url.port or 5432}"
    if "password authentication failed" in low:
        reason = "the password was refused"
    elif "no password supplied" in low:
        reason = "it needs a password and the database URL has none"
    elif re.search(r'database ".*" does not exist', low):
        reason = f"there is no database called {url.database}"
    elif re.search(r'role ".*" does not exist', low):
        reason = f"there is no database user called {url.username}"
    elif "pg_hba.conf" in low:
        reason = "the database server does not let this computer connect (pg_hba.conf)"
    elif "connection refused" in low:
        reason = "nothing is listening there (connection refused)"
    elif "timeout" in low or "timed out" in low:
        reason = f"it did not answer within {CONNECT_TIMEOUT} seconds"
    elif "resolve host" in low or "translate host name" in low or "not known" in low:
        reason = "that host name is not known"
    elif "ssl" in low:
        reason = f"the secure connection failed ({_first_line(text)})"
    else:
        reason = _first_line(text)
    db = f"its database at {host}"
    return RbswError(f"The gateway could not {doing.format(db=db)}: {reason}.")


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().rstrip(".")
        line = re.sub(r"^(connection failed:\s*|fatal:\s*|error:\s*)", "", line, flags=re.I)
        if line:
            return line[:200]
    return "an unknown error"
