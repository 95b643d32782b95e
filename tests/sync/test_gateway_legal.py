"""The gateway as the council's legal copy of case records, against the real gateway process on
both databases: a finalised visit, a review or a filed record never changes through sync, and
the board is never filed, so its items move on review by review; every accepted revision is
kept, with who sent it and when; a laptop cannot claim someone else wrote a change; each role
writes only what `protocol.rights` allows (and README.md says so); and an op id tells nobody
what another pod or worker sent."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from rbsw_desktop.domain.entities import ENTITY_TYPES, Visit
from rbsw_desktop.domain.instants import utc_now
from rbsw_desktop.gateway.legal import AUTHOR_FIELDS
from rbsw_desktop.gateway.repository import ROLES
from rbsw_desktop.protocol.rights import RECORD_RIGHTS, Action, may
from rbsw_desktop.sync.device import sync_status
from rbsw_desktop.sync.support_client import SupportClient
from tests.sync.gw_world import (
    Person,
    World,
    board_item_op,
    call,
    enrol,
    pull_all,
    push,
    upload,
    visit_op,
)
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    pod_fixture,
    worker_laptop_fixture,
)

AT = "2026-11-24T10:00:00.000Z"
README = Path(__file__).resolve().parents[2] / "README.md"


def op(entity: str, case_id: str, *, rid: str | None = None, base_rev: int | None = None,
       deleted: bool = False, **fields: Any) -> dict[str, Any]:
    """A valid op for any kind of record a laptop pushes (fictional content)."""
    made = {
        "visit": {"status": "draft", "visited_at": AT, "observations": "Tidy home (fictional)"},
        "visit_amendment": {"visit_id": str(uuid.uuid4()), "text": "Correction (fictional)"},
        "board_item": {"zone": "amber", "text": "A worry (fictional)", "raised_by": "family"},
        "board_move": {"board_item_id": str(uuid.uuid4()), "to_zone": "green"},
        "review": {"held_on": "2026-11-24"},
        "direct_work_activity": {"held_on": "2026-11-24", "tool": "three_houses"},
        "attachment": {"owner_id": str(uuid.uuid4()), "sha256": "a" * 64,
                       "media_type": "image/png", "size": 10},
    }[entity]
    return {"op_id": str(uuid.uuid4()), "entity": entity, "id": rid or str(uuid.uuid4()),
            "base_rev": base_rev, "deleted": deleted, "at": AT,
            "fields": {"case_id": case_id, "updated_at": AT, **made, **fields}}


def held(gateway: Any, record_id: str) -> dict[str, Any]:
    (rec,) = [r for r in gateway.records() if r["id"] == record_id]
    return rec


def file_record(world: World, record_id: str, ref: str) -> dict[str, Any]:
    answer = call(world.url, "POST", f"/pod/records/{record_id}/filed",
                  {"case_system_ref": ref}, token=world.support.token)
    assert answer.status == 200, answer.body
    return dict(answer.json())


# -- 1. finalised, reviewed and filed records are immutable through sync -----------------------

def test_a_finalised_visit_is_never_changed_or_deleted_through_sync(
        world: World, module_gateway: Any) -> None:
    visit = op("visit", world.sw.case_id, status="finalised",
               observations="Ada showed me her room (fictional)")
    (r,) = push(world.url, world.sw.token, visit)
    assert r["outcome"] == "applied"
    redraft = op("visit", world.sw.case_id, rid=visit["id"], base_rev=1, status="draft",
                 observations="Rewritten later (fictional)")
    gone = {**op("visit", world.sw.case_id, rid=visit["id"], base_rev=1), "deleted": True,
            "fields": {}}
    changed, deleted = push(world.url, world.sw.token, redraft, gone)
    assert changed["outcome"] == "rejected" and deleted["outcome"] == "rejected"
    assert "finalised" in changed["reason"] and "amendment" in changed["reason"]
    assert "finalised" in deleted["reason"] and "deleting" in deleted["reason"]
    rec = held(module_gateway, visit["id"])
    assert (rec["rev"], rec["deleted"], rec["fields"]["status"]) == (1, False, "finalised")
    assert rec["fields"]["observations"] == "Ada showed me her room (fictional)"
    # The correction is an amendment: a record of its own.
    (fix,) = push(world.url, world.sw.token, op("visit_amendment", world.sw.case_id,
                                                visit_id=visit["id"], text="It was Tuesday"))
    assert fix["outcome"] == "applied"


def test_a_draft_visit_can_still_be_finalised_and_then_no_more(world: World) -> None:
    draft = op("visit", world.sw.case_id)
    push(world.url, world.sw.token, draft)
    final = op("visit", world.sw.case_id, rid=draft["id"], base_rev=1, status="finalised")
    again = op("visit", world.sw.case_id, rid=draft["id"], base_rev=2, status="finalised",
               observations="Changed after finalising (fictional)")
    first, second = push(world.url, world.sw.token, final, again)
    assert (first["outcome"], first["rev"]) == ("applied", 2)
    assert second["outcome"] == "rejected" and "finalised" in second["reason"]


@pytest.mark.parametrize("entity", ["visit", "direct_work_activity"])
def test_a_filed_record_is_never_changed_or_deleted_and_keeps_its_filing(
        world: World, module_gateway: Any, entity: str) -> None:
    first = op(entity, world.sw.case_id)
    push(world.url, world.sw.token, first)
    filed = file_record(world, first["id"], "LCS-123")
    update = op(entity, world.sw.case_id, rid=first["id"], base_rev=filed["rev"],
                **({"observations": "New text (fictional)"} if entity == "visit"
                   else {"title": "New text (fictional)"}))
    gone = {**op(entity, world.sw.case_id, rid=first["id"], base_rev=filed["rev"]),
            "deleted": True, "fields": {}}
    stale = op(entity, world.sw.case_id, rid=first["id"], base_rev=1)   # made before filing
    for answer in push(world.url, world.sw.token, update, gone, stale):
        assert answer["outcome"] == "rejected", answer
        assert "filed" in answer["reason"] and "cannot be changed" in answer["reason"]
    rec = held(module_gateway, first["id"])
    assert (rec["rev"], rec["deleted"], rec["filed"]) == (filed["rev"], False, True)
    assert (rec["case_system_ref"], rec["filed_by"]) == ("LCS-123", world.support.worker_id)
    assert rec["filed_at"] == filed["filed_at"]
    assert "New text" not in json.dumps(rec["fields"])
    assert pull_all(world.url, world.sw.token)[first["id"]]["filed"] is True


def test_the_board_is_never_filed_and_its_items_move_on_after_the_review_is_filed(
        world: World, module_gateway: Any) -> None:
    """Families move board items red -> amber -> green review by review: business support
    files the review (the board as it was that day), never the board itself, so an item stays
    movable by its worker after the review that showed it is filed."""
    item = op("board_item", world.sw.case_id, zone="red", text="Dad missed contact (fictional)")
    placed = op("board_move", world.sw.case_id, board_item_id=item["id"], to_zone="red")
    review = op("review", world.sw.case_id, snapshot=[
        {"board_item_id": item["id"], "zone": "red", "text": "Dad missed contact (fictional)",
         "shareable": True, "raised_by": "family"}])
    assert [r["outcome"] for r in push(world.url, world.sw.token, item, placed, review)] == \
        ["applied"] * 3
    listed = call(world.url, "GET", "/pod/unfiled", token=world.support.token).json()["records"]
    ids = {r["id"] for r in listed}
    assert review["id"] in ids and not ids & {item["id"], placed["id"]}
    assert not {r["entity"] for r in listed} & {"board_item", "board_move"}
    for board in (item, placed):
        answer = call(world.url, "POST", f"/pod/records/{board['id']}/filed",
                      {"case_system_ref": "LCS-555"}, token=world.support.token)
        assert answer.status == 404
        assert answer.json() == {"error": "not_found",
                                 "message": "That record is not in your pod's list to file."}
    file_record(world, review["id"], "LCS-555")
    # At the next review the family moves the item on.
    amber = op("board_item", world.sw.case_id, rid=item["id"], base_rev=1, zone="amber",
               text="Dad missed contact (fictional)")
    moved = op("board_move", world.sw.case_id, board_item_id=item["id"], from_zone="red",
               to_zone="amber")
    assert [(r["outcome"], r.get("rev")) for r in push(world.url, world.sw.token, amber, moved)] \
        == [("applied", 2), ("applied", 1)]
    rec = held(module_gateway, item["id"])
    assert (rec["rev"], rec["filed"], rec["fields"]["zone"]) == (2, False, "amber")
    kept = held(module_gateway, review["id"])
    assert kept["filed"] and kept["fields"]["snapshot"][0]["zone"] == "red"


def test_a_review_is_never_changed_or_deleted_once_held(world: World,
                                                       module_gateway: Any) -> None:
    review = op("review", world.sw.case_id, notes="Scaling 6 (fictional)")
    push(world.url, world.sw.token, review)
    update = op("review", world.sw.case_id, rid=review["id"], base_rev=1, notes="Scaling 9")
    gone = {**op("review", world.sw.case_id, rid=review["id"], base_rev=1), "deleted": True}
    for answer in push(world.url, world.sw.token, update, gone):
        assert answer["outcome"] == "rejected" and "start a new review" in answer["reason"]
    assert held(module_gateway, review["id"])["fields"]["notes"] == "Scaling 6 (fictional)"


def test_a_refused_change_of_a_filed_record_is_among_the_laptops_refused_changes(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    """Through the laptop's real store and engine: business support files a visit note, the
    worker then edits it on the laptop; the gateway refuses, and the laptop holds the change
    with the reason where the worker sees refused changes (status and the refused list)."""
    officer = gateway.worker_add(pod.id, "Bea Business (fictional)", "business_support")
    support = SupportClient(gateway.url, enrol(gateway.url, gateway.enrol_code(officer))["token"])
    store = worker_laptop.store
    assert worker_laptop.sync().ok
    item = store.visits.add(pod.case, observations="Dad missed contact (fictional)")
    assert worker_laptop.sync().ok
    support.file_record(item.id, "LCS-123")
    assert worker_laptop.sync().ok
    filed = store.records.get(Visit, item.id)
    filed.observations = "Dad came to every contact (fictional)"
    store.visits.update(filed)
    report = worker_laptop.sync()
    assert not report.ok and report.refused == 1
    (refused,) = store.outbox.refused()
    assert refused.record_id == item.id and "filed" in (refused.last_error or "")
    assert sync_status(store)["quarantined"] == 1
    (rec,) = [r for r in gateway.records(pod=pod.id) if r["id"] == item.id]
    assert rec["filed"] and rec["fields"]["observations"] == "Dad missed contact (fictional)"


# -- every accepted revision is kept ----------------------------------------------------------

def test_every_accepted_revision_is_kept_with_who_and_when(world: World,
                                                          module_gateway: Any) -> None:
    before = utc_now()
    laptop = enrol(world.url, module_gateway.enrol_code(world.sw.worker_id), "sams-other-laptop")
    first = visit_op(world.sw.case_id, "Rent arrears (fictional)")
    push(world.url, world.sw.token, first)
    second = visit_op(world.sw.case_id, "Rent arrears paid (fictional)", rid=first["id"],
                      base_rev=1)
    refused = visit_op(world.sw.case_id, "Stale (fictional)", rid=first["id"], base_rev=1)
    other = visit_op(world.sw.case_id, "Rent paid in full (fictional)", rid=first["id"],
                     base_rev=2)
    assert [r["outcome"] for r in push(world.url, world.sw.token, second, refused)] == \
        ["applied", "conflict"]
    push(world.url, laptop["token"], other)
    file_record(world, first["id"], "LCS-777")
    history = json.loads(module_gateway.admin("records", "--history", first["id"], "--json"))
    assert [h["rev"] for h in history] == [1, 2, 3, 4]
    assert [h["fields"]["observations"] for h in history] == [
        "Rent arrears (fictional)", "Rent arrears paid (fictional)",
        "Rent paid in full (fictional)", "Rent paid in full (fictional)"]
    assert [(h["worker_id"], h["device_id"]) for h in history] == [
        (world.sw.worker_id, world.sw.device_id), (world.sw.worker_id, world.sw.device_id),
        (world.sw.worker_id, laptop["device_id"]),
        (world.support.worker_id, world.support.device_id)]
    assert [h["op_id"] for h in history] == [first["op_id"], second["op_id"],
                                            other["op_id"], None]
    assert [(h["filed"], h["case_system_ref"]) for h in history][-2:] == [
        (False, ""), (True, "LCS-777")]
    assert all(h["entity"] == "visit" and h["received_at"] >= before for h in history)
    text = module_gateway.admin("records", "--history", first["id"])
    assert re.search(r"^rev 1 .*op=" + first["op_id"], text, re.M)
    assert "Rent arrears paid (fictional)" in text and "filed LCS-777" in text


def test_a_revision_is_kept_and_served_as_the_one_text_it_was_stored_as(
        world: World, module_gateway: Any) -> None:
    """The history row holds the very text of the record's row, and a pull serves that text
    as it is: what the council keeps is what every laptop is sent, character for character."""
    sent = visit_op(world.sw.case_id, "Zoë’s “first” visit, 12½ minutes late (fictional) ✓")
    push(world.url, world.sw.token, sent)
    ((stored,),) = module_gateway.sql("SELECT fields FROM records WHERE id = :id",
                                      {"id": sent["id"]})
    assert module_gateway.sql("SELECT fields FROM record_history WHERE record_id = :id",
                              {"id": sent["id"]}) == [(stored,)]
    assert "Zoë’s “first” visit" in stored                 # kept as it is, not ASCII-escaped
    page = call(world.url, "GET", "/sync/changes?since=0&limit=1000", token=world.support.token)
    assert page.status == 200 and f'"fields":{stored},'.encode() in page.body
    (change,) = [c for c in page.json()["changes"] if c["id"] == sent["id"]]
    assert change["fields"]["observations"] == sent["fields"]["observations"]


def test_the_history_of_an_unknown_record_is_one_plain_sentence(module_gateway: Any) -> None:
    import subprocess

    from tests.sync.conftest import GATEWAY_CMD, ROOT, _env

    out = subprocess.run([*GATEWAY_CMD, *module_gateway._db_args(), "records", "--history",
                          "no-such-record"], capture_output=True, text=True, timeout=60,
                         cwd=ROOT, env=_env())
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.strip() == ("rbsw-gateway: The gateway holds no history for a record "
                                  "with that id.")


# -- 2. who and when ---------------------------------------------------------------------------

def test_every_field_naming_a_records_author_is_checked() -> None:
    """A new `..._by` field on a record is an author the gateway must check (`raised_by` says
    family or professional, not which worker)."""
    named = {f.name for cls in ENTITY_TYPES.values() for f in dataclasses.fields(cls)
             if f.name.endswith("_by")}
    assert named - {"raised_by"} == set(AUTHOR_FIELDS)


@pytest.mark.parametrize("field", AUTHOR_FIELDS)
def test_a_change_naming_another_author_is_refused(world: World, module_gateway: Any,
                                                   field: str) -> None:
    forged = op("visit", world.sw.case_id, status="finalised",
                **{field: world.manager.worker_id})
    (r,) = push(world.url, world.sw.token, forged)
    assert r["outcome"] == "rejected"
    assert r["reason"] == ("This change says someone else wrote or finalised it. The council "
                           "system records who made each change from the laptop's sign-in, so "
                           "it was not saved.")
    assert forged["id"] not in {x["id"] for x in module_gateway.records()}


def test_the_gateway_stamps_who_sent_each_change(world: World, module_gateway: Any) -> None:
    mine = op("visit", world.sw.case_id, status="finalised", updated_by=world.sw.worker_id,
              device_id="a-device-it-is-not")
    unsaid = op("visit", world.sw.case_id, status="finalised")
    assert [r["outcome"] for r in push(world.url, world.sw.token, mine, unsaid)] == \
        ["applied", "applied"]
    for sent in (mine, unsaid):
        fields = held(module_gateway, sent["id"])["fields"]
        assert (fields["updated_by"], fields["device_id"]) == (world.sw.worker_id,
                                                               world.sw.device_id)
        assert fields["finalised_by"] == world.sw.worker_id


def test_the_workers_own_times_are_kept_beside_the_gateways_received_time(
        world: World) -> None:
    before = utc_now()
    backdated = op("visit", world.sw.case_id, visited_at="2019-03-01T09:00:00.000Z",
                   updated_at="2019-03-01T12:00:00.000Z")
    push(world.url, world.sw.token, backdated)
    for person in (world.manager, world.support):
        change = pull_all(world.url, person.token)[backdated["id"]]
        assert change["fields"]["visited_at"] == "2019-03-01T09:00:00.000Z"
        assert change["fields"]["updated_at"] == "2019-03-01T12:00:00.000Z"
        assert change["received_at"] >= before and change["received_at"] <= utc_now()
        assert change["origin_device"] == world.sw.device_id
        assert change["fields"]["updated_by"] == world.sw.worker_id


# -- 3. which role may write what --------------------------------------------------------------

def _writer(world: World, module_gateway: Any, role: str) -> tuple[Person, Person]:
    """(the person of `role`, an allocated worker whose case they can see)."""
    if role == "senior_social_worker":
        senior = world.extra.get("senior")
        if senior is None:
            worker = module_gateway.worker_add(world.pod_a, "Sol Senior (fictional)", role)
            case = module_gateway.case_add(worker, "Dee Example")
            laptop = enrol(world.url, module_gateway.enrol_code(worker), "senior-laptop")
            senior = world.extra["senior"] = Person(worker, laptop["token"],
                                                    laptop["device_id"], case)
        return senior, senior
    person = {"social_worker": world.sw, "nqsw": world.sw2, "pod_manager": world.manager,
              "business_support": world.support}[role]
    return person, person if person.case_id else world.sw


@pytest.mark.parametrize("role", ROLES)
def test_each_role_writes_exactly_what_the_rights_table_allows(
        world: World, module_gateway: Any, role: str) -> None:
    person, owner = _writer(world, module_gateway, role)
    case = owner.case_id
    entities = sorted({e for rights in RECORD_RIGHTS.values() for e in rights})

    def cites(entity: str, token: str) -> dict[str, Any]:
        """An attachment cites a photo its own laptop sent (the gateway checks that)."""
        if entity != "attachment":
            return {}
        return {"sha256": upload(world.url, token, f"{uuid.uuid4()} photo (fictional)".encode())}

    made = push(world.url, person.token, *(op(e, case, **cites(e, person.token))
                                           for e in entities))
    seeds = [op(e, case, **cites(e, owner.token))
             for e in entities for _ in range(2)]              # one to change, one to delete
    assert all(r["outcome"] == "applied" for r in push(world.url, owner.token, *seeds))
    same = [{k: v for k, v in s["fields"].items() if k == "sha256"} for s in seeds]
    changes = [op(e, case, rid=s["id"], base_rev=1, **f)
               for e, s, f in zip(entities, seeds[::2], same[::2], strict=True)]
    deletes = [{**op(e, case, rid=s["id"], base_rev=1, **f), "deleted": True}
               for e, s, f in zip(entities, seeds[1::2], same[1::2], strict=True)]
    changed = push(world.url, person.token, *changes)
    deleted = push(world.url, person.token, *deletes)
    for action, answers in ((Action.CREATE, made), (Action.UPDATE, changed),
                            (Action.DELETE, deleted)):
        for entity, answer in zip(entities, answers, strict=True):
            expected = "applied" if may(role, entity, action) else "rejected"
            assert answer["outcome"] == expected, (role, entity, action, answer)


def test_business_support_and_the_pod_manager_write_no_visit_notes(
        world: World, module_gateway: Any) -> None:
    note = op("visit", world.sw.case_id, observations="Sam's note (fictional)")
    push(world.url, world.sw.token, note)
    for person, words in ((world.support, "business support officer"),
                          (world.manager, "pod manager")):
        new, over = push(world.url, person.token, op("visit", world.sw.case_id),
                         op("visit", world.sw.case_id, rid=note["id"], base_rev=1,
                            observations="Overwritten (fictional)"))
        assert new["outcome"] == over["outcome"] == "rejected"
        assert new["reason"] == (f"A {words} cannot add this kind of record (visit note) on "
                                 "the council system.")
        assert "cannot change" in over["reason"]
    assert held(module_gateway, note["id"])["fields"]["observations"] == "Sam's note (fictional)"
    # The pod manager works the family's board with the pod.
    (item,) = push(world.url, world.manager.token, op("board_item", world.sw.case_id))
    assert item["outcome"] == "applied"


def test_the_readme_shows_the_rights_table_the_gateway_enforces() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    (start,) = [i for i, line in enumerate(lines) if line.startswith("| record (`entity`) |")]
    roles = [cell.strip() for cell in lines[start].strip("|").split("|")[1:]]
    assert roles == [f"`{r}`" for r in ROLES]
    shown: dict[str, dict[str, frozenset[Action]]] = {r: {} for r in ROLES}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        first, *cells = (cell.strip() for cell in line.strip("|").split("|"))
        entity = re.fullmatch(r".* \(`(\w+)`\)", first)
        assert entity, line
        for role, cell in zip(ROLES, cells, strict=True):
            if cell != "—":
                shown[role][entity.group(1)] = frozenset(Action(w) for w in cell.split(", "))
    assert shown == {r: dict(rights) for r, rights in RECORD_RIGHTS.items()}


# -- 4. an op id tells nothing about anybody else's ops ----------------------------------------

def test_an_op_id_used_by_another_pod_or_worker_answers_like_an_unknown_one(
        world: World, module_gateway: Any) -> None:
    theirs = board_item_op(world.other.case_id, "South pod item (fictional)")
    (t,) = push(world.url, world.other.token, theirs)
    # Their op id and record, replayed from pod A: the answer of a never-seen op id.
    replay = {**theirs, "fields": {**theirs["fields"], "case_id": world.sw.case_id}}
    fresh = {**replay, "op_id": str(uuid.uuid4())}
    (a,) = push(world.url, world.sw.token, replay)
    (b,) = push(world.url, world.sw.token, fresh)
    assert a["outcome"] == b["outcome"] == "rejected"
    assert a["reason"] == b["reason"] and a.get("rev") is None
    # Their op id on a record of one's own is just a new op, for a worker of the same pod too.
    for person in (world.sw, world.sw2):
        mine = {**board_item_op(person.case_id, "Mine (fictional)"), "op_id": theirs["op_id"]}
        (m,) = push(world.url, person.token, mine)
        assert (m["outcome"], m["rev"]) == ("applied", 1)
        (again,) = push(world.url, person.token, mine)      # and one's own replay is known
        assert (again["outcome"], again["rev"]) == ("duplicate", 1)
    (still,) = push(world.url, world.other.token, theirs)
    assert (still["outcome"], still["rev"]) == ("duplicate", t["rev"])
    rec = held(module_gateway, theirs["id"])
    assert (rec["rev"], rec["fields"]["text"]) == (1, "South pod item (fictional)")
