"""Statutory visit timeliness and board movement: the practice rules the app rests on."""

from __future__ import annotations

from datetime import date

import pytest

from rbsw_desktop.domain import CareArrangement, CaseCategory, Zone
from rbsw_desktop.domain.board import Change, movement
from rbsw_desktop.domain.timeliness import (
    Interval,
    VisitPolicy,
    days_overdue,
    due_date,
    next_visit_due,
)

H = VisitPolicy().holidays
D = date.fromisoformat


def test_working_days_count_the_visit_day_and_skip_weekends() -> None:
    # Monday 2 Nov 2026 is day 1; 10 working days end on Friday 13 Nov.
    assert due_date(D("2026-11-02"), Interval(10, working_days=True), H) == D("2026-11-13")


def test_working_days_skip_bank_holidays() -> None:
    # Christmas 2026: Fri 25 Dec and Mon 28 Dec (substitute) are bank holidays.
    assert due_date(D("2026-12-21"), Interval(10, working_days=True), H) == D("2027-01-06")


def test_calendar_intervals_count_the_visit_day() -> None:
    assert due_date(D("2026-11-02"), Interval(42), H) == D("2026-12-13")


def test_child_protection_uses_the_council_setting() -> None:
    wirral = VisitPolicy(child_protection=Interval(15, working_days=True))
    assert next_visit_due(CaseCategory.CHILD_PROTECTION, last_visit=D("2026-11-02"),
                          policy=wirral) == D("2026-11-20")
    assert next_visit_due(CaseCategory.CHILD_PROTECTION,
                          last_visit=D("2026-11-02")) == D("2026-11-13")


def test_child_in_need_default_is_20_working_days() -> None:
    assert next_visit_due(CaseCategory.CHILD_IN_NEED, last_visit=D("2026-11-02")) == D("2026-11-27")


@pytest.mark.parametrize(("arrangement", "last", "first_review", "expected"), [
    # Within a week of the placement starting (no visit yet).
    (CareArrangement.PLACEMENT, None, None, "2026-01-11"),
    # First year of a placement: 6-weekly.
    (CareArrangement.PLACEMENT, "2026-03-01", None, "2026-04-11"),
    # After the first year, a placement meant to last until 18: 3-monthly (13 weeks).
    (CareArrangement.PLACEMENT_TO_18, "2027-02-01", None, "2027-05-02"),
    # After the first year, any other placement: still 6-weekly.
    (CareArrangement.PLACEMENT, "2027-02-01", None, "2027-03-14"),
    # Reg 19 placed with a parent: weekly until the first review, then 6-weekly.
    (CareArrangement.PARENT_BEFORE_ASSESSMENT, "2026-01-10", "2026-02-01", "2026-01-16"),
    (CareArrangement.PARENT_BEFORE_ASSESSMENT, "2026-02-10", "2026-02-01", "2026-03-23"),
    # Reg 24 temporary approval: weekly until the first review, then 4-weekly.
    (CareArrangement.CONNECTED_TEMPORARY, "2026-01-10", "2026-02-01", "2026-01-16"),
    (CareArrangement.CONNECTED_TEMPORARY, "2026-02-10", "2026-02-01", "2026-03-09"),
])
def test_children_in_care_follow_reg_28(arrangement, last, first_review, expected) -> None:
    due = next_visit_due(CaseCategory.CHILD_IN_CARE, arrangement,
                         last_visit=D(last) if last else None, started_on=D("2026-01-05"),
                         first_review_on=D(first_review) if first_review else None)
    assert due == D(expected)


def test_overdue_counts_days_after_the_due_date() -> None:
    assert days_overdue(D("2026-11-13"), D("2026-11-13")) == 0
    assert days_overdue(D("2026-11-13"), D("2026-11-16")) == 3
    assert days_overdue(None, D("2026-11-16")) == 0


def row(item_id: str, zone: Zone) -> dict:
    return {"board_item_id": item_id, "zone": zone.value, "text": item_id, "shareable": True}


def test_movement_between_reviews_in_words_a_child_understands() -> None:
    before = [row("a", Zone.RED), row("b", Zone.GREEN), row("c", Zone.AMBER), row("gone", Zone.RED)]
    after = [row("a", Zone.GREEN), row("b", Zone.AMBER), row("c", Zone.AMBER), row("new", Zone.RED)]
    moves = {m.board_item_id: m for m in movement(before, after)}
    assert moves["a"].change is Change.BETTER
    assert moves["a"].describe() == "This was a big worry, now it is a strength."
    assert moves["b"].change is Change.WORSE
    assert moves["c"].change is Change.SAME
    assert moves["new"].change is Change.NEW and moves["new"].describe() == \
        "New: this is a big worry."
    assert moves["gone"].change is Change.GONE


def test_the_first_review_has_only_new_items() -> None:
    assert {m.change for m in movement(None, [row("a", Zone.GREEN)])} == {Change.NEW}
