"""The family's board in the store: items added at the end of their zone, dropped at a row (the
others move down, renumbered), moved and edited with every move between zones kept, and
reviews that snapshot it with the family's own words."""

from __future__ import annotations

from datetime import date

import pytest

from rbsw_desktop.domain import BoardItem, Case, Zone
from rbsw_desktop.domain.enums import RaisedBy, WithheldReason
from rbsw_desktop.errors import InvalidInput, NotFound
from rbsw_desktop.store import Store


def zone(store: Store, case: Case, which: Zone) -> list[tuple[str, int]]:
    return [(i.text, i.position) for i in store.board.items(case.id) if i.zone is which]


def moves(store: Store, item: BoardItem) -> list[tuple[Zone | None, Zone]]:
    return [(m.from_zone, m.to_zone) for m in store.board.history(item.id)]


def test_an_item_is_added_at_the_end_of_its_zone_as_the_family_said_it(
        store: Store, case: Case) -> None:
    a = store.board.add(case.id, Zone.RED, "  A (fictional)  ")
    store.board.add(case.id, Zone.GREEN, "G (fictional)")
    b = store.board.add(case.id, Zone.RED, "B (fictional)")
    assert zone(store, case, Zone.RED) == [("A (fictional)", 0), ("B (fictional)", 1)]
    assert zone(store, case, Zone.GREEN) == [("G (fictional)", 0)]
    held = store.records.get(BoardItem, a.id)
    assert (held.raised_by, held.shareable, held.withheld_reason, held.worker_note) == (
        RaisedBy.FAMILY, True, None, "")
    assert moves(store, a) == [(None, Zone.RED)]
    store.records.delete(store.records.get(BoardItem, b.id))
    assert store.board.add(case.id, Zone.RED, "C (fictional)").position == 1
    for words in ("", "   "):
        with pytest.raises(InvalidInput, match="^A board item needs some words.$"):
            store.board.add(case.id, Zone.RED, words)
    with pytest.raises(NotFound):
        store.board.add("no such case", Zone.RED, "Lost (fictional)")


def test_an_item_kept_from_the_family_says_why(store: Store, case: Case) -> None:
    hidden = store.board.add(case.id, Zone.AMBER, "Hidden (fictional)", shareable=False,
                             raised_by=RaisedBy.PROFESSIONAL, worker_note="Note (fictional)")
    third = store.board.add(case.id, Zone.AMBER, "Third party (fictional)", shareable=False,
                            withheld_reason=WithheldReason.THIRD_PARTY)
    held = store.records.get(BoardItem, hidden.id)
    assert (held.raised_by, held.shareable, held.withheld_reason, held.worker_note) == (
        RaisedBy.PROFESSIONAL, False, WithheldReason.PROFESSIONALS_ONLY, "Note (fictional)")
    assert store.records.get(BoardItem, third.id).withheld_reason is WithheldReason.THIRD_PARTY


def test_an_item_dropped_at_a_row_takes_it_and_the_others_move_down(
        store: Store, case: Case) -> None:
    a, b = (store.board.add(case.id, Zone.GREEN, f"{n} (fictional)") for n in "AB")
    x = store.board.add(case.id, Zone.RED, "X (fictional)")
    y = store.board.add(case.id, Zone.RED, "Y (fictional)")
    store.board.move(x.id, Zone.GREEN, 0)
    assert zone(store, case, Zone.GREEN) == [("X (fictional)", 0), ("A (fictional)", 1),
                                             ("B (fictional)", 2)]
    assert [t for t, _ in zone(store, case, Zone.RED)] == ["Y (fictional)"]
    assert moves(store, x) == [(None, Zone.RED), (Zone.RED, Zone.GREEN)]
    # Down its own zone: the rows below it move up as it leaves; no move between zones.
    store.board.move(x.id, Zone.GREEN, 2)
    assert [t for t, _ in zone(store, case, Zone.GREEN)] == [
        "A (fictional)", "X (fictional)", "B (fictional)"]
    store.board.move(a.id, Zone.GREEN, 99)
    assert zone(store, case, Zone.GREEN) == [("X (fictional)", 0), ("B (fictional)", 1),
                                             ("A (fictional)", 2)]
    store.board.move(b.id, Zone.GREEN, -3)
    assert [t for t, _ in zone(store, case, Zone.GREEN)][0] == "B (fictional)"
    assert moves(store, a) == [(None, Zone.GREEN)]
    store.board.move(y.id, Zone.GREEN)
    assert zone(store, case, Zone.GREEN)[-1] == ("Y (fictional)", 3)
    assert moves(store, y) == [(None, Zone.RED), (Zone.RED, Zone.GREEN)]
    actions = {r[0] for r in store.db.execute(
        "SELECT action FROM audit WHERE record_id = ?", [x.id])}
    assert actions == {"create", "move"}


