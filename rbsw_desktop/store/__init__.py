"""The encrypted local store (SQLCipher 4 through sqlite-utils). No Qt."""

from rbsw_desktop.store.cases import CaseSummary, TimelineEntry
from rbsw_desktop.store.search import SearchHit, fts_query
from rbsw_desktop.store.store import Store, store_exists

__all__ = ["CaseSummary", "SearchHit", "Store", "TimelineEntry", "fts_query", "store_exists"]
