"""`SqlRepository`: `repository.GatewayRepository` on SQLAlchemy Core, for SQLite and PostgreSQL.

Transactions. Each thread has its own connection for the transaction it is in (on PostgreSQL
the app calls the repository from its database threads, several requests at once; on SQLite
from the event loop's thread, one request at a time, in a group commit: `edge.DatabaseWork`).
`transaction()` is re-entrant: the outermost block commits, or rolls back if it raises; an
inner block is a SAVEPOINT, so an exception that leaves it undoes just what it wrote (and still
propagates). A group (`open_group` ... `commit_group`) is an outermost block that several
requests' work joins, each request's `transaction()` a SAVEPOINT in it.
Reads inside a transaction see its writes. A call outside any transaction runs in its own
short one.

Writers' locks. The service reads and then writes on what it read (a record's rev against the
push's base_rev, an op_id already applied, where a blob upload goes on), so a writing
`transaction()` takes a lock before it relies on a read. There are two sizes:

- `transaction()` (lock=True): every writer waits for it, and it for them. The council's admin
  actions, filing, blob uploads.
- `transaction(pod=P)`: only pod P's writers. A push: everything it reads and writes (records,
  their cases, the pushing device's op ids) is its own pod's, so pushes of different pods
  need not wait for each other, and on PostgreSQL they commit in parallel.

On SQLite both are BEGIN IMMEDIATE: one writer at a time, whatever its size. On PostgreSQL they
are transaction-scoped advisory locks: the all-writers lock is (WRITERS, 0) taken exclusively; a
pod's lock is (WRITERS, 0) taken shared, so it waits for an all-writers holder, plus (PODS,
hashtext(pod_id)) taken exclusively (two pods whose ids hash alike just wait for each other).
Under READ COMMITTED every statement sees what was committed before it began, so once the lock
is granted each read sees every writer that went before, in every gateway instance. A pod's
lock is taken where the push begins (`push_state`, sent with the push's reads), also inside an
outer transaction that holds none (the request's, which holds the audit row). Reads take no
lock, but every access writes its audit row in the same transaction as what it served
(`deps.audited`): on PostgreSQL such a transaction (`transaction(lock=False)`) does not wait
for the writers; on SQLite, which has one writer at a time, it queues with them.

Gap-free pull cursors. A change's number (seq) is handed out in the writer's transaction, under
its lock: on SQLite from the counter row (`UPDATE counters SET value = value + n ...
RETURNING`), on PostgreSQL from the sequence `change_seq` (`nextval`). A pull is one `SELECT
... WHERE pod_id = ? AND seq > cursor ORDER BY seq`: every pull is within one pod. Why a pull
that has read up to N never later misses a change <= N of its pod, even with several writers
and several gateway processes:

1. Every transaction that numbers a change of pod P holds P's lock (or the all-writers lock,
   which excludes P's) from before it takes the number until it has committed. The sequence
   only grows, so a transaction of P that is granted the lock after another has committed
   takes larger numbers than that one did: within a pod, seq values commit in order.
2. PostgreSQL releases a transaction's locks only after its commit is visible to new snapshots,
   so a snapshot that sees a transaction of P sees every transaction of P that committed
   before it.
3. A pull is one statement, one snapshot. If it returns seq N of pod P, its snapshot holds the
   writer of N and so every lower seq of P that will ever be committed. (An upsert that moves
   a record to a new seq only makes it come again, never go missing.)
4. A pull leaves out the changes the caller's own device sent and still moves its cursor over
   them: it first reads the pod's last seq M (`last_seq`), then the page up to M. The page's
   statement begins after that read, so by 2 its snapshot holds every seq <= M of P that will
   ever be committed; when the page is not full, the cursor moves to M, past only changes it
   has read (or left out as the caller's own).

Across pods, numbers commit out of order (pod A's 7 may commit after pod B's 8), which no pull
can see: a laptop's cursor is a position in its own pod's changes, in the one numbering all
pods share (seq values stay unique, and a cursor from before revision 0005_speed stays valid:
the sequence starts where the counter row stood). What the lock is for: without it, a
transaction holding N and another holding N+1 of the same pod could commit in the other order,
a pull would see N+1, its cursor move past N, and N, committed a moment later, never be pulled.
The tests show that happening without the lock, and show two pods' pushes committing in
parallel while one pod's stay in order. On SQLite the write lock makes commits serial and a
WAL reader's snapshot is a prefix of them.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack, contextmanager
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Engine,
    Row,
    Table,
    Text,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError

from rbsw_desktop.gateway.db.audit_chain import CONTENT, GENESIS, content_digest
from rbsw_desktop.gateway.db.engine import SQLITE_SHA256, WRITER
from rbsw_desktop.gateway.db.tables import (
    SEQ,
    applied_ops,
    audit,
    blob_claims,
    blob_parts,
    blobs,
    cases,
    change_seq,
    conflicts,
    counters,
    devices,
    enrol_codes,
    pods,
    record_history,
    records,
    refusals,
    workers,
)
from rbsw_desktop.gateway.repository import Caller, StoredRecord
from rbsw_desktop.protocol import INT64_MAX

if os.name == "posix":
    import fcntl

if TYPE_CHECKING:
    from rbsw_desktop.gateway.repository import GatewayRepository

#: The classes (first keys) of the advisory locks on PostgreSQL: (WRITERS, 0) for every writer,
#: (PODS, hashtext(pod_id)) for one pod's, (AUDIT, hashtext(chain)) orders one audit chain's rows.
WRITERS, PODS, AUDIT = 0x72627377, 0x72627378, 0x72627379
TEXTS = ARRAY(Text())

_RECORD_COLS = (records.c.entity, records.c.id, records.c.rev, records.c.seq, records.c.pod_id,
                records.c.case_id, records.c.fields, records.c.deleted, records.c.updated_at,
                records.c.origin_device, records.c.received_at, records.c.filed,
                records.c.case_system_ref, records.c.filed_at, records.c.filed_by,
                records.c.fields_blob)
#: A pull's columns: a record kept as a blob of its fields is read without them (by reference).
_CHANGE_COLS = tuple(case((records.c.fields_blob.is_(None), records.c.fields),
                          else_=literal("{}")).label("fields") if c is records.c.fields else c
                     for c in _RECORD_COLS)


def _record(row: Row[*tuple[Any, ...]]) -> StoredRecord:
    """A row of `_RECORD_COLS` (or `_CHANGE_COLS`), read by position (by name costs a lookup
    a column)."""
    (entity, record_id, rev, seq, pod_id, case_id, fields, deleted, updated_at, origin_device,
     received_at, filed, case_system_ref, filed_at, filed_by, fields_blob) = row
    return StoredRecord(entity, record_id, int(rev), int(seq), pod_id, case_id,
                        json.loads(fields), bool(deleted), updated_at, origin_device,
                        received_at, bool(filed), case_system_ref, filed_at, filed_by,
                        fields_blob, fields)


def _driver_in_transaction(conn: Connection) -> bool:
    """Whether the database itself still has the connection's transaction open."""
    dbapi_conn: Any = conn.connection.dbapi_connection
    return bool(getattr(dbapi_conn, "in_transaction", True))


