"""The audit names the client's address and the records read or written, and is a hash chain
that refuses UPDATE and DELETE.

Revision ID: 0003_audit_chain
Revises: 0002_history
Created: 2026-12-01

Hand-written. Adds to `audit`:
- `client`: the client's address, as the gateway saw it;
- `record_ids`: the ids of the records an access read or wrote, as a JSON list (null when it
  named none). A list in the row, not a table of (audit_id, record_id) rows: an access stays
  ONE insert however many records it touched (a pull page is at most 1,000 ids, a push at most
  500: the protocol bounds it), and the row's hash covers its records with no second table to
  keep in step;
- `chain`: the pod whose chain the row is in ("" for what no pod's caller did; every row
  already there is in that chain);
- `hash`: the chain's link (`db.audit_chain`), filled here for the rows already there, oldest
  first.
Then triggers refuse any UPDATE or DELETE of an audit row (and TRUNCATE on PostgreSQL): the
table only grows. A later batch-mode revision that rebuilds `audit` on SQLite must create
these triggers again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from rbsw_desktop.gateway.db.audit_chain import content_digest, link

revision: str = "0003_audit_chain"
down_revision: str | None = "0002_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "the audit is append-only: its rows cannot be changed or deleted"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_no_{what.lower()} BEFORE {what} ON audit "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    for what in ("UPDATE", "DELETE")]
POSTGRESQL_TRIGGERS = [
    "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$",
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"]


def upgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.add_column(sa.Column("client", sa.Text(), nullable=True))
        batch.add_column(sa.Column("record_ids", sa.Text(), nullable=True))
        batch.add_column(sa.Column("hash", sa.Text(), nullable=True))
        batch.add_column(sa.Column("chain", sa.Text(), nullable=False, server_default=""))
        batch.create_index("ix_audit_chain_id", ["chain", "id"])
    bind = op.get_bind()
    audit = sa.table("audit", *(sa.column(name) for name in (
        "id", "chain", "at", "device_id", "worker_id", "client", "action", "target", "count",
        "status", "record_ids", "hash")))
    previous = None
    for row in bind.execute(sa.select(audit).order_by(audit.c.id)).mappings().all():
        previous = link(previous, content_digest(dict(row)))
        bind.execute(sa.update(audit).where(audit.c.id == row["id"]).values(hash=previous))
    for statement in (POSTGRESQL_TRIGGERS if bind.dialect.name == "postgresql"
                      else SQLITE_TRIGGERS):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_no_truncate ON audit")
        op.execute("DROP TRIGGER audit_no_change ON audit")
        op.execute("DROP FUNCTION audit_append_only()")
    else:
        op.execute("DROP TRIGGER audit_no_delete")
        op.execute("DROP TRIGGER audit_no_update")
    with op.batch_alter_table("audit") as batch:
        batch.drop_index("ix_audit_chain_id")
        batch.drop_column("chain")
        batch.drop_column("hash")
        batch.drop_column("record_ids")
        batch.drop_column("client")
