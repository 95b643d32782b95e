"""PostgreSQL's change sequence, so that pushes of different pods commit in parallel.

Revision ID: 0005_speed
Revises: 0004_retire
Created: 2026-12-01

Hand-written. On PostgreSQL, creates the sequence `change_seq` and starts it where the counter
row (`counters`, name 'seq') stands, so every laptop's pull cursor stays valid: the next change
is numbered above every change already handed out. From here on PostgreSQL numbers changes
from the sequence, under a per-pod writers' lock (`db.repository`); the counter row is kept,
unused there. SQLite, one writer at a time, goes on with its counter row: nothing changes.

The downgrade carries the sequence's position back into the counter row and drops it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_speed"
down_revision: str | None = "0004_retire"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(sa.schema.CreateSequence(sa.Sequence("change_seq")))
    # setval(n, true): the next value is n + 1; a fresh database (counter 0) starts at 1.
    op.execute("SELECT setval('change_seq', GREATEST(value, 1), value > 0) FROM counters "
               "WHERE name = 'seq'")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("UPDATE counters SET value = (SELECT CASE WHEN is_called THEN last_value "
               "ELSE last_value - 1 END FROM change_seq) WHERE name = 'seq'")
    op.execute(sa.schema.DropSequence(sa.Sequence("change_seq")))
