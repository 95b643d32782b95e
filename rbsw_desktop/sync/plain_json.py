"""A fast, sure "yes" to the protocol's check of a record's `fields` (`protocol.models.
json_problem`), for fields parsed from JSON text, so the engine need not call that check on
every value of 10,000 records (it is the protocol's to say *why* a record is refused).

    plain_text(text)          True: no string or name in what `json.loads(text)` gives is
    plain_bytes(data)         text a record may not hold (no lone surrogate in the text, nor
                              a surrogate escape: both rare, and then the answer is False)
    holdable(fields)          True: every number in `fields` fits 64 bits or is finite, and
                              nothing is nested deeper than MAX_DEPTH (one walk, no call for
                              a scalar)

Both together mean `json_problem(fields) == ""`. Either False means "not sure": the caller then
runs the protocol's own models, which give the exact reason (so a refused change keeps the words
it always had).
"""

from __future__ import annotations

import math
import re
from typing import Any

from rbsw_desktop.protocol import INT64_MAX, INT64_MIN, is_unicode
from rbsw_desktop.protocol.models import MAX_DEPTH

#: An escape of a UTF-16 surrogate (lone or not: a pair is fine but rare), found anywhere.
_SURROGATE_TEXT = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")


def plain_text(text: str) -> bool:
    """Whether every string and name `json.loads(text)` gives is valid Unicode, surely."""
    return is_unicode(text) and ("\\u" not in text or _SURROGATE_TEXT.search(text) is None)


def plain_bytes(data: bytes) -> bool:
    """`plain_text` for UTF-8 JSON bytes that decoded strictly (no raw surrogate survives a
    strict UTF-8 decode, so only the escapes are looked for)."""
    return b"\\u" not in data or _SURROGATE_BYTES.search(data) is None


def holdable(fields: dict[str, Any]) -> bool:
    """Whether every value in `fields` (depth 0; as `json.loads` gives them) is one a record
    may hold, its strings aside: integers within 64 bits, finite numbers, at most MAX_DEPTH
    deep."""
    return _holdable(fields.values(), 1)


def _holdable(values: Any, depth: int) -> bool:
    """Whether these values (each at `depth`) may be held."""
    if depth > MAX_DEPTH:
        return not any(True for _ in values)          # a value this deep is one too deep
    for value in values:
        kind = type(value)
        if kind is str or kind is bool or value is None:
            pass
        elif kind is int:
            if not INT64_MIN <= value <= INT64_MAX:
                return False
        elif kind is float:
            if not math.isfinite(value):
                return False
        elif kind is dict:
            if not _holdable(value.values(), depth + 1):
                return False
        elif kind is list:
            if not _holdable(value, depth + 1):
                return False
        else:                       # nothing json.loads gives: the protocol's check says
            return False
    return True
