"""The pydantic models of protocol v1: every request and answer, for both ends.

The laptop builds requests and reads answers with these; the gateway validates what laptops
send with them and its OpenAPI document is generated from them. Anything a record holds
(`fields`) is checked to be JSON every laptop and both gateway databases can keep: integers
within 64 bits, finite numbers, text that is valid Unicode (no lone surrogates), nesting at
most `MAX_DEPTH` deep.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    ValidationError,
)

from rbsw_desktop.protocol import (
    INT64_MAX,
    INT64_MIN,
    MAX_BATCH_OPS,
    ErrorCode,
    Outcome,
    is_unicode,
)

MAX_DEPTH = 32
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,100}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
NONCE_PATTERN = r"^[A-Za-z0-9_-]{16,100}$"

#: Whole numbers are JSON numbers (never "1" as text), within 64 bits.
Count = Annotated[int, Strict(), Field(ge=0, le=INT64_MAX)]
RecordId = Annotated[str, Field(pattern=ID_PATTERN)]


def _unicode_text(text: str) -> str:
    if not is_unicode(text):
        raise ValueError("this text is not valid Unicode")
    return text


#: Text that is valid Unicode (JSON's \ud800 escapes can spell text no database can keep).
Text = Annotated[str, AfterValidator(_unicode_text)]
Instant = Annotated[Text, Field(max_length=40, description="ISO 8601 time in UTC (`...Z`)")]


def json_problem(value: Any, depth: int = 0) -> str:
    """Why `value` is not JSON a record may hold, or ""."""
    if depth > MAX_DEPTH:
        return "is nested too deeply"
    if type(value) is str:          # most values: checked first, by their exact type
        return "" if is_unicode(value) else "has text that is not valid Unicode"
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return "" if INT64_MIN <= value <= INT64_MAX else "has a number too large to keep"
    if isinstance(value, float):
        return "" if math.isfinite(value) else "has a number that is not finite"
    if isinstance(value, str):
        return "" if is_unicode(value) else "has text that is not valid Unicode"
    if isinstance(value, list):
        for item in value:
            if problem := json_problem(item, depth + 1):
                return problem
        return ""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not is_unicode(key):
                return "has a name that is not valid Unicode"
            if problem := json_problem(item, depth + 1):
                return problem
        return ""
    return "has a value that is not JSON"


def _checked_fields(value: dict[str, Any]) -> dict[str, Any]:
    problem = json_problem(value)
    if problem:
        raise ValueError(f"the record {problem}")
    return value


#: A record's fields: a JSON object every laptop and both gateway databases can store.
Fields = Annotated[dict[str, Any], AfterValidator(_checked_fields)]


class Wire(BaseModel):
    """What every protocol model shares: no NaN/Infinity, unknown keys ignored (a newer end
    may send more)."""

    model_config = ConfigDict(allow_inf_nan=False, extra="ignore")


def first_reason(exc: ValidationError) -> str:
    """One validation error in words: "`field`: what is wrong"."""
    err = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
    message = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"`{where}`: {message}" if where else message


# -- errors ---------------------------------------------------------------------------------

class ErrorBody(Wire):
    error: ErrorCode = Field(description="A stable code a program can act on")
    message: str = Field(description="Words a worker understands")


# -- enrolment ------------------------------------------------------------------------------

class EnrolRequest(Wire):
    code: Annotated[Text, Field(min_length=1, max_length=100)] = Field(
        description="The one-time code from business support (dashes and case ignored)")
    device_name: Annotated[Text, Field(max_length=200)] = ""
    nonce: Annotated[str | None, Field(pattern=NONCE_PATTERN)] = Field(
        default=None, description="A random value the laptop keeps until enrolment is "
        "answered: a retry of the same code with the same nonce within a few minutes gets the "
        "same device back (with a fresh token) when the first answer was lost")


class EnrolAnswer(Wire):
    device_id: str
    token: str
    worker: dict[str, Any] = Field(description="The worker's record fields, `id` and `rev`")
    pod: dict[str, Any] = Field(description="The pod's record fields, `id` and `rev`")


# -- push -----------------------------------------------------------------------------------

class Op(Wire):
    """One change pushed from a laptop (an outbox row)."""

    op_id: RecordId = Field(description="Unique per change: a replay is answered `duplicate`")
    entity: Annotated[Text, Field(max_length=50)]
    id: RecordId
    base_rev: Count | None = Field(
        default=None, description="The revision this change was made on; null for a new record")
    fields: Fields
    deleted: StrictBool = False
    at: Instant = ""
    fields_blob: Annotated[str | None, Field(pattern=SHA256_PATTERN)] = Field(
        default=None, description="A change too big for one request: the SHA-256 of the blob "
        "this laptop uploaded holding its fields (gzip'd JSON, `protocol.big_records`); "
        "`fields` is then empty")


class PushRequest(Wire):
    ops: Annotated[list[Op], Field(max_length=MAX_BATCH_OPS)]


class Theirs(Wire):
    """The gateway's version of a record, sent with a conflict."""

    rev: Count
    fields: dict[str, Any]
    deleted: StrictBool = False
    filed: StrictBool = False
    case_system_ref: str = ""


