"""When the disk fills or the store's file is damaged, the worker reads what happened and what to
do, in words; nothing half-saved is left behind. A mistake in the app's own SQL is not dressed up
as either."""

from __future__ import annotations

from pathlib import Path

import pytest

from rbsw_desktop.domain import Case, Visit
from rbsw_desktop.errors import DiskFull, StoreDamaged
from rbsw_desktop.store import Store
from rbsw_desktop.store.db import DAMAGED, DISK_FULL, DatabaseError
from tests.conftest import PASSPHRASE


def test_a_full_disk_says_so_and_keeps_what_was_saved(store: Store, case: Case) -> None:
    kept = store.visits.add(case.id, observations="Saved before the disk filled (fictional)")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 2}")     # as good as a full disk
    with pytest.raises(DiskFull) as refused:
        store.visits.add(case.id, observations="Too much (fictional) " * 20_000)
    assert str(refused.value) == DISK_FULL
    assert DISK_FULL.startswith("The laptop's disk is full, so the last change could not be "
                                "saved. Everything saved before it is safe.")
    assert [v.id for v in store.visits.of_case(case.id)] == [kept.id]
    assert not store.db.conn.in_transaction


def test_a_damaged_store_says_so_in_words(data_dir: Path, store: Store, case: Case) -> None:
    for n in range(40):
        store.visits.add(case.id, observations=f"Visit {n} (fictional) " * 50)
    store.lock()
    path = data_dir / "store.db"
    data = bytearray(path.read_bytes())
    data[-4000:-3900] = bytes(100)                      # part of the last page, overwritten
    path.write_bytes(bytes(data))
    again = Store.unlock(data_dir, PASSPHRASE)
    try:
        with pytest.raises(StoreDamaged) as damaged:
            for table in ("visit", "search_doc", "outbox", "audit", "child", "case"):
                again.records.rows(f'SELECT * FROM "{table}"')
            again.records.find(Visit)
        assert str(damaged.value) == DAMAGED
        assert DAMAGED.startswith("The store on this laptop is damaged or has been changed")
    finally:
        again.lock()


def test_a_mistake_in_the_apps_own_sql_is_not_called_damage(store: Store) -> None:
    with pytest.raises(DatabaseError, match="no such column"):
        store.records.rows('SELECT no_such_column FROM "visit"')
    with pytest.raises(DatabaseError, match="no such table"), store.transaction():
        store.db.execute("DELETE FROM no_such_table")
    assert not store.db.conn.in_transaction
