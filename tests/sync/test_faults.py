"""Fault tests: a laptop syncs through a TCP proxy that cuts requests and responses part-way,
stalls and throttles; the gateway answers 500/503/429; a laptop process is killed (SIGKILL) at
random points of a sync. 58 trials. Afterwards every record saved on a laptop is on the gateway
exactly once, and every change the council made is on the laptop: nothing lost, nothing
duplicated. Every loop is bounded in count and time."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from rbsw_desktop.domain import Zone
from rbsw_desktop.domain.entities import BoardItem
from rbsw_desktop.store.sync_state import OutboxCounts
from tests.sync.faultproxy import FaultProxy, random_faults
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    all_records,
    manager_laptop_fixture,
    pod_fixture,
    saved_here,
    worker_laptop_fixture,
)

pytestmark = pytest.mark.timeout(240)

ROOT = Path(__file__).resolve().parents[2]


def _add(laptop: Laptop, case_id: str, rng: random.Random, tag: str) -> list[str]:
    store = laptop.store
    ids = [store.board.add(case_id, rng.choice(list(Zone)), f"{tag} {i} (fictional)").id
           for i in range(rng.randint(1, 12))]
    mine = [i for i in store.board.items(case_id) if i.updated_by == store.actor]
    for item in rng.sample(mine, min(len(mine), rng.randint(0, 3))):   # and edit some
        item.text += " - updated"
        store.board.update(item)
    return ids


def _settle(laptop: Laptop) -> Any:
    report = None
    for _ in range(3):
        report = laptop.sync()
        if report.ok:
            return report
    raise AssertionError(report.as_json() if report else "no sync")


#: Local audit actions that write a change to the outbox (one op each).
WRITE_ACTIONS = {"save", "create", "update", "delete", "finalise", "amend", "resolve-mine",
                 "resolve-merge"}


def _ops_made(store: Any) -> dict[str, int]:
    """{record id: how many changes the laptop made to it} (its audit log)."""
    marks = ", ".join("?" for _ in WRITE_ACTIONS)
    return {rid: int(n) for rid, n in store.db.execute(
        f"SELECT record_id, count(*) FROM audit WHERE action IN ({marks}) "  # noqa: S608
        "GROUP BY record_id", sorted(WRITE_ACTIONS))}


def _ops_applied(gateway: Any) -> dict[str, int]:
    """{record id: how many distinct ops the gateway applied to it} (its idempotency table)."""
    return {rid: int(n) for rid, n in gateway.sql(
        "SELECT record_id, count(*) FROM applied_ops GROUP BY record_id")}


def assert_nothing_lost_nothing_duplicated(gateway: Any, pod: Pod, laptops: list[Laptop],
                                           council_ids: set[str]) -> None:
    on_gateway: dict[str, list[dict]] = {}
    for rec in gateway.records(pod=pod.id):
        on_gateway.setdefault(rec["id"], []).append(rec)
    dupes = {rid: len(recs) for rid, recs in on_gateway.items() if len(recs) != 1}
    assert not dupes, f"records on the gateway more than once: {dupes}"
    applied = _ops_applied(gateway)
    made: dict[str, int] = {}                 # changes made, summed over every laptop
    for laptop in laptops:
        for rid, n in _ops_made(laptop.store).items():
            made[rid] = made.get(rid, 0) + n
    for laptop in laptops:
        store = laptop.store
        assert store.outbox.counts() == OutboxCounts()
        assert store.outbox.open_conflict_count() == 0
        here = saved_here(store)
        missing = [rid for rid in here if rid not in on_gateway]
        assert not missing, f"{len(missing)} records saved on a laptop never reached the gateway"
        for rid, (_entity, rev) in here.items():
            assert on_gateway[rid][0]["rev"] == rev
        # Each change made here was applied exactly once: the gateway applied as many distinct
        # ops to the record as the laptop made, and its revision moved once per op (an op
        # applied twice, or one lost, would break one of these).
        wrong = {rid: (made.get(rid, 0), applied.get(rid, 0), rev)
                 for rid, (_entity, rev) in here.items()
                 if not made.get(rid, 0) == applied.get(rid, 0) == rev}
        assert not wrong, f"changes applied other than once (made, applied, rev): {wrong}"
        everything = all_records(store)
        not_pulled = [rid for rid in council_ids if rid not in everything]
        assert not not_pulled, f"{len(not_pulled)} changes from the council never arrived"
        for item in store.records.find(BoardItem, "1 = 1"):
            rec = on_gateway[item.id][0]
            if "fields" in rec:
                assert rec["fields"]["text"] == item.text


def test_network_faults_and_busy_answers_lose_and_duplicate_nothing(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    rng = random.Random(20261124)
    _settle(worker_laptop)
    _settle(manager_laptop)
    council: set[str] = set()
    deadline = time.monotonic() + 120
    with FaultProxy(gateway.port, random_faults(7, clean_every=4), stall_seconds=1.5,
                    lifetime=150) as proxy:
        for trial in range(30):                              # 30 trials through the proxy
            assert time.monotonic() < deadline, f"fault trials too slow (trial {trial})"
            _add(worker_laptop, pod.case, rng, f"Worker item {trial}")
            if trial % 3 == 0:
                council.update(_add(manager_laptop, pod.case, rng, f"Office item {trial}"))
                _settle(manager_laptop)
            worker_laptop.sync(proxy.url, timeout=0.8, max_attempts=2,
                               batch_ops=rng.choice([4, 40, 500]),
                               pull_limit=rng.choice([3, 50, 1000]))
    assert {"cut_request", "cut_response", "stall", "throttle"} <= set(proxy.seen)
    for trial in range(8):                                   # 8 trials of 500/503/429
        status = (500, 503, 429)[trial % 3]
        gateway.fail_next(status, count=rng.randint(1, 3), retry_after=0)
        _add(worker_laptop, pod.case, rng, f"Busy item {trial}")
        worker_laptop.sync(max_attempts=2, batch_ops=rng.choice([5, 500]))
    _settle(worker_laptop)
    _settle(manager_laptop)
    assert_nothing_lost_nothing_duplicated(gateway, pod, [worker_laptop, manager_laptop],
                                           council)


def test_a_laptop_killed_mid_sync_loses_and_duplicates_nothing(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    rng = random.Random(424242)
    _settle(worker_laptop)
    _settle(manager_laptop)
    council: set[str] = set()
    data_dir = worker_laptop.store.data_dir
    kills = mid_sync = 0
    for trial in range(20):                                  # 20 SIGKILL trials
        if trial % 4 == 0:
            council.update(_add(manager_laptop, pod.case, rng, f"Office item {trial}"))
            _settle(manager_laptop)
        worker_laptop.store.lock()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.sync_child", str(data_dir), gateway.url,
             worker_laptop.token, pod.case, str(trial)], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # The kill comes at a random moment after its first sync began: a child still opening
        # its store (slow on a busy machine) is not what this test kills.
        guard = threading.Timer(60, proc.kill)           # a child that never syncs
        guard.start()
        assert proc.stdout is not None
        first = proc.stdout.readline()
        guard.cancel()
        time.sleep(rng.uniform(0.0, 0.8))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        out, err = proc.communicate(timeout=30)
        assert proc.returncode in (0, -signal.SIGKILL), err.decode()[-2000:]
        assert first.startswith(b"sync 0"), err.decode()[-2000:]
        marks = (first + out).decode().split()
        if proc.returncode == -signal.SIGKILL and marks[-2:-1] == ["sync"]:
            mid_sync += 1                    # killed after `sync N`, before `synced N`
        worker_laptop.reopen()
        assert worker_laptop.store.verify() == []            # the store survived the kill
    assert kills >= 15
    assert mid_sync >= 5, f"only {mid_sync} of {kills} kills landed during a sync"
    _settle(worker_laptop)
    _settle(manager_laptop)
    assert_nothing_lost_nothing_duplicated(gateway, pod, [worker_laptop, manager_laptop],
                                           council)
