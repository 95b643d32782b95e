"""The sync engine's paths, for `dev.py mutate engine` beside test_engine_mutants.py: the pull's
progress page by page, a page the store did not keep, the counts every kind of request tells
the council (its audit of a revoked laptop says them), the retries IT reads in the log and the
waits between them, the helper threads a push and a pull run on, and a wipe that goes wrong.
Real gateway, real encrypted stores; faults come from the gateway's own test fault plan
(`fail_next`); the wipe that leaves a file is the real wipe, then told as if one file stayed."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import threading
import time
from typing import Any

import pytest

from rbsw_desktop.domain import Zone
from rbsw_desktop.domain.entities import Review, new_id
from rbsw_desktop.security.wipe import WipeResult, wipe_store
from tests.sync.engine_gateway import gateway_fixture  # noqa: F401 (fixture)
from tests.sync.laptops import (  # noqa: F401 (fixtures)
    Laptop,
    Pod,
    manager_laptop_fixture,
    pod_fixture,
    serve_raw,
    worker_laptop_fixture,
)

BUSY_SAID = "The council system is busy. Sync will try again shortly."
NOT_KEPT = ("Some changes from the council did not save on this laptop. They will be fetched "
            "again next time.")


def _items(laptop: Laptop, pod: Pod, n: int) -> list[Any]:
    return [laptop.store.board.add(pod.case, Zone.GREEN, f"Strength {k} (fictional)")
            for k in range(n)]


def _audit(gateway: Any, laptop: Laptop) -> list[dict[str, Any]]:
    rows = json.loads(gateway.admin("audit", "--limit", "1000", "--json"))
    return sorted((r for r in rows if r["device_id"] == laptop.enrolment.device_id),
                  key=lambda r: r["id"])


# -- the pull, page by page ---------------------------------------------------------------------

def test_the_pull_counts_its_progress_page_by_page(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok and manager_laptop.sync().ok   # caught up: now the five
    _items(worker_laptop, pod, 3)                 # each an item and its place: six records
    assert worker_laptop.sync().ok
    stages: list[tuple[str, int, int]] = []
    report = manager_laptop.engine(pull_limit=4).sync_once(
        progress=lambda stage, done, total: stages.append((stage, done, total)))
    assert report.ok and report.pulled == 6, report.as_json()
    # Each page: pulled so far, and one more to come while the council says there is more.
    assert [s for s in stages if s[0] == "pull"] == [("pull", 4, 5), ("pull", 6, 6)]


def test_changes_not_saved_here_on_two_pages_are_all_counted(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    item = {"case_id": pod.case, "zone": "amber", "raised_by": "professional",
            "shareable": True, "withheld_reason": None, "worker_note": "", "category": None,
            "position": 2**70, "text": "Too big (fictional)"}
    for _ in range(2):            # two versions no laptop can keep, one page each
        serve_raw(gateway, pod, new_id(), item)
    report = worker_laptop.sync(pull_limit=1)
    assert report.not_applied == 2 and report.as_json()["pulled_quarantined"] == 2, \
        report.as_json()


def test_a_page_the_store_did_not_keep_is_said_and_fetched_again_next_time(
        gateway: Any, pod: Pod, worker_laptop: Laptop, manager_laptop: Laptop,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert worker_laptop.sync().ok and manager_laptop.sync().ok
    items = _items(worker_laptop, pod, 3)
    assert worker_laptop.sync().ok
    outbox = manager_laptop.store.outbox
    cursor = outbox.sync_cursor()
    present = outbox.count_present
    # A disk that lost a write: the page's records count one short after they are saved.
    monkeypatch.setattr(outbox, "count_present", lambda changes: present(changes) - 1)
    report = manager_laptop.sync()
    assert report.errors == [NOT_KEPT] and not report.pull_finished, report.as_json()
    assert outbox.sync_cursor() == cursor           # the cursor did not move past the page
    monkeypatch.undo()
    again = manager_laptop.sync()                   # the page again: held now, cursor past it
    assert again.ok and outbox.sync_cursor() != cursor, again.as_json()
    assert {i.id for i in items} <= {i.id for i in manager_laptop.store.board.items(pod.case)}


# -- what every request tells the council -------------------------------------------------------

def test_a_revoked_laptops_push_tells_the_council_how_many_records_it_destroys(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    _items(worker_laptop, pod, 2)
    gateway.revoke(worker_laptop.enrolment.device_id)
    report = worker_laptop.sync()
    assert report.revoked and report.destroyed_unsent >= 2, report.as_json()   # items, places
    (refused,) = [r for r in _audit(gateway, worker_laptop) if r["target"] == "wipe"]
    assert (refused["action"], refused["count"]) == ("POST /sync/push", report.destroyed_unsent)


def test_a_revoked_laptops_pull_tells_the_council_of_the_records_held_back_here(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    # A change the protocol cannot carry is held here, refused: unsent, and nothing to push.
    worker_laptop.store.records.save(Review(
        case_id=pod.case, held_on="2026-11-30",
        snapshot=[{"board_item_id": "item-0", "zone": "red", "text": "Worry (fictional)",
                   "position": 2**70}]))
    assert worker_laptop.sync().refused == 1
    gateway.revoke(worker_laptop.enrolment.device_id)
    report = worker_laptop.sync()
    assert report.revoked and report.destroyed_unsent == 1, report.as_json()
    (refused,) = [r for r in _audit(gateway, worker_laptop) if r["target"] == "wipe"]
    assert (refused["action"], refused["count"]) == ("GET /sync/changes", 1), refused


def test_a_revoked_laptops_photo_check_tells_the_council_what_it_destroys(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    owner = worker_laptop.store.board.add(pod.case, Zone.GREEN, "Drawing (fictional)").id
    worker_laptop.store.direct_work.attach(owner, pod.case, b"\x89PNG fictional drawing",
                                           "image/png", filename="drawing.png")
    gateway.revoke(worker_laptop.enrolment.device_id)
    report = worker_laptop.sync()
    assert report.revoked and report.destroyed_unsent >= 2, report.as_json()   # item, photo
    (refused,) = [r for r in _audit(gateway, worker_laptop) if r["target"] == "wipe"]
    assert refused["action"].startswith("HEAD /blobs/"), refused
    assert refused["count"] == report.destroyed_unsent, refused


# -- retries ------------------------------------------------------------------------------------

def test_each_retry_is_logged_with_its_number_and_wait(
        gateway: Any, pod: Pod, worker_laptop: Laptop, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "rbsw_desktop.sync.engine")
    assert worker_laptop.sync().ok
    gateway.fail_next(503, count=2)
    assert worker_laptop.sync().ok
    retries = [m for m in caplog.messages if m.startswith("sync: retry")]
    assert len(retries) == 2 and all(re.fullmatch(r"sync: retry \d in \d+\.\d\ds", m)
                                     for m in retries), retries
    assert [m.split()[2] for m in retries] == ["1", "2"]


def test_a_wait_the_council_asks_for_is_slept_in_short_steps_so_stop_is_heard(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    gateway.fail_next(503, retry_after=1)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    started = time.monotonic()
    assert worker_laptop.sync(sleep=sleep).ok
    assert time.monotonic() - started >= 1
    assert sleeps and max(sleeps) <= 0.1 and sum(sleeps) >= 0.95, sleeps


def test_six_tries_by_default_then_the_busy_council_is_said(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    gateway.fail_next(503, count=5, retry_after=0)
    assert worker_laptop.sync().ok                  # the sixth try is answered
    gateway.fail_next(503, count=6, retry_after=0)
    report = worker_laptop.sync()
    assert report.errors == [BUSY_SAID] and not report.pull_finished, report.as_json()


# -- the helper threads -------------------------------------------------------------------------

def test_a_push_and_a_pull_go_from_their_named_helper_threads(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    """The log and the thread check (RBSW_CHECK_THREADS) name the thread a request ran on."""
    assert worker_laptop.sync().ok
    _items(worker_laptop, pod, 2)
    engine = worker_laptop.engine()
    seen: list[tuple[str, str]] = []
    for name in ("push", "changes"):
        sent = getattr(engine.transport, name)

        def traced(*args: Any, _sent: Any = sent, _name: str = name, **kwargs: Any) -> Any:
            seen.append((_name, threading.current_thread().name))
            return _sent(*args, **kwargs)

        setattr(engine.transport, name, traced)
    assert engine.sync_once().ok
    assert seen and {kind for kind, _ in seen} == {"push", "changes"}, seen
    assert all(thread.startswith("sync-push_") for kind, thread in seen if kind == "push"), seen
    assert all(thread.startswith("sync-pull_") for kind, thread in seen if kind == "changes"), \
        seen


# -- a wipe that goes wrong ---------------------------------------------------------------------

def test_a_wipe_that_leaves_a_file_says_so_and_what_to_do(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok

    def wipe_leaving_a_file(store: Any) -> WipeResult:
        # The real wipe, then as if one file could not be removed (a disk that refused).
        return dataclasses.replace(wipe_store(store), files_left=("store.sqlite3",))

    gateway.revoke(worker_laptop.enrolment.device_id)
    report = worker_laptop.sync(wipe=wipe_leaving_a_file)
    assert report.revoked and report.errors == [
        "This laptop has been signed out by the council, but its wipe went wrong. Not "
        "everything could be removed: 1 file(s) of the app's encrypted store are still on this "
        "laptop. Close the app, do not use it for case work, and tell IT support now so they "
        "can remove them. Nothing was lost (everything on it had reached the council)."], \
        report.as_json()


def test_a_wipe_that_says_nothing_is_taken_as_complete(
        gateway: Any, pod: Pod, worker_laptop: Laptop) -> None:
    assert worker_laptop.sync().ok
    gateway.revoke(worker_laptop.enrolment.device_id)
    report = worker_laptop.sync(wipe=lambda store: wipe_store(store) and None)
    assert report.revoked and report.errors == [
        "This laptop has been signed out by the council, so its store has been wiped. Ask "
        "business support to set it up again. Nothing was lost (everything on it had reached "
        "the council)."], report.as_json()
