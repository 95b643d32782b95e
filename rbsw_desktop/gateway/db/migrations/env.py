"""Alembic's environment for the gateway's database.

`rbsw_desktop.gateway.db.migrate(url)` is the way in: it sets `script_location` and
`sqlalchemy.url` in code (there is no alembic.ini, and no password in any file) and hands over
its own connection (`config.attributes["connection"]`), marked as a writer so that on SQLite it
begins with BEGIN IMMEDIATE, and on PostgreSQL holding an advisory lock, so two processes never
migrate at once. Without a connection, one is made from `sqlalchemy.url`.

The whole upgrade is one transaction, DDL included: PostgreSQL's DDL is transactional, and on
SQLite SQLAlchemy emits BEGIN itself (see `db.engine`), so a CREATE TABLE is rolled back with
the rest; `transactional_ddl=True` tells Alembic it may rely on that. A failure leaves the
database exactly as it was. SQLite ALTERs go through batch mode (`render_as_batch`: the table
is copied). SQLite cannot switch foreign keys off inside a transaction, so a later batch
revision that rebuilds a table other tables refer to must keep every reference valid.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from rbsw_desktop.gateway.db import engine as db_engine
from rbsw_desktop.gateway.db.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      transactional_ddl=True, transaction_per_migration=False,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    url = db_engine.normalise(config.get_main_option("sqlalchemy.url") or "")
    path = db_engine.database_file(url)
    if path is not None:
        db_engine.prepare_sqlite_file(path)
    engine = db_engine.create(url)
    try:
        with engine.connect() as connection:
            connection.execution_options(**{db_engine.WRITER: True})
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    url = db_engine.normalise(config.get_main_option("sqlalchemy.url") or "")
    context.configure(url=url, target_metadata=metadata, literal_binds=True,
                      render_as_batch=url.get_backend_name() == "sqlite",
                      transactional_ddl=True, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
