"""What a worker reads of their cases: the caseload's lines (who, when last seen, when due) and
a case's timeline (every visit, amendment, board change, review and direct work, newest first,
each titled in words)."""

from __future__ import annotations

from datetime import date

from rbsw_desktop.domain import (
    Case,
    CaseCategory,
    Child,
    DirectWorkTool,
    SyncState,
    VisitType,
    Worker,
    Zone,
    timeliness,
)
from rbsw_desktop.domain.entities import VisitAmendment
from rbsw_desktop.domain.enums import Role
from rbsw_desktop.store import Store
from rbsw_desktop.store.store import WORKER_ID_KEY

TODAY = date(2026, 12, 1)


def _case(store: Store, case: Case, child_name: str, *, open: bool = True) -> Case:  # noqa: A002
    child = store.records.save(Child(name=child_name, date_of_birth="2018-01-02"))
    return store.records.save(Case(child_id=child.id, pod_id=case.pod_id, worker_id=case.worker_id,
                                   family_name=f"The {child_name.split()[0]} family",
                                   category=CaseCategory.CHILD_PROTECTION,
                                   started_on="2026-11-02", open=open))


def test_the_caseload_names_each_child_their_worker_and_the_last_visit_that_counts(
        store: Store, case: Case) -> None:
    bea = _case(store, case, "bea Fictional")
    closed = _case(store, case, "Cal Fictional", open=False)
    counted = store.visits.add(case.id, visit_type=VisitType.STATUTORY, child_seen=True,
                               child_seen_alone=True, visited_at="2026-11-10T10:00:00.000Z")
    store.visits.finalise(counted.id)
    # None of these is a statutory visit on record at which the child was seen.
    store.visits.add(case.id, visit_type=VisitType.STATUTORY, child_seen=True,
                     child_seen_alone=True, visited_at="2026-11-27T10:00:00.000Z")      # draft
    unseen = store.visits.add(case.id, visit_type=VisitType.STATUTORY, child_seen=False,
                              visited_at="2026-11-28T10:00:00.000Z")
    store.visits.finalise(unseen.id)
    meeting = store.visits.add(case.id, visit_type=VisitType.CORE_GROUP, child_seen=True,
                               child_seen_alone=True, visited_at="2026-11-29T10:00:00.000Z")
    store.visits.finalise(meeting.id)
    gone = store.visits.add(case.id, visit_type=VisitType.STATUTORY, child_seen=True,
                            child_seen_alone=True, visited_at="2026-11-30T10:00:00.000Z")
    store.visits.finalise(gone.id)
    store.db.execute('UPDATE "visit" SET deleted = 1 WHERE id = ?', [gone.id])

    lines = store.cases.summaries(today=TODAY)
    assert [s.child_name for s in lines] == ["Ada Fictional", "bea Fictional"]   # by name
    ada, b = lines
    due = timeliness.next_visit_due(CaseCategory.CHILD_PROTECTION, None,
                                    last_visit=date(2026, 11, 10), started_on=date(2026, 11, 2))
    assert (ada.id, ada.family_name, ada.worker, ada.category) == (
        case.id, "The Fictional family", "Sam Testworker", CaseCategory.CHILD_PROTECTION)
    assert (ada.last_visit, ada.next_visit_due, ada.as_of) == (date(2026, 11, 10), due, TODAY)
    assert ada.days_overdue == timeliness.days_overdue(due, TODAY) > 0
    assert ada.sync_state is SyncState.PENDING
    assert ada.due_words() == timeliness.due_words(due, TODAY)
    assert ada.as_json() == {
        "id": case.id, "child_name": "Ada Fictional", "family_name": "The Fictional family",
        "worker": "Sam Testworker", "category": "child_protection",
        "last_visit": "2026-11-10", "next_visit_due": due.isoformat(),
        "days_overdue": ada.days_overdue, "sync_state": "pending"}
    assert b.id == bea.id and b.last_visit is None and b.as_json()["last_visit"] is None
    assert [s.id for s in store.cases.summaries(today=TODAY, include_closed=True)] == [
        case.id, bea.id, closed.id]
    assert store.cases.summary(closed.id).child_name == "Cal Fictional"


