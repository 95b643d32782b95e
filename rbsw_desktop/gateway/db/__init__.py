"""The gateway's database: SQLAlchemy Core on SQLite (the embedded default) or PostgreSQL.

    url = database_url(data_dir, args.database)   # the URL given, or DATA_DIR/gateway.sqlite3
    schema_state(url)        # "current", "empty" (no tables) or "outdated"; creates nothing
    migrate(url)             # `alembic upgrade head`, in one transaction
    repo = open_repository(url)                   # connects now; does not migrate

    tables.py       the schema (Core `Table`s); migrations/ the Alembic revisions that make it
    repository.py   `SqlRepository`, the `GatewayRepository`; how pull cursors stay gap-free
    engine.py       URLs, engines (SQLite pragmas, BEGIN IMMEDIATE), file modes, plain errors

A setting a person got wrong (the URL, the server, the password, the database's name) is an
`RbswError` with one plain sentence that never holds the password.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from rbsw_desktop.errors import RbswError
from rbsw_desktop.gateway.db import engine as _engine
from rbsw_desktop.gateway.db.engine import DB_NAME
from rbsw_desktop.gateway.db.repository import SqlRepository

__all__ = ["DB_NAME", "MIGRATIONS", "SqlRepository", "database_url", "migrate",
           "open_repository", "schema_state"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SchemaState = Literal["current", "empty", "outdated"]
#: Held (PostgreSQL, session level) while one process migrates, so two never race.
_MIGRATION_LOCK = 0x7262_7377_6462      # "rbswdb"


def database_url(data_dir: Path, url: str | None = None) -> str:
    """`url` if one is given, else the embedded default: DATA_DIR/gateway.sqlite3."""
    if url:
        return url
    path = (Path(data_dir).expanduser().absolute() / DB_NAME)
    return URL.create("sqlite", database=str(path)).render_as_string()


def open_repository(url: str) -> SqlRepository:
    """A repository on the database at `url`, after one real connection (so a wrong setting
    is reported now, in plain words). It does not create or update the schema: see
    `schema_state` and `migrate`. SQLite: the data directory and the file are created, owner
    only, if missing."""
    parsed, engine = _connected(url)
    return SqlRepository(engine, location=_engine.location(parsed))


def _connected(url: str) -> tuple[URL, Engine]:
    """The parsed URL and an engine that has made one real connection (SQLite: the data
    directory and the file are created, owner only, if missing)."""
    parsed = _engine.normalise(url)
    path = _engine.database_file(parsed)
    if path is not None:
        _engine.prepare_sqlite_file(path)
    engine = _engine.create(parsed)
    try:
        _engine.check_connection(engine, parsed)
    except BaseException:
        engine.dispose()
        raise
    return parsed, engine


def migrate(url: str) -> None:
    """Bring the schema up to date (`alembic upgrade head`). The whole upgrade is one
    transaction, so a failure leaves the database as it was, never half changed. Safe to run
    again, and from two processes at once (SQLite: BEGIN IMMEDIATE before the version is read;
    PostgreSQL: an advisory lock)."""
    parsed, engine = _connected(url)
    try:
        with engine.connect() as conn:
            conn.execution_options(**{_engine.WRITER: True})
            if conn.dialect.name == "postgresql":
                # Released when the session ends (`engine.dispose()` below closes it).
                conn.execute(select(func.pg_advisory_lock(_MIGRATION_LOCK)))
                conn.commit()
            _known_revision(conn, parsed)            # SQLite: from here, BEGIN IMMEDIATE
            config = _config(parsed)
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()
    except RbswError:
        raise
    except SQLAlchemyError as exc:
        raise _engine.plain_error(exc, parsed, doing="bring {db} up to date") from None
    finally:
        engine.dispose()


def schema_state(url: str) -> SchemaState:
    """"current" (at the newest revision), "empty" (no tables at all) or "outdated" (tables,
    but behind the newest revision, or not made by these migrations). Creates nothing: a
    missing SQLite file is "empty". A database a newer gateway has migrated is an RbswError."""
    parsed = _engine.normalise(url)
    path = _engine.database_file(parsed)
    if path is not None and not path.exists():
        return "empty"
    engine = _engine.create(parsed)
    try:
        with engine.connect() as conn:
            if not inspect(conn).get_table_names():
                return "empty"
            current = _known_revision(conn, parsed)
            return "current" if current == _heads() else "outdated"
    except SQLAlchemyError as exc:
        raise _engine.plain_error(exc, parsed) from None
    finally:
        engine.dispose()


def _config(parsed: URL) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolates `%`; the URL is only in memory, never in a file.
    config.set_main_option("sqlalchemy.url",
                           parsed.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def _heads() -> set[str]:
    return set(ScriptDirectory(str(MIGRATIONS)).get_heads())


def _known_revision(conn: Connection, parsed: URL) -> set[str]:
    """The database's revisions; an RbswError when one is not ours (a newer gateway's)."""
    current = set(MigrationContext.configure(conn).get_current_heads())
    script = ScriptDirectory(str(MIGRATIONS))
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = current - known
    if unknown:
        raise RbswError(f"The gateway's database at {_engine.location(parsed)} was set up by a "
                        f"newer version of rbsw-gateway (revision {', '.join(sorted(unknown))}): "
                        "run that version, or a newer one, instead.")
    return current
