"""What the sync engine needs from the store (`store.outbox`): the outbox, conflicts, refused
changes, pulled changes, blobs, the pull cursor and the sync clock. No HTTP here: the engine
(rbsw_desktop/sync) calls these, and nothing else of the store's.

Each change waiting in the outbox is pending, held or refused (`OutboxState`); an acknowledged
one (applied / duplicate) is deleted. A pulled change this laptop cannot apply is kept as "not
applied" with its reason. Nothing is ever dropped silently.

One word for one idea: a change the council *refused* (the protocol's `rejected`, kept with the
gateway's reason; the CLI's JSON keys keep their first name, `quarantined`, see README).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from rbsw_desktop.domain.entities import ENTITY_TYPES, new_id, utc_now
from rbsw_desktop.domain.enums import EntityKind, SyncState
from rbsw_desktop.errors import InvalidInput, NotFound
from rbsw_desktop.store import codec
from rbsw_desktop.store import db as dbmod
from rbsw_desktop.store.part import Part

CURSOR_KEY = "sync_cursor"
LAST_SYNC_KEY = "last_sync"
SKEW_KEY = "clock_skew_seconds"
GATEWAY_URL_KEY = "gateway_url"

_OP_COLS = ("seq, op_id, entity, record_id, base_rev, fields, deleted, at, state, attempts, "
            "last_error")


class OutboxState(StrEnum):
    """Where a change in the outbox stands. The values are what the store holds."""

    PENDING = "pending"            # waiting to go to the council
    HELD = "conflict"              # held until a person resolves its record's conflict
    REFUSED = "quarantined"        # the council refused it: kept with the reason, to retry


@dataclass(frozen=True)
class OutboxCounts:
    """Records (not saves: a visit saved 14 times is one) with a change in each state."""

    pending: int = 0
    held: int = 0
    refused: int = 0


@dataclass
class OutboxOp:
    seq: int
    op_id: str
    entity: str
    record_id: str
    base_rev: int | None
    fields: dict[str, Any]
    deleted: bool
    at: str
    state: OutboxState = OutboxState.PENDING
    attempts: int = 0
    last_error: str | None = None
    size: int = 0            # bytes of the fields' JSON, for batch bounds
    fields_json: str = ""    # the fields' JSON as stored ("" when not read from the store)

    def as_op(self) -> dict[str, Any]:
        """The protocol's Op (rbsw_desktop.protocol.Op) as JSON."""
        return {"op_id": self.op_id, "entity": self.entity, "id": self.record_id,
                "base_rev": self.base_rev, "fields": self.fields, "deleted": self.deleted,
                "at": self.at}


@dataclass
class PushAck:
    """What the gateway answered for one op (a protocol OpResult, decoded)."""

    op_id: str
    outcome: str                       # applied | duplicate | conflict | rejected
    rev: int | None = None
    reason: str = ""
    theirs: dict[str, Any] | None = None


@dataclass
class PushTally:
    pushed: int = 0
    conflicts: int = 0
    refused: int = 0
    unanswered: int = 0


@dataclass
class PullTally:
    applied: int = 0
    conflicts: int = 0
    skipped: int = 0                   # already had this revision (or newer)
    not_applied: int = 0               # could not be applied here: kept with the reason

    @property
    def total(self) -> int:
        return self.applied + self.conflicts + self.skipped + self.not_applied


@dataclass
class NotApplied:
    """A pulled change this laptop could not apply, as it arrived, with the reason."""

    seq: int
    entity: str
    record_id: str
    rev: int | None
    change: Any
    reason: str
    received_at: str

    def as_json(self) -> dict[str, Any]:
        return {"entity": self.entity, "id": self.record_id, "rev": self.rev,
                "change": self.change, "reason": self.reason, "received_at": self.received_at}


class CannotApply(Exception):  # noqa: N818 - a reason, not a failure of the store
    """Why one pulled change cannot be written to this store."""


@dataclass
class ConflictRow:
    id: str
    entity: str
    record_id: str
    mine: dict[str, Any]
    theirs: dict[str, Any]
    their_rev: int | None
    detected_at: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "entity": self.entity, "record_id": self.record_id,
                "mine": self.mine, "theirs": self.theirs, "their_rev": self.their_rev,
                "detected_at": self.detected_at}


