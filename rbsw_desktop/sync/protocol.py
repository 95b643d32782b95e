"""Sync protocol v1: the JSON shapes both ends speak. Shared by the engine and the gateway.

All bodies are JSON, optionally gzip-compressed (`Content-Encoding: gzip` on requests,
`Accept-Encoding: gzip` honoured on responses). Every call but enrolment carries
`Authorization: Bearer <device token>`.

    POST /api/v1/devices                  {"code", "device_name"}
        -> 201 {"device_id", "token", "worker": {...worker fields, "id"}, "pod": {...}}
    POST /api/v1/sync/push                {"ops": [Op...]}
        -> 200 {"results": [OpResult...], "server_time"}
    GET  /api/v1/sync/changes?since=CURSOR&limit=N
        -> 200 {"changes": [Change...], "cursor", "more", "server_time"}
    PUT  /api/v1/blobs/{sha256}?offset=N  (raw bytes, Content-Type application/octet-stream)
        -> 200 {"received": total_bytes_so_far, "complete": bool}
    HEAD /api/v1/blobs/{sha256}           -> 200 with X-Received: bytes so far (404: none yet)
    GET  /api/v1/blobs/{sha256}           -> 200 raw bytes (only blobs in the caller's scope)
    GET  /api/v1/openapi.json

Errors: `{"error": CODE, "message": words a worker understands}` with a 4xx/5xx status.
A revoked device gets 401 with error `device_revoked` and must wipe its store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

API_PREFIX = "/api/v1"
PROTOCOL_VERSION = 1

MAX_BATCH_OPS = 500
MAX_BODY_BYTES = 8 * 1024 * 1024          # one request body, after decompression
MAX_BLOB_CHUNK = 1024 * 1024
MAX_PULL_LIMIT = 1000
CLOCK_SKEW_WARN_SECONDS = 300


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"      # the op_id was seen before; `rev` is what it got then
    CONFLICT = "conflict"        # base_rev is behind the server; `theirs` holds its version
    REJECTED = "rejected"        # will never apply as it is; `reason` says why


#: Every error answer carries its `error` code in this header as well as in its JSON body (a
#: HEAD answer has no body).
ERROR_HEADER = "X-Rbsw-Error"


class ErrorCode(StrEnum):
    BAD_REQUEST = "bad_request"
    UNAUTHORIZED = "unauthorized"
    DEVICE_REVOKED = "device_revoked"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    INVALID_CODE = "invalid_code"


@dataclass
class Op:
    """One change pushed from a laptop (an outbox row)."""

    op_id: str
    entity: str
    id: str
    base_rev: int | None
    fields: dict[str, Any]
    deleted: bool
    at: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class OpResult:
    op_id: str
    outcome: Outcome
    rev: int | None = None
    reason: str = ""
    theirs: dict[str, Any] | None = None   # on conflict: {"rev", "fields", "deleted"}

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["outcome"] = self.outcome.value
        return out


@dataclass
class Change:
    """One record version pulled from the gateway. Full state, never a diff."""

    entity: str
    id: str
    rev: int
    fields: dict[str, Any]
    deleted: bool = False
    filed: bool = False                    # business support filed it in the case system
    case_system_ref: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ChangesPage:
    changes: list[Change] = field(default_factory=list)
    cursor: str = "0"
    more: bool = False
    server_time: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"changes": [c.as_json() for c in self.changes], "cursor": self.cursor,
                "more": self.more, "server_time": self.server_time}


#: Entities a laptop may push; cases, children, people, pods and workers come from the council.
PUSHABLE = frozenset({"visit", "visit_amendment", "board_item", "board_move", "review",
                      "direct_work_activity", "attachment"})
