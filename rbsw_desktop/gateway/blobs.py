"""Blobs (photos of drawings, scans): content-addressed by SHA-256, uploaded in resumable chunks.

The bytes live in the gateway's database (so every gateway instance sees the same bytes), in
chunks beside a progress row; the upload is complete once the SHA-256 of what arrived matches
its name.

Knowing a SHA-256 is not enough to read a file. A blob is read back only by a caller with an
attachment in their scope (pod and caseload, as for records) that cites it, from their own pod's
bytes; and an attachment may cite a blob for the first time only when the pusher could read it
already or their own laptop sent those bytes (`may_cite`, checked at push). So a worker who
learns another caseload's hash cannot cite it in their own case and read it.

Uploads are scoped by pod and by device: each device's upload of a blob has its own progress
row and its own bytes until it is whole (`repository.upload_key`); then the pod keeps one copy
(`repository.blob_key`) and records that this device sent it (a claim). A second laptop of the
pod sending the same bytes sends every one of them too (its HEAD answers only for what it sent
itself, so knowing the hash claims nothing), the gateway checks them against their name, keeps
the one copy and records the second claim. So a device only learns about (HEAD), continues
(PUT) and reads (GET) what it sent or may read; another pod's upload, partial or whole, is
answered as if absent (404 / start at byte 0), and nothing a device sends can touch another
pod's bytes or another device's upload.

A record too big for one request comes as a blob of its fields (`protocol.big_records`): the
push names it, and the gateway reads it only when this device sent it whole (`op_fields`). Such
a record is kept as a blob of its fields as the council holds them (`keep_fields`), which a
pull serves by reference and which GET gives to a caller in scope of that record.

Uploads no record cites are limited (`BlobLimits`): each device (its uploads under way and the
copies it claims) and each pod (each copy once) may hold only so many of their bytes (more is
refused with a 413 the laptop shows and retries later), and they are removed once untouched for
`orphan_seconds` (when `serve` starts and whenever a new upload begins). An upload cited by an
attachment, even a deleted one, or holding a record's fields, is the council's and is kept.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rbsw_desktop.domain.instants import instant_text, utc_now
from rbsw_desktop.gateway import (
    BLOB_DEVICE_QUOTA_ENV,
    BLOB_ORPHAN_SECONDS_ENV,
    BLOB_POD_QUOTA_ENV,
)
from rbsw_desktop.gateway.errors import ApiError, bad_request, not_found, too_large
from rbsw_desktop.gateway.repository import Caller, GatewayRepository, blob_key, upload_key
from rbsw_desktop.gateway.validate import SHA256_RE
from rbsw_desktop.protocol import (
    MAX_BLOB_BYTES,
    MAX_BLOB_CHUNK,
    RECEIVED_HEADER,
    ErrorCode,
    big_records,
)

MIB = 1024 * 1024
NO_SUCH_FILE = "The council system has no such file."
HELD_BACK = ("It is kept safe on this laptop and will be sent at a later sync, once the "
             "records that use the others have gone through.")


@dataclass(frozen=True)
class BlobLimits:
    """How much of uploads no attachment cites yet the gateway holds, and for how long. The
    defaults; each can be set through its environment variable (README: "Photos and scans")."""

    device_bytes: int = 256 * MIB     # one laptop: several days of photos between syncs
    pod_bytes: int = 2048 * MIB       # one pod: eight laptops at their quota
    orphan_seconds: int = 24 * 3600   # an upload no record cites, untouched this long, goes

    @classmethod
    def from_env(cls) -> BlobLimits:
        def number(name: str, default: int) -> int:
            try:
                return max(0, int(os.environ.get(name, default)))
            except ValueError:
                return default
        return cls(number(BLOB_DEVICE_QUOTA_ENV, cls.device_bytes),
                   number(BLOB_POD_QUOTA_ENV, cls.pod_bytes),
                   number(BLOB_ORPHAN_SECONDS_ENV, cls.orphan_seconds))


def _check(sha256: str) -> str:
    if not SHA256_RE.match(sha256):
        raise bad_request("A photo or scan is named by its SHA-256: 64 lowercase hex digits.")
    return sha256


def _sent_here(repo: GatewayRepository, caller: Caller, sha256: str) -> dict[str, Any] | None:
    """The pod's copy of this blob if it is whole and this laptop sent it (a claim)."""
    key = blob_key(sha256, caller.pod_id)
    row = repo.blob(key)
    return row if row is not None and row["complete"] and repo.claimed(
        key, caller.device_id) else None


def may_cite(repo: GatewayRepository, caller: Caller, sha256: str) -> bool:
    """Whether a new attachment of this caller may cite this blob: their pod holds it whole and
    either this laptop sent it, or the caller can read it already."""
    row = repo.blob(blob_key(sha256, caller.pod_id))
    return row is not None and bool(row["complete"]) and (
        _sent_here(repo, caller, sha256) is not None
        or repo.attachment_in_scope(caller, sha256))


def op_fields(repo: GatewayRepository, caller: Caller, sha256: str) -> dict[str, Any] | str:
    """The fields of a change this laptop sent as a blob (`Op.fields_blob`), or why not."""
    if _sent_here(repo, caller, sha256) is None:
        return "the blob holding this change did not reach the council system from this laptop"
    try:
        return big_records.unpack(repo.blob_bytes(blob_key(sha256, caller.pod_id)))
    except ValueError as exc:
        return f"the blob holding this change cannot be read: {exc}"


