"""What a worker was typing when the app locked itself (`store.drafts`), restored after unlock.
Kept encrypted with the rest of the store; never synced."""

from __future__ import annotations

from rbsw_desktop.domain.instants import utc_now
from rbsw_desktop.store.part import Part


class Drafts(Part):
    def save(self, key: str, payload: str) -> None:
        with self._store.transaction():
            self.db.execute("INSERT OR REPLACE INTO autosave(key, payload, saved_at) "
                            "VALUES (?, ?, ?)", [key, payload, utc_now()])

    def get(self, key: str) -> str | None:
        self._store.check_open()
        row = self.db.execute("SELECT payload FROM autosave WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def clear(self, key: str) -> None:
        with self._store.transaction():
            self.db.execute("DELETE FROM autosave WHERE key = ?", [key])
