"""Full-text search over visit notes, board items and direct work, the names on its ecomaps
and genograms too (FTS5, `store.search`).

Whatever a worker types is turned into plain words before it reaches FTS5: quotes, brackets,
`AND`, `NEAR`, `*`, `-` and emoji are never read as query syntax, so no syntax error can reach
them. Each word matches as a prefix, for search as you type. Results come newest first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rbsw_desktop.domain.direct_work_content import ContentProblem, content_words, parse_content
from rbsw_desktop.domain.entities import DirectWorkActivity, Record
from rbsw_desktop.store import codec
from rbsw_desktop.store.part import Part
from rbsw_desktop.store.records import id_in

MAX_WORDS = 12
_WORD = re.compile(r"\w+", re.UNICODE)
HIT_START, HIT_END = "\x02", "\x03"   # marks around matched words in a snippet


def fts_query(text: str) -> str:
    """A safe FTS5 query: every word quoted as a prefix phrase; "" when there is no word."""
    words = _WORD.findall(text)[:MAX_WORDS]
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


@dataclass(frozen=True)
class SearchHit:
    entity: str
    record_id: str
    case_id: str
    snippet: str      # with HIT_START / HIT_END around matches

    def plain_snippet(self, start: str = "", end: str = "") -> str:
        return self.snippet.replace(HIT_START, start).replace(HIT_END, end)

    def as_json(self) -> dict[str, Any]:
        return {"entity": self.entity, "id": self.record_id, "case_id": self.case_id,
                "snippet": self.plain_snippet()}


def drawn_words(record: Record) -> list[str]:
    """The words in a direct-work activity's content: the names of the people on its ecomap
    or genogram, who gave each score and why."""
    if not isinstance(record, DirectWorkActivity) or not record.content:
        return []
    try:
        return content_words(parse_content(record.tool, record.content))
    except ContentProblem:      # kept as it arrived (a newer laptop's content): its words only
        return []


class Search(Part):
    def find(self, text: str, *, limit: int = 50, case_id: str | None = None) -> list[SearchHit]:
        self._store.check_open()
        query = fts_query(text)
        if not query:
            return []
        sql = ("SELECT d.entity, d.record_id, d.case_id, "
               f"snippet(search, 0, '{HIT_START}', '{HIT_END}', '…', 12) "
               "FROM search JOIN search_doc d ON d.docid = search.rowid "
               "WHERE search MATCH ?")
        params: list[Any] = [query]
        if case_id:
            sql += " AND d.case_id = ?"
            params.append(case_id)
        # Newest first, by the index's own order: FTS5 stops after `limit` hits instead of
        # ranking every match (a common word matches most of a 100,000-note store).
        sql += " ORDER BY search.rowid DESC LIMIT ?"
        params.append(int(limit))
        return [SearchHit(*row) for row in self.db.execute(sql, params).fetchall()]

    def index(self, record: Record) -> None:
        """The record's search document, replaced (in the caller's transaction)."""
        self.index_many([record])

    def index_many(self, records: Sequence[Record]) -> None:
        """These records' search documents, replaced in a few statements (in the caller's
        transaction); a record given twice is indexed as its last version. New documents
        take the next ids in order, as one by one, so newest first stays the index's order."""
        latest = {r.id: r for r in records if type(r).search_fields}
        if not latest:
            return
        ids = list(latest)
        for start in range(0, len(ids), 500):       # within one statement's parameters
            where, params = id_in("record_id", ids[start:start + 500])
            self.db.execute("DELETE FROM search WHERE rowid IN "
                            f"(SELECT docid FROM search_doc WHERE {where})", params)
            self.db.execute(f"DELETE FROM search_doc WHERE {where}", params)
        docs = []
        for record in latest.values():
            text = "\n".join([codec.search_text(record), *drawn_words(record)]).strip()
            if record.deleted or not text:
                continue
            case_id = getattr(record, "case_id", "") or (
                record.id if record.entity == "case" else "")
            docs.append((record.id, record.entity, case_id, text))
        if not docs:
            return
        first = int(self.db.execute(
            "SELECT coalesce(max(docid), 0) + 1 FROM search_doc").fetchone()[0])
        self.db.conn.executemany(
            "INSERT INTO search_doc(docid, record_id, entity, case_id) VALUES (?, ?, ?, ?)",
            [(first + n, *doc[:3]) for n, doc in enumerate(docs)])
        self.db.conn.executemany("INSERT INTO search(rowid, body) VALUES (?, ?)",
                                 [(first + n, doc[3]) for n, doc in enumerate(docs)])
