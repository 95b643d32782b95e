"""Group commit on the gateway's SQLite (`edge.DatabaseWork`): the work of requests that come
together is committed once, and no answer leaves before the commit that makes it true. On
PostgreSQL, the same `DatabaseWork` runs each request's work on a few threads at once.

On the real SQLite store of a gateway, with its real repository; the works are what routes do
(a transaction that writes a row). What a user would notice if this broke: a laptop told
"applied" for a change a power cut then loses (an answer before its commit), a colleague's
change lost because another request in the same commit failed, or a failed commit reported as
saved.
"""

from __future__ import annotations

import asyncio
import functools
import math
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from rbsw_desktop.gateway.db import SqlRepository, database_url, migrate, open_repository
from rbsw_desktop.gateway.edge import DATABASE_THREADS, MAX_GROUP, NOT_SAVED, DatabaseWork
from rbsw_desktop.gateway.errors import ApiError

AT = "2026-12-01T09:00:00.000Z"


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[SqlRepository]:
    url = database_url(tmp_path)
    migrate(url)
    repository = open_repository(url)
    assert isinstance(repository, SqlRepository) and repository.one_at_a_time
    yield repository
    repository.close()


def _pods_on_disk(repo: SqlRepository) -> set[str]:
    """The pods another connection sees: what has been committed, and only that."""
    with sqlite3.connect(str(repo.engine.url.database)) as other:
        return {row[0] for row in other.execute("SELECT id FROM pods")}


def _commits(repo: SqlRepository) -> list[int]:
    seen: list[int] = []
    event.listen(repo.engine, "commit", lambda _conn: seen.append(1))
    return seen


def _add_pod(repo: SqlRepository, pod_id: str, then: Callable[[], Any] = lambda: None
             ) -> Callable[[], str]:
    """A route's work: a transaction that writes a pod's row (then does `then`)."""
    def work() -> str:
        with repo.transaction(lock=False):
            repo.add_pod(pod_id, f"{pod_id} (fictional)", AT)
            then()
        return pod_id
    return work


def test_requests_that_come_together_share_a_commit_and_are_answered_only_after_it(
        repo: SqlRepository) -> None:
    run = DatabaseWork(repo)
    commits = _commits(repo)
    n = MAX_GROUP + 6                          # two groups
    seen_when_answered: dict[str, bool] = {}
    answered_before_work: list[int] = []       # of each work: how many answers were out

    async def one(pod_id: str) -> str:
        answer = await run(_add_pod(repo, pod_id,
                                    lambda: answered_before_work.append(len(seen_when_answered))))
        seen_when_answered[pod_id] = pod_id in _pods_on_disk(repo)
        return answer

    async def burst() -> list[str]:
        return await asyncio.gather(*(one(f"pod-{i}") for i in range(n)))

    answers = asyncio.run(burst())
    assert answers == [f"pod-{i}" for i in range(n)]
    assert len(commits) == math.ceil(n / MAX_GROUP) == 2
    assert all(seen_when_answered.values()) and len(seen_when_answered) == n
    # The first group's answers were on their way before the second group's work began.
    assert answered_before_work == [0] * MAX_GROUP + [MAX_GROUP] * (n - MAX_GROUP)
    assert _pods_on_disk(repo) == set(answers)


def test_one_laptop_alone_is_answered_after_its_own_commit(repo: SqlRepository) -> None:
    run = DatabaseWork(repo)
    commits = _commits(repo)

    async def alone() -> bool:
        await run(_add_pod(repo, "pod-alone"))
        return "pod-alone" in _pods_on_disk(repo)

    assert asyncio.run(alone())
    assert len(commits) == 1


