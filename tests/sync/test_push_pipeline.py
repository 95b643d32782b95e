"""A push in many batches, one on its way while the answer to the one before is recorded: how
it ends, what each request says waits here, and a failure on its second batch. Against the real
gateway process on 127.0.0.1, with a real store."""

from __future__ import annotations

import threading
import time
from typing import Any

from rbsw_desktop.domain import Zone
from rbsw_desktop.domain.entities import BoardItem
from rbsw_desktop.domain.enums import SyncState
from rbsw_desktop.protocol import UNSENT_HEADER
from rbsw_desktop.protocol.models import PushAnswer, PushRequest
from rbsw_desktop.sync.engine import SyncEngine
from rbsw_desktop.sync.transport import HttpTransport, Response, Waiting
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    pod_fixture,
    worker_laptop_fixture,
)

BATCH = 3


def _items(laptop: Laptop, pod: Pod, n: int) -> list[BoardItem]:
    """n board items saved here: one change each, so a batch of BATCH is BATCH records."""
    items = [BoardItem(case_id=pod.case, zone=Zone.AMBER, text=f"Worry {i} (fictional)")
             for i in range(n)]
    laptop.store.records.save_many(items)
    return items


def _pushed_on_gateway(gateway: Any) -> int:
    """Changes the gateway applied from pushes (each op it answered, counted once)."""
    (row,) = gateway.sql("SELECT coalesce(sum(count), 0) FROM audit "
                         "WHERE action = 'POST /sync/push'")
    return int(row[0])


def test_a_sync_stopped_while_a_batch_is_on_its_way_records_that_batchs_answer(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    # The worker presses Stop as the first batch's answer is recorded; the second is on its
    # way then. Its answer is recorded before the sync ends: the laptop knows the council has
    # those changes now, not one sync later.
    assert worker_laptop.sync().ok
    _items(worker_laptop, pod, 4 * BATCH)
    engine = worker_laptop.engine(batch_ops=BATCH)
    stop = threading.Event()
    here = threading.current_thread()

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "push":
            stop.set()
    # Stop is seen by the sync's own thread (the helper sending the batch on its way finishes).
    report = engine.sync_once(lambda: stop.is_set() and threading.current_thread() is here,
                              progress)
    assert report.errors and "stopped" in report.errors[0]
    assert report.pushed == _pushed_on_gateway(gateway) == 2 * BATCH, report.as_json()
    assert worker_laptop.store.outbox.pending_count() == 2 * BATCH
    rest = worker_laptop.sync(batch_ops=BATCH)
    assert rest.ok and rest.pushed == 2 * BATCH, rest.as_json()
    assert _pushed_on_gateway(gateway) == 4 * BATCH


def test_the_last_batchs_answers_are_counted_when_saves_keep_coming(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    # Saves made while the push runs keep its outbox from emptying, so it stops after as many
    # rounds as there were changes at its start; the batch then on its way is counted too.
    assert worker_laptop.sync().ok
    _items(worker_laptop, pod, 2)
    done: list[int] = []

    def progress(stage: str, n: int, total: int) -> None:
        if stage == "push":
            done.append(n)
            _items(worker_laptop, pod, 1)
    report = worker_laptop.engine(batch_ops=1).sync_once(progress=progress)
    assert report.pushed == _pushed_on_gateway(gateway)
    assert done[-1] == report.pushed, (done, report.as_json())


class _SlowToSend(HttpTransport):
    """The real transport, slow to start a push (a busy helper thread), keeping the
    `X-Unsent-Records` each push request went with."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unsent: list[str] = []

    def push(self, request: PushRequest, *, waiting: Waiting | None = None) -> PushAnswer:
        time.sleep(0.2)
        return super().push(request, waiting=waiting)

    def _send(self, method: str, url: str, payload: bytes | None,
              headers: dict[str, str]) -> Response:
        if url.endswith("/sync/push"):
            self.unsent.append(headers[UNSENT_HEADER])
        return super()._send(method, url, payload, headers)


def test_each_push_says_what_waited_here_when_its_batch_went(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    # A batch goes before the answer to the one before it is recorded, so it says what waited
    # then, however long its request takes to build: 9, 9 (the first batch's answer not yet
    # recorded), then 6.
    assert worker_laptop.sync().ok
    _items(worker_laptop, pod, 3 * BATCH)
    transport = _SlowToSend(worker_laptop.enrolment.gateway_url, worker_laptop.token)
    report = SyncEngine(worker_laptop.store, transport, batch_ops=BATCH).sync_once()
    assert report.ok, report.as_json()
    assert transport.unsent == ["9", "9", "6"]


def test_a_push_whose_second_batch_fails_loses_and_duplicates_nothing(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    items = _items(worker_laptop, pod, 4 * BATCH)
    # The first batch is answered; the second is answered 503 every time it is tried.
    gateway.fail_next(503, count=2, retry_after=0, after=1)
    failed = worker_laptop.sync(batch_ops=BATCH, max_attempts=2)
    assert failed.errors and not failed.ok
    assert failed.pushed == _pushed_on_gateway(gateway) == BATCH, failed.as_json()
    assert worker_laptop.store.outbox.pending_count() == 3 * BATCH
    # A busy answer the retry gets past, on the second batch again.
    gateway.fail_next(500, count=1, retry_after=0, after=1)
    rest = worker_laptop.sync(batch_ops=BATCH, max_attempts=2)
    assert rest.ok and rest.pushed == 3 * BATCH, rest.as_json()
    assert _pushed_on_gateway(gateway) == 4 * BATCH
    revisions = gateway.sql("SELECT record_id, count(*), max(rev) FROM record_history "
                            "GROUP BY record_id")
    by_id = {rid: (n, rev) for rid, n, rev in revisions}
    assert all(by_id[item.id] == (1, 1) for item in items)     # each applied once
    for item in items:
        held = worker_laptop.store.records.get(BoardItem, item.id)
        assert held.rev == 1 and held.sync_state is SyncState.SYNCED
