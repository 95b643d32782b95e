"""Blobs (photos of drawings, scans): content-addressed by SHA-256, uploaded in resumable chunks.

Bytes live in files under `DATA_DIR/blobs/` (`<sha>.part` while arriving, `<sha>` once the
SHA-256 of what arrived matches its name); the repository holds progress and who sent it.
A blob is read back only by a caller with an attachment in their scope that cites it.

Uploads are scoped by pod: each pod's upload of a blob has its own progress row and its own
part file, so a device only learns about (HEAD) and continues (PUT) its own pod's uploads; another
pod's upload, partial or whole, is answered as if absent (404 / start at byte 0), and nothing a
device sends can truncate another pod's bytes. The finished file is shared (same name, same bytes).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from rbsw_desktop.gateway.repository import Caller, GatewayRepository
from rbsw_desktop.gateway.service import now_iso
from rbsw_desktop.gateway.validate import SHA256_RE, ApiError
from rbsw_desktop.sync.protocol import MAX_BLOB_CHUNK, ErrorCode

MAX_BLOB_BYTES = 64 * 1024 * 1024


def _check(sha256: str) -> str:
    if not SHA256_RE.match(sha256):
        raise ApiError(400, ErrorCode.BAD_REQUEST.value,
                       "A photo or scan is named by its SHA-256: 64 lowercase hex digits.")
    return sha256


def _not_found() -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND.value, "The council system has no such file.")


class BlobStore:
    def __init__(self, repo: GatewayRepository, data_dir: Path) -> None:
        self.repo = repo
        self.root = data_dir / "blobs"
        self.root.mkdir(parents=True, exist_ok=True)

    def _paths(self, sha256: str, pod_id: str) -> tuple[Path, Path]:
        pod = hashlib.sha256(pod_id.encode("utf-8")).hexdigest()[:24]
        return self.root / sha256, self.root / f"{sha256}.{pod}.part"

    def received(self, caller: Caller, sha256: str) -> int:
        """HEAD: bytes of this pod's upload held so far (404 when none, whatever other pods
        hold)."""
        row = self.repo.blob(_key(_check(sha256), caller.pod_id))
        if row is None:
            raise _not_found()
        return int(row["received"])

    def put(self, caller: Caller, sha256: str, offset_text: str | None,
            data: bytes) -> dict[str, Any]:
        _check(sha256)
        try:
            offset = int(offset_text or "0")
        except ValueError:
            raise ApiError(400, ErrorCode.BAD_REQUEST.value, "`offset` should be a number.") \
                from None
        if len(data) > MAX_BLOB_CHUNK:
            raise ApiError(413, ErrorCode.TOO_LARGE.value,
                           f"Send files in pieces of at most {MAX_BLOB_CHUNK} bytes.")
        if offset < 0 or offset + len(data) > MAX_BLOB_BYTES:
            raise ApiError(413, ErrorCode.TOO_LARGE.value, "That file is too large to keep.")
        final, part = self._paths(sha256, caller.pod_id)
        key = _key(sha256, caller.pod_id)
        with self.repo.transaction():          # one writer per blob at a time
            row = self.repo.blob(key)
            received = int(row["received"]) if row else 0
            if row and row["complete"]:
                return {"received": received, "complete": True}
            if offset > received:
                raise ApiError(409, ErrorCode.BAD_REQUEST.value,
                               f"Expected the piece starting at byte {received}.",
                               {"X-Received": str(received)})
            with open(part, "r+b" if part.exists() else "wb") as fh:
                fh.truncate(offset)
                fh.seek(offset)
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            received = offset + len(data)
            complete = _digest(part) == sha256
            if complete:
                os.replace(part, final)
            self.repo.put_blob(key, received, complete, caller.pod_id, caller.device_id,
                               now_iso())
        return {"received": received, "complete": complete}

    def get(self, caller: Caller, sha256: str) -> bytes:
        _check(sha256)
        final = self.root / sha256
        if not self.repo.attachment_in_scope(caller, sha256) or not final.exists():
            raise _not_found()
        return final.read_bytes()


def _key(sha256: str, pod_id: str) -> str:
    """The progress row of one pod's upload of one blob."""
    return f"{sha256}@{pod_id}"


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
