"""The gateway as the council's legal copy of case records: what a push may not do, in words a
worker understands, and what the gateway writes over a laptop's claims.

- A finalised visit, a review and anything business support has filed are never changed or
  deleted through sync; corrections are amendments (their own records). Business support
  never files the board (`support.FILEABLE`), so board items stay movable review by review.
- Who wrote a change is the caller (the token's worker and device), never what the laptop says:
  a change naming someone else as its author is refused, and the gateway stamps the caller into
  the author fields. The worker's own times (`visited_at`, `updated_at`, ...) are kept as the
  worker said; the gateway's `received_at` is kept beside them.
- Which role may create, update or delete which kind of record: `protocol.rights`.
"""

from __future__ import annotations

from typing import Any

from rbsw_desktop.domain.entities import record_name
from rbsw_desktop.domain.enums import Role, VisitStatus
from rbsw_desktop.gateway.repository import Caller, StoredRecord
from rbsw_desktop.protocol.rights import Action, may

#: The fields that say which worker wrote or finalised a record (`domain.entities`).
AUTHOR_FIELDS = ("updated_by", "finalised_by")
#: Kinds of record that are final once the council holds them (whatever their status).
FINAL_ONCE_HELD = frozenset({"review"})

_VERBS = {Action.CREATE: "add", Action.UPDATE: "change", Action.DELETE: "delete"}


def action_of(existing: StoredRecord | None, deleted: bool) -> Action:
    if existing is None:
        return Action.CREATE
    return Action.DELETE if deleted else Action.UPDATE


def locked_reason(existing: StoredRecord, action: Action) -> str:
    """Why this held record may not be changed or deleted through sync, or ""."""
    doing = "deleting" if action is Action.DELETE else "changing"
    visit = existing.entity == "visit"
    if existing.filed:
        return (f"This {record_name(existing.entity).lower()} was filed in the council's case "
                "system, so it cannot be changed or deleted"
                + ("; add an amendment instead." if visit else "."))
    if visit and existing.fields.get("status") == VisitStatus.FINALISED.value:
        return (f"This visit was finalised on the council system; add an amendment instead of "
                f"{doing} it.")
    if existing.entity in FINAL_ONCE_HELD:
        return ("This review is the record of the board on the day it was held, so it cannot "
                "be changed or deleted; start a new review instead.")
    return ""


def rights_reason(caller: Caller, entity: str, action: Action) -> str:
    """Why the caller's role may not do this (`protocol.rights`), or ""."""
    if may(caller.role, entity, action):
        return ""
    return (f"A {Role(caller.role).label.lower()} cannot {_VERBS[action]} this kind of record "
            f"({record_name(entity).lower()}) on the council system.")


def author_reason(caller: Caller, claimed: dict[str, Any]) -> str:
    """Why a laptop's claim about who wrote a change is refused, or "": an author field may
    only name the caller (or be empty)."""
    if any(claimed.get(name) not in (None, "", caller.worker_id) for name in AUTHOR_FIELDS):
        return ("This change says someone else wrote or finalised it. The council system "
                "records who made each change from the laptop's sign-in, so it was not saved.")
    return ""


def stamped(caller: Caller, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields as the council keeps them: written by the caller, from the caller's device;
    a visit finalised without saying by whom was finalised by the caller."""
    out = {**fields, "updated_by": caller.worker_id, "device_id": caller.device_id}
    if out.get("status") == VisitStatus.FINALISED.value and not out.get("finalised_by"):
        out["finalised_by"] = caller.worker_id
    return out