def test_a_request_that_fails_is_undone_alone_and_told(repo: SqlRepository) -> None:
    run = DatabaseWork(repo)
    commits = _commits(repo)

    def refuse() -> None:
        raise ApiError(403, "forbidden", "Not in your caseload.")

    async def burst() -> list[Any]:
        works = [_add_pod(repo, f"pod-{i}", refuse if i == 2 else lambda: None)
                 for i in range(5)]
        return await asyncio.gather(*(run(w) for w in works), return_exceptions=True)

    answers = asyncio.run(burst())
    assert isinstance(answers[2], ApiError) and answers[2].status == 403
    assert [a for i, a in enumerate(answers) if i != 2] == ["pod-0", "pod-1", "pod-3", "pod-4"]
    assert _pods_on_disk(repo) == {"pod-0", "pod-1", "pod-3", "pod-4"}
    assert len(commits) == 1


def test_a_failed_commit_fails_every_request_of_its_group_and_the_next_group_goes_on(
        repo: SqlRepository) -> None:
    run = DatabaseWork(repo)
    failures = [1]

    def fail_once(_conn: Any) -> None:
        if failures:
            failures.pop()
            raise OSError("disk I/O error (a test's failing disk)")

    event.listen(repo.engine, "commit", fail_once)

    async def burst(first: int) -> list[Any]:
        return await asyncio.gather(*(run(_add_pod(repo, f"pod-{i}"))
                                      for i in range(first, first + 4)),
                                    return_exceptions=True)

    answers = asyncio.run(burst(0))
    assert all(isinstance(a, ApiError) and a.status == 503 and a.message == NOT_SAVED
               and a.headers.get("Retry-After") for a in answers), answers
    assert _pods_on_disk(repo) == set()
    assert asyncio.run(burst(10)) == ["pod-10", "pod-11", "pod-12", "pod-13"]
    assert _pods_on_disk(repo) == {"pod-10", "pod-11", "pod-12", "pod-13"}


def test_a_transaction_the_database_rolled_back_itself_is_not_reported_saved(
        repo: SqlRepository) -> None:
    """SQLite rolls a whole transaction back by itself on a full disk or an I/O error; the
    driver's commit afterwards succeeds with nothing to commit. The requests that wrote in it
    before must not be told their work is saved."""
    run = DatabaseWork(repo)

    def database_gives_up() -> None:
        group = repo._local.conn                 # the group's connection: roll back, as SQLite
        group.connection.dbapi_connection.execute("ROLLBACK")

    async def burst() -> list[Any]:
        works = [_add_pod(repo, "pod-0"), _add_pod(repo, "pod-1", database_gives_up)]
        return await asyncio.gather(*(run(w) for w in works), return_exceptions=True)

    answers = asyncio.run(burst())
    assert all(isinstance(a, ApiError) and a.status == 503 for a in answers), answers
    assert _pods_on_disk(repo) == set()


def test_postgresql_work_runs_on_a_few_threads_at_once_not_one_and_not_forty(
        postgres_url: str) -> None:
    """On PostgreSQL there is no group: each request's work is its own transaction on one of
    `DATABASE_THREADS` threads, several at once (pods commit in parallel), never more (with
    forty taking turns on the GIL a sync cost about a tenth more CPU)."""
    migrate(postgres_url)
    repo = open_repository(postgres_url)
    assert isinstance(repo, SqlRepository) and not repo.one_at_a_time
    run = DatabaseWork(repo)
    counting = threading.Lock()
    at_once = [0, 0]                            # now, most

    def work(pod_id: str) -> str:
        with counting:
            at_once[0] += 1
            at_once[1] = max(at_once[1], at_once[0])
        try:
            with repo.transaction(lock=False):
                repo.add_pod(pod_id, f"{pod_id} (fictional)", AT)
                time.sleep(0.02)                # a request's wait on the database
        finally:
            with counting:
                at_once[0] -= 1
        return pod_id

    async def burst() -> list[str]:
        return await asyncio.gather(*(run(functools.partial(work, f"pod-{i}"))
                                      for i in range(3 * DATABASE_THREADS)))

    try:
        assert asyncio.run(burst()) == [f"pod-{i}" for i in range(3 * DATABASE_THREADS)]
        assert all(repo.pod(f"pod-{i}") for i in range(3 * DATABASE_THREADS))
    finally:
        repo.close()
    assert 1 < at_once[1] <= DATABASE_THREADS
