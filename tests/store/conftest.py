"""The store tests each read the records' columns afresh (`codec.columns` and
`codec.columns_by_name` are cached for the process): a wrong mapping from a field's type to its
column then fails the tests that store and read that record, instead of hiding behind columns
worked out earlier in the same process (as they are when `mutate` forks one process per change
it tries)."""

from __future__ import annotations

import pytest

from rbsw_desktop.store import codec


@pytest.fixture(autouse=True)
def columns_afresh() -> None:
    codec.columns.cache_clear()  # type: ignore[attr-defined]
    codec.columns_by_name.cache_clear()  # type: ignore[attr-defined]