def _storable(value: Any, limit: int = 100) -> str:
    """Text SQLite keeps, from whatever a gateway sent (never a lone surrogate)."""
    return str(value or "")[:limit].encode("utf-8", "replace").decode("utf-8")


@dataclass
class _Held:
    """What the store holds of one pulled page's records (`Outbox._held_for`)."""

    revs: dict[str, Any] = field(default_factory=dict)            # record id -> rev
    conflicts: dict[str, Any] = field(default_factory=dict)       # -> (conflict id, their_rev)
    waiting: set[str] = field(default_factory=set)     # records with changes not yet sent
    kept_aside: bool = False             # any pulled change kept aside (not applied) at all
    applied: list[tuple[str, str]] = field(default_factory=list)    # (entity, id), to audit
    #: Records to write once the page is read (None: one change at a time, each written at
    #: once in its own savepoint).
    to_write: list[Any] | None = field(default_factory=list)


def _chunks(ids: list[str], size: int = 500) -> Iterator[list[str]]:
    """`ids` in parts small enough for one statement's parameters."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _marks(ids: list[str]) -> str:
    return ", ".join("?" for _ in ids)


def _op(row: tuple[Any, ...]) -> OutboxOp:
    seq, op_id, entity, record_id, base_rev, fields, deleted, at, state, attempts, err = row
    return OutboxOp(seq, op_id, entity, record_id, base_rev, json.loads(fields), bool(deleted),
                    at, OutboxState(state), attempts, err, len(fields), fields)


class Outbox(Part):
    # -- the outbox ---------------------------------------------------------------------------

    def next_push_batch(self, max_ops: int, max_bytes: int,
                        on_the_way: Collection[str] = ()) -> list[OutboxOp]:
        """The oldest pending ops, at most one per record (a record's next op goes once the
        one before it is answered, with the revision it got), bounded by count and bytes.
        Attachments wait until their blob is uploaded, and the records `on_the_way` (a
        batch sent and not answered yet) until that answer. Always at least one op if any is
        ready."""
        self._store.check_open()
        held = {r[0] for r in self.db.execute(
            "SELECT DISTINCT record_id FROM outbox WHERE state = ?", [OutboxState.HELD])}
        held.update(on_the_way)
        waiting_blobs = {r[0] for r in self.db.execute(
            "SELECT sha256 FROM blob WHERE uploaded = 0").fetchall()}
        batch: list[OutboxOp] = []
        seen: set[str] = set()
        size = 0
        cur = self.db.execute(f"SELECT {_OP_COLS} FROM outbox WHERE state = ? ORDER BY seq",
                              [OutboxState.PENDING])
        while len(batch) < max_ops:
            rows = cur.fetchmany(256)
            if not rows:
                break
            for row in rows:
                record_id = row[3]
                if record_id in seen or record_id in held:      # not decoded: not going
                    seen.add(record_id)
                    continue
                seen.add(record_id)
                op = _op(row)
                if op.entity == "attachment" and op.fields.get("sha256") in waiting_blobs:
                    continue
                if batch and (size + op.size > max_bytes or len(batch) >= max_ops):
                    return batch
                batch.append(op)
                size += op.size
        return batch

    def mark_pushed(self, ops: list[OutboxOp], acks: list[PushAck]) -> PushTally:
        """Record the gateway's answers, all in one transaction. Ops it did not answer stay
        pending (they go again, and their op_id makes that safe)."""
        by_id = {a.op_id: a for a in acks}
        tally = PushTally()
        with self._store.transaction():
            acknowledged: list[tuple[OutboxOp, int | None]] = []
            for op in ops:
                ack = by_id.get(op.op_id)
                if ack is None:
                    tally.unanswered += 1
                elif ack.outcome in ("applied", "duplicate"):
                    acknowledged.append((op, ack.rev))
                    tally.pushed += 1
                elif ack.outcome == "conflict":
                    self._push_conflict(op, ack)
                    tally.conflicts += 1
                else:
                    self._refuse(op.op_id, ack.reason or "The council system refused this change.")
                    tally.refused += 1
            self._acknowledge(acknowledged)
            self._drop_sent_blobs([op for op, _ in acknowledged if op.entity == "attachment"])
        return tally

    def _drop_sent_blobs(self, sent: list[OutboxOp]) -> None:
        """A photo removed before it was sent kept its bytes for the sending: now they go."""
        for op in sent:
            row = self.db.execute('SELECT deleted, sha256 FROM "attachment" WHERE id = ?',
                                  [op.record_id]).fetchone()
            if row is not None and row[0]:
                self._store.direct_work.drop_unused_blob(row[1])

    def _acknowledge(self, acknowledged: list[tuple[OutboxOp, int | None]]) -> None:
        """The gateway has these ops (at these revisions): out of the outbox, and each
        record at its revision (synced, unless more of its changes wait). One statement per
        step for the whole batch (at most one op per record, as `next_push_batch` gives)."""
        self.db.conn.executemany("DELETE FROM outbox WHERE op_id = ?",
                                 [(op.op_id,) for op, _ in acknowledged])
        with_rev = [(op, rev) for op, rev in acknowledged if rev is not None]
        ids = [op.record_id for op, _ in with_rev]
        still: set[str] = set()
        for part in _chunks(ids):
            still.update(str(r[0]) for r in self.db.execute(
                f"SELECT DISTINCT record_id FROM outbox WHERE record_id IN ({_marks(part)})",
                part))
        # The record's next op builds on the revision this one got.
        self.db.conn.executemany(
            "UPDATE outbox SET base_rev = ? WHERE record_id = ? AND state = ?",
            [(rev, op.record_id, OutboxState.PENDING.value) for op, rev in with_rev
             if op.record_id in still])
        rows: dict[tuple[EntityKind, bool], list[tuple[int | None, str]]] = {}
        for op, rev in with_rev:
            table = self._table(op.entity)
            if table is not None:
                rows.setdefault((table, op.record_id in still), []).append(
                    (rev, op.record_id))
                self._store.note_change(table, op.record_id)
        for (table, waits), params in rows.items():
            state_sql = "sync_state" if waits else (
                f"CASE WHEN sync_state = '{SyncState.CONFLICT}' THEN sync_state "
                f"ELSE '{SyncState.SYNCED}' END")
            self.db.conn.executemany(
                f'UPDATE "{table}" SET rev = max(coalesce(rev, 0), ?), sync_state = {state_sql} '
                "WHERE id = ?", params)
        # What the gateway now holds from this laptop never comes back in a pull, so the older
        # versions of those records kept aside from earlier pulls go here.
        self.db.conn.executemany(
            "DELETE FROM pulled_quarantine WHERE record_id = ? AND rev <= ?",
            [(op.record_id, rev) for op, rev in with_rev])

    def _push_conflict(self, op: OutboxOp, ack: PushAck) -> None:
        theirs = ack.theirs or {}
        their_rev = theirs.get("rev")
        mine = {"fields": op.fields, "deleted": op.deleted, "base_rev": op.base_rev,
                "op_id": op.op_id}
        self._keep_conflict(op.entity, op.record_id, mine, theirs, their_rev)

    def _keep_conflict(self, entity: str, record_id: str, mine: dict[str, Any],
                       theirs: dict[str, Any], their_rev: int | None) -> None:
        """Both sides kept; the record's ops held until a person decides."""
        self.db.execute(
            "INSERT INTO conflict(id, entity, record_id, mine, theirs, their_rev, detected_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [new_id(), entity, record_id, json.dumps(mine, ensure_ascii=False),
             json.dumps(theirs, ensure_ascii=False), their_rev, utc_now()])
        self.db.execute("UPDATE outbox SET state = ? WHERE record_id = ? AND state = ?",
                        [OutboxState.HELD, record_id, OutboxState.PENDING])
        table = self._table(entity)
        if table:
            self.db.execute(f'UPDATE "{table}" SET sync_state = ? WHERE id = ?',
                            [SyncState.CONFLICT.value, record_id])
            self._store.note_change(table, record_id)
        self._store.audit.log("conflict", entity, record_id)

    @staticmethod
    def _table(entity: str) -> EntityKind | None:
        return EntityKind(entity) if entity in ENTITY_TYPES else None

    def adopt_council_records(self, records: list[tuple[str, str]], rev: int = 1) -> int:
        """The fictional demo only: its council-side records (pod, workers, children, cases,
        people) were written on this laptop; once the demo gateway holds them under the same
        ids they count as synced at `rev`, and their outbox rows (never pushable) go. Only the
        `(entity, id)` pairs given: what the gateway was seeded with, nothing else."""
        removed = 0
        with self._store.transaction():
            for entity, record_id in records:
                table = self._table(entity)
                if table is None:
                    continue
                self.db.execute(f'UPDATE "{table}" SET rev = ?, sync_state = ? '  # noqa: S608
                                "WHERE id = ? AND rev IS NULL",
                                [rev, SyncState.SYNCED.value, record_id])
                self._store.note_change(table, record_id)
                cur = self.db.execute("DELETE FROM outbox WHERE entity = ? AND record_id = ?",
                                      [entity, record_id])
                removed += int(cur.rowcount)
        return removed

    # -- counts -------------------------------------------------------------------------------

    def counts(self) -> OutboxCounts:
        """Records per state. The few held or refused are counted from the state index; the
        records waiting are all the outbox's records (its record index, no table read: a
        tenth of a second for 100,000 changes) less those with only held or refused ones."""
        self._store.check_open()
        held, refused = OutboxState.HELD, OutboxState.REFUSED
        by_state = {OutboxState(state): int(n) for state, n in self.db.execute(
            "SELECT state, count(DISTINCT record_id) FROM outbox WHERE state IN (?, ?) "
            "GROUP BY state", [held, refused])}
        records = int(self.db.execute(
            "SELECT count(DISTINCT record_id) FROM outbox").fetchone()[0])
        not_waiting = int(self.db.execute(
            "SELECT count(DISTINCT record_id) FROM outbox AS o WHERE state IN (?, ?) AND NOT "
            "EXISTS (SELECT 1 FROM outbox AS p WHERE p.record_id = o.record_id AND p.state = ?)",
            [held, refused, OutboxState.PENDING]).fetchone()[0])
        return OutboxCounts(records - not_waiting, by_state.get(held, 0),
                            by_state.get(refused, 0))

    def pending_count(self) -> int:
        """Changes waiting to go (each save of a record is one)."""
        self._store.check_open()
        return int(self.db.execute(
            "SELECT count(*) FROM outbox WHERE state = ?", [OutboxState.PENDING]).fetchone()[0])

    def unsent_record_count(self) -> int:
        """Records with a change the council does not have: waiting, held in a conflict, or
        refused (what a wipe now would destroy)."""
        self._store.check_open()
        return int(self.db.execute(
            "SELECT count(DISTINCT record_id) FROM outbox").fetchone()[0])

    def open_conflict_count(self) -> int:
        self._store.check_open()
        return int(self.db.execute(
            "SELECT count(*) FROM conflict WHERE resolved_at IS NULL").fetchone()[0])

    # -- refused changes ----------------------------------------------------------------------

    def refused(self) -> list[OutboxOp]:
        self._store.check_open()
        return [_op(r) for r in self.db.execute(
            f"SELECT {_OP_COLS} FROM outbox WHERE state = ? ORDER BY seq",
            [OutboxState.REFUSED])]

    def retry_refused(self, op_ids: list[str] | None = None) -> int:
        """Send refused changes again (after the cause is fixed)."""
        with self._store.transaction():
            if op_ids is None:
                cur = self.db.execute("UPDATE outbox SET state = ? WHERE state = ?",
                                      [OutboxState.PENDING, OutboxState.REFUSED])
            else:
                cur = self.db.execute(
                    "UPDATE outbox SET state = ? WHERE state = ? AND "
                    f"op_id IN ({', '.join('?' for _ in op_ids)})",
                    [OutboxState.PENDING, OutboxState.REFUSED, *op_ids])
            return int(cur.rowcount)

    def export_refused(self) -> list[dict[str, Any]]:
        """The refused changes with their reasons, as JSON, for IT support or business
        support. Contains case content: the caller chooses where it goes."""
        return [{**op.as_op(), "reason": op.last_error or "", "attempts": op.attempts}
                for op in self.refused()]

    def refuse(self, op_id: str, reason: str) -> None:
        """Keep a change aside with the reason it cannot go (it is not sent again until
        retried)."""
        with self._store.transaction():
            self._refuse(op_id, reason)

    def _refuse(self, op_id: str, reason: str) -> None:
        self.db.execute("UPDATE outbox SET state = ?, last_error = ?, attempts = attempts + 1 "
                        "WHERE op_id = ?", [OutboxState.REFUSED, reason, op_id])

    # -- blobs --------------------------------------------------------------------------------

    def blobs_to_upload(self) -> list[tuple[str, int]]:
        """(sha256, size) of blobs cited by waiting attachments, even those sent before: the
        gateway clears out an upload no record cites after a day, so each sync asks again."""
        self._store.check_open()
        rows = self.db.execute(
            "SELECT b.sha256, b.size FROM blob b WHERE EXISTS ("
            "  SELECT 1 FROM outbox o WHERE o.entity = 'attachment' AND o.state = ? "
            "  AND json_extract(o.fields, '$.sha256') = b.sha256) ORDER BY b.created_at",
            [OutboxState.PENDING])
        return [(r[0], int(r[1])) for r in rows]

    def blob_chunk(self, sha256: str, offset: int, size: int) -> bytes:
        self._store.check_open()
        row = self.db.execute("SELECT substr(data, ?, ?) FROM blob WHERE sha256 = ?",
                              [offset + 1, size, sha256]).fetchone()
        return bytes(row[0]) if row and row[0] is not None else b""

    def mark_blob_uploaded(self, sha256: str, uploaded: bool = True) -> None:
        """Whether the gateway holds this blob (its attachments wait until it does)."""
        with self._store.transaction():
            self.db.execute("UPDATE blob SET uploaded = ? WHERE sha256 = ?",
                            [int(uploaded), sha256])

    def missing_blobs(self) -> list[tuple[str, str]]:
        """(sha256, media_type) of blobs cited by attachments here that this laptop lacks."""
        self._store.check_open()
        return [(r[0], r[1]) for r in self.db.execute(
            'SELECT a.sha256, min(a.media_type) FROM "attachment" a WHERE a.deleted = 0 '
            "AND NOT EXISTS (SELECT 1 FROM blob b WHERE b.sha256 = a.sha256) GROUP BY a.sha256")]

    def put_blob(self, sha256: str, media_type: str, data: bytes) -> None:
        with self._store.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO blob(sha256, media_type, size, data, uploaded, created_at)"
                " VALUES (?, ?, ?, ?, 1, ?)", [sha256, media_type, len(data), data, utc_now()])

    # -- pulled changes -----------------------------------------------------------------------

    def apply_pulled(self, changes: list[Any],
                     unreadable: Sequence[tuple[Any, str]] = ()) -> PullTally:
        """Write one page of pulled changes in ONE transaction, through the same row-writing
        code as local saves, with no outbox row. A change to a record with a local change
        still waiting is a conflict (both kept), never an overwrite. Only an explicit
        `deleted: true` deletes. A change this store cannot apply (and each `unreadable`
        (change, reason) the caller found) is kept, not applied, as received, with its reason: one
        bad record never stops the rest of the page."""
        tally = PullTally()
        with self._store.transaction():
            for change, reason in unreadable:
                self._keep_not_applied(change, reason, tally)
            # Most pages hold no change the store refuses: the whole page in one go, and only
            # when a change is refused, the page again one change at a time, each in its own
            # savepoint.
            self.db.execute("SAVEPOINT pulled_page")
            trying = replace(tally)
            try:
                self._apply_page(changes, trying, one_by_one=False)
            except dbmod.RowRefused:
                self.db.execute("ROLLBACK TO pulled_page")
                self._apply_page(changes, tally, one_by_one=True)
            else:
                tally = trying
            self.db.execute("RELEASE pulled_page")
        return tally

    def _apply_page(self, changes: list[Any], tally: PullTally, *, one_by_one: bool) -> None:
        held = self._held_for(changes)
        held.to_write = None if one_by_one else []
        for change in changes:
            if one_by_one:
                self.db.execute("SAVEPOINT pulled_change")
            try:
                self._apply_one(change, tally, held)
            except CannotApply as exc:          # raised before anything is written
                self._keep_not_applied(change, str(exc), tally)
            except dbmod.RowRefused as exc:       # this change only, never the page
                if not one_by_one:
                    raise
                self.db.execute("ROLLBACK TO pulled_change")
                self._keep_not_applied(
                    change, f"this laptop's store refused it ({type(exc).__name__}: "
                    f"{str(exc)[:200]})", tally)
            held.kept_aside = held.kept_aside or tally.not_applied > 0
            if one_by_one:
                self.db.execute("RELEASE pulled_change")
        if held.to_write:
            self._store.records.write_rows(held.to_write)   # the page in a few statements
        self._store.audit.log_many("pull", held.applied)

    def _keep_not_applied(self, change: Any, reason: str, tally: PullTally) -> None:
        info = change if isinstance(change, dict) else {}
        entity, record_id, reason = (_storable(info.get("entity")), _storable(info.get("id")),
                                     _storable(reason, 500))
        rev = info.get("rev")
        rev = rev if isinstance(rev, int) and not isinstance(rev, bool) and (
            0 <= rev < 2**63) else None
        self.db.execute(
            "INSERT INTO pulled_quarantine(entity, record_id, rev, change, reason, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [entity, record_id, rev, json.dumps(change, ensure_ascii=True, default=repr),
             reason, utc_now()])
        self._store.audit.log("pull-quarantine", entity, record_id)
        tally.not_applied += 1

    def _held_for(self, changes: list[Any]) -> _Held:
        """What this store holds of a page's records, read in a few statements."""
        ids: dict[EntityKind, list[str]] = {}
        for change in changes:
            table = self._table(change.get("entity", "")) if isinstance(change, dict) else None
            if table is not None and isinstance(change.get("id"), str):
                ids.setdefault(table, []).append(change["id"])
        every = [i for some in ids.values() for i in some]
        held = _Held()
        for table, some in ids.items():
            for part in _chunks(some):
                held.revs.update((str(r[0]), r[1]) for r in self.db.execute(
                    f'SELECT id, rev FROM "{table}" WHERE id IN ({_marks(part)})', part))
        for part in _chunks(every):
            held.conflicts.update((str(r[1]), (r[0], r[2])) for r in self.db.execute(
                "SELECT id, record_id, their_rev FROM conflict WHERE resolved_at IS NULL "
                f"AND record_id IN ({_marks(part)})", part))
            held.waiting.update(str(r[0]) for r in self.db.execute(
                "SELECT DISTINCT record_id FROM outbox WHERE state IN (?, ?) "
                f"AND record_id IN ({_marks(part)})",
                [OutboxState.PENDING.value, OutboxState.HELD.value, *part]))
        held.kept_aside = self.db.execute(
            "SELECT EXISTS (SELECT 1 FROM pulled_quarantine)").fetchone()[0] == 1
        return held

    def _apply_one(self, change: dict[str, Any], tally: PullTally, held: _Held) -> None:
        """Apply one pulled change; CannotApply is raised before anything is written."""
        entity, record_id = change.get("entity", ""), change.get("id", "")
        table = self._table(entity)
        rev = change.get("rev")
        if table is None:
            raise CannotApply(f"this version of the app does not know records of kind "
                              f"{str(entity)[:50]!r}")
        if not record_id or not isinstance(rev, int):
            raise CannotApply("the change has no record id or revision")
        local_rev = held.revs.get(record_id)
        if local_rev is not None and local_rev >= rev:
            tally.skipped += 1          # we have this revision already
            if held.kept_aside:
                self._supersede_pulled(record_id, local_rev)
            return
        deleted = change.get("deleted") is True
        state = SyncState.FILED if change.get("filed") else SyncState.SYNCED
        try:
            record = codec.from_fields(entity, record_id, dict(change.get("fields") or {}),
                                       rev=rev, sync_state=state.value, deleted=int(deleted))
        except (TypeError, ValueError, KeyError) as exc:
            raise CannotApply(f"its fields do not fit this app's {entity} record "
                              f"({str(exc)[:200]})") from None
        theirs = {"rev": rev, "fields": change.get("fields") or {}, "deleted": deleted}
        conflict = held.conflicts.get(record_id)
        if conflict is not None:
            # Already waiting for a person: keep the newest of their versions, one conflict.
            conflict_id, their_rev = conflict
            if their_rev is None or rev > their_rev:
                self.db.execute("UPDATE conflict SET theirs = ?, their_rev = ? WHERE id = ?",
                                [json.dumps(theirs, ensure_ascii=False), rev, conflict_id])
                held.conflicts[record_id] = (conflict_id, rev)
            tally.skipped += 1
            return
        if record_id in held.waiting:
            mine = self._current_fields(entity, record_id)
            self._keep_conflict(entity, record_id, mine, theirs, rev)
            held.conflicts[record_id] = self.db.execute(
                "SELECT id, their_rev FROM conflict WHERE record_id = ? AND resolved_at IS NULL",
                [record_id]).fetchone()
            tally.conflicts += 1
            return
        if held.to_write is None:
            self._store.records.write_row(record)
        else:
            held.to_write.append(record)
        held.applied.append((entity, record_id))
        held.revs[record_id] = rev
        if held.kept_aside:
            self._supersede_pulled(record_id, rev)
        tally.applied += 1

    def _supersede_pulled(self, record_id: str, rev: int) -> None:
        """A record now held at `rev` no longer needs its older versions not applied here."""
        self.db.execute("DELETE FROM pulled_quarantine WHERE record_id = ? AND rev <= ?",
                        [record_id, rev])

    def not_applied(self) -> list[NotApplied]:
        """The pulled changes this laptop could not apply, oldest first."""
        self._store.check_open()
        return [NotApplied(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6])
                for r in self.db.execute(
                    "SELECT seq, entity, record_id, rev, change, reason, received_at "
                    "FROM pulled_quarantine ORDER BY seq")]

    def not_applied_count(self) -> int:
        self._store.check_open()
        return int(self.db.execute("SELECT count(*) FROM pulled_quarantine").fetchone()[0])

    def _current_fields(self, entity: str, record_id: str) -> dict[str, Any]:
        cls = ENTITY_TYPES[entity]
        cur = self.db.execute(f'SELECT * FROM "{entity}" WHERE id = ?', [record_id])
        names = [d[0] for d in cur.description]
        row = cur.fetchone()
        if row is None:
            return {"fields": {}, "deleted": False}
        record = codec.from_row(cls, dict(zip(names, row, strict=True)))
        return {"fields": codec.to_fields(record), "deleted": record.deleted,
                "base_rev": record.rev}

    def count_present(self, changes: list[dict[str, Any]]) -> int:
        """How many of these changes the store now holds at (or past) their revision, or as
        a kept conflict: the check made before the cursor moves."""
        self._store.check_open()
        ids: dict[EntityKind, list[str]] = {}
        for change in changes:
            table = self._table(change.get("entity", ""))
            if table is not None:
                ids.setdefault(table, []).append(str(change.get("id")))
        held: dict[tuple[Any, Any], tuple[Any, Any]] = {}
        for table, some in ids.items():
            for part in _chunks(some):
                held.update(((table, r[0]), (r[1], r[2])) for r in self.db.execute(
                    f'SELECT id, rev, sync_state FROM "{table}" WHERE id IN ({_marks(part)})',
                    part))
        n = 0
        for change in changes:
            row = held.get((change.get("entity", ""), change.get("id")))
            if row is None:
                continue
            at_rev = row[0] is not None and row[0] >= change.get("rev", 0)
            if at_rev or row[1] == SyncState.CONFLICT.value:
                n += 1
        return n

    # -- cursor and clock ---------------------------------------------------------------------

    def sync_cursor(self) -> str:
        return self._store.meta(CURSOR_KEY) or "0"

    def set_sync_cursor(self, cursor: str) -> None:
        self._store.set_meta(CURSOR_KEY, cursor)

    def last_sync(self) -> str | None:
        return self._store.meta(LAST_SYNC_KEY)

    def set_last_sync(self, at: str | None = None) -> None:
        self._store.set_meta(LAST_SYNC_KEY, at or utc_now())

    def note_server_time(self, server_time: str, *, now: datetime | None = None) -> float | None:
        """Remember how far this laptop's clock is from the gateway's (local minus server,
        seconds). Reported, never used to rewrite a timestamp."""
        try:
            server = datetime.fromisoformat(server_time.replace("Z", "+00:00"))
        except (ValueError, AttributeError):
            return None
        if server.tzinfo is None:
            server = server.replace(tzinfo=UTC)
        skew = ((now or datetime.now(UTC)) - server).total_seconds()
        self._store.set_meta(SKEW_KEY, f"{skew:.1f}")
        return skew

    def clock_skew(self) -> float | None:
        value = self._store.meta(SKEW_KEY)
        return float(value) if value else None

    # -- conflicts ----------------------------------------------------------------------------

    def conflicts(self) -> list[ConflictRow]:
        self._store.check_open()
        rows = self.db.execute(
            "SELECT id, entity, record_id, mine, theirs, their_rev, detected_at FROM conflict "
            "WHERE resolved_at IS NULL ORDER BY detected_at")
        return [ConflictRow(r[0], r[1], r[2], json.loads(r[3]), json.loads(r[4]), r[5], r[6])
                for r in rows]

    def resolve_conflict(self, conflict_id: str, choice: str,
                         merged: dict[str, Any] | None = None) -> None:
        """`mine`: my version goes to the gateway on top of theirs. `theirs`: their version
        replaces mine here. `merge`: `merged` fields (e.g. joined text) go on top of theirs.
        Either way both sides stay in the conflict table, marked resolved."""
        if choice not in ("mine", "theirs", "merge"):
            raise InvalidInput("Choose keep mine, keep theirs, or merge.")
        with self._store.transaction():
            row = self.db.execute(
                "SELECT entity, record_id, theirs, their_rev FROM conflict "
                "WHERE id = ? AND resolved_at IS NULL", [conflict_id]).fetchone()
            if row is None:
                raise NotFound("That conflict has already been resolved.")
            entity, record_id, theirs_json, their_rev = row
            theirs = json.loads(theirs_json)
            # Any other open conflicts on this record are settled by the same decision.
            self.db.execute("UPDATE conflict SET resolved_at = ?, resolution = ? "
                            "WHERE record_id = ? AND resolved_at IS NULL",
                            [utc_now(), choice, record_id])
            self.db.execute("DELETE FROM outbox WHERE record_id = ? AND state IN (?, ?)",
                            [record_id, OutboxState.PENDING, OutboxState.HELD])
            if choice == "theirs":
                record = codec.from_fields(entity, record_id, theirs.get("fields") or {},
                                           rev=their_rev, sync_state=SyncState.SYNCED.value,
                                           deleted=int(bool(theirs.get("deleted"))))
                self._store.records.write_row(record)
            else:
                current = self._current_fields(entity, record_id)
                fields = dict(current["fields"])
                if choice == "merge":
                    fields.update(merged or {})
                record = codec.from_fields(entity, record_id, fields, rev=their_rev,
                                           sync_state=SyncState.PENDING.value,
                                           deleted=int(bool(fields.get("deleted"))))
                self._store.records.write_row(record)
                self.db.execute(
                    "INSERT INTO outbox(op_id, entity, record_id, base_rev, fields, deleted, at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [new_id(), entity, record_id, their_rev,
                     json.dumps(codec.to_fields(record), ensure_ascii=False),
                     int(record.deleted), utc_now()])
            self._store.audit.log(f"resolve-{choice}", entity, record_id)
