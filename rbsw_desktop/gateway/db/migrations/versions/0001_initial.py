"""The gateway's first schema (SQLAlchemy era), and the adoption of a pre-Alembic SQLite file.

Revision ID: 0001
Revises: -
Created: 2026-12-01

Hand-written. Creates the tables of `db.tables` with explicit constraint names, and the
change-sequence counter row at 0.

A gateway.sqlite3 made by the old stdlib store (tables but no alembic_version, its counter in
`meta`) is converted in place, in this same transaction: its tables are renamed `legacy_*`, the
new ones created, every row copied (the sequence counter carries on, so the laptops' pull
cursors stay valid), the blob bytes it kept in files beside the database (DATA_DIR/blobs/) read
into `blob_parts`, and the legacy tables dropped. The blob files are left where they are; they
can be deleted once this has run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CHUNK = 1024 * 1024
#: The old store's tables, children before parents (the order to drop them in).
LEGACY = ("audit", "failures", "conflicts", "applied_ops", "records", "cases", "enrol_codes",
          "devices", "workers", "pods", "blobs", "meta", "fault_plan")


def _pk(table: str, *cols: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*cols, name=f"pk_{table}")


def _fk(table: str, col: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{parent}.id"], name=f"fk_{table}_{col}_{parent}")


def _req(name: str, type_: sa.types.TypeEngine[Any] | None = None, **kw: Any) -> sa.Column[Any]:
    return sa.Column(name, type_ if type_ is not None else sa.Text(), nullable=False, **kw)


def _opt(name: str, type_: sa.types.TypeEngine[Any] | None = None) -> sa.Column[Any]:
    return sa.Column(name, type_ if type_ is not None else sa.Text(), nullable=True)


def _create_schema() -> dict[str, sa.Table]:
    t: dict[str, sa.Table] = {}
    t["counters"] = op.create_table(
        "counters", _req("name"), _req("value", sa.BigInteger()), _pk("counters", "name"))
    t["pods"] = op.create_table(
        "pods", _req("id"), _req("name"), _req("created_at"), _pk("pods", "id"))
    t["workers"] = op.create_table(
        "workers", _req("id"), _req("pod_id"), _req("name"), _req("role"), _req("created_at"),
        _pk("workers", "id"), _fk("workers", "pod_id", "pods"))
    op.create_index("ix_workers_pod_id", "workers", ["pod_id"])
    t["devices"] = op.create_table(
        "devices", _req("id"), _req("worker_id"), _req("name"), _req("token_sha256"),
        _req("enrolled_at"), _req("expires_at"), _opt("revoked_at"), _opt("last_seen_at"),
        _opt("last_push_at"), _opt("last_pull_at"), _opt("pending", sa.Integer()),
        _pk("devices", "id"), _fk("devices", "worker_id", "workers"),
        sa.UniqueConstraint("token_sha256", name="uq_devices_token_sha256"))
    op.create_index("ix_devices_worker_id", "devices", ["worker_id"])
    t["enrol_codes"] = op.create_table(
        "enrol_codes", _req("code_sha256"), _req("worker_id"), _req("created_at"),
        _req("expires_at"), _opt("used_at"), _opt("device_id"), _opt("nonce"),
        _pk("enrol_codes", "code_sha256"), _fk("enrol_codes", "worker_id", "workers"))
    t["cases"] = op.create_table(
        "cases", _req("id"), _req("child_id"), _req("child_name"), _req("worker_id"),
        _req("pod_id"), _req("created_at"),
        _pk("cases", "id"), _fk("cases", "worker_id", "workers"), _fk("cases", "pod_id", "pods"))
    op.create_index("ix_cases_worker_id", "cases", ["worker_id"])
    t["records"] = op.create_table(
        "records", _req("id"), _req("entity"), _req("rev", sa.BigInteger()),
        _req("seq", sa.BigInteger()), _req("pod_id"), _opt("case_id"), _req("fields"),
        _req("deleted", sa.Boolean(), server_default=sa.false()), _req("updated_at"),
        _opt("origin_device"), _req("received_at"),
        _req("filed", sa.Boolean(), server_default=sa.false()),
        _req("case_system_ref", server_default=""), _opt("filed_at"), _opt("filed_by"),
        _opt("sha256"),
        _pk("records", "id"), sa.UniqueConstraint("seq", name="uq_records_seq"))
    op.create_index("ix_records_pod_id_seq", "records", ["pod_id", "seq"])
    op.create_index("ix_records_pod_id_filed_seq", "records", ["pod_id", "filed", "seq"])
    has_sha = sa.column("sha256").isnot(None)
    op.create_index("ix_records_sha256", "records", ["sha256"], sqlite_where=has_sha,
                    postgresql_where=has_sha)
    t["applied_ops"] = op.create_table(
        "applied_ops", _req("op_id"), _req("device_id"), _req("record_id"),
        _req("rev", sa.BigInteger()), _req("at"), _pk("applied_ops", "op_id"))
    for name, last in (("conflicts", [_opt("base_rev", sa.BigInteger()),
                                      _opt("server_rev", sa.BigInteger())]),
                       ("failures", [_req("reason")])):
        t[name] = op.create_table(
            name, _req("id", RowId, autoincrement=True), _req("at"), _opt("device_id"),
            _opt("worker_id"), _req("pod_id"), _opt("op_id"), _opt("entity"),
            _opt("record_id"), *last, _pk(name, "id"))
        op.create_index(f"ix_{name}_pod_id_id", name, ["pod_id", "id"])
    t["blobs"] = op.create_table(
        "blobs", _req("key"), _req("received", sa.BigInteger()),
        _req("complete", sa.Boolean()), _opt("pod_id"), _opt("device_id"), _opt("updated_at"),
        _pk("blobs", "key"))
    t["blob_parts"] = op.create_table(
        "blob_parts", _req("key"), _req("byte_offset", sa.BigInteger()),
        _req("data", sa.LargeBinary()), _pk("blob_parts", "key", "byte_offset"))
    t["audit"] = op.create_table(
        "audit", _req("id", RowId, autoincrement=True), _req("at"), _opt("device_id"),
        _opt("worker_id"), _req("action"), _req("target", server_default=""),
        _req("count", sa.Integer(), server_default=sa.text("0")),
        _req("status", sa.Integer(), server_default=sa.text("0")),
        _pk("audit", "id"))
    return t


def _legacy_tables(bind: sa.Connection) -> list[str]:
    """The old stdlib store's tables in this database (none unless it is one of its files)."""
    if bind.dialect.name != "sqlite" or op.get_context().as_sql:
        return []
    names = set(sa.inspect(bind).get_table_names())
    if not {"meta", "records"} <= names or "counters" in names:
        return []
    return [name for name in LEGACY if name in names]


