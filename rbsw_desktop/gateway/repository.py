"""The gateway's storage seam: what the service needs from a database, and nothing more.

`GatewayRepository` is the interface; `db.repository.SqlRepository` implements it on
SQLAlchemy Core for both backends (the embedded SQLite default and PostgreSQL), with the schema
in `db.tables` and its Alembic migrations in `db/migrations`. Nothing above this module writes
SQL.

Rules every implementation keeps:
- `transaction()` commits durably (SQLite `synchronous=FULL`, PostgreSQL's default
  `synchronous_commit`): what a laptop was told "applied" survives a power cut.
- `next_seq()` values are unique, and handed out and committed in order within a pod (by
  every transaction that holds the pod's writers' lock, or every writer's), so a pull, which is
  within one pod, that has read up to sequence N never later misses a change numbered <= N,
  even with several gateway instances.
- Tokens and enrolment codes are stored as SHA-256 hex digests only.
- `record_history` is only ever appended to, in the transaction that accepted the revision.
- Audit rows hold who (worker, device, client address), what (the action, ids, counts, the
  ids of the records read or written), when and the answer's status, never record content;
  the table only grows, and each row is linked to the one before by a hash
  (`db.audit_chain`).
- Blob bytes live in the database (both instances see the same bytes), one pod's copy of a
  blob apart from another's (`blob_key`), and each device's upload apart until it is whole
  (`upload_key`); then the pod keeps one copy and a claim for every device that sent it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from rbsw_desktop.domain.enums import Role

#: Roles whose scope is the whole pod; the others see their own caseload and their pod.
POD_WIDE_ROLES = frozenset({Role.POD_MANAGER, Role.BUSINESS_SUPPORT})
ROLES = tuple(Role)


@dataclass(frozen=True)
class Caller:
    """Who a request comes from: a device, its worker, their pod and role."""

    device_id: str
    worker_id: str
    pod_id: str
    role: str
    retired: bool = False       # its next pull tells it to wipe (`GatewayService.retire`)

    @property
    def pod_wide(self) -> bool:
        return self.role in POD_WIDE_ROLES


@dataclass
class StoredRecord:
    entity: str
    id: str
    rev: int
    seq: int
    pod_id: str
    case_id: str | None
    fields: dict[str, Any]
    deleted: bool = False
    updated_at: str = ""
    origin_device: str | None = None
    received_at: str = ""
    filed: bool = False
    case_system_ref: str = ""
    filed_at: str | None = None
    filed_by: str | None = None
    #: The pod's blob holding `fields` (`protocol.big_records`), for a record that came as one:
    #: a pull serves it by reference, and `fields` as read by a pull is then empty.
    fields_blob: str | None = None
    #: `fields` as the database keeps them (`fields_json`): the text read with the row, or
    #: encoded once when first asked for (`stored_fields`), so the record's row, its history
    #: row and a change page use one encoding. A record's fields are replaced, never changed in
    #: place, so the text stays theirs.
    fields_text: str | None = field(default=None, compare=False, repr=False)

    def stored_fields(self) -> str:
        if self.fields_text is None:
            self.fields_text = fields_json(self.fields)
        return self.fields_text

    @property
    def fields_size(self) -> int:
        """Characters of the fields' JSON (what the record weighs in a change page)."""
        return len(self.stored_fields())

    def as_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        del out["fields_text"]
        return out


def fields_json(fields: dict[str, Any]) -> str:
    """A record's fields as the database keeps them: compact JSON, text as it is (never
    ASCII-escaped). The fields were checked to be JSON both databases keep (`protocol.models`)."""
    return orjson.dumps(fields).decode("utf-8")


def revision(rec: StoredRecord, at: str, worker_id: str | None, device_id: str | None,
             op_id: str | None = None) -> dict[str, Any]:
    """The `record_history` row of this revision of a record: who sent it and when it arrived
    (`at`), with the op that carried it (none for a filing); its fields as the record's row
    holds them (`StoredRecord.stored_fields`)."""
    return {"record_id": rec.id, "rev": rec.rev, "entity": rec.entity, "pod_id": rec.pod_id,
            "case_id": rec.case_id, "fields": rec.stored_fields(), "deleted": bool(rec.deleted),
            "filed": bool(rec.filed), "case_system_ref": rec.case_system_ref,
            "worker_id": worker_id, "device_id": device_id, "received_at": at, "op_id": op_id}


