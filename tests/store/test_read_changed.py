"""What a view reads after a change: just the changed records by id, in one query, and the same
lines the whole read gives for them (a caseload line, a timeline entry); more than `FEW` changed
records and the view is told to read everything."""

from __future__ import annotations

from datetime import date

from rbsw_desktop.domain import Case, Child, DirectWorkTool, Visit, VisitType, Zone
from rbsw_desktop.domain.changes import FEW, Changes
from rbsw_desktop.domain.enums import EntityKind
from rbsw_desktop.store import Store


def test_with_ids_reads_those_records_deleted_ones_too(store: Store, case: Case) -> None:
    kept, gone, other = (store.visits.add(case.id, observations=f"Fictional {n}")
                         for n in range(3))
    store.records.delete(store.records.get(Visit, gone.id))
    found = store.visits.with_ids(case.id, {kept.id, gone.id})
    assert sorted((v.id, v.deleted) for v in found) == sorted([(kept.id, False),
                                                                (gone.id, True)])
    assert other.id not in {v.id for v in found}
    assert store.visits.with_ids("another case", {kept.id}) == []
    assert store.visits.with_ids(case.id, set()) == []


def test_the_caseload_lines_a_change_touches_are_the_whole_reads_lines(
        store: Store, case: Case) -> None:
    child = store.records.save(Child(name="Bea Fictional", date_of_birth="2018-01-02"))
    second = store.records.save(Case(child_id=child.id, pod_id=case.pod_id,
                                     worker_id=case.worker_id, family_name="The Second family",
                                     category=case.category, started_on="2026-11-02"))
    visit = store.visits.add(second.id, visit_type=VisitType.STATUTORY)
    whole = {s.id: s for s in store.cases.summaries(today=date(2026, 12, 1))}

    def touched(changes: Changes) -> list[str]:
        found = store.cases.summaries(today=date(2026, 12, 1), touching=changes)
        assert all(s == whole[s.id] for s in found)
        return [s.id for s in found]
    assert touched(Changes.of(EntityKind.CASE, case.id)) == [case.id]
    assert touched(Changes.of(EntityKind.CHILD, child.id)) == [second.id]
    assert touched(Changes.of(EntityKind.VISIT, visit.id)) == [second.id]
    assert touched(Changes.of(EntityKind.BOARD_ITEM, visit.id)) == []
    assert store.cases.summary(second.id) == store.cases.summaries(include_closed=True)[1]


def test_the_timeline_entries_of_a_change_are_the_whole_timelines(
        store: Store, case: Case) -> None:
    visit = store.visits.add(case.id, visited_at="2026-11-20T10:00:00.000Z",
                             visit_type=VisitType.STATUTORY, child_seen=True,
                             child_seen_alone=True)
    store.visits.finalise(visit.id)
    amendment = store.visits.amend(visit.id, "Fictional: it was a Friday")
    other = store.visits.add(case.id, visited_at="2026-11-19T10:00:00.000Z")
    item = store.board.add(case.id, Zone.AMBER, "Fictional: bedtimes")
    store.board.move(item.id, Zone.GREEN)
    session = store.direct_work.add(case.id, DirectWorkTool.THREE_HOUSES, held_on="2026-11-18")
    whole = store.cases.timeline(case.id)

    def keys(changes: Changes) -> set[tuple[str, str]]:
        found = store.cases.timeline(case.id, touching=changes)
        assert all(e in whole for e in found)
        return {(e.entity, e.record_id) for e in found}
    moves = {("board_move", m.id) for m in store.board.history(item.id)}
    assert len(moves) == 2
    # A visit's entry and its amendment's (which names the visit); a board item's moves.
    assert keys(Changes.of(EntityKind.VISIT, visit.id)) == {("visit", visit.id),
                                                             ("visit_amendment", amendment.id)}
    assert keys(Changes.of(EntityKind.BOARD_ITEM, item.id)) == moves
    assert keys(Changes.of(EntityKind.DIRECT_WORK_ACTIVITY, session.id) |
                Changes.of(EntityKind.VISIT_AMENDMENT, amendment.id)) == {
        ("direct_work_activity", session.id), ("visit_amendment", amendment.id)}
    store.records.delete(store.records.get(Visit, other.id))
    assert keys(Changes.of(EntityKind.VISIT, other.id)) == set()     # removed: no entry


def test_more_than_few_changed_records_ask_for_a_whole_read() -> None:
    few = Changes.of(EntityKind.VISIT, *(str(n) for n in range(FEW)))
    assert few.ids_if_few(EntityKind.VISIT) == few.ids(EntityKind.VISIT)
    assert few.ids_if_few(EntityKind.BOARD_ITEM) == frozenset()
    many = few | Changes.of(EntityKind.VISIT, "one more")
    assert many.ids_if_few(EntityKind.VISIT) is None
