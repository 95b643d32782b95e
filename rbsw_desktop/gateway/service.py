"""What the gateway does, independent of HTTP and of the database: enrolment, push, pull,
scope, and the council-side admin actions. Storage goes through `GatewayRepository` only."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from rbsw_desktop.gateway.repository import ROLES, Caller, GatewayRepository, StoredRecord
from rbsw_desktop.gateway.validate import ApiError, bad_request, fields_problem, op_shape, push_ops
from rbsw_desktop.sync.protocol import MAX_PULL_LIMIT, PUSHABLE, ErrorCode, OpResult, Outcome

TOKEN_DAYS = 365
CODE_SECONDS = 7 * 24 * 3600
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"     # no 0/O, 1/I: read over the phone
COUNCIL = "council"


def now_iso(at: datetime | None = None) -> str:
    at = at or datetime.now(UTC)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _theirs(rec: StoredRecord) -> dict[str, Any]:
    return {"rev": rec.rev, "fields": rec.fields, "deleted": rec.deleted, "filed": rec.filed,
            "case_system_ref": rec.case_system_ref}


def change_json(rec: StoredRecord) -> dict[str, Any]:
    return {"entity": rec.entity, "id": rec.id, "rev": rec.rev, "fields": rec.fields,
            "deleted": rec.deleted, "filed": rec.filed, "case_system_ref": rec.case_system_ref}


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

        pod, at = Pod(name=name), now_iso()
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
        worker, at = Worker(name=name, role=Role(role), pod_id=pod_id), now_iso()
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
        child, at = Child(name=child_name), now_iso()
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
            self.repo.add_enrol_code(sha256_hex(raw), worker_id, now_iso(now),
                                     now_iso(now + timedelta(seconds=valid_seconds)))
        return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"

    def revoke(self, device_id: str) -> bool:
        with self.repo.transaction():
            return self.repo.revoke_device(device_id, now_iso())

    # -- enrolment and authentication ---------------------------------------------------------

    def enrol(self, body: dict[str, Any]) -> dict[str, Any]:
        code, name = body.get("code"), body.get("device_name", "")
        if not isinstance(code, str) or not code.strip() or len(code) > 100:
            raise bad_request("Enrolment needs the one-time `code` from business support.")
        if not isinstance(name, str) or len(name) > 200:
            raise bad_request("`device_name` should be short text.")
        device_id, token = str(uuid.uuid4()), secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.repo.transaction():
            worker_id = self.repo.take_enrol_code(sha256_hex(normalise_code(code)), device_id,
                                                  now_iso(now))
            if worker_id is None:
                raise ApiError(400, ErrorCode.INVALID_CODE.value,
                               "That code is not valid: it may have been used already or have "
                               "expired.")
            self.repo.add_device(device_id, worker_id, name or "laptop", sha256_hex(token),
                                 now_iso(now), now_iso(now + timedelta(days=TOKEN_DAYS)))
            worker = self.repo.worker(worker_id)
            assert worker is not None
            worker_rec = self.repo.record(worker_id)
            pod_rec = self.repo.record(worker["pod_id"])
        return {"device_id": device_id, "token": token,
                "worker": {**(worker_rec.fields if worker_rec else {}), "id": worker_id,
                           "rev": worker_rec.rev if worker_rec else None},
                "pod": {**(pod_rec.fields if pod_rec else {}), "id": worker["pod_id"],
                        "rev": pod_rec.rev if pod_rec else None}}

    def authenticate(self, authorization: str | None) -> Caller:
        unauthorised = ApiError(401, ErrorCode.UNAUTHORIZED.value,
                                "This laptop is not signed in to the council system. Ask "
                                "business support for an enrolment code.",
                                {"WWW-Authenticate": 'Bearer realm="rbsw"'})
        if not authorization or not authorization.startswith("Bearer "):
            raise unauthorised
        token = authorization[7:].strip()
        if not token or len(token) > 200:
            raise unauthorised
        device = self.repo.device_by_token(sha256_hex(token))
        if device is None or device["expires_at"] <= now_iso():
            raise unauthorised
        if device["revoked_at"]:
            raise ApiError(401, ErrorCode.DEVICE_REVOKED.value,
                           "This laptop has been removed from the council system. Its copy of "
                           "the records is wiped for safety.")
        return Caller(device["id"], device["worker_id"], device["pod_id"], device["role"])

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
        ops = push_ops(body)
        results: list[dict[str, Any]] = []
        at = now_iso()
        cases: dict[str, Any] = {}
        with self.repo.transaction():
            for op in ops:
                result = self._push_one(caller, op, at, cases)
                if result.outcome is Outcome.REJECTED:
                    self.repo.add_failure(caller, op["op_id"], str(op.get("entity", ""))[:50],
                                          str(op.get("id", ""))[:100], result.reason, at)
                results.append({"op_id": result.op_id, "outcome": result.outcome.value,
                                "rev": result.rev, "reason": result.reason,
                                "theirs": result.theirs})   # OpResult.as_json, minus deepcopy
            self.repo.touch_device(caller.device_id, at, pushed=True, pending=pending)
        return {"results": results, "server_time": now_iso()}

    def _push_one(self, caller: Caller, op: dict[str, Any], at: str,
                  cases: dict[str, Any]) -> OpResult:
        op_id = op["op_id"]

        def rejected(reason: str) -> OpResult:
            return OpResult(op_id, Outcome.REJECTED, reason=reason)

        problem = op_shape(op)
        if problem:
            return rejected(problem)
        entity, rid, base_rev = op["entity"], op["id"], op.get("base_rev")
        deleted, fields = bool(op.get("deleted", False)), op["fields"]
        seen = self.repo.applied_op(op_id)
        if seen is not None:
            if seen[0] != rid:
                return rejected("this op_id was already used for another record")
            return OpResult(op_id, Outcome.DUPLICATE, rev=seen[1])
        if entity not in PUSHABLE:
            return rejected(f"{entity!r} records come from the council and cannot be sent "
                            "from a laptop")
        existing = self.repo.record(rid)
        if existing is not None and (existing.entity != entity or existing.pod_id != caller.pod_id
                                     or not self.case_in_scope(caller, existing.case_id, cases)):
            return rejected("this record belongs to a case outside your caseload")
        if deleted and not fields and existing is not None:
            fields = existing.fields
        problem = fields_problem(entity, rid, fields)
        if problem:
            return rejected(problem)
        case_id = fields.get("case_id")
        if not self.case_in_scope(caller, case_id, cases):
            return rejected("the case is not in your caseload")
        if existing is not None and existing.case_id != case_id:
            return rejected("a record cannot move to another case")
        if existing is not None and base_rev != existing.rev:
            self.repo.add_conflict(caller, op_id, entity, rid, base_rev, existing.rev, at)
            return OpResult(op_id, Outcome.CONFLICT, rev=existing.rev,
                            reason="changed on the council system since you last synced",
                            theirs=_theirs(existing))
        rev = existing.rev + 1 if existing else 1
        updated_at = fields.get("updated_at") if isinstance(fields.get("updated_at"), str) else ""
        self.repo.put_record(StoredRecord(
            entity, rid, rev, self.repo.next_seq(), caller.pod_id, case_id, fields, deleted,
            updated_at or op.get("at") or at, caller.device_id, at, False,
            existing.case_system_ref if existing else "", None, None))
        self.repo.add_applied_op(op_id, caller.device_id, rid, rev, at)
        return OpResult(op_id, Outcome.APPLIED, rev=rev)

    # -- pull ---------------------------------------------------------------------------------

    def changes(self, caller: Caller, since: str | None, limit: str | None,
                pending: int | None = None) -> dict[str, Any]:
        try:
            cursor = int(since or "0")
            count = int(limit or "500")
        except ValueError:
            raise bad_request("`since` and `limit` should be whole numbers.") from None
        if cursor < 0 or count < 1:
            raise bad_request("`since` and `limit` should not be negative.")
        count = min(count, MAX_PULL_LIMIT)
        rows = self.repo.changes_since(caller, cursor, count + 1)
        more = len(rows) > count
        rows = rows[:count]
        new_cursor = rows[-1].seq if rows else cursor
        with self.repo.transaction():
            self.repo.touch_device(caller.device_id, now_iso(), pulled=True, pending=pending)
        return {"changes": [change_json(r) for r in rows], "cursor": str(new_cursor),
                "more": more, "server_time": now_iso()}
