"""The gateway's SQL storage (`rbsw_desktop.gateway.db`) on SQLite and on PostgreSQL.

Each test runs on both backends: SQLite in tmp_path, PostgreSQL in a fresh database of a
throwaway cluster (`postgres_cluster`). What a user would notice: a laptop's pull missing a change
for good, an edit lost between two gateway instances, a photo's bytes wrong after a resumed
upload, a half-made schema, a setting mistake reported as a stack trace or with the password
in it, the council's records readable by other accounts on the server.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import stat
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from psycopg import sql
from sqlalchemy import Connection, Sequence, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from rbsw_desktop.errors import RbswError
from rbsw_desktop.gateway.db import (
    SqlRepository,
    _config,
    database_url,
    migrate,
    open_repository,
    schema_state,
)
from rbsw_desktop.gateway.db.engine import normalise
from rbsw_desktop.gateway.db.tables import metadata
from rbsw_desktop.gateway.repository import Caller, StoredRecord, blob_key

WAIT = 10.0          # the longest any step may take before the test gives up


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- PostgreSQL: the session's throwaway cluster (tests/postgres.py) -------------------------

@pytest.fixture
def postgres_admin_url(postgres_cluster: Any) -> str:
    """The cluster's own `postgres` database, as its superuser: where databases are made."""
    return str(postgres_cluster.url())


def _admin(admin_url: str) -> psycopg.Connection[Any]:
    u = make_url(admin_url)
    return psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                           dbname=u.database, autocommit=True)


