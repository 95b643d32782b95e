"""Every accepted revision kept (`record_history`), and applied op ids per worker.

Revision ID: 0002_history
Revises: 0001
Created: 2026-12-01

Hand-written. `record_history` is new (append-only). `applied_ops` gains `worker_id` in its
primary key (worker_id, op_id): a replay is recognised only from the worker who sent the op, so
an op id seen from another pod or worker answers like an unknown one. Its rows are copied
through a staging table (the same steps on SQLite and PostgreSQL, constraint names kept), each
row's worker taken from its device.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002_history"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_OP_COLS = ("op_id", "device_id", "record_id", "rev", "at")


def _req(name: str, type_: sa.types.TypeEngine[Any] | None = None, **kw: Any) -> sa.Column[Any]:
    return sa.Column(name, type_ if type_ is not None else sa.Text(), nullable=False, **kw)


def _opt(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Text(), nullable=True)


def _applied_ops(*key: str) -> sa.Table:
    cols = [_req("worker_id")] if "worker_id" in key else []
    return op.create_table(
        "applied_ops", *cols, _req("op_id"), _req("device_id"), _req("record_id"),
        _req("rev", sa.BigInteger()), _req("at"),
        sa.PrimaryKeyConstraint(*key, name="pk_applied_ops"))


def _staged() -> sa.Table:
    """The applied_ops rows, moved aside into a plain table (then applied_ops is dropped)."""
    staging = op.create_table("applied_ops_staging", *(_opt(c) for c in _OP_COLS[:3]),
                              sa.Column("rev", sa.BigInteger()), _opt("at"))
    old = sa.table("applied_ops", *(sa.column(c) for c in _OP_COLS))
    op.execute(sa.insert(staging).from_select(list(_OP_COLS),
                                              sa.select(*(old.c[c] for c in _OP_COLS))))
    op.drop_table("applied_ops")
    return staging


def upgrade() -> None:
    op.create_table(
        "record_history", _req("id", RowId, autoincrement=True), _req("record_id"),
        _req("rev", sa.BigInteger()), _req("entity"), _req("pod_id"), _opt("case_id"),
        _req("fields"), _req("deleted", sa.Boolean()), _req("filed", sa.Boolean()),
        _req("case_system_ref"), _opt("worker_id"), _opt("device_id"), _req("received_at"),
        _opt("op_id"), sa.PrimaryKeyConstraint("id", name="pk_record_history"))
    op.create_index("ix_record_history_record_id_rev", "record_history", ["record_id", "rev"])
    staging = _staged()
    new = _applied_ops("worker_id", "op_id")
    devices = sa.table("devices", sa.column("id"), sa.column("worker_id"))
    worker = sa.func.coalesce(devices.c.worker_id, "")     # a device gone: no worker's replay
    op.execute(sa.insert(new).from_select(
        ["worker_id", *_OP_COLS],
        sa.select(worker, *(staging.c[c] for c in _OP_COLS))
        .join_from(staging, devices, devices.c.id == staging.c.device_id, isouter=True)))
    op.drop_table("applied_ops_staging")


def downgrade() -> None:
    staging = _staged()
    new = _applied_ops("op_id")
    first = sa.select(staging.c.op_id, sa.func.min(staging.c.at).label("at")).group_by(
        staging.c.op_id).subquery()               # one row per op id: its first use
    op.execute(sa.insert(new).from_select(
        list(_OP_COLS),
        sa.select(*(staging.c[c] for c in _OP_COLS))
        .join(first, sa.and_(first.c.op_id == staging.c.op_id, first.c.at == staging.c.at))
        .distinct()))
    op.drop_table("applied_ops_staging")
    op.drop_index("ix_record_history_record_id_rev", "record_history")
    op.drop_table("record_history")
