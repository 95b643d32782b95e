"""The fictional demo store: a pod's worth of made-up families, so a first launch shows a
believable caseload. Content lives in resources/demo/families.json; nothing in it is real.

Everything is written through the store facade, so every record has its outbox and audit rows
like a worker's own.
"""

from __future__ import annotations

import json
import struct
import zlib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from rbsw_desktop.domain import (
    CareArrangement,
    Case,
    CaseCategory,
    Child,
    DirectWorkTool,
    Person,
    Pod,
    RaisedBy,
    Role,
    VisitType,
    WithheldReason,
    Worker,
    Zone,
)
from rbsw_desktop.domain.instants import instant_text
from rbsw_desktop.resources import resource_path
from rbsw_desktop.security.keys import DEFAULT_PARAMS, Argon2Params
from rbsw_desktop.store.store import Store

DEMO_PASSPHRASE = "fictional demo data"  # noqa: S105 - shown on the lock screen by design


def demo_content() -> dict[str, Any]:
    return json.loads(resource_path("demo", "families.json").read_text(encoding="utf-8"))


def create_demo_store(data_dir: Path, passphrase: str = DEMO_PASSPHRASE, *,
                      kdf: Argon2Params = DEFAULT_PARAMS, today: date | None = None) -> Store:
    store = Store.create(data_dir, passphrase, kdf=kdf)
    populate_demo(store, today=today)
    return store


def populate_demo(store: Store, *, today: date | None = None) -> None:
    today = today or date.today()
    content = demo_content()
    with store.transaction():
        pod = store.records.save(Pod(**content["pod"]))
        workers = {}
        for w in content["workers"]:
            workers[w["key"]] = store.records.save(Worker(
                name=w["name"], role=Role(w["role"]), pod_id=pod.id, phone=w["phone"],
                email=w["email"]))
        me = workers["me"]
        store.set_meta("worker_id", me.id)
        store.set_meta("worker_name", me.name)
        store.set_meta("pod_id", pod.id)
        for family in content["families"]:
            _add_family(store, family, pod, me, today)


def _days_ago(today: date, days: int) -> date:
    return today - timedelta(days=days)


def _at(day: date) -> str:
    """A morning visit: 10:30 on the laptop's clock that day (BST or GMT), stored in UTC."""
    return instant_text(datetime.combine(day, time(10, 30)).astimezone())


def _add_family(store: Store, family: dict[str, Any], pod: Pod, worker: Worker,
                today: date) -> None:
    c = family["child"]
    child = store.records.save(Child(
        name=c["name"], known_as=c["known_as"], pronouns=c["pronouns"],
        date_of_birth=_days_ago(today, int(c["age"] * 365.25 + 40)).isoformat()))
    arrangement = family.get("care_arrangement")
    case = store.records.save(Case(
        child_id=child.id, pod_id=pod.id, worker_id=worker.id, family_name=family["family_name"],
        category=CaseCategory(family["category"]),
        care_arrangement=CareArrangement(arrangement) if arrangement else None,
        started_on=_days_ago(today, family["started_days_ago"]).isoformat(),
        next_review_on=(today + timedelta(days=28)).isoformat()))
    for name, relationship, is_family in family["people"]:
        store.records.save(Person(case_id=case.id, name=name, relationship=relationship,
                                  is_family=is_family))
    for v in family["visits"]:
        visit = store.visits.add(
            case.id, visit_type=VisitType.STATUTORY,
            visited_at=_at(_days_ago(today, v["days_ago"])),
            child_seen=True, child_seen_alone=v["child_seen_alone"],
            not_seen_alone_reason=v.get("not_seen_alone_reason", ""),
            bedroom_seen=v["bedroom_seen"], seen_awake=v.get("seen_awake"),
            child_words=v["child_words"], observations=v["observations"],
            parents_views=v["parents_views"], analysis=v["analysis"],
            present=[{"name": p[0], "role": p[1]} for p in family["people"][:2]])
        if v["finalised"]:
            store.visits.finalise(visit.id)
            if v.get("amend"):
                store.visits.amend(visit.id, v["amend"], reason="Recorded in error")
    items = {}
    for row in family["board_before"]:
        items[row[1]] = _board_item(store, case, row)
    if family["moves"] or family["board_after"]:
        store.board.start_review(case.id, held_on=_days_ago(today, 42))
        for text, zone in family["moves"]:
            store.board.move(items[text].id, Zone(zone))
        for row in family["board_after"]:
            _board_item(store, case, row)
        store.board.start_review(case.id, held_on=_days_ago(today, 7),
                                 next_review_on=today + timedelta(days=28))
    for d in family["direct_work"]:
        activity = store.direct_work.add(
            case.id, DirectWorkTool(d["tool"]), held_on=_days_ago(today, d["days_ago"]).isoformat(),
            title=d["title"], parts=d["parts"], child_words=d["child_words"],
            lived_experience=d["lived_experience"], consent=d["consent"],
            shareable=d.get("shareable", True))
        if d.get("drawing"):
            store.direct_work.attach(activity.id, case.id, demo_drawing_png(), "image/png",
                                     filename="three-houses-drawing.png",
                                     caption="Poppy's three houses", consent=d["consent"])


def _board_item(store: Store, case: Case, row: list[Any]):  # noqa: ANN202
    zone, text, raised_by, shareable = row[:4]
    withheld = WithheldReason(row[4]) if len(row) > 4 else None
    note = row[5] if len(row) > 5 else ""
    return store.board.add(case.id, Zone(zone), text, raised_by=RaisedBy(raised_by),
                           shareable=shareable, withheld_reason=withheld, worker_note=note)


def demo_drawing_png(width: int = 96, height: int = 64) -> bytes:
    """A small 'child's drawing' (three coloured houses on grass), made without any library."""
    sky, grass = (200, 225, 255), (90, 170, 80)
    houses = [((8, 30), (230, 80, 70)), ((38, 30), (240, 180, 60)), ((68, 30), (80, 160, 90))]
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            colour = grass if y > 52 else sky
            for (hx, hy), c in houses:
                if hx <= x < hx + 20 and hy <= y <= 52:
                    colour = c
                roof = hy - (x - hx) if x < hx + 10 else hy - (hx + 20 - x)
                if hx <= x < hx + 20 and roof <= y < hy:
                    colour = (120, 60, 40)
            row += bytes(colour)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
