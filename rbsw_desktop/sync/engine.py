"""The sync engine: blobs up, outbox up in bounded batches, changes down by cursor. No Qt.

    engine = SyncEngine(store, transport)
    report = engine.sync_once(cancel=event, progress=callback)

A change too big for one request (a review of a very big board) goes as a blob of its fields,
uploaded like a photo, and a small op naming it; a pulled record that comes by reference (too
big for a page) is fetched from the blob route before its page is applied
(`protocol.big_records`).

Idempotent end to end: every op carries its op_id, so an op sent twice (a cut connection, a
killed app) is applied once. One bad record never blocks the rest: a batch the gateway refuses
is split until the one op it refuses is found, and that op is kept, refused, with the reason.
A pulled page is applied in one transaction and counted before the cursor moves; a pulled change
this laptop cannot apply is kept aside with its reason and the rest of the page applies. A revoked
laptop wipes its store; so does a retired one, once it has pushed what it holds (the gateway
tells it at its pull). Either way the report, and the wipe note `rbsw status` reads, say how
many records were destroyed unsent; every request tells the gateway that count beforehand
(`X-Unsent-Records`), so the council's audit says it too.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from rbsw_desktop.domain import record_name
from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.errors import RbswError
from rbsw_desktop.protocol import (
    CLOCK_SKEW_WARN_SECONDS,
    MAX_BATCH_OPS,
    MAX_BLOB_BYTES,
    MAX_BLOB_CHUNK,
    MAX_BODY_BYTES,
    MAX_OP_BYTES,
    MAX_PULL_LIMIT,
    big_records,
)
from rbsw_desktop.protocol.models import (
    Change,
    Op,
    PushAnswer,
    PushRequest,
    first_reason,
)
from rbsw_desktop.store.sync_state import OutboxOp, PushAck
from rbsw_desktop.sync import plain_json
from rbsw_desktop.sync.backoff import Backoff
from rbsw_desktop.sync.transport import (
    DeviceRetired,
    DeviceRevoked,
    HttpTransport,
    NotAuthorised,
    PulledPage,
    Refused,
    ServerBusy,
    TransportError,
    Waiting,
)

if TYPE_CHECKING:
    from rbsw_desktop.security.wipe import WipeResult
    from rbsw_desktop.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

REVOKED = ("This laptop has been signed out by the council, so its store has been wiped. "
           "Ask business support to set it up again.")
RETIRED = ("This laptop has been retired by the council: it sent what it could, and its store "
           "has been wiped.")
REVOKED_INCOMPLETE = "This laptop has been signed out by the council, but its wipe went wrong. "
NOT_APPLIED = ("{n} change(s) from the council could not be saved on this laptop. They are "
               "kept aside (see Sync problems) and everything else was saved; please tell IT "
               "support.")
NOT_ANSWERED = ("The council system did not answer for the changes sent. They are still "
                "waiting here and will go next time.")
#: The reason kept with an op too big even as a blob (ui/refused.py words it for a worker).
TOO_BIG = "too big to send: {size} MB, and the council system takes at most {most} MB at once"
TOO_BIG_WARNING = ("One change ({what}) is too big to send to the council system ({size} MB; at "
                   "most {most} MB goes at once). It is kept safe on this laptop among the "
                   "refused changes; please tell IT support.")
BLOB_REFUSED = "the council system did not take it as a file: {reason}"
Progress = Callable[[str, int, int], None]     # (stage, done, total)


class Cancelled(RbswError):
    def __init__(self) -> None:
        super().__init__("Sync was stopped. Nothing was lost; it will carry on next time.")


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    refused: int = 0              # changes the council refused this sync (kept with the reason)
    blobs_uploaded: int = 0
    blobs_downloaded: int = 0
    pending: int = 0              # left waiting when the sync ended
    open_conflicts: int = 0
    refused_total: int = 0
    not_applied: int = 0          # pulled changes this laptop could not apply, this sync
    not_applied_total: int = 0
    pull_finished: bool = False
    revoked: bool = False
    retired: bool = False         # wiped as the council retired it, after sending what it could
    destroyed_unsent: int = 0     # records the wipe destroyed that had not reached the council
    clock_skew_seconds: float | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)   # records this sync wrote here

    @property
    def ok(self) -> bool:
        """Everything pushed and everything pulled: nothing waiting, held or refused."""
        return (not self.errors and self.pull_finished and self.pending == 0
                and self.open_conflicts == 0 and self.refused_total == 0
                and self.not_applied_total == 0)

    @property
    def wiped(self) -> bool:
        """The council signed this laptop out (revoked or retired) and its store is gone."""
        return self.revoked or self.retired

    def as_json(self) -> dict[str, Any]:
        """The CLI's JSON (a contract: its keys never change; README's table says each)."""
        return {"ok": self.ok, "pushed": self.pushed, "pulled": self.pulled,
                "conflicts": self.conflicts, "quarantined": self.refused,
                "blobs_uploaded": self.blobs_uploaded, "blobs_downloaded": self.blobs_downloaded,
                "pending": self.pending, "open_conflicts": self.open_conflicts,
                "quarantined_total": self.refused_total,
                "pulled_quarantined": self.not_applied,
                "pulled_quarantined_total": self.not_applied_total, "revoked": self.revoked,
                "retired": self.retired, "destroyed_unsent": self.destroyed_unsent,
                "clock_skew_seconds": self.clock_skew_seconds, "errors": self.errors,
                "warnings": self.warnings}


@dataclass
class _Flight:
    """A batch sent: its rows that went, how many of the batch were answered here before it
    went (held with their reason), and the answer to come (None: nothing went)."""

    rows: list[OutboxOp]
    answered_here: int
    answer: Future[PushAnswer] | None


class SyncEngine:
    def __init__(self, store: Store, transport: HttpTransport, *, batch_ops: int = MAX_BATCH_OPS,
                 batch_bytes: int = MAX_BODY_BYTES // 4, pull_limit: int = MAX_PULL_LIMIT,
                 max_attempts: int = 6, backoff: Backoff | None = None,
                 op_bytes: int = MAX_OP_BYTES,
                 sleep: Callable[[float], None] = time.sleep,
                 wipe: Callable[[Store], WipeResult | None] | None = None) -> None:
        self.store = store
        self.transport = transport
        self.batch_ops = batch_ops
        self.batch_bytes = batch_bytes
        self.pull_limit = pull_limit
        self.op_bytes = op_bytes          # a change bigger than this goes as a blob
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self._sleep = sleep
        self._wipe = wipe
        self._cancel: Callable[[], bool] = lambda: False
        self._progress: Progress = lambda stage, done, total: None
        self._waiting: Waiting | None = None

    # -- one sync -----------------------------------------------------------------------------

    def sync_once(self, cancel: threading.Event | Callable[[], bool] | None = None,
                  progress: Progress | None = None) -> SyncReport:
        if isinstance(cancel, threading.Event):
            self._cancel = cancel.is_set
        else:
            self._cancel = cancel or (lambda: False)
        self._progress = progress or (lambda stage, done, total: None)
        report = SyncReport()
        with self.store.collect_changes() as written:    # pulled, and pushed-then-stamped
            try:
                self._note_pending()
                self._upload_blobs(report)
                pushed_all = self._push(report)
                if pushed_all:
                    self._pull(report)
                    self._download_blobs(report)
                if report.pull_finished and not report.errors:
                    self.store.outbox.set_last_sync()
            except DeviceRevoked as exc:
                self._wipe_store(report, retired=isinstance(exc, DeviceRetired))
                return report
            except (NotAuthorised, Refused, TransportError, Cancelled) as exc:
                report.errors.append(str(exc))
            finally:
                self.transport.close()
                report.changes = written.changes
        self._tally(report)
        log.info("sync: pushed %d pulled %d conflicts %d refused %d errors %d",
                 report.pushed, report.pulled, report.conflicts, report.refused,
                 len(report.errors))
        return report

    def _tally(self, report: SyncReport) -> None:
        counts = self.store.outbox.counts()
        report.pending = counts.pending
        report.refused_total = counts.refused
        report.open_conflicts = self.store.outbox.open_conflict_count()
        report.not_applied_total = self.store.outbox.not_applied_count()
        if report.not_applied_total:
            report.warnings.append(NOT_APPLIED.format(n=report.not_applied_total))
        skew = self.store.outbox.clock_skew()
        report.clock_skew_seconds = skew
        if skew is not None and abs(skew) > CLOCK_SKEW_WARN_SECONDS:
            way = "ahead of" if skew > 0 else "behind"
            report.warnings.append(
                f"This laptop's clock is about {abs(skew) / 60:.0f} minutes {way} the council's. "
                "Times you record are kept as this laptop shows them; please ask IT support to "
                "set the clock.")

    def _wipe_store(self, report: SyncReport, *, retired: bool) -> None:
        report.retired, report.revoked = retired, not retired
        report.destroyed_unsent = self.store.outbox.unsent_record_count()
        log.warning("device %s: wiping the store (%d records unsent)",
                    "retired" if retired else "revoked", report.destroyed_unsent)
        self.transport.close()
        from rbsw_desktop.security.wipe import destroyed_words, note_wipe, wipe_store
        outcome = (self._wipe or wipe_store)(self.store)
        note_wipe(self.store.data_dir, "retired" if retired else "revoked",
                  report.destroyed_unsent)
        problem = outcome.problem() if outcome is not None else ""
        said = REVOKED_INCOMPLETE + problem if problem else RETIRED if retired else REVOKED
        words = destroyed_words(report.destroyed_unsent)
        report.errors.append(f"{said} {words[0].upper()}{words[1:]}.")

    # -- retries ------------------------------------------------------------------------------

    def _retrying(self, call: Callable[[], T]) -> T:
        """Run one request, retrying network failures and busy answers with back-off."""
        self.backoff.reset()
        for attempt in range(1, self.max_attempts + 1):
            self._check_cancel()
            try:
                return call()
            except ServerBusy as exc:
                if attempt == self.max_attempts:
                    raise
                delay = self.backoff.next_delay(exc.retry_after)
            except TransportError:
                if attempt == self.max_attempts:
                    raise
                delay = self.backoff.next_delay()
            log.info("sync: retry %d in %.2fs", attempt, delay)
            self._wait(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while True:
            self._check_cancel()
            left = end - time.monotonic()
            if left <= 0:
                return
            self._sleep(min(left, 0.1))

    def _check_cancel(self) -> None:
        if self._cancel():
            raise Cancelled()

    def _note_pending(self) -> None:
        """What waits here, as the requests sent from now tell the gateway (business
        support's "waiting on laptop", and what a wipe would destroy)."""
        self._waiting = Waiting(self.store.outbox.counts().pending,
                                self.store.outbox.unsent_record_count())

    def _server_time(self, server_time: str) -> None:
        if server_time:
            self.store.outbox.note_server_time(server_time)

    # -- push ---------------------------------------------------------------------------------

    def _push(self, report: SyncReport) -> bool:
        """Push until nothing is ready; True when every ready op got an answer. While a
        batch is on its way (sent from a helper thread), the answers to the one before it are
        recorded here and the next one is made ready from the records not on their way, so
        neither the laptop nor the gateway waits for the other. The transport carries one
        request at a time: a batch goes once the one before it is answered, and a refused
        batch is split and sent, with nothing else on its way. However the push ends (done,
        stopped, a full disk, an answer for none of a batch), a batch still on its way is
        waited for and its answer recorded before it does: a refusal or a revocation in it is
        heard in this sync, not the next."""
        total = self.store.outbox.pending_count()
        done = 0

        def answered(n: int) -> bool:
            """Count a batch's answers; False (said once) when the gateway answered none."""
            nonlocal done
            if n == 0:
                if NOT_ANSWERED not in report.errors:
                    report.errors.append(NOT_ANSWERED)
                return False
            done += n
            self._note_pending()
            self._progress("push", done, total)
            return True

        with ThreadPoolExecutor(1, thread_name_prefix="sync-push") as sender:
            flying: _Flight | None = None
            try:
                batch = self.store.outbox.next_push_batch(self.batch_ops, self.batch_bytes)
                for _ in range(total + 10):         # each round answers at least one op
                    self._check_cancel()
                    landing, flying = flying, None
                    record = self._land(sender, landing, report) if landing else None
                    flying = self._take_off(sender, batch, report) if batch else None
                    if record is not None and not answered(record()):
                        return False
                    batch = self.store.outbox.next_push_batch(
                        self.batch_ops, self.batch_bytes,
                        on_the_way={row.record_id for row in flying.rows} if flying else ())
                    if flying is None and not batch:
                        return True
            finally:
                if flying is not None:
                    answered(self._land(sender, flying, report)())
        return not self.store.outbox.next_push_batch(1, self.batch_bytes)

    def _take_off(self, sender: ThreadPoolExecutor, batch: list[OutboxOp],
                  report: SyncReport) -> _Flight:
        """Send what of this batch can go, from the helper thread (the transport is free),
        telling the gateway what waits here as it stands now."""
        rows, ops = self._sendable(batch, report)
        answer = sender.submit(self._retrying, functools.partial(
            self.transport.push, PushRequest(ops=ops), waiting=self._waiting)) if rows else None
        return _Flight(rows, len(batch) - len(rows), answer)

    def _land(self, sender: ThreadPoolExecutor, flight: _Flight,
              report: SyncReport) -> Callable[[], int]:
        """Wait for a batch's answer; what records it (how many ops were answered). A
        refused batch is split and its halves sent at once, before anything else goes."""
        if flight.answer is None:
            return lambda: flight.answered_here
        try:
            answer = flight.answer.result()
        except Refused as exc:
            answered = flight.answered_here + self._split(sender, flight.rows, exc, report)
            return lambda: answered
        return lambda: flight.answered_here + self._record(flight.rows, answer, report)

    def _sendable(self, batch: list[OutboxOp],
                  report: SyncReport) -> tuple[list[OutboxOp], list[Op]]:
        """The batch's rows that can go, and their ops. A change the protocol cannot carry
        (say, a number beyond 64 bits) is held here with its reason; one too big for a
        request goes as a blob (uploaded now)."""
        ops: list[Op] = []
        sendable: list[OutboxOp] = []
        for row in batch:
            try:
                op = _op_of(row)
            except ValidationError as exc:
                self.store.outbox.refuse(row.op_id, f"this change cannot be sent: "
                                         f"{first_reason(exc)}")
                report.refused += 1
                continue
            if row.size > self.op_bytes:
                # No request can carry it (its stored JSON is at least what it weighs on the
                # wire): its fields go as a blob, and the op names the blob.
                blobbed = self._as_blob(row, op, report)
                if blobbed is None:
                    report.refused += 1
                    continue
                op = blobbed
            ops.append(op)
            sendable.append(row)
        return sendable, ops

    def _as_blob(self, row: OutboxOp, op: Op, report: SyncReport) -> Op | None:
        """Upload the op's fields as a blob; the op that names it, or None when it is held
        here among the refused changes (with its reason)."""
        data = big_records.pack(op.fields)
        if len(data) > MAX_BLOB_BYTES:
            mb, most = f"{len(data) / 1e6:.1f}", f"{MAX_BLOB_BYTES / 1e6:.1f}"
            self.store.outbox.refuse(row.op_id, TOO_BIG.format(size=mb, most=most))
            report.warnings.append(TOO_BIG_WARNING.format(
                what=record_name(row.entity).lower(), size=mb, most=most))
            return None
        sha256 = hashlib.sha256(data).hexdigest()
        try:
            self._upload_one(sha256, len(data), 0, len(data),
                             lambda offset, n: data[offset:offset + n])
        except Refused as exc:
            self.store.outbox.refuse(row.op_id, BLOB_REFUSED.format(reason=exc))
            return None
        return op.model_copy(update={"fields": {}, "fields_blob": sha256})

    def _split(self, sender: ThreadPoolExecutor, batch: list[OutboxOp], exc: Refused,
               report: SyncReport) -> int:
        """A refused batch: its halves are sent, one after the other, until the one op
        refused is found, and that op is kept, refused, with the reason."""
        if len(batch) > 1:
            half = len(batch) // 2
            return sum(self._land(sender, self._take_off(sender, part, report), report)()
                       for part in (batch[:half], batch[half:]))
        self.store.outbox.refuse(batch[0].op_id, str(exc))
        report.refused += 1
        return 1

    def _record(self, batch: list[OutboxOp], answer: PushAnswer, report: SyncReport) -> int:
        with self.store.transaction():                  # one commit (one flush to disk)
            self._server_time(answer.server_time)
            tally = self.store.outbox.mark_pushed(batch, _acks(answer))
        report.pushed += tally.pushed
        report.conflicts += tally.conflicts
        report.refused += tally.refused
        return len(batch) - tally.unanswered

    # -- pull ---------------------------------------------------------------------------------

    def _pull(self, report: SyncReport) -> None:
        """Page by page. While a page is applied here, the next one is already on its way
        (asked for on a helper thread with the cursor the page names): the gateway reads it
        and the wire carries it meanwhile. The transport is used by one thread at a time (the
        next page is asked for only once this page's big records are fetched) and the store
        only by this one; a page fetched ahead and not applied is simply asked for again."""
        with ThreadPoolExecutor(1, thread_name_prefix="sync-pull") as ahead:
            self._pull_pages(report, ahead)

    def _pull_pages(self, report: SyncReport, ahead: ThreadPoolExecutor) -> None:
        def fetch(cursor: str) -> Future[PulledPage]:
            return ahead.submit(self._retrying, functools.partial(
                self.transport.changes, cursor, self.pull_limit, waiting=self._waiting))

        next_page = fetch(self.store.outbox.sync_cursor())
        for _ in range(100_000):
            self._check_cancel()
            pulled = next_page.result()
            page = pulled.page
            readable, unreadable = _read_changes(pulled.changes, plain=pulled.plain)
            readable = self._fetch_big(readable, unreadable)
            if page.more:
                next_page = fetch(page.cursor)
            # The page and the cursor past it in one transaction (one commit, one flush to
            # disk): the cursor moves only with the page counted as held, never without it.
            with self.store.transaction():
                tally = self.store.outbox.apply_pulled(readable, unreadable)
                expected = tally.applied + tally.conflicts + tally.skipped
                present = self.store.outbox.count_present(readable)
                if present < expected:
                    report.errors.append("Some changes from the council did not save on this "
                                         "laptop. They will be fetched again next time.")
                    return
                self.store.outbox.set_sync_cursor(page.cursor)      # only after the count
                self._server_time(page.server_time)
            report.pulled += tally.applied
            report.conflicts += tally.conflicts
            report.not_applied += tally.not_applied
            self._progress("pull", report.pulled, report.pulled + (1 if page.more else 0))
            if not page.more:
                report.pull_finished = True
                return

    def _fetch_big(self, changes: list[dict[str, Any]],
                   unreadable: list[tuple[Any, str]]) -> list[dict[str, Any]]:
        """The changes with each one sent by reference (`fields_blob`) filled in from the blob
        route; one that cannot be fetched or read goes to `unreadable` with why (as sent)."""
        out = []
        for change in changes:
            sha256 = change.get("fields_blob")
            if sha256 is None:              # sent inline
                out.append(change)
                continue
            try:
                data = self._retrying(functools.partial(self.transport.blob_get, sha256,
                                                        waiting=self._waiting))
                if hashlib.sha256(data).hexdigest() != sha256:
                    raise ValueError("it arrived damaged")
                full = {**change, "fields": big_records.unpack(data)}
                del full["fields_blob"]
                Change.model_validate(full)
            except Refused as exc:
                unreadable.append((change, f"this change could not be fetched: {exc}"))
            except ValueError as exc:          # ValidationError too
                reason = first_reason(exc) if isinstance(exc, ValidationError) else str(exc)
                unreadable.append((change, f"this change cannot be read: {reason}"))
            else:
                out.append(full)
        return out

    # -- blobs --------------------------------------------------------------------------------

    def _upload_blobs(self, report: SyncReport) -> None:
        todo = self.store.outbox.blobs_to_upload()
        total = sum(size for _, size in todo)
        sent_before = 0
        for sha256, size in todo:
            try:
                self._upload_one(sha256, size, sent_before, total,
                                 functools.partial(self.store.outbox.blob_chunk, sha256))
                self.store.outbox.mark_blob_uploaded(sha256)
            except Refused as exc:
                self.store.outbox.mark_blob_uploaded(sha256, uploaded=False)   # its record waits
                report.errors.append(f"A photo or scan could not be sent ({exc}). The record "
                                     "that cites it is waiting here.")
                continue
            sent_before += size
            report.blobs_uploaded += 1

    def _upload_one(self, sha256: str, size: int, before: int, total: int,
                    chunk_at: Callable[[int, int], bytes]) -> None:
        """Send one blob (its bytes by `chunk_at(offset, n)`), resuming where the gateway's
        HEAD says this laptop stopped."""
        received = self._received(sha256)
        complete = received >= size          # the gateway already holds all of it
        for _ in range(size // MAX_BLOB_CHUNK + 50):
            if complete:
                break
            chunk = chunk_at(received, MAX_BLOB_CHUNK)
            try:
                answer = self._retrying(
                    functools.partial(self.transport.blob_put, sha256, received, chunk,
                                      waiting=self._waiting))
                received, complete = answer.received, answer.complete
                if received >= size and not complete:
                    # Every byte arrived but the gateway's SHA-256 check failed: start again.
                    received = self._received(sha256)
                    complete = received >= size
            except Refused as exc:
                if exc.status not in (409, 416):
                    raise
                received = self._received(sha256)
            self._progress("blobs", before + min(received, size), total)
        if not complete:
            raise TransportError("A photo or scan could not be sent completely. It will resume "
                                 "where it stopped next time.")

    def _received(self, sha256: str) -> int:
        """Bytes of this blob the gateway already holds (retried like any request)."""
        return self._retrying(functools.partial(self.transport.blob_received, sha256,
                                                waiting=self._waiting))

    def _download_blobs(self, report: SyncReport) -> None:
        for sha256, media_type in self.store.outbox.missing_blobs():
            try:
                data = self._retrying(functools.partial(self.transport.blob_get, sha256,
                                                        waiting=self._waiting))
            except (Refused, TransportError):
                report.warnings.append("A photo or scan from the council is not here yet; it "
                                       "will be fetched next time.")
                continue
            if hashlib.sha256(data).hexdigest() != sha256:
                report.warnings.append("A photo or scan arrived damaged; it will be fetched "
                                       "again next time.")
                continue
            self.store.outbox.put_blob(sha256, media_type, data)
            report.blobs_downloaded += 1


def _op_of(row: OutboxOp) -> Op:
    """The row's protocol Op, validated (ValidationError if the protocol cannot carry it).
    Fields surely fit to hold (`plain_json`, one quick walk) are not checked value by value
    again: the rest of the op is validated with empty fields and the fields put in; otherwise
    the whole op is validated by the protocol's model, which says exactly what is wrong."""
    fields = row.fields
    if (row.fields_json and type(fields) is dict and plain_json.plain_text(row.fields_json)
            and plain_json.holdable(fields)):
        op = Op.model_validate({**row.as_op(), "fields": {}})
        op.fields = fields
        return op
    return Op.model_validate(row.as_op())


def _read_changes(changes: list[Any], *, plain: bool = False,
                  ) -> tuple[list[dict[str, Any]], list[tuple[Any, str]]]:
    """The changes this laptop can read (the protocol's Change), and each other one with why
    not (kept in the store among the changes not applied here, never dropped). `plain`: the
    page's JSON text was surely plain (`plain_json.plain_bytes`), so a change's fields need
    only one quick walk (`plain_json.holdable`); the rest of it is validated by the
    protocol's model."""
    readable: list[dict[str, Any]] = []
    unreadable: list[tuple[Any, str]] = []
    for change in changes:
        try:
            if (plain and type(change) is dict and type(change.get("fields")) is dict
                    and plain_json.holdable(change["fields"])):
                Change.model_validate({**change, "fields": {}})
            else:
                Change.model_validate(change)
        except ValidationError as exc:
            unreadable.append((change, f"this change cannot be read: {first_reason(exc)}"))
        else:
            readable.append(change)
    return readable, unreadable


def _acks(answer: PushAnswer) -> list[PushAck]:
    return [PushAck(r.op_id, r.outcome.value, r.rev, r.reason,
                    r.theirs.model_dump() if r.theirs is not None else None)
            for r in answer.results]