def upgrade() -> None:
    bind = op.get_bind()
    legacy = _legacy_tables(bind)
    for name in legacy:
        op.rename_table(name, f"legacy_{name}")
    tables = _create_schema()
    seq = 0
    if legacy:
        seq = _copy_legacy(bind, tables, legacy)
    op.bulk_insert(tables["counters"], [{"name": "seq", "value": seq}])
    for name in legacy:                                   # children first
        op.drop_table(f"legacy_{name}")


def downgrade() -> None:
    for name in ("audit", "blob_parts", "blobs", "failures", "conflicts", "applied_ops",
                 "records", "cases", "enrol_codes", "devices", "workers", "pods", "counters"):
        op.drop_table(name)


# -- the old store's file ---------------------------------------------------------------------

def _copy_legacy(bind: sa.Connection, tables: dict[str, sa.Table], legacy: list[str]) -> int:
    """Copy the renamed legacy tables into the new ones; the sequence counter's value."""
    for name in ("pods", "workers", "devices", "enrol_codes", "cases", "records",
                 "applied_ops", "conflicts", "failures", "audit"):
        if name not in legacy:
            continue
        new = tables[name]
        old = sa.table(f"legacy_{name}", *(sa.column(c["name"]) for c in
                                            sa.inspect(bind).get_columns(f"legacy_{name}")))
        cols = [c.name for c in new.columns if c.name in old.c]
        bind.execute(sa.insert(new).from_select(cols, sa.select(*(old.c[c] for c in cols))))
    meta = sa.table("legacy_meta", sa.column("key"), sa.column("value"))
    value = bind.execute(sa.select(meta.c.value).where(meta.c.key == "seq")).scalar()
    if "blobs" in legacy:
        _copy_legacy_blobs(bind, tables)
    return int(value or 0)


def _copy_legacy_blobs(bind: sa.Connection, tables: dict[str, sa.Table]) -> None:
    """Progress rows, and the bytes from DATA_DIR/blobs/ (`<sha>` once whole, `<sha>.<pod
    hash>.part` while arriving). A row whose bytes are missing starts again at byte 0."""
    root = Path(bind.engine.url.database or "").parent / "blobs"
    old = sa.table("legacy_blobs", sa.column("sha256"), sa.column("received"),
                   sa.column("complete"), sa.column("pod_id"), sa.column("device_id"),
                   sa.column("updated_at"))
    for row in bind.execute(sa.select(old)).mappings().all():
        sha, _, pod = str(row["sha256"]).partition("@")
        pod = pod or str(row["pod_id"] or "")
        pod_hash = hashlib.sha256(pod.encode("utf-8")).hexdigest()[:24]
        path = root / (sha if row["complete"] else f"{sha}.{pod_hash}.part")
        data = path.read_bytes() if path.is_file() else b""
        if not row["complete"]:
            data = data[:int(row["received"] or 0)]
        complete = bool(data) and hashlib.sha256(data).hexdigest() == sha
        key = f"{sha}@{pod}"
        bind.execute(sa.insert(tables["blobs"]).values(
            key=key, received=len(data), complete=complete, pod_id=row["pod_id"] or pod,
            device_id=row["device_id"], updated_at=row["updated_at"]))
        for start in range(0, len(data), CHUNK):
            bind.execute(sa.insert(tables["blob_parts"]).values(
                key=key, byte_offset=start, data=data[start:start + CHUNK]))