def keep_fields(repo: GatewayRepository, caller: Caller, fields: dict[str, Any]) -> str:
    """Keep a record's fields (as the council holds them) as its pod's blob; its SHA-256.
    (When stamping changed nothing, the blob the laptop sent is kept as it is instead.)"""
    data = big_records.pack(fields)
    sha256 = hashlib.sha256(data).hexdigest()
    key = blob_key(sha256, caller.pod_id)
    row = repo.blob(key)
    if row is None or not row["complete"]:
        for offset in range(0, len(data), MAX_BLOB_CHUNK):
            repo.write_blob_part(key, offset, data[offset:offset + MAX_BLOB_CHUNK])
        repo.put_blob(key, len(data), True, caller.pod_id, caller.device_id, utc_now())
    return sha256


class BlobStore:
    def __init__(self, repo: GatewayRepository, limits: BlobLimits | None = None) -> None:
        self.repo = repo
        self.limits = limits or BlobLimits.from_env()

    def prune(self) -> int:
        """Remove uploads no attachment cites that nobody touched for `orphan_seconds`; how
        many went."""
        before = datetime.now(UTC) - timedelta(seconds=self.limits.orphan_seconds)
        with self.repo.transaction():
            return self.repo.prune_uncited_blobs(instant_text(before))

    def _check_quota(self, caller: Caller, growth: int) -> None:
        if growth <= 0:
            return
        if self.repo.uncited_blob_bytes(device_id=caller.device_id) + growth > \
                self.limits.device_bytes:
            raise too_large("The council system is holding too many photos and scans from "
                            "this laptop that no record uses yet, so it did not take this "
                            f"one. {HELD_BACK}")
        if self.repo.uncited_blob_bytes(pod_id=caller.pod_id) + growth > self.limits.pod_bytes:
            raise too_large("The council system is holding too many photos and scans from "
                            "your pod that no record uses yet, so it did not take this one. "
                            f"{HELD_BACK}")

    def received(self, caller: Caller, sha256: str) -> int:
        """HEAD: bytes of this blob this device sent so far: all of them once it sent the pod's
        copy whole (404 when none, whatever other devices or pods hold)."""
        copy = _sent_here(self.repo, caller, _check(sha256))
        if copy is not None:
            return int(copy["received"])
        row = self.repo.blob(upload_key(sha256, caller.pod_id, caller.device_id))
        if row is None:
            raise not_found(NO_SUCH_FILE)
        return int(row["received"])

    def put(self, caller: Caller, sha256: str, offset: int, data: bytes) -> dict[str, Any]:
        _check(sha256)
        if len(data) > MAX_BLOB_CHUNK:
            raise too_large(f"Send files in pieces of at most {MAX_BLOB_CHUNK} bytes.")
        if offset + len(data) > MAX_BLOB_BYTES:
            raise too_large("That file is too large to keep.")
        key = blob_key(sha256, caller.pod_id)
        mine = upload_key(sha256, caller.pod_id, caller.device_id)
        if offset == 0 and self.repo.blob(mine) is None:
            self.prune()                    # a new upload: first clear out the forgotten ones
        with self.repo.transaction():
            copy = _sent_here(self.repo, caller, sha256)
            if copy is not None:
                return {"received": int(copy["received"]), "complete": True}
            row = self.repo.blob(mine)
            received = int(row["received"]) if row else 0
            if offset > received:
                raise ApiError(409, ErrorCode.BAD_REQUEST.value,
                               f"Expected the piece starting at byte {received}.",
                               {RECEIVED_HEADER: str(received)})
            self._check_quota(caller, offset + len(data) - received)
            self.repo.write_blob_part(mine, offset, data)
            received, at = offset + len(data), utc_now()
            complete = hashlib.sha256(self.repo.blob_bytes(mine)).hexdigest() == sha256
            self.repo.put_blob(mine, received, complete, caller.pod_id, caller.device_id, at)
            if complete:
                self._keep_once(caller, key, mine, at)
        return {"received": received, "complete": complete}

    def _keep_once(self, caller: Caller, key: str, mine: str, at: str) -> None:
        """This device's upload is whole: the pod keeps one copy of those bytes (this upload,
        or the copy another device sent before, touched now) and this device's claim."""
        copy = self.repo.blob(key)
        if copy is not None and copy["complete"]:
            self.repo.drop_blob(mine)
            self.repo.put_blob(key, int(copy["received"]), True, caller.pod_id,
                               copy["device_id"], at)
        else:
            if copy is not None:
                self.repo.drop_blob(key)     # an upload left from before claims: superseded
            self.repo.move_blob(mine, key)
        self.repo.add_claim(key, caller.device_id, at)

    def get(self, caller: Caller, sha256: str) -> bytes:
        key = blob_key(_check(sha256), caller.pod_id)
        row = self.repo.blob(key)
        if (row is None or not row["complete"]
                or not (self.repo.attachment_in_scope(caller, sha256)
                        or self.repo.fields_blob_in_scope(caller, sha256))):
            raise not_found(NO_SUCH_FILE)
        return self.repo.blob_bytes(key)
