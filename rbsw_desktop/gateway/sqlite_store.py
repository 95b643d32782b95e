"""The gateway's embedded default store: one SQLite file (stdlib sqlite3, WAL) in the data
directory. Implements `repository.GatewayRepository`.

One connection per process, shared by the server's threads under a lock: a write transaction
is exclusive (BEGIN IMMEDIATE), which is what keeps the change sequence gap-free for pulls.
The admin CLI opens its own connection to the same file; SQLite's locking and a busy timeout
keep the two apart.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rbsw_desktop.gateway.repository import Caller, StoredRecord

DB_NAME = "gateway.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('seq', '0'), ('schema', '1');
CREATE TABLE IF NOT EXISTS pods(id TEXT PRIMARY KEY, name TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workers(id TEXT PRIMARY KEY, pod_id TEXT NOT NULL REFERENCES pods(id),
    name TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices(id TEXT PRIMARY KEY,
    worker_id TEXT NOT NULL REFERENCES workers(id), name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE, enrolled_at TEXT NOT NULL, expires_at TEXT NOT NULL,
    revoked_at TEXT, last_seen_at TEXT, last_push_at TEXT, last_pull_at TEXT, pending INTEGER);
CREATE TABLE IF NOT EXISTS enrol_codes(code_sha256 TEXT PRIMARY KEY,
    worker_id TEXT NOT NULL REFERENCES workers(id), created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL, used_at TEXT, device_id TEXT);
CREATE TABLE IF NOT EXISTS cases(id TEXT PRIMARY KEY, child_id TEXT NOT NULL,
    child_name TEXT NOT NULL, worker_id TEXT NOT NULL REFERENCES workers(id),
    pod_id TEXT NOT NULL REFERENCES pods(id), created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cases_worker ON cases(worker_id);
CREATE TABLE IF NOT EXISTS records(id TEXT PRIMARY KEY, entity TEXT NOT NULL,
    rev INTEGER NOT NULL, seq INTEGER NOT NULL UNIQUE, pod_id TEXT NOT NULL, case_id TEXT,
    fields TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL,
    origin_device TEXT, received_at TEXT NOT NULL, filed INTEGER NOT NULL DEFAULT 0,
    case_system_ref TEXT NOT NULL DEFAULT '', filed_at TEXT, filed_by TEXT,
    sha256 TEXT);
CREATE INDEX IF NOT EXISTS records_pod_seq ON records(pod_id, seq);
CREATE INDEX IF NOT EXISTS records_sha ON records(sha256) WHERE sha256 IS NOT NULL;
CREATE TABLE IF NOT EXISTS applied_ops(op_id TEXT PRIMARY KEY, device_id TEXT NOT NULL,
    record_id TEXT NOT NULL, rev INTEGER NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conflicts(id INTEGER PRIMARY KEY, at TEXT NOT NULL,
    device_id TEXT, worker_id TEXT, pod_id TEXT NOT NULL, op_id TEXT, entity TEXT,
    record_id TEXT, base_rev INTEGER, server_rev INTEGER);
CREATE TABLE IF NOT EXISTS failures(id INTEGER PRIMARY KEY, at TEXT NOT NULL,
    device_id TEXT, worker_id TEXT, pod_id TEXT NOT NULL, op_id TEXT, entity TEXT,
    record_id TEXT, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs(sha256 TEXT PRIMARY KEY, received INTEGER NOT NULL,
    complete INTEGER NOT NULL, pod_id TEXT, device_id TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS audit(id INTEGER PRIMARY KEY, at TEXT NOT NULL, device_id TEXT,
    worker_id TEXT, action TEXT NOT NULL, target TEXT NOT NULL DEFAULT '',
    count INTEGER NOT NULL DEFAULT 0, status INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS fault_plan(id INTEGER PRIMARY KEY CHECK (id = 1),
    status INTEGER NOT NULL, remaining INTEGER NOT NULL, retry_after REAL);
"""

_RECORD_COLS = ("entity, id, rev, seq, pod_id, case_id, fields, deleted, updated_at, "
                "origin_device, received_at, filed, case_system_ref, filed_at, filed_by")


