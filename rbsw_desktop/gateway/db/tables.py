"""The gateway's schema as SQLAlchemy Core tables, one `MetaData` for both backends.

This is what the code reads and writes; the database gets its schema only from the Alembic
revisions in `migrations/versions` (hand-written, never generated at run time), and a test
checks that the migrated schema and these tables agree. A change here goes with a new
revision there.

Types: ids, names and timestamps are text (timestamps are ISO 8601 UTC strings from the
service, compared as text); `fields` is the record's JSON as text; flags are real booleans;
counters and byte offsets are 64-bit. Constraint names follow `NAMING`, so a later revision
(and SQLite's batch mode) can name what it alters.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Sequence,
    Table,
    Text,
    false,
    text,
)

NAMING = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

metadata = MetaData(naming_convention=NAMING)

#: A 64-bit autoincrementing key; on SQLite it must be declared INTEGER to be the rowid.
RowId = BigInteger().with_variant(Integer(), "sqlite")

#: The change sequence on SQLite: its counter row (`name = SEQ`); `next_seq` increments it.
counters = Table(
    "counters", metadata,
    Column("name", Text, primary_key=True),
    Column("value", BigInteger, nullable=False),
)
SEQ = "seq"
#: The change sequence on PostgreSQL (revision 0005_speed carried the counter row on into it):
#: `nextval` taken under the pod's writers' lock (see `db.repository`). SQLite has none.
change_seq = Sequence("change_seq", metadata=metadata)

pods = Table(
    "pods", metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

workers = Table(
    "workers", metadata,
    Column("id", Text, primary_key=True),
    Column("pod_id", Text, ForeignKey("pods.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

devices = Table(
    "devices", metadata,
    Column("id", Text, primary_key=True),
    Column("worker_id", Text, ForeignKey("workers.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("token_sha256", Text, nullable=False, unique=True),
    Column("enrolled_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("revoked_at", Text),
    Column("last_seen_at", Text),
    Column("last_push_at", Text),
    Column("last_pull_at", Text),
    Column("pending", Integer),
    Column("retired_at", Text),      # `retire`: it may push once more, then is told to wipe
)

enrol_codes = Table(
    "enrol_codes", metadata,
    Column("code_sha256", Text, primary_key=True),
    Column("worker_id", Text, ForeignKey("workers.id"), nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("used_at", Text),
    Column("device_id", Text),
    Column("nonce", Text),
)

cases = Table(
    "cases", metadata,
    Column("id", Text, primary_key=True),
    Column("child_id", Text, nullable=False),
    Column("child_name", Text, nullable=False),
    Column("worker_id", Text, ForeignKey("workers.id"), nullable=False, index=True),
    Column("pod_id", Text, ForeignKey("pods.id"), nullable=False),
    Column("created_at", Text, nullable=False),
)

records = Table(
    "records", metadata,
    Column("id", Text, primary_key=True),
    Column("entity", Text, nullable=False),
    Column("rev", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("pod_id", Text, nullable=False),
    Column("case_id", Text),
    Column("fields", Text, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default=false()),
    Column("updated_at", Text, nullable=False),
    Column("origin_device", Text),
    Column("received_at", Text, nullable=False),
    Column("filed", Boolean, nullable=False, server_default=false()),
    Column("case_system_ref", Text, nullable=False, server_default=""),
    Column("filed_at", Text),
    Column("filed_by", Text),
    Column("sha256", Text),
    # a record that came as a blob (`protocol.big_records`): its pod's blob of these fields
    Column("fields_blob", Text),
)
# pulls: WHERE pod_id = ? AND seq > ? ORDER BY seq
Index("ix_records_pod_id_seq", records.c.pod_id, records.c.seq)
# business support's queue: WHERE pod_id = ? AND filed = false ... ORDER BY seq
Index("ix_records_pod_id_filed_seq", records.c.pod_id, records.c.filed, records.c.seq)
# a blob read: is there an attachment in scope that cites this SHA-256?
Index("ix_records_sha256", records.c.sha256,
      sqlite_where=records.c.sha256.isnot(None), postgresql_where=records.c.sha256.isnot(None))
# ... or a record in scope whose fields it holds?
Index("ix_records_fields_blob", records.c.fields_blob,
      sqlite_where=records.c.fields_blob.isnot(None),
      postgresql_where=records.c.fields_blob.isnot(None))

#: The ops applied, per worker: a replay from the worker's laptop is answered `duplicate`; the
#: same op id from anybody else is an op like any other (nothing says another pod holds it).
applied_ops = Table(
    "applied_ops", metadata,
    Column("worker_id", Text, primary_key=True),
    Column("op_id", Text, primary_key=True),
    Column("device_id", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("rev", BigInteger, nullable=False),
    Column("at", Text, nullable=False),
)

#: Every revision of a record the gateway accepted, never updated or deleted: what it held,
#: who sent it (the token's worker and device; a filing's officer), when it arrived, the op.
record_history = Table(
    "record_history", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("record_id", Text, nullable=False),
    Column("rev", BigInteger, nullable=False),
    Column("entity", Text, nullable=False),
    Column("pod_id", Text, nullable=False),
    Column("case_id", Text),
    Column("fields", Text, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("filed", Boolean, nullable=False),
    Column("case_system_ref", Text, nullable=False),
    Column("worker_id", Text),
    Column("device_id", Text),
    Column("received_at", Text, nullable=False),
    Column("op_id", Text),
)
Index("ix_record_history_record_id_rev", record_history.c.record_id, record_history.c.rev)

def _not_applied_columns() -> list[Column[Any]]:
    """What the conflicts and refusals tables both hold (changes not applied): which laptop's
    change, when."""
    return [Column("id", RowId, primary_key=True, autoincrement=True),
            Column("at", Text, nullable=False), Column("device_id", Text),
            Column("worker_id", Text), Column("pod_id", Text, nullable=False),
            Column("op_id", Text), Column("entity", Text), Column("record_id", Text)]


conflicts = Table(
    "conflicts", metadata, *_not_applied_columns(),
    Column("base_rev", BigInteger),
    Column("server_rev", BigInteger),
)
Index("ix_conflicts_pod_id_id", conflicts.c.pod_id, conflicts.c.id)

#: Each change the gateway refused (the protocol answers `rejected`), with the reason.
refusals = Table(
    "refusals", metadata, *_not_applied_columns(),
    Column("reason", Text, nullable=False),
)
Index("ix_refusals_pod_id_id", refusals.c.pod_id, refusals.c.id)

#: One pod's copy of one blob (`repository.blob_key(sha256, pod_id)`), complete, or one
#: device's upload of it under way (`repository.upload_key`): how far it got.
blobs = Table(
    "blobs", metadata,
    Column("key", Text, primary_key=True),
    Column("received", BigInteger, nullable=False),
    Column("complete", Boolean, nullable=False),
    Column("pod_id", Text),
    Column("device_id", Text),
    Column("updated_at", Text),
)

#: The bytes of an upload, one row per chunk as it arrived, in `byte_offset` order.
blob_parts = Table(
    "blob_parts", metadata,
    Column("key", Text, primary_key=True),
    Column("byte_offset", BigInteger, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

#: The devices that sent a pod's copy of a blob whole (`repository.blob_key`): each may cite
#: it, and its bytes count against each one's quota while no record cites them.
blob_claims = Table(
    "blob_claims", metadata,
    Column("key", Text, primary_key=True),
    Column("device_id", Text, primary_key=True),
    Column("at", Text, nullable=False),
)

audit = Table(
    "audit", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("device_id", Text),
    Column("worker_id", Text),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False, server_default=""),
    Column("count", Integer, nullable=False, server_default=text("0")),
    Column("status", Integer, nullable=False, server_default=text("0")),
    Column("client", Text),          # the client's address, as the gateway saw it
    Column("record_ids", Text),      # a JSON list of the record ids read or written, or null
    Column("hash", Text),            # the hash chain's link (`audit_chain`)
    Column("chain", Text, nullable=False, server_default=""),   # its pod's chain ("": none)
)
# the chain's newest row: WHERE chain = ? ORDER BY id DESC LIMIT 1
Index("ix_audit_chain_id", audit.c.chain, audit.c.id)
