"""Moments the store writes for a person are the person's local times, stored in UTC."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rbsw_desktop.domain import Visit
from rbsw_desktop.domain.instants import local_text
from rbsw_desktop.store.demo import create_demo_store
from tests.conftest import FAST_KDF


@pytest.mark.parametrize(("zone", "today"), [("Europe/London", date(2026, 7, 1)),
                                             ("Europe/London", date(2026, 12, 1)),
                                             ("Pacific/Auckland", date(2026, 7, 1))])
def test_demo_visits_are_at_half_past_ten_on_the_laptops_clock(
        tmp_path: Path, local_zone, zone: str, today: date) -> None:  # noqa: ANN001
    local_zone(zone)
    store = create_demo_store(tmp_path / "demo", kdf=FAST_KDF, today=today)
    try:
        visits = store.records.find(Visit)
        assert visits
        assert {local_text(v.visited_at)[-5:] for v in visits} == {"10:30"}
        assert all(v.visited_at.endswith(":00.000Z") for v in visits)
    finally:
        store.lock()
