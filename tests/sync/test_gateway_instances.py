"""The council side under a council's load and failures: two gateway instances on one
PostgreSQL behind a round-robin balancer that cuts connections, five laptops syncing at once,
one instance SIGKILLed and restarted mid-load; and a gateway SIGKILLed mid-push on each backend.
Afterwards nothing a laptop was told "applied" is missing, nothing is there twice, and a
pod-wide colleague's laptop holds every record of the pod."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.sync.balancer import Balancer
from tests.sync.conftest import GatewayProcess
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    all_records,
    new_laptop,
    pod_fixture,
    saved_here,
    worker_laptop_fixture,
)
from tests.sync.test_faults import _add, _settle, assert_nothing_lost_nothing_duplicated

pytestmark = pytest.mark.timeout(300)

LAPTOPS = 5


def _pod(gw: GatewayProcess, workers: int) -> tuple[str, list[tuple[str, str]], str]:
    pod_id = gw.pod_add("Load Test Pod (fictional)")
    people = []
    for i in range(workers):
        worker = gw.worker_add(pod_id, f"Worker {i} Testperson (fictional)", "social_worker")
        people.append((worker, gw.case_add(worker, f"Child {i} Fictional")))
    manager = gw.worker_add(pod_id, "Pat Podmanager (fictional)", "pod_manager")
    return pod_id, people, manager


def test_two_instances_behind_a_cutting_balancer_lose_and_duplicate_nothing(
        tmp_path: Path, postgres_cluster: Any) -> None:
    url = postgres_cluster.create_database()
    one = GatewayProcess(tmp_path / "gw-one", url)
    two = GatewayProcess(tmp_path / "gw-two", url)
    one.start()
    two.start()
    try:
        pod_id, people, manager = _pod(one, LAPTOPS)
        with Balancer([one.port, two.port], cut_probability=0.15, seed=99,
                      lifetime=240) as lb:
            laptops = [new_laptop(tmp_path / f"laptop-{i}", lb.url, one.enrol_code(w),
                                  f"laptop-{i}") for i, (w, _case) in enumerate(people)]
            for laptop in laptops:                   # each has its case before the load
                _settle_at(laptop, one.url)
                laptop.store.lock()                  # each opens its store on its own thread
            failures: list[BaseException] = []

            def work(i: int, laptop: Laptop, case_id: str) -> None:
                rng = random.Random(i)
                try:
                    laptop.reopen()
                    for trial in range(8):
                        _add(laptop, case_id, rng, f"Laptop {i} item {trial}")
                        laptop.sync(lb.url, timeout=2.0, max_attempts=3,
                                    batch_ops=rng.choice([5, 50, 500]),
                                    pull_limit=rng.choice([7, 100, 1000]))
                except BaseException as exc:  # noqa: BLE001 (reported below)
                    failures.append(exc)
                finally:
                    laptop.store.lock()

            threads = [threading.Thread(target=work, args=(i, lp, people[i][1]), daemon=True)
                       for i, lp in enumerate(laptops)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            two.kill()                               # mid-load, as a crash would
            lb.mark_down(two.port)
            time.sleep(1.0)
            two.start()                              # the same port again
            lb.mark_up(two.port)
            for t in threads:
                t.join(timeout=200)
            assert not failures, failures
            assert lb.cuts > 0 and len(set(p for p in lb.routed if p)) == 2
        for laptop in laptops:
            laptop.reopen()                          # back on this thread
            _settle_at(laptop, one.url)
        colleague = new_laptop(tmp_path / "manager", one.url, one.enrol_code(manager),
                               "manager-laptop")
        _settle_at(colleague, one.url)
        pod = Pod(pod_id, people[0][0], manager, people[0][1])
        assert_nothing_lost_nothing_duplicated(one, pod, laptops, set())
        held = all_records(colleague.store)
        for laptop in laptops:
            missing = set(saved_here(laptop.store)) - set(held)
            assert not missing, f"the pod manager's laptop lacks {len(missing)} records"
        on_gateway = {r["id"] for r in one.records(pod=pod_id)}
        assert on_gateway <= set(held)
    finally:
        one.stop()
        two.stop()
        postgres_cluster.drop_database(url)


def _settle_at(laptop: Laptop, url: str) -> None:
    for _ in range(4):
        if laptop.sync(url).ok:
            return
    raise AssertionError(laptop.sync(url).as_json())


def test_a_gateway_killed_mid_push_keeps_every_applied_op(gateway: Any, pod: Pod,
                                                          worker_laptop: Laptop) -> None:
    rng = random.Random(5)
    _settle(worker_laptop)
    for trial in range(6):                                   # 6 SIGKILL trials
        for _ in range(4):
            _add(worker_laptop, pod.case, rng, f"Kill trial {trial}")
        killer = threading.Timer(rng.uniform(0.05, 0.4), gateway.kill)
        killer.start()
        worker_laptop.sync(timeout=2.0, max_attempts=1, batch_ops=rng.choice([3, 10]))
        killer.join()
        told_applied = {rid: rev for rid, (_e, rev) in saved_here(worker_laptop.store).items()
                        if rev is not None}
        gateway.start()
        on_gateway = {r["id"]: r["rev"] for r in gateway.records(pod=pod.id)}
        lost = {rid for rid, rev in told_applied.items() if on_gateway.get(rid, 0) < rev}
        assert not lost, f"trial {trial}: {len(lost)} applied changes lost by the kill"
    _settle(worker_laptop)
    assert_nothing_lost_nothing_duplicated(gateway, pod, [worker_laptop], set())
