"""A record too big for one request travels as a blob of its fields: gzip'd JSON, the same
bytes for the same fields at both ends (compact JSON, UTF-8, gzip level 5 with no time in its
header), uploaded and fetched through the blob route like a photo.

    data = pack(fields)           the blob's bytes (never one string of the whole JSON)
    fields = unpack(data)         the fields again, or ValueError in words

`pack` writes a big list (a review's snapshot) a slice of items at a time, so memory holds the
compressed bytes and one slice's JSON, not a second copy of the record; `unpack` refuses
anything over `MAX_RECORD_BYTES` once unzipped, whatever the blob claims.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from typing import Any

from rbsw_desktop.protocol import MAX_RECORD_BYTES

LEVEL = 5
_SLICE = 1000          # list items encoded at once


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _pieces(value: Any) -> Iterator[str]:
    """`_dumps(value)` in pieces: a top-level object's members, and a long list's items a
    slice at a time (the joined pieces are exactly `_dumps(value)`)."""
    if isinstance(value, dict):
        yield "{"
        for n, (key, item) in enumerate(value.items()):
            yield ("," if n else "") + _dumps(str(key)) + ":"
            yield from _pieces(item)
        yield "}"
    elif isinstance(value, list) and len(value) > _SLICE:
        yield "["
        for start in range(0, len(value), _SLICE):
            yield ("," if start else "") + _dumps(value[start:start + _SLICE])[1:-1]
        yield "]"
    else:
        yield _dumps(value)


def pack(fields: dict[str, Any]) -> bytes:
    """The blob of a record's fields."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=LEVEL, mtime=0) as zipped:
        for piece in _pieces(fields):
            zipped.write(piece.encode("utf-8"))
    return out.getvalue()


def unpack(data: bytes) -> dict[str, Any]:
    """A record's fields from its blob; ValueError (in words) when it is not one."""
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        text = inflate.decompress(data, MAX_RECORD_BYTES + 1)
    except zlib.error:
        raise ValueError("its contents are damaged (not gzip'd JSON)") from None
    if len(text) > MAX_RECORD_BYTES or inflate.unconsumed_tail:
        raise ValueError(f"it is too big to keep (over {MAX_RECORD_BYTES // 2**20} MiB)")
    if not inflate.eof:
        raise ValueError("its contents are cut short")
    try:
        fields = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("its contents are damaged (not gzip'd JSON)") from None
    if not isinstance(fields, dict):
        raise ValueError("its contents are not a record's fields")
    return fields
