"""What the gateway does, independent of HTTP and of the database: enrolment, push, pull,
scope, and the council-side admin actions. Storage goes through `GatewayRepository` only."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from pydantic import ValidationError

from rbsw_desktop.domain.instants import instant_text, stored_instant, utc_now
from rbsw_desktop.gateway import legal
from rbsw_desktop.gateway.blobs import keep_fields, may_cite, op_fields
from rbsw_desktop.gateway.errors import ApiError, bad_request, too_large
from rbsw_desktop.gateway.repository import (
    ROLES,
    Caller,
    GatewayRepository,
    StoredRecord,
    revision,
)
from rbsw_desktop.gateway.validate import fields_problem
from rbsw_desktop.protocol import MAX_BATCH_OPS, MAX_PAGE_BYTES, PUSHABLE, ErrorCode, Outcome
from rbsw_desktop.protocol.models import ID_PATTERN, EnrolRequest, Op, OpResult, first_reason

TOKEN_DAYS = 365
#: A retried enrolment (same code, same nonce) within this long gets the same device back.
ENROL_RETRY_SECONDS = 10 * 60
_OP_ID = re.compile(ID_PATTERN)
CODE_SECONDS = 7 * 24 * 3600
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"     # no 0/O, 1/I: read over the phone
COUNCIL = "council"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _theirs(rec: StoredRecord) -> dict[str, Any]:
    return {"rev": rec.rev, "fields": rec.fields, "deleted": rec.deleted, "filed": rec.filed,
            "case_system_ref": rec.case_system_ref}


def change_json(rec: StoredRecord) -> dict[str, Any]:
    """A change of a page, its fields the stored JSON as it is (spliced into the answer by
    `routes.json_answer`, never decoded and encoded again)."""
    out = {"entity": rec.entity, "id": rec.id, "rev": rec.rev,
           "fields": orjson.Fragment(rec.stored_fields()),
           "deleted": rec.deleted, "filed": rec.filed, "case_system_ref": rec.case_system_ref,
           "received_at": rec.received_at, "origin_device": rec.origin_device}
    if rec.fields_blob is not None:         # read by a pull without its fields: by reference
        out["fields_blob"] = rec.fields_blob
    return out


def within_page(rows: list[StoredRecord]) -> list[StoredRecord]:
    """The first of these changes whose fields together stay within `MAX_PAGE_BYTES` (the
    first change always: none held inline is bigger than one request)."""
    total = 0
    for n, rec in enumerate(rows):
        total += rec.fields_size
        if n and total > MAX_PAGE_BYTES:
            return rows[:n]
    return rows


class GatewayService:
    def __init__(self, repo: GatewayRepository) -> None:
        self.repo = repo

    # -- council-side records (pods, workers, children, cases) --------------------------------

    def _council_record(self, entity: str, record: Any, pod_id: str, case_id: str | None,
                        at: str) -> None:
        from rbsw_desktop.store import codec

        record.updated_at, record.updated_by = at, COUNCIL
        existing = self.repo.record(record.id)
        self.repo.put_record(StoredRecord(
            entity, record.id, (existing.rev + 1) if existing else 1, self.repo.next_seq(),
            pod_id, case_id, codec.to_fields(record), False, at, None, at))

    def add_pod(self, name: str) -> str:
        from rbsw_desktop.domain.entities import Pod

        pod, at = Pod(name=name), utc_now()
        with self.repo.transaction():
            self.repo.add_pod(pod.id, name, at)
            self._council_record("pod", pod, pod.id, None, at)
        return pod.id

    def add_worker(self, pod_id: str, name: str, role: str) -> str:
        from rbsw_desktop.domain.entities import Worker
        from rbsw_desktop.domain.enums import Role

        if role not in ROLES:
            raise bad_request(f"The role should be one of: {', '.join(ROLES)}.")
        if self.repo.pod(pod_id) is None:
            raise ApiError(404, ErrorCode.NOT_FOUND.value, "There is no pod with that id.")
        worker, at = Worker(name=name, role=Role(role), pod_id=pod_id), utc_now()
        with self.repo.transaction():
            self.repo.add_worker(worker.id, pod_id, name, role, at)
            self._council_record("worker", worker, pod_id, None, at)
        return worker.id

    def add_case(self, worker_id: str, child_name: str, family_name: str = "") -> tuple[str, str]:
        from rbsw_desktop.domain.entities import Case, Child

        worker = self.repo.worker(worker_id)
        if worker is None:
            raise ApiError(404, ErrorCode.NOT_FOUND.value, "There is no worker with that id.")
        surname = child_name.split()[-1] if child_name.split() else "Fictional"
        child, at = Child(name=child_name), utc_now()
        case = Case(child_id=child.id, pod_id=worker["pod_id"], worker_id=worker_id,
                    family_name=family_name or f"The {surname} family",
                    started_on=at[:10])
        with self.repo.transaction():
            self.repo.add_case(case.id, child.id, child_name, worker_id, worker["pod_id"], at)
            self._council_record("child", child, worker["pod_id"], case.id, at)
            self._council_record("case", case, worker["pod_id"], case.id, at)
        return case.id, child.id

    def enrol_code(self, worker_id: str, valid_seconds: int = CODE_SECONDS) -> str:
        if self.repo.worker(worker_id) is None:
            raise ApiError(404, ErrorCode.NOT_FOUND.value, "There is no worker with that id.")
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
        now = datetime.now(UTC)
        with self.repo.transaction():
            self.repo.add_enrol_code(sha256_hex(raw), worker_id, instant_text(now),
                                     instant_text(now + timedelta(seconds=valid_seconds)))
        return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"

    def revoke(self, device_id: str) -> bool:
        with self.repo.transaction():
            return self.repo.revoke_device(device_id, utc_now())

    def retire(self, device_id: str) -> bool:
        """A laptop leaving service (not lost): its pushes are still applied as usual; its
        next pull is answered `device_retired` (`told_to_wipe`), and from then on its token is
        dead. False when there is no such device, or it is revoked already."""
        with self.repo.transaction():
            return self.repo.retire_device(device_id, utc_now())

    def told_to_wipe(self, caller: Caller) -> ApiError:
        """A retired laptop has pushed what it holds: revoke it (its token dies now) and
        return the answer that tells it to wipe."""
        self.repo.revoke_device(caller.device_id, utc_now())
        return _retired()

    # -- enrolment and authentication ---------------------------------------------------------

    def enrol(self, request: EnrolRequest) -> dict[str, Any]:
        """A device and its token for a one-time code. The code works once; a retry with the
        same nonce soon after (the first answer was lost on the way) gets the same device back
        with a fresh token, and the token the lost answer held stops working."""
        code_sha = sha256_hex(normalise_code(request.code))
        device_id, token = str(uuid.uuid4()), secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.repo.transaction():
            worker_id = self.repo.take_enrol_code(code_sha, device_id, request.nonce,
                                                  instant_text(now))
            if worker_id is not None:
                self.repo.add_device(device_id, worker_id, request.device_name or "laptop",
                                     sha256_hex(token), instant_text(now),
                                     instant_text(now + timedelta(days=TOKEN_DAYS)))
            else:
                worker_id, device_id = self._retried_enrolment(code_sha, request.nonce, now)
                self.repo.set_device_token(device_id, sha256_hex(token))
            worker = self.repo.worker(worker_id)
            assert worker is not None
            worker_rec = self.repo.record(worker_id)
            pod_rec = self.repo.record(worker["pod_id"])
        return {"device_id": device_id, "token": token,
                "worker": {**(worker_rec.fields if worker_rec else {}), "id": worker_id,
                           "rev": worker_rec.rev if worker_rec else None},
                "pod": {**(pod_rec.fields if pod_rec else {}), "id": worker["pod_id"],
                        "rev": pod_rec.rev if pod_rec else None}}

    def _retried_enrolment(self, code_sha: str, nonce: str | None,
                           now: datetime) -> tuple[str, str]:
        """(worker_id, device_id) of the enrolment this request repeats, or refuse."""
        row = self.repo.enrol_code(code_sha)
        since = instant_text(now - timedelta(seconds=ENROL_RETRY_SECONDS))
        if (row is None or nonce is None or row["nonce"] != nonce or not row["device_id"]
                or not row["used_at"] or row["used_at"] < since):
            raise ApiError(400, ErrorCode.INVALID_CODE.value,
                           "That code is not valid: it may have been used already or have "
                           "expired.")
        device = self.repo.device(row["device_id"])
        if device is None or device["revoked_at"]:
            raise ApiError(400, ErrorCode.INVALID_CODE.value,
                           "That code is not valid: it may have been used already or have "
                           "expired.")
        return str(row["worker_id"]), str(row["device_id"])

    def _device_of(self, authorization: str | None) -> dict[str, Any] | None:
        """The device row a bearer token names, whatever its state."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        token = authorization[7:].strip()
        if not token or len(token) > 200:
            return None
        return self.repo.device_by_token(sha256_hex(token))

    def identify(self, authorization: str | None) -> Caller | None:
        """Who a token names, even when expired, revoked or retired (a refusal's audit row)."""
        device = self._device_of(authorization)
        return None if device is None else Caller(device["id"], device["worker_id"],
                                                  device["pod_id"], device["role"])

    def authenticate(self, authorization: str | None) -> Caller:
        unauthorised = ApiError(401, ErrorCode.UNAUTHORIZED.value,
                                "This laptop is not signed in to the council system. Ask "
                                "business support for an enrolment code.",
                                {"WWW-Authenticate": 'Bearer realm="rbsw"'})
        device = self._device_of(authorization)
        if device is None or device["expires_at"] <= utc_now():
            raise unauthorised
        if device["revoked_at"] and device["retired_at"]:
            raise _retired()
        if device["revoked_at"]:
            raise ApiError(401, ErrorCode.DEVICE_REVOKED.value,
                           "This laptop has been removed from the council system. Its copy of "
                           "the records is wiped for safety.")
        return Caller(device["id"], device["worker_id"], device["pod_id"], device["role"],
                      retired=bool(device["retired_at"]))

    # -- scope --------------------------------------------------------------------------------

    def case_in_scope(self, caller: Caller, case_id: Any,
                      cache: dict[str, Any] | None = None) -> bool:
        if not isinstance(case_id, str):
            return False
        if cache is not None and case_id in cache:
            case = cache[case_id]
        else:
            case = self.repo.case(case_id)
            if cache is not None:
                cache[case_id] = case
        return case is not None and case["pod_id"] == caller.pod_id and (
            caller.pod_wide or case["worker_id"] == caller.worker_id)

    # -- push ---------------------------------------------------------------------------------

    def push(self, caller: Caller, body: Any, pending: int | None = None) -> dict[str, Any]:
        """Answer each op: applied, duplicate, conflict or rejected. The batch is decided in
        memory against what the database held when the pod's writers' lock was taken (two reads),
        then written in one go: the records, their op ids, their history rows, their sequence
        numbers."""
        ops = push_ops(body)
        at = utc_now()
        batch = _Batch(caller, at)
        # No SAVEPOINT: whatever this raises leaves the request's transaction too. The pod's
        # writers' lock is taken by `push_state`, with the reads (one round trip).
        with self.repo.transaction(lock=False, savepoint=False):
            parsed = [_parse(raw) for raw in ops]
            valid = [op for op in parsed if isinstance(op, Op)]
            case_ids = {op.fields.get("case_id") for op in valid}
            batch.applied, batch.held, batch.cases = self.repo.push_state(
                caller.pod_id, caller.worker_id, [op.op_id for op in valid],
                {op.id for op in valid}, {c for c in case_ids if isinstance(c, str)})
            results = [self._answer(batch, raw, op) for raw, op in zip(ops, parsed, strict=True)]
            writes = list(batch.writes.values())
            seqs = self.repo.next_seqs(len(writes)) if writes else []
            for rec, seq in zip(writes, seqs, strict=True):
                rec.seq = seq
            with self.repo.batched():          # the writes, in one round trip
                self.repo.put_records(writes)
                self.repo.add_applied_ops(batch.applied_rows)
                self.repo.add_history(batch.history)
                for raw, result in zip(ops, results, strict=True):
                    if result.outcome is Outcome.REJECTED:
                        self.repo.add_refusal(caller, result.op_id,
                                              _printable(raw.get("entity"), 50),
                                              _printable(raw.get("id"), 100), result.reason, at)
                for op, theirs in batch.conflicts:
                    self.repo.add_conflict(caller, op.op_id, op.entity, op.id, op.base_rev,
                                           theirs, at)
                self.repo.touch_device(caller.device_id, at, pushed=True, pending=pending)
        return {"results": [r.model_dump(mode="json") for r in results],
                "server_time": utc_now()}

    def _answer(self, batch: _Batch, raw: dict[str, Any], op: Op | str) -> OpResult:
        """An op's answer; an op_id that came earlier in this batch gets the same answer
        (`duplicate` once it was applied), as a replay would."""
        first = batch.answered.get(raw["op_id"])
        if first is not None:
            return first if first.outcome is not Outcome.APPLIED else OpResult(
                op_id=first.op_id, outcome=Outcome.DUPLICATE, rev=first.rev)
        result = (self._push_one(batch, op) if isinstance(op, Op) else
                  OpResult(op_id=raw["op_id"], outcome=Outcome.REJECTED, reason=op))
        batch.answered[result.op_id] = result
        return result

    def _push_one(self, batch: _Batch, op: Op) -> OpResult:
        caller, op_id = batch.caller, op.op_id

        def rejected(reason: str) -> OpResult:
            return OpResult(op_id=op_id, outcome=Outcome.REJECTED, reason=reason)

        seen = batch.applied.get(op_id)
        if seen is not None:
            if seen[0] != op.id:
                return rejected("this op_id was already used for another record")
            return OpResult(op_id=op_id, outcome=Outcome.DUPLICATE, rev=seen[1])
        blob = op.fields_blob
        if blob is not None:
            unpacked = _from_blob(self.repo, caller, op, blob)
            if isinstance(unpacked, str):
                return rejected(unpacked)
            op = unpacked
        if op.entity not in PUSHABLE:
            return rejected(f"{op.entity!r} records come from the council and cannot be sent "
                            "from a laptop")
        existing = batch.held.get(op.id)
        if existing is not None and (existing.entity != op.entity
                                     or existing.pod_id != caller.pod_id
                                     or not self.case_in_scope(caller, existing.case_id,
                                                               batch.cases)):
            return rejected("this record belongs to a case outside your caseload")
        fields = op.fields
        if op.deleted and not fields and existing is not None:
            fields = existing.fields        # a tombstone keeps them, and so where they are kept
            blob = blob if blob is not None else existing.fields_blob
        problem = fields_problem(op.entity, op.id, fields)
        if problem:
            return rejected(problem)
        case_id = fields.get("case_id")
        if not self.case_in_scope(caller, case_id, batch.cases):
            return rejected("the case is not in your caseload")
        if existing is not None and existing.case_id != case_id:
            return rejected("a record cannot move to another case")
        action = legal.action_of(existing, op.deleted)
        refused = ((legal.locked_reason(existing, action) if existing is not None else "")
                   or legal.rights_reason(caller, op.entity, action)
                   or legal.author_reason(caller, op.fields))
        if refused:
            return rejected(refused)
        if (op.entity == "attachment" and not op.deleted
                and (existing is None or existing.fields.get("sha256") != fields["sha256"])
                and not may_cite(self.repo, caller, fields["sha256"])):
            return rejected("the photo or scan it names did not reach the council system "
                            "from this laptop")
        if existing is not None and op.base_rev != existing.rev:
            batch.conflicts.append((op, existing.rev))
            return OpResult.model_validate({
                "op_id": op_id, "outcome": Outcome.CONFLICT, "rev": existing.rev,
                "reason": "changed on the council system since you last synced",
                "theirs": _theirs(existing)})
        rev = existing.rev + 1 if existing else 1
        updated_at = _instant_or_empty(fields.get("updated_at"))
        kept = legal.stamped(caller, fields)
        if blob is not None and kept != fields:   # the blob sent holds them unless stamped anew
            blob = keep_fields(self.repo, caller, kept)
        rec = StoredRecord(op.entity, op.id, rev, 0, caller.pod_id, case_id, kept, op.deleted,
                           updated_at or _instant_or_empty(op.at) or batch.at,
                           caller.device_id, batch.at,   # never filed: a filed one is refused
                           fields_blob=blob)
        batch.write(op_id, rec)
        return OpResult(op_id=op_id, outcome=Outcome.APPLIED, rev=rev)

    # -- pull ---------------------------------------------------------------------------------

    def changes(self, caller: Caller, since: int, limit: int,
                pending: int | None = None) -> dict[str, Any]:
        """A page of the caller's changes after `since`, without those whose current revision
        the caller's own device sent (it has them; a change made since by anyone else still
        comes), and within `MAX_PAGE_BYTES`. The cursor still moves over the left-out ones: to
        the pod's last change as it stood when the pull began (`last_seq`, read first, so the
        page's read sees everything of the pod up to it: see `db.repository`), or, when there
        is more, to the page's last change."""
        upto = self.repo.last_seq(caller.pod_id)
        rows = self.repo.changes_since(caller, since, limit + 1, upto=upto,
                                       not_from=caller.device_id) if upto is not None else []
        page = within_page(rows[:limit])
        more, rows = len(rows) > len(page), page
        new_cursor = rows[-1].seq if more else max(since, upto or 0)
        # No writers' lock: the caller's transaction (deps.audited, lock=False) holds only this
        # device's row.
        self.repo.touch_device(caller.device_id, utc_now(), pulled=True, pending=pending)
        return {"changes": [change_json(r) for r in rows], "cursor": str(new_cursor),
                "more": more, "server_time": utc_now()}


