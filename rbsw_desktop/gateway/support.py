"""The business support officer's view of their pod: devices and when each last synced, what
each worker has waiting, records received and not yet filed, conflicts and failures, and
filing a record with its case-system reference (the record's rev moves on, so the change flows
back to laptops with `filed: true`). The board is never filed (`FILEABLE`). Only the
`business_support` role may call these."""

from __future__ import annotations

from typing import Any

from rbsw_desktop.domain.instants import utc_now
from rbsw_desktop.gateway.errors import ApiError
from rbsw_desktop.gateway.repository import Caller, GatewayRepository, StoredRecord, revision
from rbsw_desktop.protocol import PUSHABLE, ErrorCode
from rbsw_desktop.protocol.models import FileRequest

MAX_LIST = 1000
#: What business support files into the case system. Never the board: a filed record never
#: changes, and families move board items red -> amber -> green review by review. The board's
#: state at each review is filed with the review (its snapshot), and each move is its own record.
FILEABLE = PUSHABLE - {"board_item", "board_move"}


def require_business_support(caller: Caller) -> None:
    if caller.role != "business_support":
        raise ApiError(403, ErrorCode.FORBIDDEN.value,
                       "Only the pod's business support officer can see this.")


def _last_sync(dev: dict[str, Any]) -> str | None:
    times = [t for t in (dev.get("last_push_at"), dev.get("last_pull_at")) if t]
    return max(times) if times else None


class SupportView:
    def __init__(self, repo: GatewayRepository) -> None:
        self.repo = repo

    def devices(self, caller: Caller) -> dict[str, Any]:
        require_business_support(caller)
        out = []
        for dev in self.repo.devices_in_pod(caller.pod_id):
            out.append({**dev, "last_sync": _last_sync(dev),
                        "revoked": dev["revoked_at"] is not None})
        return {"devices": out}

    def _unfiled(self, caller: Caller, limit: int) -> list[StoredRecord]:
        return self.repo.unfiled(caller.pod_id, FILEABLE, limit)

    def workers(self, caller: Caller) -> dict[str, Any]:
        require_business_support(caller)
        devices = self.repo.devices_in_pod(caller.pod_id)
        unfiled: dict[str, int] = {}
        for rec in self._unfiled(caller, 100_000):
            case = self.repo.case(rec.case_id or "")
            if case:
                unfiled[case["worker_id"]] = unfiled.get(case["worker_id"], 0) + 1
        out = []
        for w in self.repo.workers_in_pod(caller.pod_id):
            mine = [d for d in devices if d["worker_id"] == w["id"] and not d["revoked_at"]]
            pending = [d["pending"] for d in mine if d["pending"] is not None]
            syncs = [s for s in (_last_sync(d) for d in mine) if s]
            out.append({"worker_id": w["id"], "name": w["name"], "role": w["role"],
                        "devices": len(mine), "pending": sum(pending) if pending else None,
                        "unfiled": unfiled.get(w["id"], 0),
                        "last_sync": max(syncs) if syncs else None})
        return {"workers": out}

    def unfiled(self, caller: Caller, limit: int) -> dict[str, Any]:
        require_business_support(caller)
        out = []
        for rec in self._unfiled(caller, limit):
            case = self.repo.case(rec.case_id or "") or {}
            worker = self.repo.worker(case.get("worker_id", "")) or {}
            out.append({"entity": rec.entity, "id": rec.id, "rev": rec.rev,
                        "case_id": rec.case_id, "child_name": case.get("child_name", ""),
                        "worker_id": case.get("worker_id"), "worker_name": worker.get("name", ""),
                        "updated_at": rec.updated_at, "received_at": rec.received_at,
                        "origin_device": rec.origin_device, "fields": rec.fields})
        return {"records": out}

    def not_applied(self, caller: Caller, limit: int) -> dict[str, Any]:
        """The pod's conflicts and refused changes, under their wire keys (`PodNotApplied`)."""
        require_business_support(caller)
        found = self.repo.not_applied(caller.pod_id, limit)
        return {"conflicts": found["conflicts"], "failures": found["refusals"]}

    def file_record(self, caller: Caller, record_id: str, body: FileRequest) -> dict[str, Any]:
        require_business_support(caller)
        ref = body.case_system_ref
        at = utc_now()
        with self.repo.transaction():
            rec = self.repo.record(record_id)
            if rec is None or rec.pod_id != caller.pod_id or rec.entity not in FILEABLE:
                raise ApiError(404, ErrorCode.NOT_FOUND.value,
                               "That record is not in your pod's list to file.")
            if rec.filed:
                raise ApiError(409, ErrorCode.BAD_REQUEST.value,
                               f"That record was already filed as {rec.case_system_ref}.")
            rec.rev += 1
            rec.seq = self.repo.next_seq()
            rec.filed, rec.case_system_ref = True, ref.strip()
            rec.filed_at, rec.filed_by = at, caller.worker_id
            # The filed version is the council's, sent by no laptop: every laptop in scope pulls
            # it, the one that sent the last change too (who filed it: `record_history`).
            rec.origin_device = None
            self.repo.put_record(rec)
            self.repo.add_history([revision(rec, at, caller.worker_id, caller.device_id)])
        return {"id": rec.id, "entity": rec.entity, "rev": rec.rev, "filed": True,
                "case_system_ref": rec.case_system_ref, "filed_at": at}