@pytest.fixture
def pg_database(postgres_admin_url: str) -> Iterator[str]:
    """A new, empty database in the cluster for one test."""
    name = f"rbsw_{uuid.uuid4().hex[:12]}"
    with _admin(postgres_admin_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)
    with _admin(postgres_admin_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return database_url(tmp_path / "data")
    return str(request.getfixturevalue("pg_database"))


@pytest.fixture
def repo(url: str) -> Iterator[SqlRepository]:
    migrate(url)
    r = open_repository(url)
    yield r
    r.close()


def _another(repo: SqlRepository, url: str, cls: type[SqlRepository] = SqlRepository
             ) -> SqlRepository:
    """A second repository with its own engine on the same database: another gateway."""
    return cls(open_repository(url).engine)


# -- helpers ----------------------------------------------------------------------------------

POD, CASE, WORKER = "pod-1", "case-1", "worker-1"
SW = Caller("dev-1", WORKER, POD, "social_worker")
BS = Caller("dev-2", "worker-2", POD, "business_support")


def _rec(rid: str, seq: int, *, case: str | None = CASE, entity: str = "visit",
         **fields: Any) -> StoredRecord:
    return StoredRecord(entity, rid, 1, seq, POD, case, {"case_id": case, **fields},
                        updated_at="2026-12-01T10:00:00.000Z", origin_device="dev-1",
                        received_at="2026-12-01T10:00:01.000Z")


def _people(repo: SqlRepository) -> None:
    with repo.transaction():
        repo.add_pod(POD, "Test Pod (fictional)", "t0")
        repo.add_worker(WORKER, POD, "Sam Testworker", "social_worker", "t0")
        repo.add_worker("worker-2", POD, "Bea Business", "business_support", "t0")
        repo.add_case(CASE, "child-1", "Ada Fictional", WORKER, POD, "t0")


def _one_sentence(message: str) -> None:
    assert message.endswith(".") and "\n" not in message and ". " not in message, message
    assert "Traceback" not in message and "Error" not in message and "sqlalche" not in message


def _tables(url: str) -> set[str]:
    repo = open_repository(url)
    try:
        with repo.engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        repo.close()


# -- schema and migrations --------------------------------------------------------------------

def test_migrate_makes_the_schema_current_and_is_safe_to_run_again(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        assert schema_state(url) == "empty"
        assert not path.parent.exists(), "schema_state created the data directory"
    assert schema_state(url) == "empty"
    migrate(url)
    assert schema_state(url) == "current"
    migrate(url)
    assert schema_state(url) == "current"
    repo = open_repository(url)
    try:
        assert repo.next_seq() == 1
    finally:
        repo.close()


def test_cursors_from_before_revision_0005_stay_valid(url: str) -> None:
    """A council database whose counter row has numbered 41 changes: after revision 0005_speed
    (PostgreSQL's change sequence) the next change is 42, above every laptop's cursor; a
    downgrade carries the position back into the counter row."""
    config = _config(normalise(url))
    command.upgrade(config, "0001")
    repo = open_repository(url)
    with repo.engine.begin() as conn:
        conn.execute(text("UPDATE counters SET value = 41 WHERE name = 'seq'"))
    repo.close()
    migrate(url)
    repo = open_repository(url)
    try:
        assert repo.next_seq() == 42
    finally:
        repo.close()
    command.downgrade(config, "0001")
    repo = open_repository(url)
    try:
        with repo.engine.connect() as conn:
            assert conn.execute(text("SELECT value FROM counters")).scalar_one() == 42
    finally:
        repo.close()


def test_refused_changes_from_before_revision_0007_are_kept(url: str) -> None:
    """Revision 0007 moves the refused changes from `failures` to `refusals`: every row comes
    across, the next refusal is numbered after them, and a downgrade carries them back."""
    config = _config(normalise(url))
    command.upgrade(config, "0006_blob_claims")
    repo = open_repository(url)
    with repo.engine.begin() as conn:
        for n in (1, 2):
            conn.execute(text("INSERT INTO failures (id, at, pod_id, op_id, reason) "
                              "VALUES (:n, 't', :pod, :op, 'bad')"), {"n": n, "pod": POD,
                                                                        "op": f"op-{n}"})
    repo.close()
    migrate(url)
    repo = open_repository(url)
    try:
        repo.add_refusal(SW, "op-3", "visit", "r3", "worse", "t3")
        found = repo.not_applied(POD, 10)["refusals"]
        assert [(f["id"], f["op_id"]) for f in found] == [(3, "op-3"), (2, "op-2"), (1, "op-1")]
    finally:
        repo.close()
    command.downgrade(config, "0006_blob_claims")
    repo = open_repository(url)
    try:
        with repo.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM failures")).scalar_one() == 3
    finally:
        repo.close()


def test_the_migrated_schema_is_what_the_code_uses(url: str) -> None:
    migrate(url)
    repo = open_repository(url)
    try:
        with repo.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(
                conn, opts={"compare_type": True}), metadata)
    finally:
        repo.close()
    assert diffs == []


def test_tables_not_made_by_these_migrations_are_outdated(url: str) -> None:
    repo = open_repository(url)
    try:
        with repo.engine.begin() as conn:
            conn.execute(text("CREATE TABLE something_else (x INTEGER)"))
    finally:
        repo.close()
    assert schema_state(url) == "outdated"


def test_a_failed_migration_leaves_no_half_made_schema(url: str) -> None:
    repo = open_repository(url)
    try:     # a table with the name of an index the revision creates near its end
        with repo.engine.begin() as conn:
            conn.execute(text("CREATE TABLE ix_failures_pod_id_id (x INTEGER)"))
    finally:
        repo.close()
    with pytest.raises(RbswError) as caught:
        migrate(url)
    _one_sentence(str(caught.value))
    assert "up to date" in str(caught.value)
    assert _tables(url) == {"ix_failures_pod_id_id"}
    assert schema_state(url) == "outdated"


def test_a_database_from_a_newer_gateway_is_refused_in_plain_words(url: str) -> None:
    migrate(url)
    repo = open_repository(url)
    try:
        with repo.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        repo.close()
    for call in (schema_state, migrate):
        with pytest.raises(RbswError, match="newer version"):
            call(url)


# -- every method -----------------------------------------------------------------------------

def test_pods_workers_cases_round_trip(repo: SqlRepository) -> None:
    _people(repo)
    assert repo.pod(POD) == {"id": POD, "name": "Test Pod (fictional)", "created_at": "t0"}
    assert repo.worker(WORKER) == {"id": WORKER, "pod_id": POD, "name": "Sam Testworker",
                                   "role": "social_worker", "created_at": "t0"}
    assert [w["name"] for w in repo.workers_in_pod(POD)] == ["Bea Business", "Sam Testworker"]
    assert repo.case(CASE) == {"id": CASE, "child_id": "child-1", "child_name": "Ada Fictional",
                               "worker_id": WORKER, "pod_id": POD, "created_at": "t0"}
    assert repo.pod("nope") is None and repo.worker("nope") is None and repo.case("x") is None
    assert repo.workers_in_pod("other") == []


def test_enrolment_and_devices_round_trip(repo: SqlRepository) -> None:
    _people(repo)
    repo.add_enrol_code("c" * 64, WORKER, "2026-12-01T10:00:00Z", "2026-12-08T10:00:00Z")
    assert repo.enrol_code("c" * 64) == {
        "code_sha256": "c" * 64, "worker_id": WORKER, "created_at": "2026-12-01T10:00:00Z",
        "expires_at": "2026-12-08T10:00:00Z", "used_at": None, "device_id": None,
        "nonce": None}
    assert repo.take_enrol_code("c" * 64, "dev-1", "n1", "2026-12-09T00:00:00Z") is None
    assert repo.take_enrol_code("c" * 64, "dev-1", "n1", "2026-12-02T00:00:00Z") == WORKER
    assert repo.take_enrol_code("c" * 64, "dev-9", "n2", "2026-12-02T00:00:01Z") is None
    row = repo.enrol_code("c" * 64)
    assert row is not None
    assert (row["used_at"], row["device_id"], row["nonce"]) == \
        ("2026-12-02T00:00:00Z", "dev-1", "n1")
    assert repo.enrol_code("d" * 64) is None

    repo.add_device("dev-1", WORKER, "Laptop", "t" * 64, "t1", "t9")
    found = repo.device_by_token("t" * 64)
    assert found is not None and (found["id"], found["pod_id"], found["role"]) == \
        ("dev-1", POD, "social_worker")
    repo.set_device_token("dev-1", "u" * 64)
    assert repo.device_by_token("t" * 64) is None
    assert repo.device_by_token("u" * 64) is not None
    repo.touch_device("dev-1", "t2", pushed=True, pending=3)
    repo.touch_device("dev-1", "t3", pulled=True)
    dev = repo.device("dev-1")
    assert dev is not None
    assert (dev["last_seen_at"], dev["last_push_at"], dev["last_pull_at"], dev["pending"]) == \
        ("t3", "t2", "t3", 3)
    assert repo.revoke_device("dev-1", "t4") is True
    assert repo.revoke_device("dev-1", "t5") is True        # the first revocation time stays
    assert repo.revoke_device("nope", "t5") is False
    assert repo.device("dev-1")["revoked_at"] == "t4"       # type: ignore[index]
    assert repo.devices_in_pod(POD) == [{
        "device_id": "dev-1", "device_name": "Laptop", "worker_id": WORKER,
        "worker_name": "Sam Testworker", "role": "social_worker", "enrolled_at": "t1",
        "last_seen_at": "t3", "last_push_at": "t2", "last_pull_at": "t3", "pending": 3,
        "revoked_at": "t4"}]
    assert repo.devices_in_pod("other") == []


def test_records_round_trip_and_upsert(repo: SqlRepository) -> None:
    _people(repo)
    rec = _rec("r1", repo.next_seq(), summary="Visited; all well — ünïcode kept")
    repo.put_record(rec)
    assert repo.record("r1") == rec
    assert repo.record("nope") is None
    rec2 = StoredRecord("visit", "r1", 2, repo.next_seq(), POD, CASE, {"case_id": CASE},
                        True, "u2", "dev-2", "r2", True, "CMS-42", "f2", "worker-2")
    repo.put_record(rec2)                                     # the upsert: same id, new row
    got = repo.record("r1")
    assert got == rec2 and got.deleted is True and got.filed is True
    assert [r.id for r in repo.records()] == ["r1"]
    assert [r.rev for r in repo.records(POD)] == [2]
    assert list(repo.records("other")) == []


def test_a_batch_insert_refuses_a_column_whose_value_it_would_skip(repo: SqlRepository) -> None:
    """A push's rows go straight to the driver (`SqlRepository._many`): a column given a
    default or a conversion in the schema would be written without it (NULL, or unconverted),
    so building such a statement fails at once rather than storing the wrong value."""
    from sqlalchemy import JSON, Column, MetaData, Table, Text

    for extra in (Column("kind", Text, default="visit"), Column("fields", JSON)):
        table = Table("future", MetaData(), Column("id", Text, primary_key=True), extra)
        with pytest.raises(TypeError, match=f"future.{extra.name}: cannot go straight"):
            repo._many(table)
    repo._many(Table("future", MetaData(), Column("id", Text, primary_key=True),
                     Column("note", Text)), upsert_on=None)         # plain columns: built


def test_a_statement_run_straight_on_the_driver_fails_as_sqlalchemys(
        repo: SqlRepository) -> None:
    """The hot statements skip SQLAlchemy's execute (`repository._Direct`): a database error
    in one is still SQLAlchemy's (the 503 a laptop retries, `deps.audited`), it rolls back
    only its own transaction, and a statement that SQLAlchemy would expand or convert is
    refused when it is built."""
    from sqlalchemy import JSON, bindparam, literal_column

    from rbsw_desktop.gateway.db.repository import _Direct
    from rbsw_desktop.gateway.db.tables import records

    row = {"worker_id": "worker-1", "op_id": "op-1", "device_id": "dev-1",
           "record_id": "rec-1", "rev": 1, "at": "2026-12-01T09:00:00.000Z"}
    with repo.transaction():
        repo.add_applied_ops([row])
    with pytest.raises(IntegrityError), repo.transaction():
        repo.add_applied_ops([{**row, "op_id": "op-2"}, row])     # op-1 again: unique
    assert repo.applied_ops("worker-1", ["op-1", "op-2"]) == {"op-1": ("rec-1", 1)}
    with pytest.raises(TypeError, match="ids: cannot go straight"):
        _Direct(select(records.c.id).where(records.c.id.in_(bindparam("ids", expanding=True))),
                repo.engine)
    with pytest.raises(TypeError, match="doc: cannot go straight"):
        _Direct(select(literal_column("'{}'", JSON).label("doc")), repo.engine)


def test_scope_pulls_queue_and_attachments(repo: SqlRepository) -> None:
    _people(repo)
    with repo.transaction():
        repo.add_case("case-2", "child-2", "Ben Example", "worker-2", POD, "t0")
        for rid, case, entity, extra in (
                ("mine", CASE, "visit", {}), ("theirs", "case-2", "visit", {}),
                ("podrec", None, "pod", {}), ("att", CASE, "attachment", {"sha256": "a" * 64}),
                ("filed", CASE, "visit", {})):
            repo.put_record(_rec(rid, repo.next_seq(), case=case, entity=entity, **extra))
        done = repo.record("filed")
        assert done is not None
        done.filed, done.seq = True, repo.next_seq()
        repo.put_record(done)
    assert [r.id for r in repo.changes_since(SW, 0, 100)] == ["mine", "podrec", "att", "filed"]
    assert [r.id for r in repo.changes_since(BS, 0, 100)] == \
        ["mine", "theirs", "podrec", "att", "filed"]
    assert [r.id for r in repo.changes_since(BS, 2, 2)] == ["podrec", "att"]
    assert repo.changes_since(Caller("d", "w", "other-pod", "pod_manager"), 0, 100) == []
    assert [r.id for r in repo.unfiled(POD, frozenset({"visit", "attachment"}), 10)] == \
        ["mine", "theirs", "att"]
    assert repo.unfiled(POD, frozenset(), 10) == []
    assert repo.attachment_in_scope(SW, "a" * 64)
    assert not repo.attachment_in_scope(SW, "b" * 64)
    assert not repo.attachment_in_scope(Caller("d", "w", "other-pod", "business_support"),
                                        "a" * 64)


def test_ops_conflicts_refusals_and_audit(repo: SqlRepository) -> None:
    _people(repo)
    assert repo.applied_ops(WORKER, ["op-1"]) == {}
    repo.add_applied_ops([{"worker_id": WORKER, "op_id": "op-1", "device_id": "dev-1",
                           "record_id": "r1", "rev": 3, "at": "t1"}])
    assert repo.applied_ops(WORKER, ["op-1", "op-2"]) == {"op-1": ("r1", 3)}
    assert repo.applied_ops("another-worker", ["op-1"]) == {}
    repo.add_conflict(SW, "op-2", "visit", "r1", 2, 3, "t2")
    repo.add_conflict(SW, "op-3", "visit", "r1", None, 4, "t3")
    repo.add_refusal(Caller("dev-x", "gone", POD, "nqsw"), "op-4", "visit", "r2", "bad", "t4")
    found = repo.not_applied(POD, 10)
    assert [c["op_id"] for c in found["conflicts"]] == ["op-3", "op-2"]
    first = found["conflicts"][1]
    assert {k: first[k] for k in ("at", "device_id", "worker_id", "pod_id", "entity",
                                  "record_id", "base_rev", "server_rev", "worker_name")} == {
        "at": "t2", "device_id": "dev-1", "worker_id": WORKER, "pod_id": POD,
        "entity": "visit", "record_id": "r1", "base_rev": 2, "server_rev": 3,
        "worker_name": "Sam Testworker"}
    assert isinstance(first["id"], int)
    assert [(f["reason"], f["worker_name"]) for f in found["refusals"]] == [("bad", None)]
    assert repo.not_applied(POD, 1)["conflicts"][0]["op_id"] == "op-3"
    assert repo.not_applied("other", 10) == {"conflicts": [], "refusals": []}
    repo.audit("t1", "dev-1", WORKER, "push", "", 2, 200)
    repo.audit("t2", None, None, "enrol", "x", 0, 400)
    rows = repo.audit_rows(10)
    assert [(r["action"], r["count"], r["status"]) for r in rows] == \
        [("enrol", 0, 400), ("push", 2, 200)]
    assert set(rows[0]) == {"id", "at", "device_id", "worker_id", "action", "target", "count",
                            "status", "client", "record_ids", "hash", "chain"}
    assert len(repo.audit_rows(1)) == 1


def test_blob_parts_resume_rewrites_from_where_the_upload_restarts(repo: SqlRepository) -> None:
    mib = 1024 * 1024
    first, second, again = os.urandom(mib), os.urandom(mib), os.urandom(mib // 2)
    key = blob_key("f" * 64, POD)
    assert repo.blob(key) is None and repo.blob_bytes(key) == b""
    repo.write_blob_part(key, 0, first)
    repo.write_blob_part(key, mib, second)
    repo.put_blob(key, 2 * mib, False, POD, "dev-1", "t1")
    assert repo.blob(key) == {"key": key, "received": 2 * mib, "complete": False,
                              "pod_id": POD, "device_id": "dev-1", "updated_at": "t1"}
    assert repo.blob_bytes(key) == first + second
    repo.write_blob_part(key, mib, again)                  # resume from 1 MiB
    assert repo.blob_bytes(key) == first + again
    repo.write_blob_part(key, mib // 4, b"tail")           # restart inside the first piece
    assert repo.blob_bytes(key) == first[:mib // 4] + b"tail"
    with pytest.raises(ValueError):
        repo.write_blob_part(key, mib, b"a hole")          # past what is held: refused
    assert repo.blob_bytes(key) == first[:mib // 4] + b"tail"
    repo.put_blob(key, mib // 4 + 4, True, POD, "dev-1", "t2")
    blob = repo.blob(key)
    assert blob is not None and blob["complete"] is True and blob["received"] == mib // 4 + 4
    other = blob_key("f" * 64, "pod-2")                    # another pod's upload is apart
    assert repo.blob(other) is None and repo.blob_bytes(other) == b""
    repo.write_blob_part(key, 0, b"")
    assert repo.blob_bytes(key) == b""


# -- transactions -----------------------------------------------------------------------------

class Boom(Exception):
    pass


def test_transactions_nest_and_roll_back(repo: SqlRepository) -> None:
    seen_elsewhere: list[Any] = []
    with repo.transaction():
        repo.add_pod("p1", "One", "t")
        with repo.transaction():
            repo.add_pod("p2", "Two", "t")
            assert repo.pod("p1") is not None                # reads see the writes
        with pytest.raises(Boom), repo.transaction():
            repo.add_pod("p3", "Three", "t")
            raise Boom
        assert repo.pod("p3") is None                        # just the inner block undone
        with pytest.raises(IntegrityError), repo.transaction():
            repo.add_pod("p1", "Again", "t")                 # a database error, caught
        assert repo.pod("p2") is not None                    # ... and the work goes on
        reader = threading.Thread(target=lambda: seen_elsewhere.append(repo.pod("p1")))
        reader.start()
        reader.join(WAIT)
        assert seen_elsewhere == [None]                      # not committed yet
    assert repo.pod("p1") is not None and repo.pod("p2") is not None
    before = repo.next_seq()
    with pytest.raises(Boom), repo.transaction():
        repo.add_pod("p4", "Four", "t")
        with repo.transaction():
            repo.add_pod("p5", "Five", "t")
            repo.next_seq()
        raise Boom
    assert repo.pod("p4") is None and repo.pod("p5") is None
    after = repo.next_seq()
    # SQLite's counter row rolled back too; PostgreSQL's sequence leaves a number no change
    # has (a hole a pull steps over: nothing is missed)
    assert after == before + 1 if repo.dialect == "sqlite" else after > before


def test_each_thread_has_its_own_transaction(repo: SqlRepository) -> None:
    """Two requests on one repository at once: one's transaction neither sees nor commits
    the other's writes."""
    inside, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            with repo.transaction():
                repo.add_pod("slow", "Slow", "t")
                inside.set()
                release.wait(WAIT)
                raise Boom
        except Boom:
            pass
        except BaseException as exc:      # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=slow)
    thread.start()
    assert inside.wait(WAIT)
    assert repo.pod("slow") is None           # this thread is in no transaction
    release.set()
    thread.join(WAIT)
    assert not errors and repo.pod("slow") is None


def test_writers_are_one_at_a_time_across_gateways(repo: SqlRepository, url: str) -> None:
    """Two gateway instances bump the same record at once: neither edit is lost (with only
    READ COMMITTED and no writers' lock, both would read rev 1 and both write rev 2)."""
    _people(repo)
    repo.put_record(_rec("r", repo.next_seq()))
    other = _another(repo, url)
    first_read, release = threading.Event(), threading.Event()

    def bump(r: SqlRepository, hold: Callable[[], None]) -> None:
        with r.transaction():
            rec = r.record("r")
            assert rec is not None
            hold()
            rec.rev, rec.seq = rec.rev + 1, r.next_seq()
            r.put_record(rec)

    def hold() -> None:
        first_read.set()
        release.wait(WAIT)

    one = threading.Thread(target=bump, args=(repo, hold))
    two = threading.Thread(target=bump, args=(other, lambda: None))
    one.start()
    assert first_read.wait(WAIT)
    two.start()
    two.join(0.5)
    assert two.is_alive(), "the second writer did not wait for the first"
    release.set()
    one.join(WAIT)
    two.join(WAIT)
    final = repo.record("r")
    assert final is not None and final.rev == 3
    other.close()


# -- gap-free pull cursors --------------------------------------------------------------------

class _NoWritersLock(SqlRepository):
    """No writers' lock at all: nothing but the numbering itself to keep order."""

    def _lock_writers(self, conn: Connection, pod: str | None) -> None:
        pass


class _PlainSequence(_NoWritersLock):
    """What the writers' lock is for: seq values from a database SEQUENCE taken under no lock."""

    def next_seq(self) -> int:
        with self._write() as conn:
            return int(conn.execute(select(func.nextval("plain_seq"))).scalar_one())


def _pull_while_first_writer_waits(url: str, repo: SqlRepository, cls: type[SqlRepository]
                                   ) -> tuple[list[int], list[int], bool]:
    """Writer A takes a seq and keeps its transaction open; writer B, another gateway, takes
    the next seq and commits. What a pull sees while A is open, what it sees once both are
    done, and whether B committed while A was still open."""
    _people(repo)
    a, b = _another(repo, url, cls), _another(repo, url, cls)
    a_has_seq, release_a, b_done = threading.Event(), threading.Event(), threading.Event()

    def writer_a() -> None:
        with a.transaction():
            a.put_record(_rec("from-a", a.next_seq()))
            a_has_seq.set()
            release_a.wait(WAIT)

    def writer_b() -> None:
        with b.transaction():
            b.put_record(_rec("from-b", b.next_seq()))
        b_done.set()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    threads[0].start()
    assert a_has_seq.wait(WAIT)
    threads[1].start()
    b_overtook = b_done.wait(1.0)
    while_open = [r.seq for r in repo.changes_since(BS, 0, 100)]
    release_a.set()
    for t in threads:
        t.join(WAIT)
    after = [r.seq for r in repo.changes_since(BS, 0, 100)]
    a.close()
    b.close()
    return while_open, after, b_overtook


def _never_skips(while_open: list[int], after: list[int]) -> bool:
    """A pull that read `while_open` and moved its cursor to its last seq misses nothing."""
    cursor = while_open[-1] if while_open else 0
    return [s for s in after if s <= cursor] == while_open


def test_a_pull_never_skips_a_change_committed_late(repo: SqlRepository, url: str) -> None:
    while_open, after, b_overtook = _pull_while_first_writer_waits(url, repo, SqlRepository)
    assert not b_overtook and while_open == [] and after == [1, 2]
    assert _never_skips(while_open, after)


@pytest.fixture
def pg_repo(pg_database: str) -> Iterator[SqlRepository]:
    migrate(pg_database)
    r = open_repository(pg_database)
    yield r
    r.close()


def test_two_pods_commit_in_parallel_and_one_pods_in_order(repo: SqlRepository,
                                                            url: str) -> None:
    """Three gateway connections push at once: A (pod 1) takes a number and keeps its
    transaction open; B (pod 2) must commit meanwhile on PostgreSQL (on SQLite, one writer at
    a time, it waits); C (pod 1) must wait for A, then number above it. Pod 1's pull never
    skips a change; seq values stay unique across pods."""
    _people(repo)
    repo.add_pod("pod-2", "Second Pod (fictional)", "t0")
    a, b, c = (_another(repo, url) for _ in range(3))
    a_has_seq, release_a = threading.Event(), threading.Event()
    b_done, c_done = threading.Event(), threading.Event()

    def push(r: SqlRepository, pod: str, rid: str, hold: Callable[[], None] = lambda: None,
             done: threading.Event | None = None) -> None:
        with r.transaction(lock=False):           # the request's transaction (its audit row)
            r.audit("t", None, None, "POST /sync/push", "", 1, 200, pod_id=pod)
            with r.transaction(pod=pod):
                rec = _rec(rid, r.next_seq())
                rec.pod_id = pod
                r.put_record(rec)
                hold()
        if done is not None:
            done.set()

    def hold_a() -> None:
        a_has_seq.set()
        release_a.wait(WAIT)

    threads = [threading.Thread(target=push, args=(a, POD, "from-a", hold_a))]
    threads[0].start()
    assert a_has_seq.wait(WAIT)
    threads += [threading.Thread(target=push, args=(b, "pod-2", "from-b"),
                                 kwargs={"done": b_done}),
                threading.Thread(target=push, args=(c, POD, "from-c"),
                                 kwargs={"done": c_done})]
    for t in threads[1:]:
        t.start()
    parallel = b_done.wait(2.0)
    c_overtook = c_done.wait(1.0)
    pod_1_while_open = [r.seq for r in repo.changes_since(BS, 0, 100)]
    release_a.set()
    for t in threads:
        t.join(WAIT)
    assert c_done.is_set() and b_done.is_set()
    assert parallel == (repo.dialect == "postgresql"), "pods' pushes: parallel on PostgreSQL"
    assert not c_overtook, "a push of pod 1 committed while an earlier one was still open"
    pod_1 = {r.id: r.seq for r in repo.changes_since(BS, 0, 100)}
    assert list(pod_1) == ["from-a", "from-c"] and pod_1_while_open == []
    assert _never_skips(pod_1_while_open, list(pod_1.values()))
    pod_2 = [r.seq for r in repo.records("pod-2")]
    assert len(pod_2) == 1 and pod_2[0] not in pod_1.values()
    for r in (a, b, c):
        r.close()


def test_a_plain_sequence_would_let_a_pull_skip_a_change(pg_repo: SqlRepository,
                                                         pg_database: str) -> None:
    """The control: the same test with a database SEQUENCE and no writers' lock sees seq 2
    while 1 is open, and a laptop's cursor would move past 1 for good."""
    with pg_repo.engine.begin() as conn:
        Sequence("plain_seq").create(conn)
    while_open, after, b_overtook = _pull_while_first_writer_waits(pg_database, pg_repo,
                                                                   _PlainSequence)
    assert b_overtook and while_open == [2] and after == [1, 2]
    assert not _never_skips(while_open, after)


def test_a_puller_misses_nothing_under_many_writers(repo: SqlRepository, url: str) -> None:
    """Four gateway instances writing while a laptop pulls with its cursor: it ends up with
    every record."""
    _people(repo)
    writers = [_another(repo, url) for _ in range(4)]
    written: list[str] = []
    got: list[str] = []
    done = threading.Event()
    lock = threading.Lock()

    def write(r: SqlRepository, n: int) -> None:
        for i in range(20):
            rid = f"w{n}-{i}"
            with r.transaction():
                seq = r.next_seq()
                time.sleep(0.001 * ((n + i) % 3))
                r.put_record(_rec(rid, seq))
            with lock:
                written.append(rid)

    def pull() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            batch = repo.changes_since(BS, cursor, 7)
            got.extend(r.id for r in batch)
            cursor = batch[-1].seq if batch else cursor
            if finished and not batch:
                return

    puller = threading.Thread(target=pull)
    puller.start()
    threads = [threading.Thread(target=write, args=(r, n)) for n, r in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    done.set()
    puller.join(60)
    for r in writers:
        r.close()
    assert len(written) == 80
    assert sorted(got) == sorted(written)


# -- settings in plain words ------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["not a database url", "mysql://sam:hunter2@db.example/rbsw",
                                 "sqlite://", "postgresql+psycopg2://sam:hunter2@h/db"])
def test_a_wrong_url_is_one_plain_sentence(bad: str) -> None:
    for call in (open_repository, migrate, schema_state):
        with pytest.raises(RbswError) as caught:
            call(bad)
        _one_sentence(str(caught.value))
        assert "hunter2" not in str(caught.value)


def test_an_unreachable_database_is_one_plain_sentence() -> None:
    port = _free_port()
    bad = f"postgresql://sam:hunter2@127.0.0.1:{port}/rbsw"
    for call in (open_repository, migrate, schema_state):
        started = time.monotonic()
        with pytest.raises(RbswError) as caught:
            call(bad)
        assert time.monotonic() - started < 8
        message = str(caught.value)
        _one_sentence(message)
        assert f"127.0.0.1:{port}" in message and "connection refused" in message
        assert "hunter2" not in message


def test_a_refused_password_or_missing_database_is_one_plain_sentence(
        postgres_admin_url: str) -> None:
    u = make_url(postgres_admin_url)
    wrong = u.set(password="not-the-password").render_as_string(hide_password=False)
    with pytest.raises(RbswError) as caught:
        open_repository(wrong)
    message = str(caught.value)
    assert message == (f"The gateway could not connect to its database at 127.0.0.1:{u.port}:"
                       " the password was refused.")
    with pytest.raises(RbswError, match="the password was refused"):
        migrate(wrong)
    missing = u.set(database="no_such_db").render_as_string(hide_password=False)
    with pytest.raises(RbswError) as caught:
        open_repository(missing)
    _one_sentence(str(caught.value))
    assert "there is no database called no_such_db" in str(caught.value)
    assert str(u.password) not in str(caught.value)


def test_a_plain_postgresql_url_uses_psycopg_3_and_keeps_commits_durable(
        pg_database: str) -> None:
    assert pg_database.startswith("postgresql://")
    repo = open_repository(pg_database)
    try:
        assert repo.engine.url.drivername == "postgresql+psycopg"
        assert repo.location.endswith(make_url(pg_database).database or "?")
        assert str(make_url(pg_database).password) not in repo.location
        with repo.engine.connect() as conn:
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
            assert conn.execute(text("SHOW transaction_isolation")).scalar() == "read committed"
    finally:
        repo.close()


def test_a_file_that_is_not_a_database_is_one_plain_sentence(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sqlite3"
    path.write_bytes(b"this is not a database file, just text " * 100)
    with pytest.raises(RbswError) as caught:
        open_repository(f"sqlite:///{path}")
    _one_sentence(str(caught.value))
    assert str(path) in str(caught.value) and "not a database" in str(caught.value)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(RbswError) as caught:
        open_repository(f"sqlite:///{tmp_path / 'afile' / 'gateway.sqlite3'}")
    _one_sentence(str(caught.value))


# -- the SQLite file --------------------------------------------------------------------------

def test_database_url_default_is_the_data_dirs_file(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert database_url(Path("gw"), None) == f"sqlite:///{tmp_path / 'gw' / 'gateway.sqlite3'}"
    assert database_url(Path("gw"), "postgresql://h/db") == "postgresql://h/db"


def test_the_sqlite_file_is_durable_and_its_owners_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    url = database_url(data)
    old = os.umask(0o022)
    try:
        migrate(url)
        repo = open_repository(url)
        try:
            _people(repo)
            with repo.engine.connect() as conn:
                pragmas = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in
                           ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
            assert pragmas == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1,
                               "busy_timeout": 30000}
            for name in ("gateway.sqlite3", "gateway.sqlite3-wal", "gateway.sqlite3-shm"):
                assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
            assert stat.S_IMODE(data.stat().st_mode) == 0o700
        finally:
            repo.close()
        # an existing file left readable by others (the old store's umask) is tightened
        keep = sqlite3.connect(data / "gateway.sqlite3")      # keeps -wal/-shm in being
        try:
            keep.execute("SELECT count(*) FROM pods").fetchall()
            for name in ("gateway.sqlite3", "gateway.sqlite3-wal", "gateway.sqlite3-shm"):
                os.chmod(data / name, 0o644)
            open_repository(url).close()
            for name in ("gateway.sqlite3", "gateway.sqlite3-wal", "gateway.sqlite3-shm"):
                assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
        finally:
            keep.close()
    finally:
        os.umask(old)


LEGACY_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta(key, value) VALUES ('seq', '41'), ('schema', '1');
CREATE TABLE pods(id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE workers(id TEXT PRIMARY KEY, pod_id TEXT NOT NULL REFERENCES pods(id),
    name TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE devices(id TEXT PRIMARY KEY, worker_id TEXT NOT NULL REFERENCES workers(id),
    name TEXT NOT NULL, token_sha256 TEXT NOT NULL UNIQUE, enrolled_at TEXT NOT NULL,
    expires_at TEXT NOT NULL, revoked_at TEXT, last_seen_at TEXT, last_push_at TEXT,
    last_pull_at TEXT, pending INTEGER);
CREATE TABLE enrol_codes(code_sha256 TEXT PRIMARY KEY,
    worker_id TEXT NOT NULL REFERENCES workers(id), created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL, used_at TEXT, device_id TEXT);
CREATE TABLE cases(id TEXT PRIMARY KEY, child_id TEXT NOT NULL, child_name TEXT NOT NULL,
    worker_id TEXT NOT NULL REFERENCES workers(id), pod_id TEXT NOT NULL REFERENCES pods(id),
    created_at TEXT NOT NULL);
CREATE INDEX cases_worker ON cases(worker_id);
CREATE TABLE records(id TEXT PRIMARY KEY, entity TEXT NOT NULL, rev INTEGER NOT NULL,
    seq INTEGER NOT NULL UNIQUE, pod_id TEXT NOT NULL, case_id TEXT, fields TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL, origin_device TEXT,
    received_at TEXT NOT NULL, filed INTEGER NOT NULL DEFAULT 0,
    case_system_ref TEXT NOT NULL DEFAULT '', filed_at TEXT, filed_by TEXT, sha256 TEXT);
CREATE INDEX records_pod_seq ON records(pod_id, seq);
CREATE INDEX records_sha ON records(sha256) WHERE sha256 IS NOT NULL;
CREATE TABLE applied_ops(op_id TEXT PRIMARY KEY, device_id TEXT NOT NULL,
    record_id TEXT NOT NULL, rev INTEGER NOT NULL, at TEXT NOT NULL);
CREATE TABLE conflicts(id INTEGER PRIMARY KEY, at TEXT NOT NULL, device_id TEXT,
    worker_id TEXT, pod_id TEXT NOT NULL, op_id TEXT, entity TEXT, record_id TEXT,
    base_rev INTEGER, server_rev INTEGER);
CREATE TABLE failures(id INTEGER PRIMARY KEY, at TEXT NOT NULL, device_id TEXT,
    worker_id TEXT, pod_id TEXT NOT NULL, op_id TEXT, entity TEXT, record_id TEXT,
    reason TEXT NOT NULL);
CREATE TABLE blobs(sha256 TEXT PRIMARY KEY, received INTEGER NOT NULL,
    complete INTEGER NOT NULL, pod_id TEXT, device_id TEXT, updated_at TEXT);
CREATE TABLE audit(id INTEGER PRIMARY KEY, at TEXT NOT NULL, device_id TEXT,
    worker_id TEXT, action TEXT NOT NULL, target TEXT NOT NULL DEFAULT '',
    count INTEGER NOT NULL DEFAULT 0, status INTEGER NOT NULL DEFAULT 0);
CREATE TABLE fault_plan(id INTEGER PRIMARY KEY CHECK (id = 1), status INTEGER NOT NULL,
    remaining INTEGER NOT NULL, retry_after REAL);
INSERT INTO pods VALUES ('pod-1', 'Test Pod (fictional)', 't0');
INSERT INTO workers VALUES ('worker-1', 'pod-1', 'Sam Testworker', 'social_worker', 't0');
INSERT INTO devices VALUES ('dev-1', 'worker-1', 'Laptop', 'tok', 't1', 't9', NULL, 't2',
    't2', NULL, 0);
INSERT INTO enrol_codes VALUES ('code', 'worker-1', 't0', 't9', 't1', 'dev-1');
INSERT INTO cases VALUES ('case-1', 'child-1', 'Ada Fictional', 'worker-1', 'pod-1', 't0');
INSERT INTO records VALUES ('r1', 'visit', 3, 41, 'pod-1', 'case-1', '{"case_id":"case-1"}',
    0, 'u', 'dev-1', 'r', 1, 'CMS-1', 'f', 'worker-1', NULL);
INSERT INTO applied_ops VALUES ('op-1', 'dev-1', 'r1', 3, 't2');
INSERT INTO conflicts(at, device_id, worker_id, pod_id, op_id, entity, record_id, base_rev,
    server_rev) VALUES ('t3', 'dev-1', 'worker-1', 'pod-1', 'op-2', 'visit', 'r1', 1, 3);
INSERT INTO failures(at, pod_id, reason) VALUES ('t4', 'pod-1', 'bad');
INSERT INTO audit(at, action, count, status) VALUES ('t5', 'push', 1, 200);
INSERT INTO fault_plan VALUES (1, 503, 2, NULL);
"""


def test_an_old_stores_file_is_adopted_with_everything_in_it(tmp_path: Path) -> None:
    """A gateway.sqlite3 from before Alembic: rows, the sequence counter (laptops' cursors)
    and the blob bytes kept in files all carry over."""
    data = tmp_path / "data"
    (data / "blobs").mkdir(parents=True)
    whole, part = os.urandom(3000), os.urandom(5000)
    whole_sha, part_sha = hashlib.sha256(whole).hexdigest(), hashlib.sha256(part).hexdigest()
    pod_hash = hashlib.sha256(POD.encode()).hexdigest()[:24]
    (data / "blobs" / whole_sha).write_bytes(whole)
    (data / "blobs" / f"{part_sha}.{pod_hash}.part").write_bytes(part[:4096])
    conn = sqlite3.connect(data / "gateway.sqlite3")
    conn.executescript(LEGACY_SCHEMA)
    conn.executemany("INSERT INTO blobs VALUES (?, ?, ?, ?, ?, ?)", [
        (f"{whole_sha}@{POD}", 3000, 1, POD, "dev-1", "t6"),
        (f"{part_sha}@{POD}", 4096, 0, POD, "dev-1", "t7"),
        (f"{'0' * 64}@{POD}", 10, 1, POD, "dev-1", "t8")])        # its file is gone
    conn.commit()
    conn.close()
    url = database_url(data)
    assert schema_state(url) == "outdated"
    migrate(url)
    assert schema_state(url) == "current"
    repo = open_repository(url)
    try:
        assert repo.next_seq() == 42
        rec = repo.record("r1")
        assert rec is not None and (rec.rev, rec.seq, rec.filed, rec.deleted) == \
            (3, 41, True, False)
        assert repo.worker(WORKER) is not None and repo.case(CASE) is not None
        assert repo.device_by_token("tok")["pod_id"] == POD      # type: ignore[index]
        assert repo.enrol_code("code")["device_id"] == "dev-1"   # type: ignore[index]
        assert repo.applied_ops(WORKER, ["op-1"]) == {"op-1": ("r1", 3)}
        found = repo.not_applied(POD, 10)
        assert [c["op_id"] for c in found["conflicts"]] == ["op-2"]
        assert [f["reason"] for f in found["refusals"]] == ["bad"]
        assert [a["action"] for a in repo.audit_rows(10)] == ["push"]
        assert repo.blob_bytes(blob_key(whole_sha, POD)) == whole
        assert repo.blob(blob_key(whole_sha, POD))["complete"] is True  # type: ignore[index]
        assert repo.blob_bytes(blob_key(part_sha, POD)) == part[:4096]
        assert repo.blob(blob_key(part_sha, POD))["received"] == 4096   # type: ignore[index]
        lost = repo.blob(blob_key("0" * 64, POD))
        assert lost is not None and (lost["received"], lost["complete"]) == (0, False)
        with repo.engine.connect() as c:
            assert "fault_plan" not in inspect(c).get_table_names()
            assert compare_metadata(MigrationContext.configure(
                c, opts={"compare_type": True}), metadata) == []
    finally:
        repo.close()
