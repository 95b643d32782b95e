"""Statutory visit timeliness and board movement: the practice rules the app rests on."""

from __future__ import annotations

from datetime import date

import pytest

from rbsw_desktop import domain
from rbsw_desktop.domain import BoardItem, CareArrangement, CaseCategory, Zone
from rbsw_desktop.domain.board import Change, Movement, movement, snapshot
from rbsw_desktop.domain.changes import FEW, Changes
from rbsw_desktop.domain.entities import Case, new_id, record_name
from rbsw_desktop.domain.enums import EntityKind, RaisedBy, VisitType
from rbsw_desktop.domain.instants import utc_now
from rbsw_desktop.domain.timeliness import (
    Interval,
    VisitPolicy,
    days_overdue,
    due_date,
    due_words,
    is_working_day,
    next_visit_due,
)

H = VisitPolicy().holidays
D = date.fromisoformat


def test_a_due_date_reads_the_same_way_everywhere() -> None:
    today = D("2026-12-15")                                   # a Tuesday
    assert due_words(D("2026-12-15"), today) == "Due today"
    assert due_words(D("2026-12-16"), today) == "Due tomorrow"
    assert due_words(D("2026-12-17"), today) == "Due Thu 17 Dec"
    assert due_words(D("2027-01-06"), today) == "Due Wed 6 Jan 2027"    # not this year
    assert due_words(D("2026-12-14"), today) == "Overdue by 1 day"
    assert due_words(D("2026-11-27"), today) == "Overdue by 18 days"
    assert due_words(None, today) == "Not set"


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


def test_a_visit_on_a_weekend_or_bank_holiday_counts_from_the_next_working_day() -> None:
    assert not is_working_day(D("2026-12-25"), H) and not is_working_day(D("2026-11-07"), H)
    assert is_working_day(D("2026-11-06"), H)
    # Saturday 7 Nov 2026: Monday 9 Nov is day 1 of 10, so Friday 20 Nov is the last day.
    assert due_date(D("2026-11-07"), Interval(10, working_days=True), H) == D("2026-11-20")


@pytest.mark.parametrize(("arrangement", "started", "last", "first_review", "expected"), [
    # A visit on the day of the first review is after it: 6-weekly from then (reg 19).
    (CareArrangement.PARENT_BEFORE_ASSESSMENT, "2026-01-05", "2026-02-01", "2026-02-01",
     "2026-03-14"),
    # A care order at home: 6-weekly, whatever the review.
    (CareArrangement.CARE_ORDER_AT_HOME, "2026-01-05", "2026-01-10", "2026-02-01",
     "2026-02-20"),
    # Placed until 18, still in the first year: 6-weekly; from the anniversary on, 13 weeks.
    (CareArrangement.PLACEMENT_TO_18, "2026-01-05", "2026-06-01", None, "2026-07-12"),
    (CareArrangement.PLACEMENT_TO_18, "2026-01-05", "2027-01-05", None, "2027-04-05"),
    (CareArrangement.PLACEMENT_TO_18, None, "2027-01-05", None, "2027-02-15"),
    # Placed on 29 February: the first year ends on 28 February.
    (CareArrangement.PLACEMENT_TO_18, "2028-02-29", "2029-02-27", None, "2029-04-09"),
    (CareArrangement.PLACEMENT_TO_18, "2028-02-29", "2029-02-28", None, "2029-05-29"),
])
def test_reg_28_edges(arrangement, started, last, first_review, expected) -> None:
    due = next_visit_due(CaseCategory.CHILD_IN_CARE, arrangement, last_visit=D(last),
                         started_on=D(started) if started else None,
                         first_review_on=D(first_review) if first_review else None)
    assert due == D(expected)


def test_intervals_are_described_in_plain_words() -> None:
    assert Interval(10, working_days=True).describe() == "every 10 working days"
    assert Interval(7).describe() == "every week"
    assert Interval(42).describe() == "every 6 weeks"
    assert Interval(10).describe() == "every 10 days"


