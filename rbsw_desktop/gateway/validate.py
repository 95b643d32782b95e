"""Checks on what laptops send: the shape of a push, and each op's fields against the entity's
dataclass (rbsw_desktop.domain.entities through store.codec, so one definition serves both ends).
Every failure is a reason in words; nothing here raises anything but ApiError/ValueError."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from rbsw_desktop.sync.protocol import MAX_BATCH_OPS, ErrorCode

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
MAX_FIELD_TEXT = 200_000


class ApiError(Exception):
    """An HTTP error answer: status, protocol error code, and words for a person."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, ErrorCode.BAD_REQUEST.value, message)


def require_dict(body: Any, what: str = "The request") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request(f"{what} should be a JSON object.")
    return body


def push_ops(body: Any) -> list[dict[str, Any]]:
    """The ops of a push body; the whole request is refused if it cannot be answered op by op."""
    ops = require_dict(body).get("ops")
    if not isinstance(ops, list):
        raise bad_request("A push needs a list of changes called `ops`.")
    if len(ops) > MAX_BATCH_OPS:
        raise ApiError(413, ErrorCode.TOO_LARGE.value,
                       f"Too many changes in one push (at most {MAX_BATCH_OPS}).")
    seen: set[str] = set()
    for op in ops:
        if not isinstance(op, dict) or not isinstance(op.get("op_id"), str) \
                or not ID_RE.match(op["op_id"]):
            raise bad_request("Every change needs an `op_id` (letters, digits and dashes).")
        if op["op_id"] in seen:
            raise bad_request("The same `op_id` appears twice in one push.")
        seen.add(op["op_id"])
    return ops


def op_shape(op: dict[str, Any]) -> str:
    """A reason the op is malformed, or ""."""
    if not isinstance(op.get("entity"), str):
        return "`entity` should be text"
    if not isinstance(op.get("id"), str) or not ID_RE.match(op["id"]):
        return "`id` should be a record id"
    base = op.get("base_rev")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int) or base < 0):
        return "`base_rev` should be a whole number or null"
    if not isinstance(op.get("fields"), dict):
        return "`fields` should be an object"
    if not isinstance(op.get("deleted", False), bool):
        return "`deleted` should be true or false"
    if not isinstance(op.get("at", ""), str):
        return "`at` should be a time"
    return ""


def _kind_ok(kind: str, value: Any) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "json":
        return isinstance(value, (list, dict))
    return isinstance(value, str) and len(value) <= MAX_FIELD_TEXT     # text and enum


def fields_problem(entity: str, record_id: str, fields: dict[str, Any]) -> str:
    """A reason these fields are not a valid `entity` record, or ""."""
    from rbsw_desktop.store import codec  # the store package is heavy; load it when needed

    try:
        cls = codec.entity_type(entity)
    except ValueError:
        return f"unknown kind of record {entity!r}"
    cols = {c.name: c for c in codec.columns(cls)}
    for name, value in fields.items():
        col = cols.get(name)
        if col is None or name in ("id", "rev", "sync_state"):
            continue
        if value is None:
            if not col.nullable:
                return f"`{name}` may not be empty"
            continue
        if not _kind_ok(col.kind, value):
            return f"`{name}` has the wrong type"
    try:
        codec.from_fields(entity, record_id, fields)
    except TypeError:
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in fields
                   and f.default is dataclasses.MISSING
                   and f.default_factory is dataclasses.MISSING]
        return "missing fields: " + ", ".join(missing[:5]) if missing else "fields do not fit"
    except (ValueError, KeyError):
        return "a field has a value that is not allowed"
    if entity == "attachment" and not SHA256_RE.match(str(fields.get("sha256", ""))):
        return "`sha256` should be 64 lowercase hex digits"
    return ""
