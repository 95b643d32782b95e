"""The audit table is a hash chain: a row changed or removed after it was written is found.

    digest = content_digest(row)          # SHA-256 of the row's canonical content
    row["hash"] == link(previous_hash, digest)
    first_break(rows_in_id_order)         # None when intact, else the first row id that breaks

Each row stores `hash = sha256(hex hash of the row before it + hex digest of its own content)`
(the first row links to `GENESIS`). The content is every column but `id` and `hash`, as
stored, in `CONTENT` order, as compact JSON. Changing a row breaks its own link; removing one
breaks the link of the row after it; recomputing a changed row's hash breaks the next row's.
Removing the newest rows leaves no broken link: `rbsw-gateway audit --verify` prints the last
row and its hash, for the council to note elsewhere.

The database computes the link as it inserts (`repository.SqlRepository.audit`: the row before
is read in the same statement, under the lock that orders audit rows), so two gateway
instances never fork the chain; this module is the one definition both that statement and the
verifier use.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64
#: The columns a row's hash covers, in this order.
CONTENT = ("at", "device_id", "worker_id", "client", "action", "target", "count", "status",
           "record_ids")


def content_digest(row: Mapping[str, Any]) -> str:
    canonical = json.dumps([row.get(name) for name in CONTENT], ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def link(previous: str | None, digest: str) -> str:
    return hashlib.sha256(((previous or GENESIS) + digest).encode("ascii")).hexdigest()


def first_break(rows: Iterable[Mapping[str, Any]]) -> tuple[int | None, int, str | None]:
    """(the id of the first row whose hash is wrong, or None; rows checked; the last good
    row's hash). Rows must come in id order."""
    previous: str | None = None
    checked = 0
    for row in rows:
        if row["hash"] != link(previous, content_digest(row)):
            return int(row["id"]), checked, previous
        previous = row["hash"]
        checked += 1
    return None, checked, previous
