"""The words a worker added to their own dictionary for spell-check (`store.own_words`): kept
encrypted with the rest of the store, one list per worker, never synced (they are the worker's
own, not part of any case record)."""

from __future__ import annotations

from rbsw_desktop.domain.instants import utc_now
from rbsw_desktop.store.part import Part

MAX_WORD_CHARS = 100


class OwnWords(Part):
    def all(self) -> set[str]:
        """The worker's words, and those added on this laptop before it was enrolled (the
        same worker: a laptop's store is one worker's)."""
        self._store.check_open()
        rows = self.db.execute("SELECT word FROM own_word WHERE worker_id IN (?, ?)",
                               [self._store.actor, self._store.UNENROLLED]).fetchall()
        return {row[0] for row in rows}

    def add(self, word: str) -> None:
        word = word.strip()[:MAX_WORD_CHARS]
        if not word:
            return
        with self._store.transaction():
            self.db.execute("INSERT OR IGNORE INTO own_word(worker_id, word, added_at) "
                            "VALUES (?, ?, ?)", [self._store.actor, word, utc_now()])
