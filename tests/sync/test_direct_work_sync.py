"""An ecomap made on one laptop reaches a pod colleague's laptop unchanged, through the real
gateway process (on SQLite and on PostgreSQL)."""

from __future__ import annotations

from typing import Any

from rbsw_desktop.domain import DirectWorkActivity, DirectWorkTool
from rbsw_desktop.domain.enums import SyncState
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    manager_laptop_fixture,
    pod_fixture,
    worker_laptop_fixture,
)

ECOMAP = {"ecomap": {
    "people": [{"id": "nan", "name": "Nan Fictional ❤", "kind": "family", "relationship": "Nan"},
               {"id": "school", "name": "Example Primary", "kind": "school",
                "relationship": "Teacher", "x": -212.5, "y": 140.0},
               {"id": "gp", "name": "Dr Example", "kind": "health", "relationship": ""}],
    "links": [{"person_id": "nan", "strength": "strong", "support": "to_child"},
              {"person_id": "school", "strength": "stressful", "support": "both"},
              {"person_id": "gp", "strength": "weak", "support": "from_child"}]}}


def test_an_ecomap_reaches_a_pod_colleagues_laptop_unchanged(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    made = worker_laptop.store.direct_work.add(pod.case, DirectWorkTool.ECOMAP,
                                               title="Who is around Ada", content=ECOMAP)
    report = worker_laptop.sync()
    assert report.ok and report.pushed >= 1, report.as_json()
    assert worker_laptop.store.records.get(DirectWorkActivity, made.id).sync_state is \
        SyncState.SYNCED

    assert manager_laptop.sync().ok
    seen = manager_laptop.store.records.get(DirectWorkActivity, made.id)
    assert seen.content == ECOMAP
    assert (seen.tool, seen.title, seen.case_id) == (DirectWorkTool.ECOMAP, "Who is around Ada",
                                                     pod.case)
    # The colleague's laptop finds it by a name on the map, and its timeline says what it is.
    assert [h.record_id for h in manager_laptop.store.search.find("Example Primary")] == \
        [made.id]
    assert any(e.title == "Direct work: Ecomap: 3 people: Who is around Ada"
               for e in manager_laptop.store.cases.timeline(pod.case))
