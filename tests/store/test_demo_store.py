"""The fictional demo store holds what resources/demo/families.json describes, dated from the day
it is made: each family's child, case, people, visits (finalised or draft, amended), board
(moved between two reviews), direct work, and a child's drawing of three houses that opens as a
picture."""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta
from pathlib import Path

import pytest

from rbsw_desktop.domain import (
    Attachment,
    Case,
    Child,
    Person,
    Pod,
    Visit,
    VisitAmendment,
    Worker,
)
from rbsw_desktop.domain.instants import local_datetime
from rbsw_desktop.store import Store
from rbsw_desktop.store.demo import DEMO_PASSPHRASE, create_demo_store, demo_content
from tests.conftest import FAST_KDF

TODAY = date(2026, 12, 1)


@pytest.fixture
def demo(tmp_path: Path) -> Store:
    """A demo store for each test (not one for the module: `mutate` runs only the tests that
    made the demo, and a shared store is made by the first test alone)."""
    store = create_demo_store(tmp_path / "demo", kdf=FAST_KDF, today=TODAY)
    yield store
    store.lock()


def _ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the RGB rows of an 8-bit RGB PNG with unfiltered rows."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, chunks = 8, {}
    while at < len(png):
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind, data = png[at + 4:at + 8], png[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF
        chunks[kind] = data
        at += 12 + length
    width, height, depth, colour, *_ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour) == (8, 2) and b"IEND" in chunks
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + 3 * width
    assert len(raw) == stride * height
    return width, height, [raw[y * stride + 1:(y + 1) * stride] for y in range(height)]


def test_the_demo_store_opens_with_its_shown_passphrase(tmp_path: Path) -> None:
    store = create_demo_store(tmp_path / "demo", kdf=FAST_KDF, today=TODAY)
    data_dir = store.data_dir
    store.lock()
    again = Store.unlock(data_dir, DEMO_PASSPHRASE)
    try:
        assert len(again.cases.summaries(today=TODAY)) == len(demo_content()["families"])
    finally:
        again.lock()


def test_the_pod_and_its_workers_are_the_demos_and_the_laptop_is_sams(demo: Store) -> None:
    content = demo_content()
    (pod,) = demo.records.find(Pod)
    assert (pod.name, pod.phone, pod.email) == tuple(content["pod"][k]
                                                     for k in ("name", "phone", "email"))
    workers = {w.name: w for w in demo.records.find(Worker)}
    for w in content["workers"]:
        held = workers[w["name"]]
        assert (held.role.value, held.phone, held.email, held.pod_id) == (
            w["role"], w["phone"], w["email"], pod.id)
    me = next(w for w in content["workers"] if w["key"] == "me")
    assert demo.actor == workers[me["name"]].id
    assert (demo.meta("worker_name"), demo.meta("pod_id")) == (me["name"], pod.id)


