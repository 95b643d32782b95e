"""Where the people of an ecomap and a genogram go, in pure Python (no Qt): the views and the
renderers paint what these give.

An ecomap's places are in its own units with the child at (0, 0), on a sheet `ECOMAP_WIDTH` by
`ECOMAP_HEIGHT` around them; a person the worker or child placed keeps their `x`/`y`, the rest
go on rings around the child, each kind of person or service together. A genogram's places are
in generation rows, parents above their children, partners side by side.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from rbsw_desktop.domain.direct_work_content import ECOMAP_KINDS, EcomapPerson, Genogram

ECOMAP_WIDTH, ECOMAP_HEIGHT = 960.0, 680.0
#: How far a person's centre may be from the child's, so their name stays on the sheet.
ECOMAP_MAX_X, ECOMAP_MAX_Y = ECOMAP_WIDTH / 2 - 72, ECOMAP_HEIGHT / 2 - 30
#: The rings round the child: half their width and half their height, far enough apart that
#: a person on one clears a person on the next (a person's box is about 140 by 48).
RINGS = ((230.0, 135.0), (392.0, 265.0))
ROOM_ACROSS, ROOM_DOWN = 150.0, 58.0     # what one person needs beside or above the next
SAMPLES = 720                            # steps round a ring when sharing it out

Point = tuple[float, float]


def clamp_to_sheet(x: float, y: float) -> Point:
    return (max(-ECOMAP_MAX_X, min(ECOMAP_MAX_X, x)), max(-ECOMAP_MAX_Y, min(ECOMAP_MAX_Y, y)))


def ecomap_layout(people: Sequence[EcomapPerson]) -> dict[str, Point]:
    """Each person's place: their own x/y, else on the rings round the child, kinds together
    (family first, clockwise from the top), the inner ring first. Round a ring people are
    spaced by the room they need: wider apart across the top and bottom (side by side) than
    down the sides (one above the next)."""
    places: dict[str, Point] = {p.id: clamp_to_sheet(p.x, p.y) for p in people
                                if p.x is not None and p.y is not None}
    order = {kind: i for i, kind in enumerate(ECOMAP_KINDS)}
    free = sorted((p for p in people if p.id not in places),
                  key=lambda p: order.get(p.kind, len(order)))      # stable: their own order
    rooms = [_room_round(a, b) for a, b in RINGS]
    capacity = [max(1, int(room[-1])) for room in rooms]
    if len(free) > sum(capacity):       # more than fits: every ring takes its share, closer
        scale = len(free) / sum(capacity)
        capacity = [math.ceil(c * scale) for c in capacity]
    start = 0
    for (a, b), room, fits in zip(RINGS, rooms, capacity, strict=True):
        ring = free[start:start + fits]
        start += fits
        for i, person in enumerate(ring):
            angle = _angle_at(room, room[-1] * i / len(ring))
            places[person.id] = (round(a * math.cos(angle), 1), round(b * math.sin(angle), 1))
    return places


@cache
def _room_round(a: float, b: float) -> list[float]:
    """How many people fit from the top of a ring to each of SAMPLES steps round it."""
    out, total = [0.0], 0.0
    step = 2 * math.pi / SAMPLES
    for i in range(SAMPLES):
        t = -math.pi / 2 + (i + 0.5) * step
        total += max(a * abs(math.sin(t)) / ROOM_ACROSS, b * abs(math.cos(t)) / ROOM_DOWN) * step
        out.append(total)
    return out


def _angle_at(room: list[float], wanted: float) -> float:
    """The angle round a ring (from the top, clockwise) where `wanted` people fit before."""
    i = bisect.bisect_left(room, wanted)
    return -math.pi / 2 + 2 * math.pi * max(0, i) / SAMPLES


# -- genogram ---------------------------------------------------------------------------------

GENOGRAM_COLUMN, GENOGRAM_ROW = 130.0, 150.0    # room for one person; one generation's height


@dataclass(frozen=True)
class GenogramLayout:
    places: dict[str, Point]          # each person's symbol centre
    generations: int
    width: float
    height: float


def generations(genogram: Genogram) -> dict[str, int]:
    """Each person's generation (0 the eldest): below every parent, level with partners."""
    gen = {p.id: 0 for p in genogram.people}
    for _ in range(len(gen) + 1):       # bounded: partners and parents can disagree
        moved = False
        for r in genogram.relationships:
            if r.kind == "parent_of" and gen[r.to_id] < gen[r.from_id] + 1:
                gen[r.to_id], moved = gen[r.from_id] + 1, True
            elif r.kind != "parent_of" and gen[r.from_id] != gen[r.to_id]:
                gen[r.from_id] = gen[r.to_id] = max(gen[r.from_id], gen[r.to_id])
                moved = True
        if not moved:
            break
    return gen


def genogram_layout(genogram: Genogram) -> GenogramLayout:
    """Generation rows, eldest at the top; in each row children under their parents (in the
    order they were added) and partners side by side."""
    gen = generations(genogram)
    parents: dict[str, list[str]] = {}
    partners: dict[str, list[str]] = {}
    for r in genogram.relationships:
        if r.kind == "parent_of":
            parents.setdefault(r.to_id, []).append(r.from_id)
        else:
            partners.setdefault(r.from_id, []).append(r.to_id)
            partners.setdefault(r.to_id, []).append(r.from_id)
    added = {p.id: i for i, p in enumerate(genogram.people)}
    rows = max(gen.values(), default=-1) + 1
    slot: dict[str, float] = {}
    for row in range(rows):
        members = [p.id for p in genogram.people if gen[p.id] == row]

        def under_parents(pid: str) -> tuple[float, int]:
            above = [slot[q] for q in parents.get(pid, ()) if q in slot]
            mates = [slot[q] for m in partners.get(pid, ()) for q in parents.get(m, ())
                     if q in slot]
            pos = above or mates
            return (sum(pos) / len(pos) if pos else math.inf, added[pid])

        ordered: list[str] = []
        for pid in sorted(members, key=under_parents):
            if pid in ordered:
                continue
            ordered.append(pid)
            ordered += [m for m in partners.get(pid, ()) if gen[m] == row and m not in ordered]
        for i, pid in enumerate(ordered):
            slot[pid] = float(i)
        # Centre a row under the parents it descends from, where there is room to.
        wanted = [under_parents(pid)[0] for pid in ordered]
        known = [w - i for i, w in enumerate(wanted) if w != math.inf]
        shift = max(0.0, sum(known) / len(known)) if known else 0.0
        for pid in ordered:
            slot[pid] += shift
    columns = max(slot.values(), default=-1.0) + 1
    places = {pid: ((s + 0.5) * GENOGRAM_COLUMN, (gen[pid] + 0.5) * GENOGRAM_ROW)
              for pid, s in slot.items()}
    return GenogramLayout(places, rows, max(columns, 1) * GENOGRAM_COLUMN,
                          max(rows, 1) * GENOGRAM_ROW)
