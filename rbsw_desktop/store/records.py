"""Any record by kind and id (`store.records`). Every change writes, in one transaction: the
record, its outbox row for sync, an audit row (no content), and its search document."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from typing import Any, TypeVar

from rbsw_desktop.domain.entities import Attachment, Record, Visit, new_id, utc_now
from rbsw_desktop.domain.enums import SyncState, VisitStatus
from rbsw_desktop.errors import NotFound, RecordLocked
from rbsw_desktop.store import codec
from rbsw_desktop.store import db as dbmod
from rbsw_desktop.store.part import Part

R = TypeVar("R", bound=Record)


@codec.per_class
def _upsert_sql(cls: type[Record]) -> str:
    names = [c.name for c in codec.columns(cls)]
    cols = ", ".join(names)
    marks = ", ".join(f":{n}" for n in names)
    return f'INSERT OR REPLACE INTO "{cls.entity}" ({cols}) VALUES ({marks})'


def id_in(column: str, ids: Collection[str]) -> tuple[str, list[str]]:
    """`column IN (?, ...)` and its parameters; false for no ids."""
    return (f"{column} IN ({', '.join('?' for _ in ids)})" if ids else "0", list(ids))


class Records(Part):
    # -- reading ------------------------------------------------------------------------------

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        self._store.check_open()
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
        rows = self.rows(f'SELECT * FROM "{cls.entity}" WHERE id = ?', [record_id])
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
        return [codec.from_row(cls, r) for r in self.rows(sql, params)]  # type: ignore[misc]

    def with_ids(self, cls: type[R], ids: Collection[str], where: str = "",
                 params: Sequence[Any] = ()) -> list[R]:
        """These records as stored now, in one query, deleted ones too (a view drops those):
        what a view reads again after a change (`Changes.ids_if_few`)."""
        if not ids:
            return []
        sql, id_params = id_in("id", ids)
        return self.find(cls, f"{sql} AND ({where})" if where else sql,
                         [*id_params, *params], include_deleted=True)

    # -- writing ------------------------------------------------------------------------------

    def save(self, record: R, *, action: str = "save") -> R:
        with self._store.transaction():
            self.save_in_transaction(record, action)
        return record

    def save_many(self, records: Iterable[Record], *, action: str = "save") -> int:
        count = 0
        with self._store.transaction():
            for record in records:
                self.save_in_transaction(record, action)
                count += 1
        return count

    def delete(self, record: Record) -> None:
        """A tombstone: the record stays, marked deleted, and the deletion syncs. A deleted
        photo's bytes go once nothing here needs them (`write_row`)."""
        record.deleted = True
        self.save(record, action="delete")

    def save_in_transaction(self, record: Record, action: str) -> None:
        """A local change: the row, its outbox row and its audit row, in the caller's
        transaction."""
        self._refuse_finalised_edit(record)
        now = utc_now()
        record.updated_at = now
        record.updated_by = self._store.actor
        record.device_id = self._store.device_id
        record.sync_state = SyncState.PENDING
        self.write_row(record)
        self.db.execute(
            "INSERT INTO outbox(op_id, entity, record_id, base_rev, fields, deleted, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [new_id(), record.entity, record.id, record.rev,
             json.dumps(codec.to_fields(record), ensure_ascii=False), int(record.deleted), now])
        self._store.audit.log(action, record.entity, record.id)

    def write_row(self, record: Record) -> None:
        """The row and its search document; no outbox, no audit (the caller's business): a
        local save, or a version the council already holds (pulled, enrolment)."""
        self.write_rows([record])

    def write_rows(self, records: Sequence[Record]) -> None:
        """`write_row` for many records at once (a pulled page): one statement per kind of
        record and a few for their search documents, instead of several per record. A record
        given twice ends as its last version."""
        by_kind: dict[type[Record], list[dict[str, Any]]] = {}
        for record in records:
            by_kind.setdefault(type(record), []).append(codec.to_row(record))
        for cls, rows in by_kind.items():
            self.db.conn.executemany(_upsert_sql(cls), rows)
        self._store.search.index_many(records)
        for record in records:
            self._store.note_change(record.entity, record.id)
            if record.deleted and isinstance(record, Attachment):    # here or pulled
                self._store.direct_work.drop_unused_blob(record.sha256)

    def _refuse_finalised_edit(self, record: Record) -> None:
        if not isinstance(record, Visit):
            return
        row = self.db.execute('SELECT status FROM "visit" WHERE id = ?', [record.id]).fetchone()
        if row and row[0] == VisitStatus.FINALISED.value:
            raise RecordLocked("This visit has been finalised, so it cannot be changed. "
                               "Add an amendment to correct it.")
