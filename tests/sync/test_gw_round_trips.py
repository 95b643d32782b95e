"""The gateway's PostgreSQL connection, as the fewer round trips of a push use it.

What a user would notice: two pushes of one pod deciding on the same stale record; after
the council's database server restarts (or drops an idle connection), the first laptop to sync
getting "the council system cannot record this access" instead of its sync; a database error
in a push's batched writes answered as an unexpected 500 (the laptop's "something went wrong")
instead of the 503 it retries.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.exc import IntegrityError

from rbsw_desktop.gateway.db import SqlRepository, migrate, open_repository
from rbsw_desktop.gateway.db.engine import normalise
from rbsw_desktop.gateway.repository import StoredRecord

WAIT = 10.0          # the longest any step may take before the test gives up

OP_ROW = {"worker_id": "worker-1 (fictional)", "op_id": "op-1", "device_id": "dev-1",
          "record_id": "rec-1", "rev": 1, "at": "2026-12-01T09:00:00.000Z"}


@pytest.fixture
def pg_repo(postgres_url: str) -> Iterator[SqlRepository]:
    migrate(postgres_url)
    repo = open_repository(postgres_url)
    yield repo
    repo.close()


def _backends(postgres_url: str) -> int:
    """End every other connection to this database, as a server restart or an admin's
    pg_terminate_backend would, and wait until each of those server processes has exited (its
    socket closed, so the client's side has heard it: pg_terminate_backend only sends the
    signal); how many."""
    url = normalise(postgres_url)
    with psycopg.connect(host=url.host, port=url.port, user=url.username,
                         password=url.password, dbname=url.database, autocommit=True) as conn:
        pids = [int(pid) for (pid,) in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()").fetchall()]
        conn.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [pids])
    deadline = time.monotonic() + WAIT
    while any(_running(pid) for pid in pids):
        assert time.monotonic() < deadline, f"server processes {pids} did not end"
        time.sleep(0.01)
    return len(pids)


def _running(pid: int) -> bool:
    """Whether this (local) server process still runs: not gone, and not a zombie whose files
    are closed."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_a_connection_the_server_closed_is_replaced_before_a_request_uses_it(
        pg_repo: SqlRepository, postgres_url: str) -> None:
    with pg_repo.transaction():
        pg_repo.add_applied_ops([OP_ROW])            # a pooled connection, used and idle
    assert _backends(postgres_url) >= 1              # ... which the server then closes
    with pg_repo.transaction(lock=False):            # the next request's transaction
        assert pg_repo.applied_ops(OP_ROW["worker_id"], ["op-1"]) == {"op-1": ("rec-1", 1)}
        pg_repo.audit("2026-12-01T09:00:01.000Z", "dev-1", OP_ROW["worker_id"],
                      "GET /sync/changes", "", 0, 200, pod_id="pod-1")
    assert pg_repo.audit_rows(5)[0]["action"] == "GET /sync/changes"


def test_a_database_error_in_batched_writes_is_a_database_error(
        pg_repo: SqlRepository) -> None:
    """(`deps.audited` turns SQLAlchemy's errors into the 503 a laptop retries.)"""
    with pg_repo.transaction():
        pg_repo.add_applied_ops([OP_ROW])
    with pytest.raises(IntegrityError), pg_repo.transaction(), pg_repo.batched():
        pg_repo.touch_device("dev-1", "2026-12-01T09:00:02.000Z", pushed=True)
        pg_repo.add_applied_ops([OP_ROW])            # the same op id again: unique
    assert pg_repo.applied_ops(OP_ROW["worker_id"], ["op-1"]) == {"op-1": ("rec-1", 1)}


def test_a_push_reads_what_the_pods_writer_before_it_committed(pg_repo: SqlRepository) -> None:
    """The pod's lock and the push's reads go in one pipeline: the reads still wait for the
    lock, so a push never decides on a record as it was before another push of the pod (an
    edit lost, or a change answered `applied` twice)."""
    rec = StoredRecord("visit", "rec-1", 1, 1, "pod-1", None, {"text": "A fictional visit"},
                       False, "2026-12-01T09:00:00.000Z", "dev-2", "2026-12-01T09:00:00.000Z")
    holding, release = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def first_push() -> None:
        with pg_repo.transaction(pod="pod-1"):
            pg_repo.put_record(rec)
            holding.set()
            release.wait(WAIT)

    def second_push() -> None:
        with pg_repo.transaction(lock=False, savepoint=False):
            seen["held"] = pg_repo.push_state("pod-1", "worker-1", [], ["rec-1"], [])[1]

    first = threading.Thread(target=first_push)
    first.start()
    assert holding.wait(WAIT)
    second = threading.Thread(target=second_push)
    second.start()
    second.join(1.0)              # it waits for the lock (without it, it reads at once)
    release.set()
    first.join(WAIT)
    second.join(WAIT)
    assert [r.rev for r in seen["held"].values()] == [1]