def _record(row: tuple[Any, ...]) -> StoredRecord:
    (entity, rid, rev, seq, pod_id, case_id, fields, deleted, updated_at, origin, received_at,
     filed, ref, filed_at, filed_by) = row
    return StoredRecord(entity, rid, rev, seq, pod_id, case_id, json.loads(fields),
                        bool(deleted), updated_at, origin, received_at, bool(filed), ref,
                        filed_at, filed_by)


class SqliteRepository:
    """`GatewayRepository` on one SQLite file."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_NAME
        self._lock = threading.RLock()
        self._depth = 0
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                  check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        with self.transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)

    def close(self) -> None:
        with self._lock:
            self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self.db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            else:
                self.db.execute("COMMIT")
            finally:
                self._depth = 0

    def _all(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            cur = self.db.execute(sql, args)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _one(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> dict[str, Any] | None:
        rows = self._all(sql, args)
        return rows[0] if rows else None

    def next_seq(self) -> int:
        with self._lock:
            (value,) = self.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                                       "WHERE key = 'seq' RETURNING value").fetchone()
            return int(value)

    # -- pods, workers, cases -----------------------------------------------------------------

    def add_pod(self, pod_id: str, name: str, at: str) -> None:
        with self._lock:
            self.db.execute("INSERT INTO pods(id, name, created_at) VALUES (?, ?, ?)",
                            (pod_id, name, at))

    def add_worker(self, worker_id: str, pod_id: str, name: str, role: str, at: str) -> None:
        with self._lock:
            self.db.execute("INSERT INTO workers(id, pod_id, name, role, created_at) "
                            "VALUES (?, ?, ?, ?, ?)", (worker_id, pod_id, name, role, at))

    def worker(self, worker_id: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM workers WHERE id = ?", (worker_id,))

    def pod(self, pod_id: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM pods WHERE id = ?", (pod_id,))

    def workers_in_pod(self, pod_id: str) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM workers WHERE pod_id = ? ORDER BY name", (pod_id,))

    def add_case(self, case_id: str, child_id: str, child_name: str, worker_id: str,
                 pod_id: str, at: str) -> None:
        with self._lock:
            self.db.execute("INSERT INTO cases(id, child_id, child_name, worker_id, pod_id, "
                            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                            (case_id, child_id, child_name, worker_id, pod_id, at))

    def case(self, case_id: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM cases WHERE id = ?", (case_id,))

    # -- devices and enrolment ----------------------------------------------------------------

    def add_enrol_code(self, code_sha256: str, worker_id: str, at: str, expires_at: str) -> None:
        with self._lock:
            self.db.execute("INSERT INTO enrol_codes(code_sha256, worker_id, created_at, "
                            "expires_at) VALUES (?, ?, ?, ?)",
                            (code_sha256, worker_id, at, expires_at))

    def take_enrol_code(self, code_sha256: str, device_id: str, now: str) -> str | None:
        """The code's worker id if it is unused and unexpired; marks it used (one time)."""
        with self._lock:
            row = self.db.execute(
                "UPDATE enrol_codes SET used_at = ?, device_id = ? WHERE code_sha256 = ? AND "
                "used_at IS NULL AND expires_at > ? RETURNING worker_id",
                (now, device_id, code_sha256, now)).fetchone()
            return str(row[0]) if row else None

    def add_device(self, device_id: str, worker_id: str, name: str, token_sha256: str,
                   at: str, expires_at: str) -> None:
        with self._lock:
            self.db.execute("INSERT INTO devices(id, worker_id, name, token_sha256, enrolled_at, "
                            "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                            (device_id, worker_id, name, token_sha256, at, expires_at))

    def device_by_token(self, token_sha256: str) -> dict[str, Any] | None:
        return self._one("SELECT d.*, w.pod_id, w.role FROM devices d JOIN workers w "
                         "ON w.id = d.worker_id WHERE d.token_sha256 = ?", (token_sha256,))

    def device(self, device_id: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM devices WHERE id = ?", (device_id,))

    def revoke_device(self, device_id: str, at: str) -> bool:
        with self._lock:
            cur = self.db.execute("UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) "
                                  "WHERE id = ?", (at, device_id))
            return cur.rowcount == 1

    def touch_device(self, device_id: str, at: str, *, pushed: bool = False,
                     pulled: bool = False, pending: int | None = None) -> None:
        sets = ["last_seen_at = ?"]
        args: list[Any] = [at]
        if pushed:
            sets.append("last_push_at = ?")
            args.append(at)
        if pulled:
            sets.append("last_pull_at = ?")
            args.append(at)
        if pending is not None:
            sets.append("pending = ?")
            args.append(pending)
        with self._lock:
            self.db.execute(f"UPDATE devices SET {', '.join(sets)} WHERE id = ?",  # noqa: S608
                            (*args, device_id))

    def devices_in_pod(self, pod_id: str) -> list[dict[str, Any]]:
        return self._all(
            "SELECT d.id AS device_id, d.name AS device_name, d.worker_id, w.name AS worker_name, "
            "w.role, d.enrolled_at, d.last_seen_at, d.last_push_at, d.last_pull_at, d.pending, "
            "d.revoked_at FROM devices d JOIN workers w ON w.id = d.worker_id "
            "WHERE w.pod_id = ? ORDER BY w.name, d.enrolled_at", (pod_id,))

    # -- records ------------------------------------------------------------------------------

    def record(self, record_id: str) -> StoredRecord | None:
        with self._lock:
            row = self.db.execute(f"SELECT {_RECORD_COLS} FROM records WHERE id = ?",  # noqa: S608
                                  (record_id,)).fetchone()
        return _record(row) if row else None

    def put_record(self, rec: StoredRecord) -> None:
        sha = rec.fields.get("sha256") if rec.entity == "attachment" else None
        with self._lock:
            self.db.execute(
                "INSERT OR REPLACE INTO records(entity, id, rev, seq, pod_id, case_id, fields, "
                "deleted, updated_at, origin_device, received_at, filed, case_system_ref, "
                "filed_at, filed_by, sha256) VALUES (" + ", ".join("?" * 16) + ")",
                (rec.entity, rec.id, rec.rev, rec.seq, rec.pod_id, rec.case_id,
                 json.dumps(rec.fields, ensure_ascii=False, separators=(",", ":")),
                 int(rec.deleted), rec.updated_at, rec.origin_device, rec.received_at,
                 int(rec.filed), rec.case_system_ref, rec.filed_at, rec.filed_by,
                 sha if isinstance(sha, str) else None))

    @staticmethod
    def _scope(caller: Caller) -> tuple[str, list[Any]]:
        if caller.pod_wide:
            return "pod_id = ?", [caller.pod_id]
        return ("pod_id = ? AND (case_id IS NULL OR case_id IN "
                "(SELECT id FROM cases WHERE worker_id = ?))", [caller.pod_id, caller.worker_id])

    def changes_since(self, caller: Caller, since: int, limit: int) -> list[StoredRecord]:
        where, args = self._scope(caller)
        with self._lock:
            rows = self.db.execute(
                f"SELECT {_RECORD_COLS} FROM records WHERE seq > ? AND {where} "  # noqa: S608
                "ORDER BY seq LIMIT ?", (since, *args, limit)).fetchall()
        return [_record(r) for r in rows]

    def records(self, pod_id: str | None = None) -> Iterator[StoredRecord]:
        sql = f"SELECT {_RECORD_COLS} FROM records"  # noqa: S608
        with self._lock:
            rows = (self.db.execute(sql + " WHERE pod_id = ? ORDER BY seq", (pod_id,))
                    if pod_id else self.db.execute(sql + " ORDER BY seq")).fetchall()
        return iter([_record(r) for r in rows])

    def unfiled(self, pod_id: str, entities: frozenset[str], limit: int) -> list[StoredRecord]:
        marks = ",".join("?" * len(entities))
        with self._lock:
            rows = self.db.execute(
                f"SELECT {_RECORD_COLS} FROM records WHERE pod_id = ? AND filed = 0 "  # noqa: S608
                f"AND deleted = 0 AND entity IN ({marks}) ORDER BY seq LIMIT ?",
                (pod_id, *sorted(entities), limit)).fetchall()
        return [_record(r) for r in rows]

    def attachment_in_scope(self, caller: Caller, sha256: str) -> bool:
        where, args = self._scope(caller)
        with self._lock:
            row = self.db.execute(
                f"SELECT 1 FROM records WHERE sha256 = ? AND entity = 'attachment' "  # noqa: S608
                f"AND deleted = 0 AND {where} LIMIT 1", (sha256, *args)).fetchone()
        return row is not None

    # -- idempotency, conflicts, failures -----------------------------------------------------

    def applied_op(self, op_id: str) -> tuple[str, int] | None:
        with self._lock:
            row = self.db.execute("SELECT record_id, rev FROM applied_ops WHERE op_id = ?",
                                  (op_id,)).fetchone()
        return (str(row[0]), int(row[1])) if row else None

    def add_applied_op(self, op_id: str, device_id: str, record_id: str, rev: int,
                       at: str) -> None:
        with self._lock:
            self.db.execute("INSERT INTO applied_ops(op_id, device_id, record_id, rev, at) "
                            "VALUES (?, ?, ?, ?, ?)", (op_id, device_id, record_id, rev, at))

    def add_conflict(self, caller: Caller, op_id: str, entity: str, record_id: str,
                     base_rev: int | None, server_rev: int, at: str) -> None:
        with self._lock:
            self.db.execute(
                "INSERT INTO conflicts(at, device_id, worker_id, pod_id, op_id, entity, "
                "record_id, base_rev, server_rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (at, caller.device_id, caller.worker_id, caller.pod_id, op_id, entity,
                 record_id, base_rev, server_rev))

    def add_failure(self, caller: Caller, op_id: str, entity: str, record_id: str,
                    reason: str, at: str) -> None:
        with self._lock:
            self.db.execute(
                "INSERT INTO failures(at, device_id, worker_id, pod_id, op_id, entity, "
                "record_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (at, caller.device_id, caller.worker_id, caller.pod_id, op_id, entity,
                 record_id, reason))

    def problems(self, pod_id: str, limit: int) -> dict[str, list[dict[str, Any]]]:
        out = {}
        for table in ("conflicts", "failures"):
            out[table] = self._all(
                f"SELECT t.*, w.name AS worker_name FROM {table} t LEFT JOIN workers w "  # noqa: S608
                "ON w.id = t.worker_id WHERE t.pod_id = ? ORDER BY t.id DESC LIMIT ?",
                (pod_id, limit))
        return out

    # -- blobs --------------------------------------------------------------------------------

    def blob(self, sha256: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM blobs WHERE sha256 = ?", (sha256,))

    def put_blob(self, sha256: str, received: int, complete: bool, pod_id: str,
                 device_id: str, at: str) -> None:
        with self._lock:
            self.db.execute("INSERT OR REPLACE INTO blobs(sha256, received, complete, pod_id, "
                            "device_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                            (sha256, received, int(complete), pod_id, device_id, at))

    # -- audit and faults ---------------------------------------------------------------------

    def audit(self, at: str, device_id: str | None, worker_id: str | None, action: str,
              target: str, count: int, status: int) -> None:
        with self._lock:
            self.db.execute("INSERT INTO audit(at, device_id, worker_id, action, target, count, "
                            "status) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (at, device_id, worker_id, action, target, count, status))

    def audit_rows(self, limit: int) -> list[dict[str, Any]]:
        return self._all("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))

    def set_fault(self, status: int, count: int, retry_after: float | None) -> None:
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO fault_plan(id, status, remaining, "
                            "retry_after) VALUES (1, ?, ?, ?)", (status, count, retry_after))

    def take_fault(self) -> tuple[int, float | None] | None:
        with self.transaction():
            row = self.db.execute("UPDATE fault_plan SET remaining = remaining - 1 WHERE id = 1 "
                                  "AND remaining > 0 RETURNING status, retry_after").fetchone()
        return (int(row[0]), row[1]) if row else None
