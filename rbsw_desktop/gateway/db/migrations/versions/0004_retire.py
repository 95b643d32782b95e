"""A device can be retired: `devices.retired_at`.

Revision ID: 0004_retire
Revises: 0003_audit_chain
Created: 2026-12-01

Hand-written. `rbsw-gateway retire --device ID` sets it: the laptop's pushes are still applied,
its next pull tells it to wipe (`device_retired`), and it is revoked then.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_retire"
down_revision: str | None = "0003_audit_chain"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("retired_at", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("retired_at")
