"""Board rules: snapshots at a review, and what moved between two reviews."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rbsw_desktop.domain.entities import BoardItem
from rbsw_desktop.domain.enums import Zone


class Change(StrEnum):
    NEW = "new"             # on the board now, not at the last review
    BETTER = "better"       # moved towards green
    WORSE = "worse"         # moved towards red
    SAME = "same"
    GONE = "gone"           # at the last review, not on the board now


@dataclass(frozen=True)
class Movement:
    board_item_id: str
    text: str
    change: Change
    from_zone: Zone | None
    to_zone: Zone | None
    shareable: bool
    #: The words the worker chose for the family's copy at the review (None: not reworded).
    family_text: str | None = None

    @property
    def for_family(self) -> str:
        """The words the family's copy prints."""
        return self.family_text or self.text

    def describe(self) -> str:
        """Words a child understands."""
        if self.change is Change.NEW:
            assert self.to_zone is not None
            return f"New: this is {self.to_zone.family_label}."
        if self.change is Change.GONE:
            return "This is no longer on the board."
        if self.change is Change.SAME:
            assert self.to_zone is not None
            return f"This is still {self.to_zone.family_label}."
        assert self.from_zone is not None and self.to_zone is not None
        return f"This was {self.from_zone.family_label}, now it is {self.to_zone.family_label}."


def snapshot(items: Iterable[BoardItem]) -> list[dict[str, Any]]:
    """The board as a review keeps it: enough to print and compare, nothing more."""
    return [
        {"board_item_id": i.id, "zone": str(i.zone), "text": i.text,
         "shareable": i.shareable, "raised_by": str(i.raised_by)}
        for i in sorted(items, key=lambda i: (i.zone.rank, i.position))
        if not i.deleted
    ]


def movement(previous: Sequence[dict[str, Any]] | None,
             current: Sequence[dict[str, Any]]) -> list[Movement]:
    """Compare two snapshots (the earlier may be None: the first review)."""
    before = {row["board_item_id"]: row for row in previous or ()}
    out: list[Movement] = []
    seen: set[str] = set()
    for row in current:
        item_id = row["board_item_id"]
        seen.add(item_id)
        to_zone = Zone(row["zone"])
        old = before.get(item_id)
        if old is None:
            change, from_zone = Change.NEW, None
        else:
            from_zone = Zone(old["zone"])
            delta = to_zone.rank - from_zone.rank
            change = Change.BETTER if delta > 0 else Change.WORSE if delta < 0 else Change.SAME
        out.append(Movement(item_id, row["text"], change, from_zone, to_zone,
                            bool(row.get("shareable", False)), row.get("family_text")))
    for item_id, old in before.items():
        if item_id not in seen:
            out.append(Movement(item_id, old["text"], Change.GONE, Zone(old["zone"]), None,
                                bool(old.get("shareable", False))))
    return out
