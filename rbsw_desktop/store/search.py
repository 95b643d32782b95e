"""Full-text search over visit notes, board items and direct work, the names on its ecomaps
and genograms too (FTS5, `store.search`).

Whatever a worker types is turned into plain words before it reaches FTS5: quotes, brackets,
`AND`, `NEAR`, `*`, `-` and emoji are never read as query syntax, so no syntax error can reach
them. Each word matches as a prefix, for search as you type. Results come newest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rbsw_desktop.domain.direct_work_content import ContentProblem, content_words, parse_content
from rbsw_desktop.domain.entities import DirectWorkActivity, Record
from rbsw_desktop.store import codec
from rbsw_desktop.store.part import Part

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
        if not type(record).search_fields:
            return
        row = self.db.execute("SELECT docid FROM search_doc WHERE record_id = ?",
                              [record.id]).fetchone()
        if row:
            self.db.execute("DELETE FROM search WHERE rowid = ?", [row[0]])
            self.db.execute("DELETE FROM search_doc WHERE docid = ?", [row[0]])
        text = "\n".join([codec.search_text(record), *drawn_words(record)]).strip()
        if record.deleted or not text:
            return
        case_id = getattr(record, "case_id", "") or (record.id if record.entity == "case" else "")
        cur = self.db.execute(
            "INSERT INTO search_doc(record_id, entity, case_id) VALUES (?, ?, ?)",
            [record.id, record.entity, case_id])
        self.db.execute("INSERT INTO search(rowid, body) VALUES (?, ?)", [cur.lastrowid, text])