def test_an_edit_keeps_the_words_and_a_new_zone_in_one_change(store: Store, case: Case) -> None:
    item = store.board.add(case.id, Zone.RED, "Rent (fictional)")
    store.board.add(case.id, Zone.AMBER, "Amber (fictional)")
    item.text = "Rent, plan agreed (fictional)"
    store.board.update(item)
    store.board.update(item, zone=Zone.RED)
    assert moves(store, item) == [(None, Zone.RED)]
    item.text = "Rent paid (fictional)"
    store.board.update(item, zone=Zone.AMBER)
    held = store.records.get(BoardItem, item.id)
    assert (held.text, held.zone, held.position) == ("Rent paid (fictional)", Zone.AMBER, 1)
    assert moves(store, item) == [(None, Zone.RED), (Zone.RED, Zone.AMBER)]
    assert [r[0] for r in store.db.execute(
        "SELECT action FROM audit WHERE record_id = ? ORDER BY seq", [item.id])] == [
        "create", "update", "update", "update"]
    item.text = " "
    with pytest.raises(InvalidInput, match="^A board item needs some words.$"):
        store.board.update(item)


def test_a_review_keeps_the_board_the_familys_words_and_the_next_date(
        store: Store, case: Case) -> None:
    red = store.board.add(case.id, Zone.RED, "Shouting (fictional)")
    green = store.board.add(case.id, Zone.GREEN, "Nana helps (fictional)")
    first = store.board.start_review(case.id, held_on=date(2026, 11, 1), notes="N (fictional)",
                                     family_words={red.id: "  Loud evenings  ", green.id: " "})
    assert [(r["board_item_id"], r.get("family_text")) for r in first.snapshot] == [
        (red.id, "Loud evenings"), (green.id, None)]
    assert (first.held_on, first.notes, first.next_review_on) == ("2026-11-01",
                                                                  "N (fictional)", None)
    assert store.cases.get(case.id).next_review_on is None
    assert [m.to_zone for m in store.board.movement(first.id)] == [Zone.RED, Zone.GREEN]
    store.board.move(red.id, Zone.AMBER)
    assert [(m.board_item_id, m.from_zone, m.to_zone) for m in store.board.movement_now(case.id)
            if m.from_zone is not m.to_zone] == [(red.id, Zone.RED, Zone.AMBER)]
    second = store.board.start_review(case.id, next_review_on=date(2027, 1, 5))
    assert second.held_on == date.today().isoformat()
    assert (second.next_review_on, store.cases.get(case.id).next_review_on) == (
        "2027-01-05", "2027-01-05")
    assert [r.id for r in store.board.reviews(case.id)] == [first.id, second.id]
    [moved] = [m for m in store.board.movement(second.id) if m.from_zone is not m.to_zone]
    assert (moved.board_item_id, moved.from_zone, moved.to_zone) == (red.id, Zone.RED,
                                                                     Zone.AMBER)


def test_a_board_reads_back_the_items_asked_for_removed_ones_too(store: Store,
                                                                 case: Case) -> None:
    kept = store.board.add(case.id, Zone.RED, "Kept (fictional)")
    gone = store.board.add(case.id, Zone.RED, "Gone (fictional)")
    store.records.delete(store.records.get(BoardItem, gone.id))
    store.board.add(case.id, Zone.RED, "Not asked for (fictional)")
    found = store.board.items_with_ids(case.id, {kept.id, gone.id})
    assert sorted((i.text, i.deleted) for i in found) == [("Gone (fictional)", True),
                                                          ("Kept (fictional)", False)]
    assert store.board.items_with_ids("another case", {kept.id}) == []
