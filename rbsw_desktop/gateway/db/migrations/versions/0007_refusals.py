"""The refused changes are `refusals`, the one word the code uses (the table was `failures`).

Revision ID: 0007_refusals
Revises: 0006_blob_claims
Created: 2026-12-01

Hand-written. A new table with its own key, index and (PostgreSQL) id sequence takes every row
of `failures`, which is then dropped: renaming would leave the old names on the key and the
sequence. The wire keeps its v1 key (`GET /pod/problems` answers `failures`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_refusals"
down_revision: str | None = "0006_blob_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
COLUMNS = "id, at, device_id, worker_id, pod_id, op_id, entity, record_id, reason"


def _table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", RowId, nullable=False, autoincrement=True),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("device_id", sa.Text(), nullable=True),
        sa.Column("worker_id", sa.Text(), nullable=True),
        sa.Column("pod_id", sa.Text(), nullable=False),
        sa.Column("op_id", sa.Text(), nullable=True),
        sa.Column("entity", sa.Text(), nullable=True),
        sa.Column("record_id", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
    )
    op.create_index(f"ix_{name}_pod_id_id", name, ["pod_id", "id"])


def _move(old: str, new: str) -> None:
    _table(new)
    op.execute(f"INSERT INTO {new} ({COLUMNS}) SELECT {COLUMNS} FROM {old}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"SELECT setval(pg_get_serial_sequence('{new}', 'id'), "
                   f"COALESCE((SELECT MAX(id) FROM {new}), 0) + 1, false)")
    op.drop_index(f"ix_{old}_pod_id_id", table_name=old)
    op.drop_table(old)


def upgrade() -> None:
    _move("failures", "refusals")


def downgrade() -> None:
    _move("refusals", "failures")