@dataclass
class _Batch:
    """One push being decided: what the database held, and what it will write."""

    caller: Caller
    at: str
    applied: dict[str, tuple[str, int]] = field(default_factory=dict)
    held: dict[str, StoredRecord] = field(default_factory=dict)
    cases: dict[str, Any] = field(default_factory=dict)
    #: by record id, in the order last written (a record written twice goes at its last)
    writes: dict[str, StoredRecord] = field(default_factory=dict)
    applied_rows: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[tuple[Op, int]] = field(default_factory=list)
    answered: dict[str, OpResult] = field(default_factory=dict)

    def write(self, op_id: str, rec: StoredRecord) -> None:
        """Apply in memory, so a later op of this batch on the same record sees it."""
        self.held[rec.id] = rec
        self.applied[op_id] = (rec.id, rec.rev)
        self.writes.pop(rec.id, None)
        self.writes[rec.id] = rec
        self.applied_rows.append({"worker_id": self.caller.worker_id, "op_id": op_id,
                                  "device_id": self.caller.device_id, "record_id": rec.id,
                                  "rev": rec.rev, "at": self.at})
        self.history.append(revision(rec, self.at, self.caller.worker_id,
                                     self.caller.device_id, op_id))


def _retired() -> ApiError:
    return ApiError(401, ErrorCode.DEVICE_RETIRED.value,
                    "This laptop has been retired from the council system. What it held has "
                    "been sent, and its copy of the records is now wiped.")


