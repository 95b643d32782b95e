"""Who sent each blob (`blob_claims`), and records kept as a blob of their fields
(`records.fields_blob`).

Revision ID: 0006_blob_claims
Revises: 0005_speed
Created: 2026-12-01

Hand-written. A pod keeps one copy of a file, and `blob_claims` holds every device of the pod
that sent it whole: each may cite it (before, only the last device to send it could, so a
second laptop sending the same photo had its attachment refused). The upgrade gives each
complete upload's device its claim. `records.fields_blob` names the blob holding a record that
came as one (too big for one request), which a pull then serves by reference.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_blob_claims"
down_revision: str | None = "0005_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blob_claims",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("device_id", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", "device_id", name="pk_blob_claims"),
    )
    op.execute("INSERT INTO blob_claims(key, device_id, at) SELECT key, device_id, "
               "COALESCE(updated_at, '') FROM blobs WHERE complete AND device_id IS NOT NULL")
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("fields_blob", sa.Text(), nullable=True))
    op.create_index("ix_records_fields_blob", "records", ["fields_blob"],
                    sqlite_where=sa.text("fields_blob IS NOT NULL"),
                    postgresql_where=sa.text("fields_blob IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_records_fields_blob", table_name="records")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("fields_blob")
    op.drop_table("blob_claims")