def test_the_caseload_reads_each_case_s_last_visit_on_record_from_its_index_alone(
        store: Store, case: Case) -> None:
    """The caseload is the first thing a worker sees after unlocking: it must not decrypt every
    visit note the laptop holds (a year's notes took it 0.5-1.4 s) to find each case's latest
    visit on record. Each statement it runs is planned on `visit_on_record` (migration 7),
    never by reading the visits of a case one by one."""
    for day in (10, 20):
        visit = store.visits.add(case.id, visit_type=VisitType.STATUTORY, child_seen=True,
                                 child_seen_alone=True, visited_at=f"2026-11-{day}T10:00:00.000Z")
        store.visits.finalise(visit.id)
    ran: list[str] = []
    store.db.conn.set_trace_callback(ran.append)
    try:
        (line,) = store.cases.summaries(today=TODAY)
    finally:
        store.db.conn.set_trace_callback(None)
    assert line.last_visit == date(2026, 11, 20)
    (query,) = [sql for sql in ran if '"visit"' in sql]
    plan = " | ".join(row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {query}"))
    assert "USING COVERING INDEX visit_on_record" in plan or \
        "USING INDEX visit_on_record" in plan, plan
    assert "visit_case" not in plan, plan


def test_a_case_with_no_visit_due_says_so(store: Store, case: Case) -> None:
    store.db.execute('UPDATE "case" SET started_on = NULL WHERE id = ?', [case.id])
    (line,) = store.cases.summaries(today=TODAY)
    assert line.next_visit_due is None and line.due_words() == "No visit yet"
    assert line.as_json()["next_visit_due"] is None


def test_the_timeline_titles_every_entry_in_words_newest_first(store: Store, case: Case) -> None:
    other = store.records.save(Worker(name="Kim Otherworker", role=Role.SOCIAL_WORKER,
                                      pod_id=case.pod_id))
    store.set_meta(WORKER_ID_KEY, other.id)
    visit = store.visits.add(case.id, visited_at="2026-11-20T10:00:00.000Z",
                             visit_type=VisitType.STATUTORY, child_seen=True,
                             child_seen_alone=True)
    store.visits.finalise(visit.id)
    store.visits.amend(visit.id, "Fictional: it was a Friday")
    stranger = store.records.save(VisitAmendment(visit_id=visit.id, case_id=case.id,
                                                 text="Fictional: from elsewhere"))
    store.db.execute('UPDATE "visit_amendment" SET updated_by = ?, amended_at = ? WHERE id = ?',
                     ["someone-unknown", "2026-11-21T09:00:00.000Z", stranger.id])
    store.visits.add(case.id, visited_at="2026-11-19T10:00:00.000Z",
                     visit_type=VisitType.CORE_GROUP)
    item = store.board.add(case.id, Zone.AMBER, "Fictional: bedtimes")
    store.board.move(item.id, Zone.GREEN)
    store.board.start_review(case.id, held_on=date(2026, 11, 10))
    store.direct_work.add(case.id, DirectWorkTool.THREE_HOUSES, held_on="2026-11-18",
                          title="At school")
    store.direct_work.add(case.id, DirectWorkTool.FREE_FORM, held_on="2026-11-17")
    when = visit.visited_at
    from rbsw_desktop.domain.instants import local_text
    titles = [(e.entity, e.title) for e in store.cases.timeline(case.id)]
    moves = titles[:2]
    assert sorted(moves) == [
        ("board_move", "Board: added to Worries about the future: Fictional: bedtimes"),
        ("board_move", "Board: moved Worries about the future → Strengths: "
                       "Fictional: bedtimes")]
    assert titles[2:] == [
        ("visit_amendment", f"Amendment to the visit of {local_text(when)} by Kim Otherworker: "
                            "Fictional: it was a Friday"),
        ("visit_amendment", f"Amendment to the visit of {local_text(when)} by another worker: "
                            "Fictional: from elsewhere"),
        ("visit", "Statutory visit"),
        ("visit", "Core group meeting (draft)"),
        ("direct_work_activity", "Direct work: Three Houses: At school"),
        ("direct_work_activity", "Direct work: Free form"),
        ("review", "Review of the board"),
    ]
    # The board item's own words are kept with its moves even once it is removed.
    store.records.delete(store.records.get(type(item), item.id))
    assert {t for e, t in ((e.entity, e.title) for e in store.cases.timeline(case.id))
            if e == "board_move"} == {t for _, t in moves}


def test_this_laptops_worker_is_named_as_themselves(store: Store, case: Case) -> None:
    store.set_meta(WORKER_ID_KEY, "me-not-in-the-pod")
    assert store.cases.worker_names()["me-not-in-the-pod"] == "You"
    store.set_meta("worker_name", "Pat Fictional")
    names = store.cases.worker_names()
    assert names["me-not-in-the-pod"] == "Pat Fictional"
    assert names[case.worker_id] == "Sam Testworker"


def test_a_days_review_heads_that_days_visits_and_an_odd_time_stays_on_its_day(
        store: Store, case: Case, local_zone) -> None:  # noqa: ANN001
    local_zone("Europe/London")
    store.board.start_review(case.id, held_on=date(2026, 6, 2))
    late = store.visits.add(case.id, visited_at="2026-06-01T23:30:00.000Z")   # 00:30 BST, 2nd
    early = store.visits.add(case.id, visited_at="2026-06-02T08:00:00.000Z")
    before = store.visits.add(case.id, visited_at="2026-06-01T10:00:00.000Z")
    odd = store.visits.add(case.id, visited_at="2026-06-03T99:99")
    store.db.execute('UPDATE "visit" SET visited_at = ? WHERE id = ?', ["2026-06-03T99:99",
                                                                        odd.id])
    order = [e.record_id for e in store.cases.timeline(case.id)]
    review = store.board.reviews(case.id)[0].id
    assert order == [odd.id, review, early.id, late.id, before.id]