class GatewayRepository(Protocol):
    #: True where the database takes one request's work at a time anyway (SQLite: one writer,
    #: and every access writes its audit row), so the gateway runs that work on its event
    #: loop's thread rather than handing it to a thread and back, and commits the work of
    #: requests that arrive together in one transaction (`edge.DatabaseWork`).
    one_at_a_time: bool

    # -- transactions and the change sequence --
    def transaction(self, *, lock: bool = True, pod: str | None = None,
                    savepoint: bool = True) -> AbstractContextManager[None]: ...
    def batched(self) -> AbstractContextManager[None]: ...
    def open_group(self) -> None: ...
    def commit_group(self) -> None: ...
    def push_state(self, pod_id: str, worker_id: str, op_ids: Collection[str],
                   record_ids: Collection[str], case_ids: Collection[str],
                   ) -> tuple[dict[str, tuple[str, int]], dict[str, StoredRecord],
                              dict[str, dict[str, Any] | None]]: ...
    def next_seq(self) -> int: ...
    def next_seqs(self, n: int) -> list[int]: ...

    # -- pods, workers, cases --
    def add_pod(self, pod_id: str, name: str, at: str) -> None: ...
    def add_worker(self, worker_id: str, pod_id: str, name: str, role: str, at: str) -> None: ...
    def worker(self, worker_id: str) -> dict[str, Any] | None: ...
    def pod(self, pod_id: str) -> dict[str, Any] | None: ...
    def workers_in_pod(self, pod_id: str) -> list[dict[str, Any]]: ...
    def add_case(self, case_id: str, child_id: str, child_name: str, worker_id: str,
                 pod_id: str, at: str) -> None: ...
    def case(self, case_id: str) -> dict[str, Any] | None: ...

    # -- devices and enrolment --
    def add_enrol_code(self, code_sha256: str, worker_id: str, at: str,
                       expires_at: str) -> None: ...
    def take_enrol_code(self, code_sha256: str, device_id: str, nonce: str | None,
                        now: str) -> str | None: ...
    def enrol_code(self, code_sha256: str) -> dict[str, Any] | None: ...
    def set_device_token(self, device_id: str, token_sha256: str) -> None: ...
    def add_device(self, device_id: str, worker_id: str, name: str, token_sha256: str,
                   at: str, expires_at: str) -> None: ...
    def device_by_token(self, token_sha256: str) -> dict[str, Any] | None: ...
    def device(self, device_id: str) -> dict[str, Any] | None: ...
    def revoke_device(self, device_id: str, at: str) -> bool: ...
    def retire_device(self, device_id: str, at: str) -> bool: ...
    def touch_device(self, device_id: str, at: str, *, pushed: bool = False,
                     pulled: bool = False, pending: int | None = None) -> None: ...
    def devices_in_pod(self, pod_id: str) -> list[dict[str, Any]]: ...

    # -- records --
    def record(self, record_id: str) -> StoredRecord | None: ...
    def records_by_id(self, ids: Collection[str]) -> dict[str, StoredRecord]: ...
    def put_record(self, rec: StoredRecord) -> None: ...
    def put_records(self, recs: list[StoredRecord]) -> None: ...
    def last_seq(self, pod_id: str) -> int | None: ...
    def changes_since(self, caller: Caller, since: int, limit: int, *, upto: int | None = None,
                      not_from: str | None = None) -> list[StoredRecord]: ...
    def records(self, pod_id: str | None = None) -> Iterator[StoredRecord]: ...
    def unfiled(self, pod_id: str, entities: frozenset[str], limit: int) -> list[StoredRecord]: ...
    def attachment_in_scope(self, caller: Caller, sha256: str) -> bool: ...
    def fields_blob_in_scope(self, caller: Caller, sha256: str) -> bool: ...

    # -- every accepted revision (append-only) --
    def add_history(self, rows: list[dict[str, Any]]) -> None: ...
    def history(self, record_id: str) -> list[dict[str, Any]]: ...

    # -- idempotency (per worker), conflicts, refusals --
    def applied_ops(self, worker_id: str, op_ids: Collection[str]
                    ) -> dict[str, tuple[str, int]]: ...
    def add_applied_ops(self, rows: list[dict[str, Any]]) -> None: ...
    def add_conflict(self, caller: Caller, op_id: str, entity: str, record_id: str,
                     base_rev: int | None, server_rev: int, at: str) -> None: ...
    def add_refusal(self, caller: Caller, op_id: str, entity: str, record_id: str,
                    reason: str, at: str) -> None: ...
    def not_applied(self, pod_id: str, limit: int) -> dict[str, list[dict[str, Any]]]: ...

    # -- blobs: one pod's copy of one blob, keyed `blob_key(sha256, pod_id)`, and one device's
    # upload of it under way, keyed `upload_key(sha256, pod_id, device_id)` --
    def blob(self, key: str) -> dict[str, Any] | None: ...
    def put_blob(self, key: str, received: int, complete: bool, pod_id: str,
                 device_id: str, at: str) -> None: ...
    def write_blob_part(self, key: str, offset: int, data: bytes) -> None: ...
    def blob_bytes(self, key: str) -> bytes: ...
    def move_blob(self, key: str, to: str) -> None: ...
    def drop_blob(self, key: str) -> None: ...
    def claimed(self, key: str, device_id: str) -> bool: ...
    def add_claim(self, key: str, device_id: str, at: str) -> None: ...
    def uncited_blob_bytes(self, *, device_id: str | None = None,
                           pod_id: str | None = None) -> int: ...
    def prune_uncited_blobs(self, before: str) -> int: ...

    # -- audit --
    def audit(self, at: str, device_id: str | None, worker_id: str | None, action: str,
              target: str, count: int, status: int, *, client: str | None = None,
              record_ids: Collection[str] = (), pod_id: str | None = None) -> None: ...
    def audit_rows(self, limit: int) -> list[dict[str, Any]]: ...
    def audit_chain(self, batch: int = 5000) -> Iterator[dict[str, Any]]: ...
    def close(self) -> None: ...


def blob_key(sha256: str, pod_id: str) -> str:
    """The row of one pod's copy of one blob."""
    return f"{sha256}@{pod_id}"


def upload_key(sha256: str, pod_id: str, device_id: str) -> str:
    """The progress row of one device's upload of one blob, until it is whole."""
    return f"{blob_key(sha256, pod_id)}/{device_id}"
