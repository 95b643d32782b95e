"""What every part of the store shares: the one store, its connection and its transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

    from rbsw_desktop.store.store import Store


class Part:
    """One job of the store (`store.board`, `store.outbox`, ...) over the store's connection."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def db(self) -> sqlite_utils.Database:
        return self._store.db