@pytest.mark.parametrize("n", range(len(demo_content()["families"])))
def test_each_family_is_in_the_store_as_described(demo: Store, n: int) -> None:
    family = demo_content()["families"][n]
    (case,) = demo.records.find(Case, "family_name = ?", [family["family_name"]])
    child = demo.records.get(Child, case.child_id)
    c = family["child"]
    assert (child.name, child.known_as, child.pronouns) == (c["name"], c["known_as"],
                                                            c["pronouns"])
    born = date.fromisoformat(child.date_of_birth)
    assert int((TODAY - born).days / 365.25) == int(c["age"])
    assert (case.category.value, case.care_arrangement and case.care_arrangement.value) == (
        family["category"], family.get("care_arrangement"))
    assert case.started_on == _ago(family["started_days_ago"]).isoformat()
    assert case.worker_id == demo.actor and case.open
    assert case.next_review_on == (TODAY + timedelta(days=28)).isoformat()
    people = demo.records.find(Person, "case_id = ?", [case.id], order_by="rowid")
    assert [[p.name, p.relationship, p.is_family] for p in people] == family["people"]

    visits = demo.records.find(Visit, "case_id = ?", [case.id], order_by="visited_at DESC")
    wanted = sorted(family["visits"], key=lambda v: v["days_ago"])
    assert len(visits) == len(wanted)
    for visit, v in zip(visits, wanted, strict=True):
        at = local_datetime(visit.visited_at)
        assert (at.date(), at.hour, at.minute) == (_ago(v["days_ago"]), 10, 30)
        assert (visit.visit_type.value, visit.child_seen, visit.status.value) == (
            "statutory", True, "finalised" if v["finalised"] else "draft")
        assert (visit.child_seen_alone, visit.bedroom_seen, visit.seen_awake) == (
            v["child_seen_alone"], v["bedroom_seen"], v.get("seen_awake"))
        assert visit.not_seen_alone_reason == v.get("not_seen_alone_reason", "")
        assert (visit.child_words, visit.observations, visit.parents_views, visit.analysis) == (
            v["child_words"], v["observations"], v["parents_views"], v["analysis"])
        assert visit.present == [{"name": p[0], "role": p[1]} for p in family["people"][:2]]
        amendments = demo.records.find(VisitAmendment, "visit_id = ?", [visit.id])
        assert [(a.text, a.reason) for a in amendments] == (
            [(v["amend"], "Recorded in error")] if v.get("amend") else [])

    items = {i.text: i for i in demo.board.items(case.id)}
    moved = dict(family["moves"])
    rows = family["board_before"] + family["board_after"]
    assert set(items) == {row[1] for row in rows}
    for row in rows:
        item = items[row[1]]
        assert (item.zone.value, item.raised_by.value, item.shareable) == (
            moved.get(row[1], row[0]), row[2], row[3])
        assert (item.withheld_reason and item.withheld_reason.value,
                item.worker_note) == ((row[4] if len(row) > 4 else None),
                                      row[5] if len(row) > 5 else "")
    reviews = demo.board.reviews(case.id)
    if family["moves"] or family["board_after"]:
        first, last = reviews
        assert (first.held_on, last.held_on) == (_ago(42).isoformat(), _ago(7).isoformat())
        assert last.next_review_on == (TODAY + timedelta(days=28)).isoformat()
        assert {r["zone"] for r in first.snapshot if r["text"] in moved} != {
            r["zone"] for r in last.snapshot if r["text"] in moved}
        assert len(last.snapshot) == len(rows) and len(first.snapshot) == len(
            family["board_before"])
    else:
        assert reviews == []

    sessions = demo.direct_work.of_case(case.id)
    assert len(sessions) == len(family["direct_work"])
    for session, d in zip(sessions, sorted(family["direct_work"], key=lambda d: d["days_ago"]),
                          strict=True):
        assert (session.tool.value, session.held_on, session.title, session.parts) == (
            d["tool"], _ago(d["days_ago"]).isoformat(), d["title"], d["parts"])
        assert (session.child_words, session.lived_experience, session.consent,
                session.shareable) == (d["child_words"], d["lived_experience"], d["consent"],
                                       d.get("shareable", True))
        pictures = demo.direct_work.attachments(session.id)
        if not d.get("drawing"):
            assert pictures == []
            continue
        (picture,) = pictures
        assert (picture.filename, picture.caption, picture.consent, picture.media_type) == (
            "three-houses-drawing.png", "Poppy's three houses", d["consent"], "image/png")
        png = demo.direct_work.blob(picture.sha256)
        assert png is not None and picture.size == len(png)
        assert demo.records.get(Attachment, picture.id).case_id == case.id


def test_the_drawing_is_three_coloured_houses_with_roofs_on_grass_under_a_sky(
        demo: Store) -> None:
    (picture,) = demo.records.find(Attachment)
    width, height, rows = pixels(demo.direct_work.blob(picture.sha256) or b"")
    assert (width, height) == (96, 64)

    def at(x: int, y: int) -> tuple[int, ...]:
        return tuple(rows[y][3 * x:3 * x + 3])
    sky, grass, roof = (200, 225, 255), (90, 170, 80), (120, 60, 40)
    assert at(0, 0) == at(95, 10) == at(30, 40) == sky       # above, and between the houses
    assert at(0, 53) == at(95, 63) == at(50, 60) == grass    # the grass, all along the bottom
    walls = [at(x, 45) for x in (8, 27, 38, 57, 68, 87)]     # each house, edge to edge
    assert walls == [(230, 80, 70)] * 2 + [(240, 180, 60)] * 2 + [(80, 160, 90)] * 2
    assert at(18, 52) == (230, 80, 70) and at(18, 29) == roof and at(18, 20) == roof
    assert at(18, 19) == sky and at(9, 29) == roof and at(9, 27) == sky   # a pointed roof
    assert at(48, 25) == at(78, 25) == roof and at(7, 45) == at(28, 45) == sky
