"""The laptop's tables (store/migrations.py) and the records (domain/entities.py) are written
in two places: they agree column for column, so a field added to one and not the other fails
here, not on a worker's laptop."""

from __future__ import annotations

import pytest

from rbsw_desktop.domain.entities import ENTITY_TYPES
from rbsw_desktop.store import Store, codec

SQL_TYPE = {"text": "TEXT", "enum": "TEXT", "json": "TEXT", "int": "INTEGER", "bool": "INTEGER"}


@pytest.mark.parametrize("entity", sorted(ENTITY_TYPES))
def test_each_table_has_the_records_columns_in_order(store: Store, entity: str) -> None:
    table = [(name, kind, bool(notnull) or bool(pk)) for _, name, kind, notnull, _, pk in
             store.db.execute(f'PRAGMA table_info("{entity}")').fetchall()]
    record = [(c.name, SQL_TYPE[c.kind], not c.nullable)
              for c in codec.columns(ENTITY_TYPES[entity])]
    assert table == record


def test_every_record_table_is_a_kind_of_record(store: Store) -> None:
    support = {"outbox", "audit", "meta", "blob", "conflict", "autosave", "pulled_quarantine",
               "own_word"}
    tables = {r[0] for r in store.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search%' "
        "AND name NOT LIKE 'sqlite%'")}
    assert tables - support == set(ENTITY_TYPES)