def test_movement_keeps_each_items_words_and_whether_the_family_may_see_it() -> None:
    before = [row("up", Zone.RED), row("down", Zone.AMBER), row("shared", Zone.GREEN),
              {"board_item_id": "gone", "zone": "amber", "text": "Dad's drinking"}]
    after = [row("up", Zone.AMBER), {"board_item_id": "down", "zone": "red", "text": "down"}]
    moves = {m.board_item_id: m for m in movement(before, after)}
    assert moves["up"] == Movement("up", "up", Change.BETTER, Zone.RED, Zone.AMBER, True)
    assert moves["down"] == Movement("down", "down", Change.WORSE, Zone.AMBER, Zone.RED, False)
    assert moves["gone"] == Movement("gone", "Dad's drinking", Change.GONE, Zone.AMBER, None,
                                     False)
    assert moves["shared"] == Movement("shared", "shared", Change.GONE, Zone.GREEN, None, True)
    assert moves["gone"].describe() == "This is no longer on the board."
    assert moves["down"].describe() == "This was a worry for the future, now it is a big worry."
    same = Movement("s", "s", Change.SAME, Zone.GREEN, Zone.GREEN, True)
    assert same.describe() == "This is still a strength."


def test_a_review_snapshot_holds_the_board_in_order_without_deleted_items() -> None:
    items = [BoardItem(id="g2", case_id="c", zone=Zone.GREEN, text="Nan visits", position=2),
             BoardItem(id="r", case_id="c", zone=Zone.RED, text="No heating", shareable=False,
                       raised_by=RaisedBy.PROFESSIONAL),
             BoardItem(id="g1", case_id="c", zone=Zone.GREEN, text="School", position=1),
             BoardItem(id="x", case_id="c", zone=Zone.AMBER, text="Old", deleted=True)]
    assert snapshot(items) == [
        {"board_item_id": "r", "zone": "red", "text": "No heating", "shareable": False,
         "raised_by": "professional"},
        {"board_item_id": "g1", "zone": "green", "text": "School", "shareable": True,
         "raised_by": "family"},
        {"board_item_id": "g2", "zone": "green", "text": "Nan visits", "shareable": True,
         "raised_by": "family"},
    ]


def test_records_are_named_in_words_and_get_fresh_ids() -> None:
    assert record_name("visit") == "Visit note"
    assert record_name("care_plan") == "Care plan"      # a kind this laptop does not know yet
    ids = {new_id() for _ in range(3)}
    assert len(ids) == 3 and all(len(i) == 36 and i[14] == "4" for i in ids)


def test_a_reworded_item_keeps_the_family_words_it_was_given_at_the_review() -> None:
    after = [{**row("a", Zone.GREEN), "family_text": "Nan takes you to school"}]
    (move,) = movement([row("a", Zone.AMBER)], after)
    assert move.family_text == "Nan takes you to school"
    assert move.for_family == "Nan takes you to school" and move.text == "a"


def test_changes_say_which_records_each_view_refreshes() -> None:
    """A write names what it wrote; a view reads back only those, or its whole list once more
    than FEW of its kinds changed (a big sync)."""
    board = Changes.of(EntityKind.BOARD_ITEM, "b1", "b2")
    visit = Changes.of(EntityKind.VISIT, "v1")
    both = board | visit
    assert both == Changes.union([board, visit])
    assert Changes.union([]) == Changes() and not Changes() and both
    assert both.kinds == {EntityKind.BOARD_ITEM, EntityKind.VISIT}
    assert both.touches(EntityKind.REVIEW, EntityKind.VISIT)
    assert not board.touches(EntityKind.VISIT, EntityKind.REVIEW)
    assert both.ids(EntityKind.BOARD_ITEM) == {"b1", "b2"}
    assert both.ids(EntityKind.BOARD_ITEM, EntityKind.VISIT) == {"b1", "b2", "v1"}
    assert both.ids_if_few(EntityKind.VISIT) == {"v1"}
    few = Changes.of(EntityKind.VISIT, *map(str, range(FEW)))
    assert few.ids_if_few(EntityKind.VISIT) == set(map(str, range(FEW)))
    assert (few | Changes.of(EntityKind.VISIT, "one more")).ids_if_few(EntityKind.VISIT) is None


def test_the_domain_loads_each_name_from_its_module_when_first_used(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The lock screen imports the package without the entities (PEP 562): each name still
    comes from its own module, once, and a wrong name is an AttributeError naming it."""
    for name, home in (("Case", Case), ("VisitType", VisitType), ("utc_now", utc_now)):
        monkeypatch.delitem(vars(domain), name, raising=False)
        assert getattr(domain, name) is home
        assert vars(domain)[name] is home                   # kept: the next use is a lookup
    with pytest.raises(AttributeError, match="'rbsw_desktop.domain' has no attribute 'Casse'"):
        domain.Casse  # noqa: B018
