"""The engine against the real gateway process on 127.0.0.1, with real stores on both ends."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from rbsw_desktop.domain import Zone
from rbsw_desktop.domain.entities import BoardItem, Case
from rbsw_desktop.domain.enums import EntityKind, SyncState, VisitType
from rbsw_desktop.protocol.models import Op, PushRequest, json_problem
from rbsw_desktop.security.wipe import WIPE_NOTE
from rbsw_desktop.sync.plain_json import holdable, plain_bytes, plain_text
from rbsw_desktop.sync.transport import HttpTransport
from tests.sync.faultproxy import Fault, FaultProxy
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    manager_laptop_fixture,
    pod_fixture,
    saved_here,
    worker_laptop_fixture,
)
from tests.sync.test_pull_quarantine import _item, serve_raw


def _on_gateway(gateway: Any, pod: Pod) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for rec in gateway.records(pod=pod.id):
        out.setdefault(rec["id"], []).append(rec)
    return out


def test_a_sync_says_which_records_it_wrote(gateway: Any, pod: Pod, worker_laptop: Laptop,
                                            manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    item = store.board.add(pod.case, Zone.GREEN, "Grandma does the school run (fictional)")
    (move,) = store.board.history(item.id)
    pushed = worker_laptop.sync()
    assert pushed.ok, pushed.as_json()
    # Pushed, then stamped synced here: those two records, and nothing else.
    assert pushed.changes.records == {(EntityKind.BOARD_ITEM, item.id),
                                      (EntityKind.BOARD_MOVE, move.id)}
    pulled = manager_laptop.sync()
    assert pulled.ok, pulled.as_json()
    assert pulled.changes.ids(EntityKind.BOARD_ITEM) == {item.id}
    assert pod.case in pulled.changes.ids(EntityKind.CASE)
    again = manager_laptop.sync()
    assert again.ok and not again.changes       # nothing new: no view need refresh


def test_a_workers_and_their_pod_managers_laptops_converge(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    first = worker_laptop.sync()
    assert first.ok, first.as_json()
    (case,) = worker_laptop.store.cases.summaries()           # the council's case arrived by pull
    assert case.id == pod.case and case.child_name == "Ada Fictional"
    store = worker_laptop.store
    item = store.board.add(case.id, Zone.GREEN, "Grandma does the school run (fictional)")
    store.visits.add(case.id, visit_type=VisitType.STATUTORY,
                     visited_at="2026-11-20T10:00", child_words="I like my new bed")
    report = worker_laptop.sync()
    assert report.ok and report.pushed >= 3, report.as_json()
    assert store.records.get(BoardItem, item.id).sync_state is SyncState.SYNCED

    assert manager_laptop.sync().ok
    mstore = manager_laptop.store
    seen = mstore.records.get(BoardItem, item.id)
    assert (seen.text, seen.sync_state) == ("Grandma does the school run (fictional)",
                                            SyncState.SYNCED)
    assert mstore.visits.of_case(case.id)[0].child_words == "I like my new bed"
    # And back: the manager's board item reaches the worker.
    theirs = mstore.board.add(case.id, Zone.RED, "Dad missed two contact visits (fictional)")
    assert manager_laptop.sync().ok
    assert worker_laptop.sync().ok
    assert store.records.get(BoardItem, theirs.id).text == \
        "Dad missed two contact visits (fictional)"

    on_gateway = _on_gateway(gateway, pod)
    for laptop in (worker_laptop, manager_laptop):
        for rid, (_entity, rev) in saved_here(laptop.store).items():
            assert len(on_gateway[rid]) == 1 and on_gateway[rid][0]["rev"] == rev


def test_the_same_op_replayed_is_applied_once(gateway: Any, pod: Pod,
                                              worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    item = store.board.add(pod.case, Zone.AMBER, "Rent arrears (fictional)")
    (op,) = [o for o in store.outbox.next_push_batch(500, 10**7) if o.record_id == item.id]
    transport = HttpTransport(gateway.url, worker_laptop.token)
    request = PushRequest(ops=[Op.model_validate(op.as_op())])
    first = transport.push(request).results[0].model_dump(mode="json")
    again = transport.push(request).results[0].model_dump(mode="json")
    assert first["outcome"] == "applied"
    assert (again["outcome"], again["rev"]) == ("duplicate", first["rev"])
    report = worker_laptop.sync()                      # the engine sends it a third time
    assert report.ok and report.conflicts == 0
    assert store.records.get(BoardItem, item.id).rev == first["rev"]
    assert [r["rev"] for r in _on_gateway(gateway, pod)[item.id]] == [first["rev"]]


def test_a_conflict_keeps_both_versions_until_a_person_decides(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    item = worker_laptop.store.board.add(pod.case, Zone.RED, "School attendance (fictional)")
    assert worker_laptop.sync().ok
    assert manager_laptop.sync().ok
    mine = worker_laptop.store.records.get(BoardItem, item.id)
    theirs = manager_laptop.store.records.get(BoardItem, item.id)
    mine.text = "Attendance 80%, worker's view (fictional)"
    theirs.text = "Attendance improving, manager's view (fictional)"
    worker_laptop.store.board.update(mine)
    manager_laptop.store.board.update(theirs)
    assert manager_laptop.sync().ok
    report = worker_laptop.sync()
    assert report.conflicts == 1 and not report.ok
    (conflict,) = worker_laptop.store.outbox.conflicts()
    assert conflict.mine["fields"]["text"] == "Attendance 80%, worker's view (fictional)"
    assert conflict.theirs["fields"]["text"] == "Attendance improving, manager's view (fictional)"
    assert worker_laptop.store.records.get(BoardItem, item.id).sync_state is SyncState.CONFLICT
    assert worker_laptop.store.outbox.counts().held == 1
    # Nothing was dropped on the gateway either: it still holds the manager's version.
    assert manager_laptop.sync().ok
    assert manager_laptop.store.records.get(BoardItem, item.id).text.startswith(
        "Attendance improving")

    worker_laptop.store.outbox.resolve_conflict(conflict.id, "merge", {
        "text": "Attendance 80% and improving (fictional)"})
    assert worker_laptop.sync().ok
    assert manager_laptop.sync().ok
    assert manager_laptop.store.records.get(BoardItem, item.id).text == \
        "Attendance 80% and improving (fictional)"


def test_a_refused_record_is_quarantined_and_the_rest_still_go(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    good = [store.board.add(pod.case, Zone.GREEN, f"Good {i} (fictional)") for i in range(5)]
    # A board item on a case this worker does not hold: the gateway must refuse it.
    stray = BoardItem(case_id="no-such-case", zone=Zone.RED, text="Stray (fictional)")
    store.records.save(stray)
    report = worker_laptop.sync(batch_ops=3)
    assert report.refused == 1 and not report.ok
    (refused,) = store.outbox.export_refused()
    assert refused["id"] == stray.id and refused["reason"]
    on_gateway = _on_gateway(gateway, pod)
    assert all(item.id in on_gateway for item in good)
    assert stray.id not in on_gateway


def test_a_push_in_many_batches_sends_each_change_once_and_a_records_next_after_its_first(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    # While one batch is on its way the next is made ready: never from the records on their
    # way, so no change goes twice, and a record's next change goes once its first is answered,
    # on the revision that one got (not as a conflict with itself).
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    first = store.board.add(pod.case, Zone.GREEN, "Nan collects her on Fridays (fictional)")
    others = [store.board.add(pod.case, Zone.AMBER, f"Worry {i} (fictional)") for i in range(5)]
    first.text = "Nan collects her on Fridays and Mondays (fictional)"
    store.board.update(first)
    waiting = store.outbox.pending_count()
    assert waiting == 2 * (1 + len(others)) + 1        # each item and its move, and the change
    report = worker_laptop.sync(batch_ops=3)
    assert report.ok and report.pushed == waiting and report.conflicts == 0, report.as_json()
    sent = gateway.sql("SELECT sum(count) FROM audit WHERE action = 'POST /sync/push'")
    assert sent == [(waiting,)]                         # every change answered once, none twice
    revisions = gateway.sql("SELECT rev FROM record_history WHERE record_id = :id ORDER BY rev",
                            {"id": first.id})
    assert revisions == [(1,), (2,)]
    (held,) = [r for r in gateway.records(pod=pod.id) if r["id"] == first.id]
    assert held["rev"] == 2 and held["fields"]["text"] == first.text
    assert store.records.get(BoardItem, first.id).rev == 2
    # Alone in the outbox, a record's next change still goes once its first is answered.
    last = store.board.add(pod.case, Zone.RED, "Dad missed contact (fictional)")
    last.text = "Dad missed contact twice (fictional)"
    store.board.update(last)
    again = worker_laptop.sync()
    assert again.ok and again.pushed == 3, again.as_json()
    assert store.records.get(BoardItem, last.id).rev == 2


def test_pull_pages_by_cursor_and_never_reads_absence_as_a_delete(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    assert manager_laptop.sync().ok
    items = [manager_laptop.store.board.add(pod.case, Zone.AMBER, f"Item {i} (fictional)")
             for i in range(7)]
    assert manager_laptop.sync().ok
    report = worker_laptop.sync(pull_limit=2)
    assert report.ok and report.pulled >= 7
    cursor = worker_laptop.store.outbox.sync_cursor()
    assert cursor != "0"
    again = worker_laptop.sync(pull_limit=2)           # nothing new: nothing disappears
    assert again.ok and again.pulled == 0
    assert {i.id for i in worker_laptop.store.board.items(pod.case)} >= {i.id for i in items}
    manager_laptop.store.records.delete(manager_laptop.store.records.get(BoardItem, items[0].id))
    assert manager_laptop.sync().ok
    assert worker_laptop.sync().ok
    assert items[0].id not in {i.id for i in worker_laptop.store.board.items(pod.case)}


def test_a_photo_uploads_in_chunks_resumes_after_a_cut_and_reaches_the_other_laptop(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    data = bytes(range(256)) * 10_000            # 2.5 MB: three chunks
    activity_id = store.board.add(pod.case, Zone.GREEN, "Drawing (fictional)").id
    attachment = store.direct_work.attach(activity_id, pod.case, data, "image/png",
                                          filename="drawing.png")
    # The first connection is cut after about 1.5 MB of the upload.
    faults = iter([Fault("cut_request", 1_500_000)])
    with FaultProxy(gateway.port, lambda n: next(faults, Fault())) as proxy:
        report = worker_laptop.sync(proxy.url, max_attempts=4)
    assert report.ok and report.blobs_uploaded == 1, report.as_json()
    assert "cut_request" in proxy.seen
    assert manager_laptop.sync().ok
    assert manager_laptop.store.direct_work.blob(attachment.sha256) == data
    assert hashlib.sha256(manager_laptop.store.direct_work.blob(attachment.sha256)).hexdigest() == \
        attachment.sha256


def test_a_busy_gateway_is_waited_for_as_it_asks(gateway: Any, pod: Pod,
                                                 worker_laptop: Laptop) -> None:
    waited: list[float] = []
    gateway.fail_next(503, count=2, retry_after=1)
    import time as _time

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        _time.sleep(seconds)
    report = worker_laptop.sync(sleep=sleep)
    assert report.ok, report.as_json()
    assert sum(waited) >= 1.9                   # Retry-After: 1, twice


def test_a_revoked_laptop_wipes_its_store(gateway: Any, pod: Pod,
                                          worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    data_dir = worker_laptop.store.data_dir
    gateway.revoke(worker_laptop.enrolment.device_id)
    report = worker_laptop.sync()
    assert report.revoked and "wiped" in report.errors[0]
    assert worker_laptop.store.locked
    # Nothing is left but the wipe note: when, why, how many records went unsent.
    assert [p.name for p in Path(data_dir).rglob("*") if p.is_file()] == [WIPE_NOTE]
    assert set(json.loads((Path(data_dir) / WIPE_NOTE).read_text())) == {
        "at", "reason", "destroyed_unsent"}


def test_cases_come_from_the_council_and_are_not_pushed_back(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    case = worker_laptop.store.records.get(Case, pod.case)
    assert case.rev is not None and case.sync_state is SyncState.SYNCED
    assert worker_laptop.store.outbox.counts().pending == 0


# -- what the protocol cannot carry, found without walking every value -------------------------

def _nested(depth: int) -> Any:
    value: Any = "deep (fictional)"
    for _ in range(depth):
        value = [value]
    return value


#: Values a record's fields may or may not hold, at and past each limit (`json_problem`'s).
TRICKY = [{"text": "plain (fictional)", "position": 3, "shareable": True, "category": None},
          {"n": 2**63 - 1}, {"n": 2**63}, {"n": -(2**63)}, {"n": -(2**63) - 1}, {"n": 10**18 - 1},
          {"n": [1, 2**70]}, {"x": 1e16}, {"x": 1e300}, {"x": float("nan")},
          {"x": {"y": float("-inf")}}, {"t": "\ud800"}, {"\udfff": 1}, {"t": "Zoë 😀"},
          {"t": "1e999 and 12345678901234567890 as text"}, {"id": "3fe829ab9e123"},
          *({"d": _nested(n)} for n in range(29, 35)),
          *({"d": {"e": _nested(n)}} for n in range(28, 34))]


def test_the_fast_check_of_fields_never_passes_what_the_protocol_refuses() -> None:
    sure = 0
    for fields in TRICKY:
        for text in (json.dumps(fields, ensure_ascii=False), json.dumps(fields),
                     json.dumps(fields, separators=(",", ":")), json.dumps(fields, indent=1)):
            parsed = json.loads(text)
            try:
                data = text.encode("utf-8")
            except UnicodeEncodeError:
                data = None                 # not text any page could bring
            fast = plain_text(text) and holdable(parsed)
            assert fast == (data is not None and plain_bytes(data) and holdable(parsed))
            assert not fast or json_problem(parsed) == "", text
            sure += fast
    # ... and most records (text, small numbers, ids, nesting within the limit) are sure.
    assert sure >= 40, sure
    assert plain_text(json.dumps(TRICKY[0])) and holdable({"d": _nested(31)})
    assert not holdable({"d": _nested(32)}) and json_problem({"d": _nested(32)})


def test_a_change_the_protocol_cannot_carry_is_held_here_with_its_reason_and_the_rest_go(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    store = worker_laptop.store
    good = [store.board.add(pod.case, Zone.GREEN, f"Good {i} (fictional)") for i in range(3)]
    fields = {"case_id": pod.case, "zone": "red", "text": "Odd one (fictional)"}
    odd = {"deep": {**fields, "category": _nested(40)}, "huge": {**fields, "position": 2**70}}
    with store.transaction():
        for name, bad in odd.items():
            store.db.execute(
                "INSERT INTO outbox(op_id, entity, record_id, base_rev, fields, deleted, at) "
                "VALUES (?, 'board_item', ?, NULL, ?, 0, '2026-12-01T09:00:00.000Z')",
                [f"op-{name}-fictional", f"item-{name}-fictional", json.dumps(bad)])
    report = worker_laptop.sync()
    assert report.refused == 2 and not report.ok, report.as_json()
    reasons = {r["id"]: r["reason"] for r in store.outbox.export_refused()}
    assert reasons == {
        "item-deep-fictional": "this change cannot be sent: `fields`: the record is nested "
                               "too deeply",
        "item-huge-fictional": "this change cannot be sent: `fields`: the record has a number "
                               "too large to keep"}
    on_gateway = _on_gateway(gateway, pod)
    assert all(item.id in on_gateway for item in good)
    assert not {"item-deep-fictional", "item-huge-fictional"} & set(on_gateway)


def test_a_pulled_change_nested_too_deep_is_kept_aside_from_a_page_otherwise_plain(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    good, deep = "item-good-fictional", "item-deep-fictional"
    serve_raw(gateway, pod.id, pod.case, "board_item", good, 1, _item(pod.case, "Fine (fictional)"))
    serve_raw(gateway, pod.id, pod.case, "board_item", deep, 1,
              _item(pod.case, "Too deep (fictional)", category=_nested(40)))
    report = worker_laptop.sync()
    assert (report.pulled, report.not_applied) == (1, 1), report.as_json()
    (kept,) = worker_laptop.store.outbox.not_applied()
    assert (kept.record_id, kept.reason) == (
        deep, "this change cannot be read: `fields`: the record is nested too deeply")
    assert worker_laptop.store.records.get(BoardItem, good).text == "Fine (fictional)"
