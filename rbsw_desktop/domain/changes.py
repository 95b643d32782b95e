"""What a write changed (Anki's `OpChanges`): the kind and id of every record it wrote.

The store notes each record as it writes it, so a write (or a sync) reports exactly what it
changed, and each open view refreshes only those records:

    changes = Changes.of(EntityKind.BOARD_ITEM, item.id)
    changes.touches(EntityKind.BOARD_ITEM, EntityKind.REVIEW)    -> True
    changes.ids(EntityKind.BOARD_ITEM)                            -> frozenset({item.id})
    changes.ids_if_few(EntityKind.BOARD_ITEM)                     -> the same, or None

A view reads the records in `ids_if_few` by id (one query) and updates just their rows; None
(more than `FEW`: a big sync) is its cue to read its whole list again, one query for all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rbsw_desktop.domain.enums import EntityKind

FEW = 200       # more changed records of a view's kinds than this: it reads its whole list


@dataclass(frozen=True)
class Changes:
    records: frozenset[tuple[EntityKind, str]] = frozenset()

    @classmethod
    def of(cls, kind: EntityKind, *ids: str) -> Changes:
        return cls(frozenset((kind, i) for i in ids))

    @classmethod
    def union(cls, many: Iterable[Changes]) -> Changes:
        return cls(frozenset().union(*(c.records for c in many)))

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.records | other.records)

    def __bool__(self) -> bool:
        return bool(self.records)

    @property
    def kinds(self) -> frozenset[EntityKind]:
        return frozenset(kind for kind, _ in self.records)

    def touches(self, *kinds: EntityKind) -> bool:
        return any(kind in kinds for kind, _ in self.records)

    def ids(self, *kinds: EntityKind) -> frozenset[str]:
        return frozenset(i for kind, i in self.records if kind in kinds)

    def ids_if_few(self, *kinds: EntityKind) -> frozenset[str] | None:
        """The ids of these kinds, or None when there are more than `FEW` of them."""
        ids = self.ids(*kinds)
        return ids if len(ids) <= FEW else None
