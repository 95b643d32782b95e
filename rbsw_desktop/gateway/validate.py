"""Checks on a pushed record's fields against the entity's dataclass (rbsw_desktop.domain
entities through store.codec, so one definition serves both ends). The op's shape is checked
before this by the protocol models (`rbsw_desktop.protocol.models.Op`). Every failure is a
reason in words."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from rbsw_desktop.domain.direct_work_content import ContentProblem, parse_content, tool_of
from rbsw_desktop.domain.entities import ENTITY_TYPES, ROTATIONS
from rbsw_desktop.protocol.models import SHA256_PATTERN

SHA256_RE = re.compile(SHA256_PATTERN)
MAX_FIELD_TEXT = 200_000


def _kind_ok(kind: str, value: Any) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "json":
        return isinstance(value, (list, dict))
    return isinstance(value, str) and len(value) <= MAX_FIELD_TEXT     # text and enum


def load() -> None:
    """Load what the checks use (the store's codec and each kind's columns) now: a serving
    gateway calls this as it starts, so its first push does not wait for it."""
    from rbsw_desktop.store import codec

    for cls in ENTITY_TYPES.values():
        codec.columns_by_name(cls)


def fields_problem(entity: str, record_id: str, fields: dict[str, Any]) -> str:
    """A reason these fields are not a valid `entity` record, or ""."""
    from rbsw_desktop.store import codec  # the store package is heavy; load it when needed

    try:
        cls = codec.entity_type(entity)
    except ValueError:
        return f"unknown kind of record {entity!r}"
    cols = codec.columns_by_name(cls)
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
    if entity == "attachment" and fields.get("rotation", 0) not in ROTATIONS:
        return "`rotation` should be 0, 90, 180 or 270"
    if entity == "direct_work_activity" and fields.get("content"):
        try:
            parse_content(tool_of(fields.get("tool")), fields["content"])
        except ContentProblem as exc:
            return str(exc)
    return ""
