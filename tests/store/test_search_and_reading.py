"""Reading the store as the app and the CLI do: search with its snippets, one case or all, its
newest hits first; a case's child and its pod's contacts; opening a case leaves an audit row;
visits corrected only in words that say how; many records saved in one go; and every write
noted for the views that show it."""

from __future__ import annotations

import pytest

from rbsw_desktop.domain import (
    Case,
    Child,
    DirectWorkTool,
    Pod,
    Visit,
    VisitAmendment,
    VisitStatus,
    VisitType,
    Worker,
    Zone,
)
from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.domain.enums import EntityKind, Role
from rbsw_desktop.errors import InvalidInput, NotFound, RecordLocked
from rbsw_desktop.store import Store, codec
from rbsw_desktop.store.search import HIT_END, HIT_START, fts_query


def second_case(store: Store, case: Case) -> Case:
    child = store.records.save(Child(name="Bea Fictional"))
    return store.records.save(Case(child_id=child.id, pod_id=case.pod_id,
                                   worker_id=case.worker_id, family_name="The Other family"))


def test_search_marks_the_words_found_newest_first_in_one_case_or_all(
        store: Store, case: Case) -> None:
    other = second_case(store, case)
    older = store.visits.add(case.id, observations="The trampoline (fictional) was new")
    item = store.board.add(other.id, Zone.GREEN, "Trampoline club on Fridays (fictional)")
    session = store.direct_work.add(case.id, DirectWorkTool.THREE_HOUSES,
                                    parts={"House of dreams": "A trampoline of my own"})
    hits = store.search.find("trampo")
    assert [(h.entity, h.record_id, h.case_id) for h in hits] == [
        ("direct_work_activity", session.id, case.id), ("board_item", item.id, other.id),
        ("visit", older.id, case.id)]
    assert hits[1].snippet == f"{HIT_START}Trampoline{HIT_END} club on Fridays (fictional)"
    assert hits[1].plain_snippet() == "Trampoline club on Fridays (fictional)"
    assert hits[1].plain_snippet("[", "]") == "[Trampoline] club on Fridays (fictional)"
    assert hits[1].as_json() == {"entity": "board_item", "id": item.id, "case_id": other.id,
                                 "snippet": "Trampoline club on Fridays (fictional)"}
    assert [h.record_id for h in store.search.find("trampoline", case_id=case.id)] == [
        session.id, older.id]
    assert [h.record_id for h in store.search.find("trampoline", limit=1)] == [session.id]
    assert [h.case_id for h in store.search.find("Other family")] == [other.id]
    assert store.search.find("  ") == [] and store.search.find("¿?!") == []
    assert store.search.find('"trampoline" AND NEAR(') == []        # no syntax, no error
    assert fts_query('say "hi" there') == '"say"* "hi"* "there"*'


def test_a_case_has_its_child_and_its_pods_contacts(store: Store, case: Case) -> None:
    store.records.save(Pod(name="Another pod (fictional)"))
    store.records.save(Worker(name="Alex Podmate", role=Role.POD_MANAGER, pod_id=case.pod_id))
    store.records.save(Worker(name="Zed Elsewhere", role=Role.SOCIAL_WORKER, pod_id="other"))
    pod, workers = store.cases.pod_contacts(case.id)
    assert pod is not None and (pod.id, pod.name) == (case.pod_id, "Test Pod (fictional)")
    assert [w.name for w in workers] == ["Alex Podmate", "Sam Testworker"]
    assert store.cases.child_of(case).name == "Ada Fictional"
    store.db.execute('UPDATE "case" SET pod_id = ? WHERE id = ?', ["gone", case.id])
    assert store.cases.pod_contacts(case.id) == (None, [])


def test_opening_a_case_is_audited_and_an_unknown_one_is_named(store: Store,
                                                               case: Case) -> None:
    assert store.cases.open(case.id).id == case.id
    assert store.db.execute("SELECT action, entity FROM audit WHERE record_id = ? "
                            "ORDER BY seq DESC LIMIT 1", [case.id]).fetchone() == ("view",
                                                                                   "case")
    assert store.outbox.pending_count() == 4              # the fixture's records, no more
    with pytest.raises(NotFound, match="^No case with id nope on this laptop. `rbsw cases` "
                                       "lists the case ids.$"):
        store.cases.get("nope")
    with pytest.raises(NotFound, match="^No case with id nope here. Run `rbsw cases` to see "
                                       "the ids.$"):
        store.cases.summary("nope")
    with pytest.raises(NotFound, match="^No visit amendment with id nope here.$"):
        store.records.get(VisitAmendment, "nope")


def test_a_visit_is_corrected_in_words_that_say_how(store: Store, case: Case) -> None:
    draft = store.visits.add(case.id, visit_type=VisitType.OTHER)
    with pytest.raises(RecordLocked, match="^This visit is still a draft: change it "
                                           "directly.$"):
        store.visits.amend(draft.id, "Too soon (fictional)")
    done = store.visits.finalise(draft.id)
    assert store.visits.finalise(draft.id).finalised_at == done.finalised_at   # once only
    with pytest.raises(InvalidInput, match="^An amendment needs some text.$"):
        store.visits.amend(draft.id, "  ")
    edited = store.records.get(Visit, draft.id)
    edited.observations = "Rewritten (fictional)"
    with pytest.raises(RecordLocked, match="^This visit has been finalised, so it cannot be "
                                           "changed. Add an amendment to correct it.$"):
        store.visits.update(edited)
    amendment = store.visits.amend(draft.id, "It was a Tuesday (fictional)", reason="date",
                                   field_name="visited_at")
    assert (amendment.case_id, amendment.reason, amendment.field_name) == (case.id, "date",
                                                                           "visited_at")
    assert store.visits.amended({amendment.id}) == {draft.id}
    assert [r[0] for r in store.db.execute(
        "SELECT action FROM audit WHERE record_id = ? ORDER BY seq", [draft.id])] == [
        "create", "finalise"]
    with pytest.raises(NotFound):
        store.visits.add("no such case")
    store.visits.add(case.id, visited_at="2026-11-01T10:00:00.000Z")
    assert [v.status for v in store.visits.of_case(case.id)][-1] is VisitStatus.DRAFT


def test_many_records_saved_at_once_are_counted_and_each_is_noted(store: Store,
                                                                  case: Case) -> None:
    children = [Child(name=f"Child {n} (fictional)") for n in range(3)]
    with store.collect_changes() as written:
        assert store.records.save_many(children, action="import") == 3
        store.records.delete(store.records.get(Child, children[0].id))
    assert written.changes == Changes.of(EntityKind.CHILD, *(c.id for c in children))
    assert [r[0] for r in store.db.execute(
        "SELECT action FROM audit WHERE record_id = ? ORDER BY seq", [children[0].id])] == [
        "import", "delete"]
    assert [r[0] for r in store.db.execute(
        "SELECT action FROM audit WHERE record_id = ?", [children[1].id])] == ["import"]
    saved = store.records.save(Child(name="One more (fictional)"))
    assert store.db.execute("SELECT action FROM audit WHERE record_id = ?",
                            [saved.id]).fetchone() == ("save",)
    assert codec.to_json(saved) == {"id": saved.id, **codec.to_fields(saved), "rev": None,
                                    "sync_state": "pending"}
