"""Round trips, the outbox and audit written with every change, finalised visits, search."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from rbsw_desktop.domain import (
    ENTITY_TYPES,
    Attachment,
    BoardItem,
    BoardMove,
    CareArrangement,
    Case,
    CaseCategory,
    Child,
    DirectWorkActivity,
    DirectWorkTool,
    Person,
    Pod,
    RaisedBy,
    Review,
    Role,
    SafetyCategory,
    SyncState,
    Visit,
    VisitAmendment,
    VisitStatus,
    WithheldReason,
    Worker,
    Zone,
)
from rbsw_desktop.errors import InvalidInput, NotFound, RecordLocked
from rbsw_desktop.store import Store, codec
from tests.conftest import FAST_KDF, PASSPHRASE

SAMPLES = [
    Pod(name="Fictional Pod", phone="01632 960000", email="pod@example.org"),
    Worker(name="Sam Testworker", role=Role.POD_MANAGER, pod_id="p1", phone="01632 960001"),
    Child(name="Ada Fictional", known_as="Ads", date_of_birth="2019-01-02", pronouns="she/her"),
    Person(case_id="c1", name="Jo Fictional", relationship="Mum", address_restricted=True),
    Case(child_id="ch1", pod_id="p1", worker_id="w1", family_name="The Fictional family",
         category=CaseCategory.CHILD_IN_CARE, care_arrangement=CareArrangement.PLACEMENT_TO_18,
         started_on="2025-01-01", first_review_on="2025-02-01", open=False),
    Visit(case_id="c1", present=[{"name": "Jo", "role": "Mum"}], child_seen=True,
          seen_awake=None, child_words="I like 🐈 cats", actions=[{"what": "Call school",
                                                                  "who": "SW", "by_when": "x"}],
          next_visit_due="2026-12-01"),
    VisitAmendment(visit_id="v1", case_id="c1", text="Correction", reason="typo"),
    BoardItem(case_id="c1", zone=Zone.AMBER, text="Rent worries", raised_by=RaisedBy.PROFESSIONAL,
              shareable=False, withheld_reason=WithheldReason.THIRD_PARTY, worker_note="n",
              category=SafetyCategory.WORRIED, position=3),
    BoardMove(board_item_id="b1", case_id="c1", from_zone=None, to_zone=Zone.RED),
    Review(case_id="c1", held_on="2026-11-01", snapshot=[{"board_item_id": "b1", "zone": "red"}],
           scales=[{"person": "Mum", "score": 6, "why": "better"}], goals=["Warm home"]),
    DirectWorkActivity(case_id="c1", tool=DirectWorkTool.THREE_HOUSES, held_on="2026-11-02",
                       parts={"House of worries": "dark"}, child_words="words", shareable=True),
    Attachment(owner_id="d1", case_id="c1", sha256="ab" * 32, media_type="image/png", size=10),
]


def test_every_entity_has_a_sample() -> None:
    assert {type(s).entity for s in SAMPLES} == set(ENTITY_TYPES)


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).entity)
def test_round_trip_through_the_encrypted_store(store: Store, record) -> None:
    store.records.save(record)
    again = store.records.get(type(record), record.id)
    assert again == record
    assert again.sync_state is SyncState.PENDING and again.device_id == store.device_id


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).entity)
def test_round_trip_through_sync_fields(record) -> None:
    fields = codec.to_fields(record)
    back = codec.from_fields(record.entity, record.id, fields, rev=record.rev,
                             sync_state=record.sync_state.value)
    assert back == record


def test_schema_matches_the_dataclasses(store: Store) -> None:
    for entity, cls in ENTITY_TYPES.items():
        table = set(store.db[entity].columns_dict)
        fields = {f.name for f in dataclasses.fields(cls)}
        assert table == fields, entity


def test_every_change_writes_its_outbox_and_audit_rows(store: Store, case: Case) -> None:
    before_outbox = store.db["outbox"].count
    before_audit = store.db["audit"].count
    item = store.board.add(case.id, Zone.RED, "Fictional worry")
    # The item and its first BoardMove: two records, two outbox rows, two audit rows.
    assert store.db["outbox"].count == before_outbox + 2
    assert store.db["audit"].count == before_audit + 2
    op = list(store.db.query("SELECT * FROM outbox WHERE record_id = ?", [item.id]))[0]
    assert op["entity"] == "board_item" and op["base_rev"] is None and op["state"] == "pending"
    audit = list(store.db.query("SELECT * FROM audit WHERE record_id = ?", [item.id]))[0]
    assert audit["action"] == "create" and "Fictional worry" not in str(audit)


def test_a_failed_transaction_leaves_no_half_record(store: Store, case: Case) -> None:
    counts = {t: store.db[t].count for t in ("board_item", "board_move", "outbox", "audit")}
    with pytest.raises(RuntimeError), store.transaction():
        store.records.save_in_transaction(BoardItem(case_id=case.id, zone=Zone.RED, text="half"),
                                          "create")
        raise RuntimeError("power cut")
    assert {t: store.db[t].count for t in counts} == counts
    assert store.search.find("half") == []


def test_a_finalised_visit_is_never_edited_only_amended(store: Store, case: Case) -> None:
    visit = store.visits.add(case.id, observations="Original words", child_seen=True,
                             child_seen_alone=True)
    store.visits.finalise(visit.id)
    visit = store.records.get(Visit, visit.id)
    assert visit.status is VisitStatus.FINALISED and visit.finalised_by
    visit.observations = "Rewritten history"
    with pytest.raises(RecordLocked, match="amendment"):
        store.visits.update(visit)
    amendment = store.visits.amend(visit.id, "Correction: it was Tuesday", reason="date wrong")
    assert store.records.get(Visit, visit.id).observations == "Original words"
    assert [a.id for a in store.visits.amendments(visit.id)] == [amendment.id]


def test_finalising_needs_a_reason_when_not_seen_alone(store: Store, case: Case) -> None:
    visit = store.visits.add(case.id, child_seen=True, child_seen_alone=False)
    with pytest.raises(InvalidInput, match="why"):
        store.visits.finalise(visit.id)
    visit.not_seen_alone_reason = "Child asked for Mum to stay"
    store.visits.update(visit)
    assert store.visits.finalise(visit.id).status is VisitStatus.FINALISED


def test_board_moves_and_reviews_show_what_moved(store: Store, case: Case) -> None:
    red = store.board.add(case.id, Zone.RED, "Fictional red")
    store.board.start_review(case.id)
    store.board.move(red.id, Zone.GREEN)
    review = store.board.start_review(case.id)
    [moved] = store.board.movement(review.id)
    assert moved.describe() == "This was a big worry, now it is a strength."
    assert [m.to_zone for m in store.board.history(red.id)] == [Zone.RED, Zone.GREEN]


def test_attachments_are_stored_encrypted_and_deduplicated(store: Store, case: Case) -> None:
    activity = store.direct_work.add(case.id, DirectWorkTool.FREE_FORM)
    data = b"\x89PNG fictional drawing bytes"
    a1 = store.direct_work.attach(activity.id, case.id, data, "image/png")
    a2 = store.direct_work.attach(activity.id, case.id, data, "image/png")
    assert a1.sha256 == a2.sha256 and store.direct_work.blob(a1.sha256) == data
    assert store.db["blob"].count == 1
    with pytest.raises(InvalidInput, match="photos and scans"):
        store.direct_work.attach(activity.id, case.id, b"MZ", "application/x-msdownload")


def test_unknown_records_are_refused_in_plain_words(store: Store) -> None:
    with pytest.raises(NotFound, match="rbsw cases"):
        store.cases.get("nope")
    with pytest.raises(NotFound, match="No board item"):
        store.board.move("nope", Zone.RED)


def test_tombstones_keep_the_record_and_sync_the_delete(store: Store, case: Case) -> None:
    item = store.board.add(case.id, Zone.AMBER, "Fictional amber")
    store.records.delete(item)
    assert store.board.items(case.id) == []
    assert store.records.get(BoardItem, item.id).deleted is True
    last = list(store.db.query("SELECT deleted FROM outbox ORDER BY seq DESC LIMIT 1"))[0]
    assert last["deleted"] == 1
    assert store.search.find("amber") == []


def test_data_survives_lock_and_unlock(data_dir: Path, store: Store, case: Case) -> None:
    store.visits.add(case.id, observations="Fictional persistent note")
    store.lock()
    again = Store.unlock(data_dir, PASSPHRASE)
    assert [v.observations for v in again.visits.of_case(case.id)] == ["Fictional persistent note"]
    again.lock()


def test_a_second_store_in_the_same_place_is_refused(data_dir: Path, store: Store) -> None:
    from rbsw_desktop.errors import StoreExists
    with pytest.raises(StoreExists):
        Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF)
