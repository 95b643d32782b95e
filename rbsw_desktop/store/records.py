"""Generic record access. Every change writes, in one transaction: the record, its outbox row
for sync, an audit row (no content), and its search document."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from rbsw_desktop.domain.entities import Record, Visit, new_id, utc_now
from rbsw_desktop.domain.enums import SyncState, VisitStatus
from rbsw_desktop.errors import NotFound, RecordLocked
from rbsw_desktop.store import codec
from rbsw_desktop.store import db as dbmod

if TYPE_CHECKING:
    import sqlite_utils

R = TypeVar("R", bound=Record)


@cache
def _upsert_sql(cls: type[Record]) -> str:
    names = [c.name for c in codec.columns(cls)]
    cols = ", ".join(names)
    marks = ", ".join(f":{n}" for n in names)
    return f'INSERT OR REPLACE INTO "{cls.entity}" ({cols}) VALUES ({marks})'


class RecordsMixin:
    db: sqlite_utils.Database
    device_id: str

    # Provided by Store.
    def transaction(self) -> Any: ...  # pragma: no cover
    def _check_open(self) -> None: ...  # pragma: no cover
    @property
    def actor(self) -> str: ...  # pragma: no cover

    # -- reading ------------------------------------------------------------------------------

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self._check_open()
        try:
            cur = self.db.execute(sql, list(params))
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        except dbmod.DatabaseError as exc:
            plain = dbmod.plain_error(exc)
            if plain is None:
                raise
            raise plain from None

    def get(self, cls: type[R], record_id: str) -> R:
        rows = self._rows(f'SELECT * FROM "{cls.entity}" WHERE id = ?', [record_id])
        if not rows:
            raise NotFound(f"No {cls.entity.replace('_', ' ')} with id {record_id} here.")
        return codec.from_row(cls, rows[0])  # type: ignore[return-value]

    def find(self, cls: type[R], where: str = "", params: Sequence[Any] = (), *,
             order_by: str = "", include_deleted: bool = False) -> list[R]:
        clauses = [] if include_deleted else ["deleted = 0"]
        if where:
            clauses.append(f"({where})")
        sql = f'SELECT * FROM "{cls.entity}"'
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        if order_by:
            sql += f" ORDER BY {order_by}"
        return [codec.from_row(cls, r) for r in self._rows(sql, params)]  # type: ignore[misc]

    # -- writing ------------------------------------------------------------------------------

    def save(self, record: R, *, action: str = "save") -> R:
        with self.transaction():
            self._save(record, action)
        return record

    def save_many(self, records: Iterable[Record], *, action: str = "save") -> int:
        count = 0
        with self.transaction():
            for record in records:
                self._save(record, action)
                count += 1
        return count

    def delete(self, record: Record) -> None:
        """A tombstone: the record stays, marked deleted, and the deletion syncs."""
        record.deleted = True
        self.save(record, action="delete")

    def _save(self, record: Record, action: str) -> None:
        self._refuse_finalised_edit(record)
        now = utc_now()
        record.updated_at = now
        record.updated_by = self.actor
        record.device_id = self.device_id
        record.sync_state = SyncState.PENDING
        self._write_row(record)
        self.db.execute(
            "INSERT INTO outbox(op_id, entity, record_id, base_rev, fields, deleted, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [new_id(), record.entity, record.id, record.rev,
             json.dumps(codec.to_fields(record), ensure_ascii=False), int(record.deleted), now])
        self.audit(action, record.entity, record.id)

    def _write_row(self, record: Record) -> None:
        """The row and its search document; no outbox, no audit (the caller's business)."""
        self.db.execute(_upsert_sql(type(record)), codec.to_row(record))
        self._index(record)

    def _refuse_finalised_edit(self, record: Record) -> None:
        if not isinstance(record, Visit):
            return
        row = self.db.execute('SELECT status FROM "visit" WHERE id = ?', [record.id]).fetchone()
        if row and row[0] == VisitStatus.FINALISED.value:
            raise RecordLocked("This visit has been finalised, so it cannot be changed. "
                               "Add an amendment to correct it.")

    def audit(self, action: str, entity: str, record_id: str) -> None:
        """Who did what to which record, and when. Never the record's content."""
        self.db.execute(
            "INSERT INTO audit(at, actor, device_id, action, entity, record_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [utc_now(), self.actor, self.device_id, action, entity, record_id])

    def audit_many(self, action: str, records: list[tuple[str, str]]) -> None:
        """`audit` for many (entity, record id) at once (a pulled page), in one statement."""
        at, actor = utc_now(), self.actor
        self.db.conn.executemany(
            "INSERT INTO audit(at, actor, device_id, action, entity, record_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(at, actor, self.device_id, action, entity, record_id)
             for entity, record_id in records])

    # -- search index -------------------------------------------------------------------------

    def _index(self, record: Record) -> None:
        if not type(record).search_fields:
            return
        row = self.db.execute("SELECT docid FROM search_doc WHERE record_id = ?",
                              [record.id]).fetchone()
        if row:
            self.db.execute("DELETE FROM search WHERE rowid = ?", [row[0]])
            self.db.execute("DELETE FROM search_doc WHERE docid = ?", [row[0]])
        text = codec.search_text(record)
        if record.deleted or not text:
            return
        case_id = getattr(record, "case_id", "") or (record.id if record.entity == "case" else "")
        cur = self.db.execute(
            "INSERT INTO search_doc(record_id, entity, case_id) VALUES (?, ?, ?)",
            [record.id, record.entity, case_id])
        self.db.execute("INSERT INTO search(rowid, body) VALUES (?, ?)", [cur.lastrowid, text])
