"""The audit table is hash chains: a row changed or removed after it was written is found.

    digest = content_digest(row)          # SHA-256 of the row's canonical content
    row["hash"] == link(previous_hash, digest)
    first_break(rows_in_id_order)         # None when intact, else the first row id that breaks

There is one chain a pod (`chain` = the pod's id; "" for what no pod's caller did: the
council's own commands, requests with no valid token), so pods' accesses are linked without
waiting for each other, as their pushes commit in parallel. Each row stores
`hash = sha256(hex hash of its chain's row before it + hex digest of its own content)`
(a chain's first row links to `GENESIS`). The content is every column but `id` and `hash`, as
stored, in `CONTENT` order, as compact JSON. Changing a row breaks its own link; removing one
breaks the link of the row after it; recomputing a changed row's hash breaks the next row's.
Removing the newest rows leaves no broken link: `rbsw-gateway audit --verify` prints a hash of
every chain's newest hash (`heads_hash`), for the council to note elsewhere.

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
CONTENT = ("chain", "at", "device_id", "worker_id", "client", "action", "target", "count", "status",
           "record_ids")


def content_digest(row: Mapping[str, Any]) -> str:
    canonical = json.dumps([row.get(name) for name in CONTENT], ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def link(previous: str | None, digest: str) -> str:
    return hashlib.sha256(((previous or GENESIS) + digest).encode("ascii")).hexdigest()


def heads_hash(heads: Mapping[str, str]) -> str | None:
    """One hash for every chain's newest hash: it changes when any chain's newest rows go."""
    if not heads:
        return None
    text = "\n".join(f"{chain}={head}" for chain, head in sorted(heads.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_break(rows: Iterable[Mapping[str, Any]]) -> tuple[int | None, int, str | None]:
    """(the id of the first row whose hash is wrong, or None; rows checked; `heads_hash` of
    the good rows). Rows must come in id order (each chain's are in its own order then)."""
    heads: dict[str, str] = {}
    checked = 0
    for row in rows:
        chain = row["chain"]
        if row["hash"] != link(heads.get(chain), content_digest(row)):
            return int(row["id"]), checked, heads_hash(heads)
        heads[chain] = row["hash"]
        checked += 1
    return None, checked, heads_hash(heads)
