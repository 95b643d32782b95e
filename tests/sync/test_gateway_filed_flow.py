"""Filing flows back: a worker's laptop (real store, real engine) sends a finalised visit,
business support marks it filed with the case-system reference, and the laptop shows it as
filed."""

from __future__ import annotations

from typing import Any

from rbsw_desktop.domain.entities import Visit
from rbsw_desktop.domain.enums import SyncState
from rbsw_desktop.sync.support_client import SupportClient
from tests.sync.gw_world import enrol
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    pod_fixture,
    worker_laptop_fixture,
)


def test_a_record_filed_at_the_office_shows_as_filed_on_the_laptop(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    officer = gateway.worker_add(pod.id, "Bea Business (fictional)", "business_support")
    support = SupportClient(gateway.url, enrol(gateway.url, gateway.enrol_code(officer))["token"])
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    item = store.visits.add(pod.case, observations="Grandma does the school run (fictional)")
    store.visits.finalise(item.id)
    assert worker_laptop.sync().ok
    assert store.records.get(Visit, item.id).sync_state is SyncState.SYNCED

    waiting = support.overview()
    assert item.id in {r["id"] for r in waiting.unfiled}
    answer = support.file_record(item.id, "LCS-004242")
    assert answer["filed"] is True
    assert item.id not in {r["id"] for r in support.overview().unfiled}

    assert worker_laptop.sync().ok
    filed = store.records.get(Visit, item.id)
    assert filed.sync_state is SyncState.FILED and filed.rev == answer["rev"]
    assert filed.observations == "Grandma does the school run (fictional)"
