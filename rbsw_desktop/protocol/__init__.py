"""Sync protocol v1: the wire shapes both ends speak. No Qt, no server, no store.

Both the laptop's sync engine and the council gateway import this package; neither imports the
other. `models` holds a pydantic model for every request and answer; the gateway's OpenAPI
document is generated from them (`rbsw_desktop.gateway.app`), never written by hand.

All bodies are JSON, optionally gzip-compressed (`Content-Encoding: gzip` on requests,
`Accept-Encoding: gzip` honoured on answers). Every call but enrolment carries
`Authorization: Bearer <device token>`.

    POST /api/v1/devices                  EnrolRequest -> 201 EnrolAnswer
    POST /api/v1/sync/push                PushRequest  -> 200 PushAnswer
    GET  /api/v1/sync/changes?since=CURSOR&limit=N     -> 200 ChangesPage
    PUT  /api/v1/blobs/{sha256}?offset=N  raw bytes    -> 200 BlobProgress
    HEAD /api/v1/blobs/{sha256}           -> 200 with X-Received: bytes this device sent so far
                                             (404: none yet)
    GET  /api/v1/blobs/{sha256}           -> 200 raw bytes (only blobs in the caller's scope)
    GET  /api/v1/pod/devices | workers | unfiled | problems   (business support)
    POST /api/v1/pod/records/{id}/filed   FileRequest  -> 200 FileAnswer
    GET  /api/v1/openapi.json

Big records (`protocol.big_records`): a change whose JSON is over `MAX_OP_BYTES` goes as a blob
of its fields (gzip'd JSON, uploaded like a photo) and a small op naming it (`Op.fields_blob`);
the gateway keeps a record that came so as a blob too and serves it in a page as a reference
(`Change.fields_blob`) the laptop fetches from the blob route. So a change page stays within
`MAX_PAGE_BYTES` (and the laptop's answer limit) whatever the size of one record.

Errors: `ErrorBody` (`{"error": CODE, "message": words a worker understands}`) with a 4xx/5xx
status, and the code in the `X-Rbsw-Error` header too (a HEAD answer has no body). A revoked
device gets 401 with error `device_revoked` and must wipe its store. A retired device's pushes
are applied as usual; its next pull gets 401 with error `device_retired`: it has sent what it
could, and wipes its store (its token is dead from then on). A laptop that does not know
`device_retired` takes it as any 401: it stops syncing and keeps its store.
"""

from __future__ import annotations

from enum import StrEnum

API_PREFIX = "/api/v1"
PROTOCOL_VERSION = 1

MAX_BATCH_OPS = 500
MAX_BODY_BYTES = 8 * 1024 * 1024          # one request body, after decompression
#: One op's JSON, so that it fits one push with room for the envelope: a bigger op never goes.
MAX_OP_BYTES = MAX_BODY_BYTES - 64 * 1024
MAX_BLOB_CHUNK = 1024 * 1024
#: One blob (a photo or scan, or a big record's gzip'd fields), whole.
MAX_BLOB_BYTES = 64 * 1024 * 1024
#: A big record's fields as JSON, once a blob's gzip is undone: more is refused as too big (the
#: biggest seen was 92.7 MB; each copy of it a request holds costs this much memory).
MAX_RECORD_BYTES = 128 * 1024 * 1024
#: A change page's records' JSON: the gateway ends a page before a record that would take it
#: past this (a page holds one record at least; none inline is over `MAX_OP_BYTES`).
MAX_PAGE_BYTES = 16 * 1024 * 1024
MAX_PULL_LIMIT = 1000
DEFAULT_PULL_LIMIT = 500
CLOCK_SKEW_WARN_SECONDS = 300
#: Integers anywhere in a record fit both databases' 64-bit columns (and every laptop's SQLite).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: `X-Pending-Ops`: how many changes wait on the laptop (business support's "waiting" column).
PENDING_HEADER = "X-Pending-Ops"
#: `X-Unsent-Records`: how many records the laptop holds that the council does not (changes
#: waiting, held in a conflict or refused). The answer that tells it to wipe is audited with
#: this count: what the wipe destroys.
UNSENT_HEADER = "X-Unsent-Records"
#: Every error answer carries its `error` code in this header as well as in its JSON body.
ERROR_HEADER = "X-Rbsw-Error"
#: `X-Received`: how many bytes of a blob the gateway holds (HEAD, and a PUT at the wrong offset).
RECEIVED_HEADER = "X-Received"


def is_unicode(text: str) -> bool:
    """Text any database can keep: no lone surrogates (what JSON's \\ud800 escapes spell, and
    what Python makes of command-line bytes that are not UTF-8)."""
    if text.isascii():             # most text, checked without encoding it
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"      # the op_id was seen before; `rev` is what it got then
    CONFLICT = "conflict"        # base_rev is behind the server; `theirs` holds its version
    REJECTED = "rejected"        # will never apply as it is; `reason` says why


class ErrorCode(StrEnum):
    BAD_REQUEST = "bad_request"
    UNAUTHORIZED = "unauthorized"
    DEVICE_REVOKED = "device_revoked"
    DEVICE_RETIRED = "device_retired"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    INVALID_CODE = "invalid_code"
    INTERNAL = "internal"


#: Entities a laptop may push; cases, children, people, pods and workers come from the council.
PUSHABLE = frozenset({"visit", "visit_amendment", "board_item", "board_move", "review",
                      "direct_work_activity", "attachment"})
