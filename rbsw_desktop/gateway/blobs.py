"""Blobs (photos of drawings, scans): content-addressed by SHA-256, uploaded in resumable chunks.

The bytes live in the gateway's database (so every gateway instance sees the same bytes), in
chunks beside a progress row; the upload is complete once the SHA-256 of what arrived matches
its name.

Knowing a SHA-256 is not enough to read a file. A blob is read back only by a caller with an
attachment in their scope (pod and caseload, as for records) that cites it, from their own pod's
bytes; and an attachment may cite a blob for the first time only when the pusher could read it
already or their own laptop sent those bytes (`may_cite`, checked at push). So a worker who
learns another caseload's hash cannot cite it in their own case and read it.

Uploads are scoped by pod: each pod's upload of a blob has its own progress row and its own
bytes (`repository.blob_key`), so a device only learns about (HEAD), continues (PUT) and reads
(GET) its own pod's uploads; another pod's upload, partial or whole, is answered as if absent
(404 / start at byte 0), and nothing a device sends can touch another pod's bytes.

Uploads no attachment cites are limited (`BlobLimits`): each device and each pod may hold only
so many of their bytes (more is refused with a 413 the laptop shows and retries later), and they
are removed once untouched for `orphan_seconds` (when `serve` starts and whenever a new upload
begins). An upload cited by an attachment, even a deleted one, is the council's and is kept.
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
from rbsw_desktop.gateway.repository import Caller, GatewayRepository, blob_key
from rbsw_desktop.gateway.validate import SHA256_RE
from rbsw_desktop.protocol import MAX_BLOB_CHUNK, RECEIVED_HEADER, ErrorCode

MAX_BLOB_BYTES = 64 * 1024 * 1024
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


def may_cite(repo: GatewayRepository, caller: Caller, sha256: str) -> bool:
    """Whether a new attachment of this caller may cite this blob: their pod holds it whole and
    either this laptop sent it, or the caller can read it already."""
    row = repo.blob(blob_key(sha256, caller.pod_id))
    return row is not None and bool(row["complete"]) and (
        row["device_id"] == caller.device_id or repo.attachment_in_scope(caller, sha256))


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
        """HEAD: bytes of this pod's upload held so far (404 when none, whatever other pods
        hold)."""
        row = self.repo.blob(blob_key(_check(sha256), caller.pod_id))
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
        if offset == 0 and self.repo.blob(key) is None:
            self.prune()                    # a new upload: first clear out the forgotten ones
        with self.repo.transaction():
            row = self.repo.blob(key)
            received = int(row["received"]) if row else 0
            if row and row["complete"]:
                return {"received": received, "complete": True}
            if offset > received:
                raise ApiError(409, ErrorCode.BAD_REQUEST.value,
                               f"Expected the piece starting at byte {received}.",
                               {RECEIVED_HEADER: str(received)})
            self._check_quota(caller, offset + len(data) - received)
            self.repo.write_blob_part(key, offset, data)
            received = offset + len(data)
            complete = hashlib.sha256(self.repo.blob_bytes(key)).hexdigest() == sha256
            self.repo.put_blob(key, received, complete, caller.pod_id, caller.device_id,
                               utc_now())
        return {"received": received, "complete": complete}

    def get(self, caller: Caller, sha256: str) -> bytes:
        key = blob_key(_check(sha256), caller.pod_id)
        row = self.repo.blob(key)
        if (row is None or not row["complete"]
                or not self.repo.attachment_in_scope(caller, sha256)):
            raise not_found(NO_SUCH_FILE)
        return self.repo.blob_bytes(key)
