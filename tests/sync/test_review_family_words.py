"""The words a worker chose for the family's copy at a review travel with the review: the
pod manager's laptop prints them, and the council holds the original words beside them."""

from __future__ import annotations

from typing import Any

from rbsw_desktop.domain import Zone
from rbsw_desktop.export.family_summary import plan_summary
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    manager_laptop_fixture,
    pod_fixture,
    worker_laptop_fixture,
)

RISK = "When Dad drinks he shouts and throws things (fictional)"
FOR_FAMILY = "Dad has stopped drinking and home is calm (fictional)"


def test_the_family_wording_of_a_review_syncs(gateway: Any, pod: Pod, worker_laptop: Laptop,
                                              manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok                   # the case arrives
    store = worker_laptop.store
    item = store.board.add(pod.case, Zone.RED, RISK)
    store.board.start_review(pod.case)
    store.board.move(item.id, Zone.GREEN)
    review = store.board.start_review(pod.case, family_words={item.id: FOR_FAMILY})
    pushed = worker_laptop.sync()
    assert pushed.ok, pushed.as_json()
    [held] = [r for r in gateway.records(pod=pod.id) if r["id"] == review.id]
    [row] = held["fields"]["snapshot"]
    assert (row["text"], row["family_text"]) == (RISK, FOR_FAMILY)
    assert manager_laptop.sync().ok
    plan = plan_summary(manager_laptop.store, pod.case)
    assert plan.zones[Zone.GREEN] == [FOR_FAMILY]
    assert [(m.text, m.for_family) for m in plan.changes] == [(RISK, FOR_FAMILY)]
