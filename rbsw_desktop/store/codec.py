"""Records <-> rows and sync `fields`: the one mapping between dataclasses and storage.

Rows hold scalars: bools as 0/1, enums as their value, lists and dicts as JSON text.
`fields` (the sync protocol's and the CLI's JSON) hold JSON values: bools, lists, dicts.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from enum import Enum
from functools import cache
from typing import Any, TypeVar, cast

from rbsw_desktop.domain.entities import BOOKKEEPING, ENTITY_TYPES, Record

T = TypeVar("T")


def per_class(fn: Callable[[type[Record]], T]) -> Callable[[type[Record]], T]:
    """`functools.cache` for a function of a record class, typed as one."""
    return cast(Callable[[type[Record]], T], cache(fn))


@dataclasses.dataclass(frozen=True)
class Column:
    name: str
    kind: str          # "text" | "int" | "bool" | "json" | "enum"
    enum: type[Enum] | None = None
    nullable: bool = False


def _column(name: str, hint: Any) -> Column:
    nullable = False
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        nullable = True
        hint = args[0]
        origin = typing.get_origin(hint)
    if origin in (list, dict) or hint in (list, dict):
        return Column(name, "json", nullable=nullable)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return Column(name, "enum", hint, nullable)
    if hint is bool:
        return Column(name, "bool", nullable=nullable)
    if hint is int:
        return Column(name, "int", nullable=nullable)
    return Column(name, "text", nullable=nullable)


@per_class
def columns(cls: type[Record]) -> tuple[Column, ...]:
    hints = typing.get_type_hints(cls)
    return tuple(_column(f.name, hints[f.name]) for f in dataclasses.fields(cls))


@per_class
def columns_by_name(cls: type[Record]) -> dict[str, Column]:
    return {c.name: c for c in columns(cls)}


def entity_type(entity: str) -> type[Record]:
    try:
        return ENTITY_TYPES[entity]
    except KeyError:
        raise ValueError(f"unknown entity {entity!r}") from None


def to_row(record: Record) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for col in columns(type(record)):
        value = getattr(record, col.name)
        if value is None:
            row[col.name] = None
        elif col.kind == "json":
            row[col.name] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        elif col.kind == "bool":
            row[col.name] = 1 if value else 0
        elif col.kind == "enum":
            row[col.name] = str(value.value)
        else:
            row[col.name] = value
    return row


def from_row(cls: type[Record], row: dict[str, Any]) -> Record:
    return _record(cls, row, json_text=True)


def _record(cls: type[Record], values: dict[str, Any], *, json_text: bool) -> Record:
    """The record from a row's values (`json_text`: its lists and dicts as JSON text) or from
    sync fields' values (already lists and dicts: never encoded to be decoded again)."""
    kwargs: dict[str, Any] = {}
    for col in columns(cls):
        if col.name not in values:
            continue
        value = values[col.name]
        if value is None:
            kwargs[col.name] = None
        elif col.kind == "json":
            kwargs[col.name] = json.loads(value) if json_text else value
        elif col.kind == "bool":
            kwargs[col.name] = bool(value)
        elif col.kind == "enum":
            assert col.enum is not None
            kwargs[col.name] = col.enum(value)
        else:
            kwargs[col.name] = value
    return cls(**kwargs)


def to_fields(record: Record) -> dict[str, Any]:
    """The record's content as JSON values, without the store's bookkeeping."""
    out: dict[str, Any] = {}
    for col in columns(type(record)):
        if col.name in BOOKKEEPING:
            continue
        value = getattr(record, col.name)
        out[col.name] = value.value if isinstance(value, Enum) else value
    return out


def to_json(record: Record) -> dict[str, Any]:
    """Everything, for `--json` output: content plus id, rev and sync state."""
    return {"id": record.id, **to_fields(record), "rev": record.rev,
            "sync_state": record.sync_state.value}


def from_fields(entity: str, record_id: str, fields: dict[str, Any], **bookkeeping: Any) -> Record:
    """Build a record from sync `fields`; unknown keys (a newer peer) are ignored."""
    cls = entity_type(entity)
    known = columns_by_name(cls)
    values = {name: value for name, value in fields.items()
              if name in known and name not in BOOKKEEPING}
    values.update(bookkeeping)
    values["id"] = record_id
    return _record(cls, values, json_text=False)


def search_text(record: Record) -> str:
    parts: list[str] = []
    for name in type(record).search_fields:
        value = getattr(record, name)
        if value:
            parts.append(str(value))
    if hasattr(record, "parts"):
        parts.extend(str(v) for v in record.parts.values() if v)
    return "\n".join(parts)