def _printable(value: Any, limit: int) -> str:
    """Text for a failure row from what a laptop sent, whatever it was (never a lone
    surrogate: a database refuses to store one)."""
    return str(value or "")[:limit].encode("utf-8", "replace").decode("utf-8")


def _instant_or_empty(value: Any) -> str:
    """A laptop's time as stored text, or "" when it is not one (a laptop's claim is kept
    only when it is an instant)."""
    if not isinstance(value, str) or len(value) > 40:
        return ""
    try:
        return stored_instant(value)
    except ValueError:
        return ""


def _from_blob(repo: GatewayRepository, caller: Caller, op: Op, sha256: str) -> Op | str:
    """A change sent as a blob of its fields (`protocol.big_records`), as if they had come
    inline (the same model, then the same rules), or why not."""
    if op.fields:
        return "a change sent as a blob carries no fields of its own"
    fields = op_fields(repo, caller, sha256)
    if isinstance(fields, str):
        return fields
    try:
        return Op.model_validate({**op.model_dump(exclude={"fields", "fields_blob"}),
                                  "fields": fields})
    except ValidationError as exc:
        return first_reason(exc)


def _parse(raw: dict[str, Any]) -> Op | str:
    """The op, or why it is not one."""
    try:
        return Op.model_validate(raw)
    except ValidationError as exc:
        return first_reason(exc)


def push_ops(body: Any) -> list[dict[str, Any]]:
    """The ops of a push body. The whole request is refused only when it cannot be answered op
    by op (no list of ops, an op without a usable `op_id`); any other problem with an op is
    that op's `rejected` answer (`protocol.models.Op` says why). An op_id that comes twice is
    answered like a replay: the same answer again (`duplicate` once it was applied)."""
    ops = body.get("ops") if isinstance(body, dict) else None
    if not isinstance(ops, list):
        raise bad_request("A push needs a JSON object with a list of changes called `ops`.")
    if len(ops) > MAX_BATCH_OPS:
        raise too_large(f"Too many changes in one push (at most {MAX_BATCH_OPS}).")
    for op in ops:
        op_id = op.get("op_id") if isinstance(op, dict) else None
        if not isinstance(op_id, str) or not _OP_ID.match(op_id):
            raise bad_request("Every change needs an `op_id` (letters, digits and dashes).")
    return ops
