"""Numbered schema migrations. Each runs in its own transaction after an encrypted backup.

A migration's text never changes once released: a new column or table is a new migration.
`PRAGMA user_version` holds the number of the last one applied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlite_utils

_RECORD = ("id TEXT PRIMARY KEY, rev INTEGER, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL, "
           "device_id TEXT NOT NULL, sync_state TEXT NOT NULL, deleted INTEGER NOT NULL")

_V1_TABLES = {
    "pod": "name TEXT NOT NULL, phone TEXT NOT NULL, email TEXT NOT NULL",
    "worker": "name TEXT NOT NULL, role TEXT NOT NULL, pod_id TEXT NOT NULL, "
              "phone TEXT NOT NULL, email TEXT NOT NULL",
    "child": "name TEXT NOT NULL, known_as TEXT NOT NULL, date_of_birth TEXT, "
             "pronouns TEXT NOT NULL, languages TEXT NOT NULL",
    "person": "case_id TEXT NOT NULL, name TEXT NOT NULL, relationship TEXT NOT NULL, "
              "is_family INTEGER NOT NULL, address_restricted INTEGER NOT NULL",
    "case": "child_id TEXT NOT NULL, pod_id TEXT NOT NULL, worker_id TEXT NOT NULL, "
            "family_name TEXT NOT NULL, category TEXT NOT NULL, care_arrangement TEXT, "
            "started_on TEXT, first_review_on TEXT, next_review_on TEXT, open INTEGER NOT NULL",
    "visit": "case_id TEXT NOT NULL, visit_type TEXT NOT NULL, status TEXT NOT NULL, "
             "visited_at TEXT NOT NULL, announced INTEGER NOT NULL, present TEXT NOT NULL, "
             "absent TEXT NOT NULL, child_seen INTEGER NOT NULL, "
             "child_seen_alone INTEGER NOT NULL, not_seen_alone_reason TEXT NOT NULL, "
             "bedroom_seen INTEGER NOT NULL, seen_awake INTEGER, child_words TEXT NOT NULL, "
             "observations TEXT NOT NULL, parents_views TEXT NOT NULL, analysis TEXT NOT NULL, "
             "actions TEXT NOT NULL, next_visit_due TEXT, finalised_at TEXT, finalised_by TEXT",
    "visit_amendment": "visit_id TEXT NOT NULL, case_id TEXT NOT NULL, "
                       "field_name TEXT NOT NULL, text TEXT NOT NULL, reason TEXT NOT NULL, "
                       "amended_at TEXT NOT NULL",
    "board_item": "case_id TEXT NOT NULL, zone TEXT NOT NULL, text TEXT NOT NULL, "
                  "raised_by TEXT NOT NULL, shareable INTEGER NOT NULL, withheld_reason TEXT, "
                  "worker_note TEXT NOT NULL, category TEXT, position INTEGER NOT NULL",
    "board_move": "board_item_id TEXT NOT NULL, case_id TEXT NOT NULL, from_zone TEXT, "
                  "to_zone TEXT NOT NULL, moved_at TEXT NOT NULL",
    "review": "case_id TEXT NOT NULL, held_on TEXT NOT NULL, snapshot TEXT NOT NULL, "
              "scales TEXT NOT NULL, goals TEXT NOT NULL, notes TEXT NOT NULL, "
              "next_review_on TEXT",
    "direct_work_activity": "case_id TEXT NOT NULL, tool TEXT NOT NULL, held_on TEXT NOT NULL, "
                            "title TEXT NOT NULL, parts TEXT NOT NULL, "
                            "child_words TEXT NOT NULL, lived_experience TEXT NOT NULL, "
                            "consent TEXT NOT NULL, shareable INTEGER NOT NULL",
    "attachment": "owner_id TEXT NOT NULL, case_id TEXT NOT NULL, sha256 TEXT NOT NULL, "
                  "media_type TEXT NOT NULL, size INTEGER NOT NULL, filename TEXT NOT NULL, "
                  "caption TEXT NOT NULL, consent TEXT NOT NULL",
}

_V1_SUPPORT = [
    # The outbox: one row per change, written in the change's own transaction.
    """CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, op_id TEXT NOT NULL UNIQUE,
        entity TEXT NOT NULL, record_id TEXT NOT NULL, base_rev INTEGER,
        fields TEXT NOT NULL, deleted INTEGER NOT NULL, at TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT)""",
    "CREATE INDEX outbox_record ON outbox(record_id)",
    "CREATE INDEX outbox_state ON outbox(state, seq)",
    # The audit log: who did what to which record. Never the record's content.
    """CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
        device_id TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL,
        record_id TEXT NOT NULL)""",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # Photos and scans, content-addressed; encrypted with the rest of the database.
    """CREATE TABLE blob (
        sha256 TEXT PRIMARY KEY, media_type TEXT NOT NULL, size INTEGER NOT NULL,
        data BLOB NOT NULL, uploaded INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL)""",
    # Both sides of a sync conflict, kept until a person resolves it.
    """CREATE TABLE conflict (
        id TEXT PRIMARY KEY, entity TEXT NOT NULL, record_id TEXT NOT NULL,
        mine TEXT NOT NULL, theirs TEXT NOT NULL, their_rev INTEGER, detected_at TEXT NOT NULL,
        resolved_at TEXT, resolution TEXT)""",
    "CREATE INDEX conflict_record ON conflict(record_id)",
    # What a worker was typing when the app locked itself: restored after unlock.
    "CREATE TABLE autosave (key TEXT PRIMARY KEY, payload TEXT NOT NULL, saved_at TEXT NOT NULL)",
    # Search: one document per record; `search` is the FTS5 index keyed by search_doc.docid.
    """CREATE TABLE search_doc (
        docid INTEGER PRIMARY KEY, record_id TEXT NOT NULL UNIQUE, entity TEXT NOT NULL,
        case_id TEXT NOT NULL)""",
    "CREATE VIRTUAL TABLE search USING fts5(body, tokenize='unicode61 remove_diacritics 2')",
]

_V1_INDEXES = [
    'CREATE INDEX person_case ON "person"(case_id)',
    'CREATE INDEX case_worker ON "case"(worker_id)',
    'CREATE INDEX visit_case ON "visit"(case_id, visited_at)',
    'CREATE INDEX visit_amendment_visit ON "visit_amendment"(visit_id)',
    'CREATE INDEX board_item_case ON "board_item"(case_id)',
    'CREATE INDEX board_move_item ON "board_move"(board_item_id, moved_at)',
    'CREATE INDEX board_move_case ON "board_move"(case_id)',
    'CREATE INDEX review_case ON "review"(case_id, held_on)',
    'CREATE INDEX direct_work_activity_case ON "direct_work_activity"(case_id, held_on)',
    'CREATE INDEX attachment_owner ON "attachment"(owner_id)',
]


def _v1(db: sqlite_utils.Database) -> None:
    for name, cols in _V1_TABLES.items():
        db.execute(f'CREATE TABLE "{name}" ({_RECORD}, {cols})')
    for sql in _V1_SUPPORT + _V1_INDEXES:
        db.execute(sql)


def _v2(db: sqlite_utils.Database) -> None:
    # Pulled changes this laptop could not apply, kept as received with the reason (never
    # lost); `rev` only when it is one, so a later revision that applies supersedes them.
    db.execute("""CREATE TABLE pulled_quarantine (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, record_id TEXT NOT NULL,
        rev INTEGER, change TEXT NOT NULL, reason TEXT NOT NULL, received_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX pulled_quarantine_record ON pulled_quarantine(record_id)")


def _v3(db: sqlite_utils.Database) -> None:
    # A direct-work activity's drawings, ecomap, genogram or scores (JSON).
    db.execute("ALTER TABLE direct_work_activity ADD COLUMN content TEXT NOT NULL DEFAULT '{}'")


def _v4(db: sqlite_utils.Database) -> None:
    # The words each worker added to their own spell-check dictionary (never synced).
    db.execute("""CREATE TABLE own_word (
        worker_id TEXT NOT NULL, word TEXT NOT NULL, added_at TEXT NOT NULL,
        PRIMARY KEY (worker_id, word))""")


def _v5(db: sqlite_utils.Database) -> None:
    # How far a photo is turned when shown (degrees clockwise); its bytes never change.
    db.execute('ALTER TABLE "attachment" ADD COLUMN rotation INTEGER NOT NULL DEFAULT 0')


def _v6(db: sqlite_utils.Database) -> None:
    # Which drawing area of its activity an attachment is the PNG rendering of ("" for a photo
    # or scan).
    db.execute("ALTER TABLE attachment ADD COLUMN rendering_of TEXT NOT NULL DEFAULT ''")


def _v7(db: sqlite_utils.Database) -> None:
    # The latest visit on record of each case (finalised, statutory, the child seen), for the
    # caseload (`cases.summaries`), read from this index alone instead of by decrypting every
    # visit the laptop holds. Its terms are the query's own, so SQLite's planner takes it.
    db.execute('CREATE INDEX visit_on_record ON "visit"(case_id, visited_at) WHERE '
               "deleted = 0 AND visit_type = 'statutory' AND child_seen = 1 "
               "AND status = 'finalised'")


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    apply: Callable[[sqlite_utils.Database], None]


MIGRATIONS: Sequence[Migration] = (
    Migration(1, "records, outbox, audit, blobs, conflicts, search", _v1),
    Migration(2, "pulled changes this laptop could not apply", _v2),
    Migration(3, "direct-work drawings, maps and scores", _v3),
    Migration(4, "the words each worker added to their spell-check dictionary", _v4),
    Migration(5, "a photo's turn", _v5),
    Migration(6, "attachments that are renderings of a drawing", _v6),
    Migration(7, "the latest visit on record of each case, found quickly", _v7),
)


def latest(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    return migrations[-1].number if migrations else 0
