"""The laptop's audit log: who did what to which record, and when. Never the record's content."""

from __future__ import annotations

from rbsw_desktop.domain.entities import utc_now
from rbsw_desktop.store.part import Part


class Audit(Part):
    def log(self, action: str, entity: str, record_id: str) -> None:
        """One audit row, in the caller's transaction."""
        self.db.execute(
            "INSERT INTO audit(at, actor, device_id, action, entity, record_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [utc_now(), self._store.actor, self._store.device_id, action, entity, record_id])

    def log_many(self, action: str, records: list[tuple[str, str]]) -> None:
        """`log` for many (entity, record id) at once (a pulled page), in one statement."""
        at, actor, device_id = utc_now(), self._store.actor, self._store.device_id
        self.db.conn.executemany(
            "INSERT INTO audit(at, actor, device_id, action, entity, record_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(at, actor, device_id, action, entity, record_id) for entity, record_id in records])