class OpResult(Wire):
    op_id: str
    outcome: Outcome
    rev: Count | None = None
    reason: str = ""
    theirs: Theirs | None = None


class PushAnswer(Wire):
    results: list[OpResult]
    server_time: Instant


# -- pull -----------------------------------------------------------------------------------

class Change(Wire):
    """One record version pulled from the gateway. Full state, never a diff. The times in
    `fields` are the worker's own (as they said); `received_at` is when the gateway received
    this version, and `fields.updated_by` / `origin_device` who sent it (stamped from the
    token, never the laptop's claim)."""

    entity: str
    id: RecordId
    rev: Count
    fields: Fields
    deleted: StrictBool = False
    filed: StrictBool = False
    case_system_ref: str = ""
    received_at: str = Field(default="", description="When the gateway received this version")
    origin_device: str | None = Field(
        default=None,
        description="The device that sent it (none for council records and filings)")
    fields_blob: Annotated[str | None, Field(pattern=SHA256_PATTERN)] = Field(
        default=None, description="A record too big for a page: `fields` is empty, and "
        "`GET /blobs/{fields_blob}` gives its fields (gzip'd JSON, `protocol.big_records`)")


class ChangesPage(Wire):
    changes: list[Change]
    cursor: str = Field(description="Send it back as `since` for the next page")
    more: bool
    server_time: Instant


# -- blobs ----------------------------------------------------------------------------------

class BlobProgress(Wire):
    received: Count
    complete: bool


# -- business support (the pod's view) -------------------------------------------------------

class DeviceRow(Wire):
    device_id: str
    device_name: str
    worker_id: str
    worker_name: str
    role: str
    enrolled_at: Instant
    last_seen_at: Instant | None
    last_push_at: Instant | None
    last_pull_at: Instant | None
    pending: Count | None
    revoked_at: Instant | None
    last_sync: Instant | None
    revoked: bool


class PodDevices(Wire):
    devices: list[DeviceRow]


class WorkerRow(Wire):
    worker_id: str
    name: str
    role: str
    devices: Count
    pending: Count | None
    unfiled: Count
    last_sync: Instant | None


class PodWorkers(Wire):
    workers: list[WorkerRow]


class UnfiledRecord(Wire):
    entity: str
    id: str
    rev: Count
    case_id: str | None
    child_name: str
    worker_id: str | None
    worker_name: str
    updated_at: Instant
    received_at: Instant
    origin_device: str | None
    fields: dict[str, Any]


class PodUnfiled(Wire):
    records: list[UnfiledRecord]


class NotAppliedRow(Wire):
    """A change from one of the pod's laptops that was not applied: in conflict, or refused."""

    id: Count
    at: Instant
    device_id: str
    worker_id: str
    worker_name: str | None
    pod_id: str
    op_id: str
    entity: str
    record_id: str


class ConflictRow(NotAppliedRow):
    base_rev: Count | None
    server_rev: Count


class RefusalRow(NotAppliedRow):
    reason: str


class PodNotApplied(Wire):
    """`GET /pod/problems`. `failures` is the wire key (v1) for the refused changes."""

    conflicts: list[ConflictRow]
    failures: list[RefusalRow] = Field(description="Changes the gateway refused (`rejected`), "
                                       "each with its reason")


class FileRequest(Wire):
    case_system_ref: Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1,
                                                       max_length=100)] = Field(
        description="The record's reference in the council's case system")


class FileAnswer(Wire):
    id: str
    entity: str
    rev: Count
    filed: bool
    case_system_ref: str
    filed_at: Instant