def _dict(row: Row[Any] | None) -> dict[str, Any] | None:
    return dict(row._mapping) if row is not None else None


@contextmanager
def _driver_errors(error: type[Exception], sql: str | None = None) -> Iterator[None]:
    """A driver's error (`error`: its base class) in the block, raised as SQLAlchemy's (its
    IntegrityError, OperationalError ...), as if SQLAlchemy had run the statement."""
    try:
        yield
    except error as exc:
        raise DBAPIError.instance(sql, None, exc, error) from exc


def _converted(sql_type: Any, dialect: Any) -> bool:
    """Whether SQLAlchemy converts values of this type going in or coming out (a list, an
    ARRAY, as its items; a bool going in is only checked, and read with bool() coming out)."""
    if isinstance(sql_type, ARRAY):
        sql_type = sql_type.item_type
    impl = sql_type.dialect_impl(dialect)
    return not isinstance(sql_type, Boolean) and (
        impl.bind_processor(dialect) is not None
        or impl.result_processor(dialect, None) is not None)


class _Direct:
    """A Core statement compiled once for this database and run straight on the driver, in
    the connection's transaction: SQLAlchemy's execute of a statement (its cache key, its
    execution context, its result object) cost about 60 µs, more than SQLite's own work for
    most of a request's statements, and a request runs about ten. Its rows come back as the
    driver's tuples, by position. It refuses to build for a statement SQLAlchemy would convert
    anything of, in or out (but Boolean's: its values are bools going in and read with bool()
    coming out), or expand (an IN of a list). A driver's error is raised as SQLAlchemy's."""

    def __init__(self, stmt: Any, engine: Engine, *,
                 column_keys: list[str] | None = None) -> None:
        dialect = engine.dialect
        compiled = stmt.compile(dialect=dialect, column_keys=column_keys)
        table = getattr(stmt, "table", None)
        where = f"{table.name}." if table is not None else ""
        types = [(f"{where}{name}", b.type) for name, b in compiled.binds.items()]
        types += [(c.key, c.type) for c in getattr(stmt, "selected_columns", ())]
        converted = [name for name, t in types if _converted(t, dialect)]
        converted += [bind.key for bind in compiled.post_compile_params]
        if converted:
            raise TypeError(f"{', '.join(converted)}: cannot go straight to the driver (a "
                            "conversion or an expansion SQLAlchemy would apply)")
        self.sql = str(compiled)
        self.order = compiled.positiontup          # by position (SQLite), or None: by name
        self._in_order = itemgetter(*self.order) if self.order and len(self.order) > 1 else None
        self.constants = {name: bind.value for name, bind in compiled.binds.items()
                          if not bind.required and bind.value is not None}
        self.keys = list(getattr(stmt, "selected_columns", {}).keys())
        self.error: type[Exception] = dialect.loaded_dbapi.Error

    def run(self, conn: Connection, params: dict[str, Any]) -> Any:
        """Execute it, and return the driver's cursor (unread: in a pipeline, `batched`, its
        results come at the pipeline's end)."""
        values = {**self.constants, **params} if self.constants else params
        args: Any = [values[k] for k in self.order] if self.order is not None else values
        dbapi_conn: Any = conn.connection.dbapi_connection
        with _driver_errors(self.error, self.sql):
            return dbapi_conn.execute(self.sql, args)

    def many(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Execute it once for each of `rows` (each holding every parameter), in one call."""
        if self.order is not None:
            assert self._in_order is not None and not self.constants
            rows = [self._in_order(row) for row in rows]
        dbapi_conn: Any = conn.connection.dbapi_connection
        with _driver_errors(self.error, self.sql):
            dbapi_conn.cursor().executemany(self.sql, rows)

    def rows(self, conn: Connection, params: dict[str, Any]) -> list[Any]:
        cursor = self.run(conn, params)
        with _driver_errors(self.error, self.sql):
            return cursor.fetchall()

    def first(self, conn: Connection, params: dict[str, Any]) -> dict[str, Any] | None:
        found = self.rows(conn, params)
        return dict(zip(self.keys, found[0], strict=True)) if found else None


class SqlRepository:
    """`GatewayRepository` on one SQLAlchemy engine (see the module docstring)."""

    def __init__(self, engine: Engine, *, location: str = "") -> None:
        self.engine = engine
        self.location = location            # the file or HOST:PORT/DB, for messages
        self.dialect = engine.dialect.name   # "sqlite" or "postgresql"
        self.one_at_a_time = self.dialect == "sqlite"
        self._local = threading.local()
        # SQLite has one writer at a time; left to itself, a writer that finds the file locked
        # sleeps in SQLite's busy handler (1, 2, 5 ... 100 ms) and tries again, so under load
        # most time goes to sleeping. This process's writers queue here instead, in order, and
        # then (POSIX) on an flock of the file beside the database that every gateway process
        # on it takes (`serve --workers N`, an admin command): the kernel wakes the next
        # writer the moment one commits. SQLite's own lock still keeps writers apart.
        self._sqlite_writers = threading.Lock() if self.dialect == "sqlite" else None
        self._writers_file: int | None = None
        if self.dialect == "sqlite" and os.name == "posix":
            path = f"{engine.url.database}-writers"
            self._writers_file = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            os.fchmod(self._writers_file, 0o600)
        self._insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        # The statements of every push, built once (building one costs more than running it).
        self._upsert_records = self._many(records, upsert_on=records.c.id)
        self._records_by_id = _Direct(select(*_RECORD_COLS).where(self._among(records.c.id)),
                                      engine)
        self._applied_by_id = _Direct(select(applied_ops.c.op_id, applied_ops.c.record_id,
                                             applied_ops.c.rev).where(
            applied_ops.c.worker_id == bindparam("worker"), self._among(applied_ops.c.op_id)),
            engine)
        self._add_applied = self._many(applied_ops)
        self._add_history = self._many(record_history)
        # (Straight to the driver, so without the RETURNING of the new id that a one-row
        # INSERT would get on PostgreSQL: a push writes these in a pipeline, `batched`.)
        self._add_conflict = self._many(conflicts)
        self._add_refusal = self._many(refusals)
        self._next_seqs = _Direct(update(counters).where(counters.c.name == SEQ)
                                  .values(value=counters.c.value + bindparam("n"))
                                  .returning(counters.c.value), engine)
        self._next_vals = _Direct(select(func.nextval(change_seq.name)).select_from(
            func.generate_series(1, bindparam("n"))), engine)
        self._lock_all = _Direct(select(func.pg_advisory_xact_lock(WRITERS, 0)), engine)
        self._lock_pod = _Direct(select(
            func.pg_advisory_xact_lock_shared(WRITERS, 0),
            func.pg_advisory_xact_lock(PODS, func.hashtext(bindparam("pod")))), engine)
        # ... and of every request: who is calling, what it did, when the device was last seen.
        self._device_by_token = _Direct(select(devices, workers.c.pod_id, workers.c.role)
                                        .join(workers, workers.c.id == devices.c.worker_id)
                                        .where(devices.c.token_sha256 == bindparam("sha")),
                                        engine)
        # A pull's page, for a pod-wide caller (True) and for one with a caseload (False).
        self._changes: dict[bool, _Direct] = {wide: _Direct(select(*_CHANGE_COLS).where(
            records.c.seq > bindparam("since"), records.c.seq <= bindparam("upto"),
            records.c.origin_device.is_distinct_from(bindparam("not_from", type_=Text())),
            self._scope(bindparam("pod"), bindparam("worker"), pod_wide=wide))
            .order_by(records.c.seq).limit(bindparam("limit")), engine) for wide in (True, False)}
        # A push's reads on PostgreSQL, sent in one pipeline after its pod's lock
        # (`push_state`): straight to the driver, an array for each list of ids.
        self._push_reads = [_Direct(stmt, engine) for stmt in (
            select(applied_ops.c.op_id, applied_ops.c.record_id, applied_ops.c.rev).where(
                applied_ops.c.worker_id == bindparam("worker"),
                applied_ops.c.op_id == func.any(bindparam("op_ids", type_=TEXTS))),
            select(*_RECORD_COLS).where(
                records.c.id == func.any(bindparam("record_ids", type_=TEXTS))),
            select(cases).where(cases.c.id == func.any(bindparam("case_ids", type_=TEXTS))),
        )] if self.dialect == "postgresql" else []
        self._case_by_id = _Direct(select(cases).where(cases.c.id == bindparam("case")),
                                   engine)                          # a push's cases
        self._last_seq = _Direct(select(func.max(records.c.seq)).where(
            records.c.pod_id == bindparam("pod")), engine)
        self._touched: dict[tuple[bool, bool, bool], _Direct] = {}
        self._add_audit = _Direct(self._chained_audit_insert(), engine)
        self._audit_lock = _Direct(select(func.pg_advisory_xact_lock(
            AUDIT, func.hashtext(bindparam("chain")))), engine)

    def _many(self, table: Table, *, upsert_on: Column[Any] | None = None
              ) -> Callable[[Connection, list[dict[str, Any]]], None]:
        """An INSERT of many rows holding every column of `table` but a generated id (an
        upsert on the unique column `upsert_on`), run straight through the driver's
        executemany (`_Direct`): compiled once for this database, the rows passed as they are.
        SQLAlchemy's own executemany converts each row's parameters one by one, which cost
        more than the database's insert. Passing rows as they are skips what SQLAlchemy would
        do to them, so this refuses to build for a column where that is anything: one with a
        Python-side default (and `_Direct` for a type SQLAlchemy converts). (On PostgreSQL, one
        statement for the batch, its columns sent as arrays and unnested, cost more of the
        gateway's CPU than psycopg's pipelined executemany: measured, and left.)"""
        cols = [c for c in table.c if not (c.primary_key and c.autoincrement is True)]
        for col in cols:
            if col.default is not None or col.onupdate is not None:
                raise TypeError(f"{table.name}.{col.name}: cannot go straight to the driver "
                                "(a default SQLAlchemy would apply)")
        names = [c.name for c in cols]
        stmt: Any = self._insert(table)
        if upsert_on is not None:
            stmt = stmt.on_conflict_do_update(
                index_elements=[upsert_on],
                set_={name: stmt.excluded[name] for name in names if name != upsert_on.name})
        return _Direct(stmt, self.engine, column_keys=names).many

    def _among(self, column: Column[Any]) -> ColumnElement[bool]:
        """`column` is one of the list of values in parameter "ids" (`_listed`): one
        parameter whatever the list's length (an IN of a list is a parameter a value, and
        SQLAlchemy expands it anew for every length)."""
        if self.dialect == "postgresql":
            return column == func.any(bindparam("ids", type_=TEXTS))
        value = func.json_each(bindparam("ids", type_=Text())).table_valued("value")
        return column.in_(select(value.c.value))

    def _listed(self, values: Collection[str]) -> Any:
        """A list of values as parameter "ids" of `_among`: an array on PostgreSQL, JSON text
        on SQLite."""
        if self.dialect == "postgresql":
            return list(values)
        return json.dumps(list(values))

    def push_state(self, pod_id: str, worker_id: str, op_ids: Collection[str],
                   record_ids: Collection[str], case_ids: Collection[str],
                   ) -> tuple[dict[str, tuple[str, int]], dict[str, StoredRecord],
                              dict[str, dict[str, Any] | None]]:
        """Where a push begins, in its transaction: pod `pod_id`'s writers' lock (unless this
        transaction holds one), then what the push decides on: this worker's op ids already
        applied (`applied_ops`), the records by id (`records_by_id`), and the cases by id
        (None for one there is not). On PostgreSQL the lock and the three reads go in one
        pipeline, one round trip: each read is a statement of its own that the server begins
        only once the lock is granted, so it sees every writer of the pod that went before."""
        conn: Connection | None = getattr(self._local, "conn", None)
        if self.dialect != "postgresql" or conn is None:
            with self.transaction(pod=pod_id, savepoint=False):
                applied = self.applied_ops(worker_id, op_ids)
                held = self.records_by_id(record_ids)
                found = {case_id: self.case(case_id) for case_id in case_ids}
            return applied, held, found
        import psycopg

        dbapi_conn: Any = conn.connection.dbapi_connection
        params = {"pod": pod_id, "worker": worker_id, "op_ids": list(op_ids),
                  "record_ids": list(record_ids), "case_ids": list(case_ids)}
        names = [c.name for c in cases.c]
        with _driver_errors(psycopg.Error), dbapi_conn.pipeline() as pipeline:
            if not self._local.locked:
                self._lock_pod.run(conn, params)
                self._local.locked = True
            cursors = [stmt.run(conn, params) for stmt in self._push_reads]
            pipeline.sync()
            applied_rows, record_rows, case_rows = (c.fetchall() for c in cursors)
        applied = {str(op_id): (str(record_id), int(rev))
                   for op_id, record_id, rev in applied_rows}
        held = {rec.id: rec for rec in map(_record, record_rows)}
        by_id: dict[str, dict[str, Any] | None] = dict.fromkeys(case_ids)
        by_id.update((row[0], dict(zip(names, row, strict=True))) for row in case_rows)
        return applied, held, by_id

    def _chained_audit_insert(self) -> Any:
        """INSERT an audit row whose `hash` links it to the newest row (`db.audit_chain`),
        computed by the database in the same statement."""
        chain = bindparam("chain", type_=Text())
        newest = (select(audit.c.hash).where(audit.c.chain == chain)
                  .order_by(audit.c.id.desc()).limit(1).scalar_subquery())
        chained = func.coalesce(newest, GENESIS).op("||")(bindparam("digest", type_=Text()))
        if self.dialect == "postgresql":
            link = func.encode(func.sha256(func.convert_to(chained, "UTF8")), "hex")
        else:
            link = getattr(func, SQLITE_SHA256)(chained)
        values = [bindparam(name, type_=audit.c[name].type) for name in CONTENT]
        return insert(audit).from_select([*CONTENT, "hash"], select(*values, link))

    def close(self) -> None:
        self.engine.dispose()
        if self._writers_file is not None:
            os.close(self._writers_file)
            self._writers_file = None

    # -- transactions and the change sequence -------------------------------------------------

    @contextmanager
    def transaction(self, *, lock: bool = True, pod: str | None = None,
                    savepoint: bool = True) -> Iterator[None]:
        """A transaction on this thread's connection, holding every writer off (`lock`), or
        only pod `pod`'s writers (see the module docstring). `lock=False` is for work that
        reads and only appends (an access and its audit row): on PostgreSQL it does not queue
        behind the writers; on SQLite every writing transaction is one at a time anyway. An
        inner block with `pod` takes that pod's lock if the outer block holds none. An inner
        block is a SAVEPOINT, or with `savepoint=False` just part of the outer one (for a
        caller whose exceptions always leave the outer block too, so the outer rollback undoes
        it: a push inside its request's transaction; two statements fewer)."""
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            if pod is not None and not self._local.locked:
                self._lock_writers(conn, pod)
            if not savepoint:
                yield
                return
            with self._savepoint(conn):
                yield
            return
        with self._writing() as conn:
            self._local.conn, self._local.locked = conn, False
            try:
                if pod is not None or lock:
                    self._lock_writers(conn, pod)
                yield
            finally:
                self._local.conn = None

    @contextmanager
    def _savepoint(self, conn: Connection) -> Iterator[None]:
        """An inner block of `transaction()`: a SAVEPOINT, released when the block ends, rolled
        back to (then released) if it raises, the exception still propagating. Straight on the
        driver: SQLAlchemy's `begin_nested()` ran these through its execute, 7% of a sync's
        instructions in a SQLite group commit (callgrind). A database that rolled the whole
        transaction back by itself (SQLite on a full disk) has no savepoint left to roll back
        to: that error (SQLAlchemy's) is raised, and the group's commit fails too."""
        depth = self._local.savepoints = getattr(self._local, "savepoints", 0) + 1
        name = f"rbsw_{depth}"
        dbapi_conn: Any = conn.connection.dbapi_connection
        error: type[Exception] = self.engine.dialect.loaded_dbapi.Error
        try:
            with _driver_errors(error):
                dbapi_conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                with _driver_errors(error):
                    dbapi_conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    dbapi_conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            with _driver_errors(error):
                dbapi_conn.execute(f"RELEASE SAVEPOINT {name}")
        finally:
            self._local.savepoints = depth - 1

    def open_group(self) -> None:
        """Begin a transaction on this thread that everything run on it afterwards joins, each
        `transaction()` in it a SAVEPOINT, until `commit_group`: SQLite's group commit
        (`edge.DatabaseWork`). It holds every writer off, as `transaction()` does."""
        if getattr(self._local, "conn", None) is not None:
            raise RuntimeError("a transaction is already open on this thread")
        with ExitStack() as held:
            conn = held.enter_context(self._writing())
            self._local.conn, self._local.locked, self._local.group = conn, True, held.pop_all()

    def commit_group(self) -> None:
        """Commit the transaction `open_group` began (roll it back if that fails), and let the
        next writer in. It fails where the database has already rolled the transaction back
        by itself (SQLite does on a full disk or an I/O error): what was written in it is
        gone, and the driver's commit would just say nothing."""
        held: ExitStack = self._local.group
        conn: Connection = self._local.conn
        self._local.conn, self._local.group = None, None
        with held:                              # leaving it commits; raising in it rolls back
            if not conn.in_transaction() or not _driver_in_transaction(conn):
                raise RuntimeError("the database rolled this group's transaction back")

    @contextmanager
    def batched(self) -> Iterator[None]:
        """The writes in this block (statements whose results are not read) go to the database
        together, in order: on PostgreSQL one pipeline (psycopg's pipeline mode), one round
        trip instead of one a statement; a database error in it is raised at the block's end,
        as SQLAlchemy's. Elsewhere, and outside a transaction, statements run as they come."""
        conn: Connection | None = getattr(self._local, "conn", None)
        if self.dialect != "postgresql" or conn is None:
            yield
            return
        import psycopg

        dbapi_conn: Any = conn.connection.dbapi_connection
        with _driver_errors(psycopg.Error), dbapi_conn.pipeline():
            yield

    @contextmanager
    def _one_writer(self) -> Iterator[None]:
        if self._sqlite_writers is None:
            yield
            return
        with self._sqlite_writers:
            if self._writers_file is None:
                yield
                return
            fcntl.flock(self._writers_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._writers_file, fcntl.LOCK_UN)

    def _lock_writers(self, conn: Connection, pod: str | None) -> None:
        """Take every writer's lock (`pod` None) or pod `pod`'s, for the rest of the
        transaction (SQLite: BEGIN IMMEDIATE already has)."""
        if self.dialect == "postgresql":
            (self._lock_all if pod is None else self._lock_pod).run(conn, {"pod": pod})
        self._local.locked = True

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One statement's connection: the transaction's, or a short writing one of its own
        (no writers' lock: a single statement reads nothing it then relies on)."""
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        with self._writing() as conn:
            yield conn

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A writing connection in a transaction of its own, one writer at a time on SQLite
        (BEGIN IMMEDIATE): committed when the block ends, rolled back if it raises."""
        with self._one_writer(), self.engine.connect() as conn:
            conn.execution_options(**{WRITER: True})
            with conn.begin():
                yield conn

    def _one(self, stmt: Any) -> dict[str, Any] | None:
        with self._read() as conn:
            return _dict(conn.execute(stmt).first())

    def _all(self, stmt: Any) -> list[dict[str, Any]]:
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def _records(self, stmt: Any) -> list[StoredRecord]:
        with self._read() as conn:
            return [_record(r) for r in conn.execute(stmt)]

    def _exec(self, stmt: Any) -> None:
        with self._write() as conn:
            conn.execute(stmt)

    def next_seq(self) -> int:
        return self.next_seqs(1)[0]

    def next_seqs(self, n: int) -> list[int]:
        """`n` new sequence values, in order, all this transaction's (on PostgreSQL not
        necessarily consecutive: another pod may take numbers in between)."""
        with self._write() as conn:
            if self.dialect == "postgresql":
                return sorted(int(v) for (v,) in self._next_vals.rows(conn, {"n": n}))
            ((last,),) = self._next_seqs.rows(conn, {"n": n})
            last = int(last)
        return list(range(last - n + 1, last + 1))

    # -- pods, workers, cases -----------------------------------------------------------------

    def add_pod(self, pod_id: str, name: str, at: str) -> None:
        self._exec(insert(pods).values(id=pod_id, name=name, created_at=at))

    def add_worker(self, worker_id: str, pod_id: str, name: str, role: str, at: str) -> None:
        self._exec(insert(workers).values(id=worker_id, pod_id=pod_id, name=name, role=role,
                                          created_at=at))

    def worker(self, worker_id: str) -> dict[str, Any] | None:
        return self._one(select(workers).where(workers.c.id == worker_id))

    def pod(self, pod_id: str) -> dict[str, Any] | None:
        return self._one(select(pods).where(pods.c.id == pod_id))

    def workers_in_pod(self, pod_id: str) -> list[dict[str, Any]]:
        return self._all(select(workers).where(workers.c.pod_id == pod_id)
                         .order_by(workers.c.name, workers.c.id))

    def add_case(self, case_id: str, child_id: str, child_name: str, worker_id: str,
                 pod_id: str, at: str) -> None:
        self._exec(insert(cases).values(id=case_id, child_id=child_id, child_name=child_name,
                                        worker_id=worker_id, pod_id=pod_id, created_at=at))

    def case(self, case_id: str) -> dict[str, Any] | None:
        with self._read() as conn:
            return self._case_by_id.first(conn, {"case": case_id})

    # -- devices and enrolment ----------------------------------------------------------------

    def add_enrol_code(self, code_sha256: str, worker_id: str, at: str, expires_at: str) -> None:
        self._exec(insert(enrol_codes).values(code_sha256=code_sha256, worker_id=worker_id,
                                              created_at=at, expires_at=expires_at))

    def take_enrol_code(self, code_sha256: str, device_id: str, nonce: str | None,
                        now: str) -> str | None:
        """The code's worker id if it is unused and unexpired; marks it used (one time) by
        this device and enrolment nonce."""
        with self._write() as conn:
            worker_id = conn.execute(
                update(enrol_codes)
                .where(enrol_codes.c.code_sha256 == code_sha256,
                       enrol_codes.c.used_at.is_(None), enrol_codes.c.expires_at > now)
                .values(used_at=now, device_id=device_id, nonce=nonce)
                .returning(enrol_codes.c.worker_id)).scalar_one_or_none()
        return str(worker_id) if worker_id is not None else None

    def enrol_code(self, code_sha256: str) -> dict[str, Any] | None:
        return self._one(select(enrol_codes).where(enrol_codes.c.code_sha256 == code_sha256))

    def set_device_token(self, device_id: str, token_sha256: str) -> None:
        self._exec(update(devices).where(devices.c.id == device_id)
                   .values(token_sha256=token_sha256))

    def add_device(self, device_id: str, worker_id: str, name: str, token_sha256: str,
                   at: str, expires_at: str) -> None:
        self._exec(insert(devices).values(id=device_id, worker_id=worker_id, name=name,
                                          token_sha256=token_sha256, enrolled_at=at,
                                          expires_at=expires_at))

    def device_by_token(self, token_sha256: str) -> dict[str, Any] | None:
        with self._read() as conn:
            return self._device_by_token.first(conn, {"sha": token_sha256})

    def device(self, device_id: str) -> dict[str, Any] | None:
        return self._one(select(devices).where(devices.c.id == device_id))

    def revoke_device(self, device_id: str, at: str) -> bool:
        with self._write() as conn:
            result = conn.execute(update(devices).where(devices.c.id == device_id)
                                  .values(revoked_at=func.coalesce(devices.c.revoked_at, at)))
            return bool(result.rowcount == 1)

    def retire_device(self, device_id: str, at: str) -> bool:
        """Mark a device retired; False when there is no such device or it is revoked."""
        with self._write() as conn:
            result = conn.execute(update(devices).where(devices.c.id == device_id,
                                                        devices.c.revoked_at.is_(None))
                                  .values(retired_at=func.coalesce(devices.c.retired_at, at)))
            return bool(result.rowcount == 1)

    def touch_device(self, device_id: str, at: str, *, pushed: bool = False,
                     pulled: bool = False, pending: int | None = None) -> None:
        shape = (pushed, pulled, pending is not None)
        stmt = self._touched.get(shape)
        if stmt is None:                        # one statement for each shape, built once
            values: dict[str, Any] = {"last_seen_at": bindparam("touch_at")}
            if pushed:
                values["last_push_at"] = bindparam("touch_at")
            if pulled:
                values["last_pull_at"] = bindparam("touch_at")
            if pending is not None:
                values["pending"] = bindparam("touch_pending")
            stmt = self._touched[shape] = _Direct(
                update(devices).where(devices.c.id == bindparam("touch_id")).values(**values),
                self.engine)
        params: dict[str, Any] = {"touch_id": device_id, "touch_at": at}
        if pending is not None:
            params["touch_pending"] = pending
        with self._write() as conn:
            stmt.run(conn, params)

    def devices_in_pod(self, pod_id: str) -> list[dict[str, Any]]:
        d, w = devices.c, workers.c
        return self._all(
            select(d.id.label("device_id"), d.name.label("device_name"), d.worker_id,
                   w.name.label("worker_name"), w.role, d.enrolled_at, d.last_seen_at,
                   d.last_push_at, d.last_pull_at, d.pending, d.revoked_at)
            .join_from(devices, workers, w.id == d.worker_id)
            .where(w.pod_id == pod_id).order_by(w.name, d.enrolled_at, d.id))

    # -- records ------------------------------------------------------------------------------

    def record(self, record_id: str) -> StoredRecord | None:
        found = self._records(select(*_RECORD_COLS).where(records.c.id == record_id))
        return found[0] if found else None

    def records_by_id(self, ids: Collection[str]) -> dict[str, StoredRecord]:
        if not ids:
            return {}
        with self._read() as conn:
            found = [_record(row) for row in self._records_by_id.rows(
                conn, {"ids": self._listed(ids)})]
        return {r.id: r for r in found}

    def put_record(self, rec: StoredRecord) -> None:
        self.put_records([rec])

    def put_records(self, recs: list[StoredRecord]) -> None:
        """Insert or replace each record (upsert on id), in one statement's batch."""
        if not recs:
            return
        rows = []
        for rec in recs:
            sha = rec.fields.get("sha256") if rec.entity == "attachment" else None
            rows.append({
                "entity": rec.entity, "id": rec.id, "rev": rec.rev, "seq": rec.seq,
                "pod_id": rec.pod_id, "case_id": rec.case_id,
                "fields": rec.stored_fields(),
                "deleted": bool(rec.deleted), "updated_at": rec.updated_at,
                "origin_device": rec.origin_device, "received_at": rec.received_at,
                "filed": bool(rec.filed), "case_system_ref": rec.case_system_ref,
                "filed_at": rec.filed_at, "filed_by": rec.filed_by,
                "sha256": sha if isinstance(sha, str) else None,
                "fields_blob": rec.fields_blob})
        with self._write() as conn:
            self._upsert_records(conn, rows)

    @staticmethod
    def _scope(pod_id: Any, worker_id: Any, *, pod_wide: bool) -> ColumnElement[bool]:
        """The records a caller of pod `pod_id` sees: the pod's (`pod_wide`), or its records
        of no case and of worker `worker_id`'s cases (values or bound parameters)."""
        in_pod = records.c.pod_id == pod_id
        if pod_wide:
            return in_pod
        mine = select(cases.c.id).where(cases.c.worker_id == worker_id)
        return and_(in_pod, or_(records.c.case_id.is_(None), records.c.case_id.in_(mine)))

    def last_seq(self, pod_id: str) -> int | None:
        with self._read() as conn:
            ((found,),) = self._last_seq.rows(conn, {"pod": pod_id})
        return None if found is None else int(found)

    def changes_since(self, caller: Caller, since: int, limit: int, *,
                      upto: int | None = None,
                      not_from: str | None = None) -> list[StoredRecord]:
        """The caller's changes after `since` and up to `upto`, oldest first, leaving out
        those whose current revision device `not_from` sent (no device has the empty id)."""
        stmt = self._changes[caller.pod_wide]
        with self._read() as conn:
            return [_record(r) for r in stmt.rows(conn, {
                "pod": caller.pod_id, "worker": caller.worker_id, "since": since,
                "upto": INT64_MAX if upto is None else upto, "not_from": not_from or "",
                "limit": limit})]

    def records(self, pod_id: str | None = None) -> Iterator[StoredRecord]:
        stmt = select(*_RECORD_COLS).order_by(records.c.seq)
        if pod_id:
            stmt = stmt.where(records.c.pod_id == pod_id)
        return iter(self._records(stmt))

    def unfiled(self, pod_id: str, entities: frozenset[str], limit: int) -> list[StoredRecord]:
        return self._records(select(*_RECORD_COLS)
                             .where(records.c.pod_id == pod_id, records.c.filed == false(),
                                    records.c.deleted == false(),
                                    records.c.entity.in_(sorted(entities)))
                             .order_by(records.c.seq).limit(limit))

    def attachment_in_scope(self, caller: Caller, sha256: str) -> bool:
        return self._one(select(literal(1).label("found"))
                         .where(records.c.sha256 == sha256, records.c.entity == "attachment",
                                records.c.deleted == false(),
                                self._scope(caller.pod_id, caller.worker_id,
                                            pod_wide=caller.pod_wide))
                         .limit(1)) is not None

    def fields_blob_in_scope(self, caller: Caller, sha256: str) -> bool:
        """Whether a record in the caller's scope is kept as this blob of its fields."""
        return self._one(select(literal(1).label("found"))
                         .where(records.c.fields_blob == sha256,
                                self._scope(caller.pod_id, caller.worker_id,
                                            pod_wide=caller.pod_wide))
                         .limit(1)) is not None

    # -- every accepted revision -------------------------------------------------------------

    def add_history(self, rows: list[dict[str, Any]]) -> None:
        """Rows of `repository.revision` (fields as stored text), in one statement's batch."""
        if rows:
            with self._write() as conn:
                self._add_history(conn, rows)

    def history(self, record_id: str) -> list[dict[str, Any]]:
        """The record's revisions as accepted, oldest first (the columns of `revision`)."""
        h = record_history.c
        rows = self._all(select(*(c for c in record_history.c if c.name != "id"))
                         .where(h.record_id == record_id).order_by(h.rev, h.id))
        for row in rows:
            row["fields"] = json.loads(row["fields"])
            row["deleted"], row["filed"] = bool(row["deleted"]), bool(row["filed"])
        return rows

    # -- idempotency, conflicts, refusals -----------------------------------------------------

    def applied_ops(self, worker_id: str, op_ids: Collection[str]) -> dict[str, tuple[str, int]]:
        """{op_id: (record_id, rev)} of those this worker already had applied."""
        if not op_ids:
            return {}
        with self._read() as conn:
            return {str(op_id): (str(record_id), int(rev))
                    for op_id, record_id, rev in self._applied_by_id.rows(
                        conn, {"worker": worker_id, "ids": self._listed(op_ids)})}

    def add_applied_ops(self, rows: list[dict[str, Any]]) -> None:
        """Rows of `worker_id, op_id, device_id, record_id, rev, at`."""
        if rows:
            with self._write() as conn:
                self._add_applied(conn, rows)

    def add_conflict(self, caller: Caller, op_id: str, entity: str, record_id: str,
                     base_rev: int | None, server_rev: int, at: str) -> None:
        with self._write() as conn:
            self._add_conflict(conn, [{
                "at": at, "device_id": caller.device_id, "worker_id": caller.worker_id,
                "pod_id": caller.pod_id, "op_id": op_id, "entity": entity,
                "record_id": record_id, "base_rev": base_rev, "server_rev": server_rev}])

    def add_refusal(self, caller: Caller, op_id: str, entity: str, record_id: str,
                    reason: str, at: str) -> None:
        with self._write() as conn:
            self._add_refusal(conn, [{
                "at": at, "device_id": caller.device_id, "worker_id": caller.worker_id,
                "pod_id": caller.pod_id, "op_id": op_id, "entity": entity,
                "record_id": record_id, "reason": reason}])

    def not_applied(self, pod_id: str, limit: int) -> dict[str, list[dict[str, Any]]]:
        """The pod's latest changes not applied (`conflicts`, `refusals`), newest first: each
        table's columns plus `worker_name`."""
        out = {}
        for table in (conflicts, refusals):
            out[table.name] = self._all(
                select(table, workers.c.name.label("worker_name"))
                .join_from(table, workers, workers.c.id == table.c.worker_id, isouter=True)
                .where(table.c.pod_id == pod_id).order_by(table.c.id.desc()).limit(limit))
        return out

    # -- blobs --------------------------------------------------------------------------------

    def blob(self, key: str) -> dict[str, Any] | None:
        row = self._one(select(blobs).where(blobs.c.key == key))
        if row is not None:
            row["complete"] = bool(row["complete"])
        return row

    def put_blob(self, key: str, received: int, complete: bool, pod_id: str,
                 device_id: str, at: str) -> None:
        values = {"key": key, "received": received, "complete": bool(complete),
                  "pod_id": pod_id, "device_id": device_id, "updated_at": at}
        stmt = self._insert(blobs).values(**values)
        self._exec(stmt.on_conflict_do_update(
            index_elements=[blobs.c.key],
            set_={name: stmt.excluded[name] for name in values if name != "key"}))

    def write_blob_part(self, key: str, offset: int, data: bytes) -> None:
        """Store `data` at byte `offset` of the upload, first dropping whatever it held at or
        beyond `offset` (a resumed upload rewrites from where it restarts). Raises ValueError
        for an offset past the bytes held (that would leave a hole)."""
        with self._write() as conn:
            conn.execute(delete(blob_parts).where(blob_parts.c.key == key,
                                                  blob_parts.c.byte_offset >= offset))
            last = conn.execute(
                select(blob_parts.c.byte_offset, func.length(blob_parts.c.data))
                .where(blob_parts.c.key == key)
                .order_by(blob_parts.c.byte_offset.desc()).limit(1)).first()
            end = int(last[0]) + int(last[1]) if last else 0
            if last is not None and end > offset:          # restarting inside a chunk
                start = int(last[0])
                kept = conn.execute(select(blob_parts.c.data).where(
                    blob_parts.c.key == key, blob_parts.c.byte_offset == start)).scalar_one()
                conn.execute(update(blob_parts)
                             .where(blob_parts.c.key == key, blob_parts.c.byte_offset == start)
                             .values(data=bytes(kept)[:offset - start]))
                end = offset
            if end != offset:
                raise ValueError(f"blob {key}: a piece at byte {offset} but {end} bytes held")
            if data:
                conn.execute(insert(blob_parts).values(key=key, byte_offset=offset,
                                                       data=bytes(data)))

    def blob_bytes(self, key: str) -> bytes:
        with self._read() as conn:
            return b"".join(bytes(part) for part in conn.execute(
                select(blob_parts.c.data).where(blob_parts.c.key == key)
                .order_by(blob_parts.c.byte_offset)).scalars())

    def move_blob(self, key: str, to: str) -> None:
        """A device's whole upload becomes its pod's copy (`to`): its row and its bytes."""
        with self._write() as conn:
            conn.execute(update(blob_parts).where(blob_parts.c.key == key).values(key=to))
            conn.execute(update(blobs).where(blobs.c.key == key).values(key=to))

    def drop_blob(self, key: str) -> None:
        """Remove an upload or a copy: its row, its bytes and its claims."""
        with self._write() as conn:
            self._drop_blobs(conn, [key])

    @staticmethod
    def _drop_blobs(conn: Connection, keys: list[str]) -> None:
        conn.execute(delete(blob_parts).where(blob_parts.c.key.in_(keys)))
        conn.execute(delete(blob_claims).where(blob_claims.c.key.in_(keys)))
        conn.execute(delete(blobs).where(blobs.c.key.in_(keys)))

    def claimed(self, key: str, device_id: str) -> bool:
        """Whether this device sent the pod's copy `key` whole."""
        return self._one(select(blob_claims.c.at).where(
            blob_claims.c.key == key, blob_claims.c.device_id == device_id)) is not None

    def add_claim(self, key: str, device_id: str, at: str) -> None:
        stmt = self._insert(blob_claims).values(key=key, device_id=device_id, at=at)
        self._exec(stmt.on_conflict_do_update(
            index_elements=[blob_claims.c.key, blob_claims.c.device_id], set_={"at": at}))

    @staticmethod
    def _uncited() -> ColumnElement[bool]:
        """No record of the upload's pod cites its bytes: no attachment (deleted or not), and
        none kept as this blob of its fields."""
        sha = func.substr(blobs.c.key, 1, 64)
        return ~select(records.c.id).where(
            or_(and_(records.c.sha256 == sha, records.c.entity == "attachment"),
                records.c.fields_blob == sha),
            records.c.pod_id == blobs.c.pod_id).exists()

    def uncited_blob_bytes(self, *, device_id: str | None = None,
                           pod_id: str | None = None) -> int:
        """Bytes held of uploads and copies no record cites: of one pod (each held once), or
        of one device (its uploads under way, and every copy it sent whole, even when another
        device of its pod sent it too)."""
        total = func.coalesce(func.sum(blobs.c.received), 0)
        with self._read() as conn:
            if device_id is None:
                return int(conn.execute(select(total).where(
                    blobs.c.pod_id == pod_id, self._uncited())).scalar_one())
            under_way = conn.execute(select(total).where(
                blobs.c.device_id == device_id, blobs.c.complete == false(),
                self._uncited())).scalar_one()
            claimed = conn.execute(select(total).join_from(
                blobs, blob_claims, blob_claims.c.key == blobs.c.key).where(
                blob_claims.c.device_id == device_id, self._uncited())).scalar_one()
        return int(under_way) + int(claimed)

    def prune_uncited_blobs(self, before: str) -> int:
        """Remove the uploads and copies no record cites last touched before `before`; how
        many."""
        stale = select(blobs.c.key).where(
            or_(blobs.c.updated_at.is_(None), blobs.c.updated_at < before), self._uncited())
        with self._write() as conn:
            keys = list(conn.execute(stale).scalars())
            if keys:
                self._drop_blobs(conn, keys)
        return len(keys)

    # -- audit --------------------------------------------------------------------------------

    def audit(self, at: str, device_id: str | None, worker_id: str | None, action: str,
              target: str, count: int, status: int, *, client: str | None = None,
              record_ids: Collection[str] = (), pod_id: str | None = None) -> None:
        """Append an audit row, linked into its pod's hash chain (`pod_id`; none: the chain
        of what no pod's caller did). The chain's newest row's hash is read under the lock
        that orders that chain: on SQLite the write lock every transaction takes; on
        PostgreSQL a transaction-level advisory lock for the chain (one extra statement), held
        to the commit, so rows of concurrent transactions in any gateway instance chain in
        order, and other pods' go on meanwhile. Write it last in its transaction: the lock is
        held from here to the commit."""
        row = {"chain": pod_id or "", "at": at, "device_id": device_id, "worker_id": worker_id,
               "client": client,
               "action": action, "target": target, "count": count, "status": status,
               "record_ids": json.dumps(list(record_ids), separators=(",", ":"))
               if record_ids else None}
        with self._write() as conn, self.batched():
            # In one pipeline on PostgreSQL: the INSERT, sent with the lock, begins (and takes
            # its snapshot, which reads the newest hash) only once the lock is granted.
            if self.dialect == "postgresql":
                self._audit_lock.run(conn, {"chain": row["chain"]})
            self._add_audit.run(conn, {**row, "digest": content_digest(row)})

    def audit_rows(self, limit: int) -> list[dict[str, Any]]:
        rows = self._all(select(audit).order_by(audit.c.id.desc()).limit(limit))
        for row in rows:
            row["record_ids"] = json.loads(row["record_ids"]) if row["record_ids"] else None
        return rows

    def audit_chain(self, batch: int = 5000) -> Iterator[dict[str, Any]]:
        """Every audit row as stored, oldest first (read in batches), for the chain's check."""
        after = 0
        while True:
            rows = self._all(select(audit).where(audit.c.id > after).order_by(audit.c.id)
                             .limit(batch))
            yield from rows
            if len(rows) < batch:
                return
            after = int(rows[-1]["id"])


if TYPE_CHECKING:
    def _implements_the_protocol(repo: SqlRepository) -> GatewayRepository:
        return repo
