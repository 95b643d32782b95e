"""The family's board (`store.board`): items in red, amber and green, every move between zones
kept as a BoardMove, and the reviews that snapshot the board.

Positions inside a zone run 0, 1, 2, ...: an item dropped at a row takes that place and the
items from there on move down one, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from rbsw_desktop.domain import board as board_rules
from rbsw_desktop.domain.entities import BoardItem, BoardMove, Review
from rbsw_desktop.domain.enums import RaisedBy, WithheldReason, Zone
from rbsw_desktop.errors import InvalidInput
from rbsw_desktop.store.cases import iso
from rbsw_desktop.store.part import Part


class Board(Part):
    # -- items --------------------------------------------------------------------------------

    def items(self, case_id: str) -> list[BoardItem]:
        """The case's board, each zone in its order."""
        return self._store.records.find(BoardItem, "case_id = ?", [case_id],
                                        order_by="position, updated_at")

    def items_with_ids(self, case_id: str, ids: Collection[str]) -> list[BoardItem]:
        """These items of the case as stored now, deleted ones too (a view drops those)."""
        return self._store.records.with_ids(BoardItem, ids, "case_id = ?", [case_id])

    def add(self, case_id: str, zone: Zone, text: str, *,
            raised_by: RaisedBy = RaisedBy.FAMILY, shareable: bool = True,
            withheld_reason: WithheldReason | None = None,
            worker_note: str = "") -> BoardItem:
        if not text.strip():
            raise InvalidInput("A board item needs some words.")
        self._store.cases.get(case_id)
        if not shareable and withheld_reason is None:
            withheld_reason = WithheldReason.PROFESSIONALS_ONLY
        save = self._store.records.save_in_transaction
        with self._store.transaction():
            position = self._next_position(case_id, zone)
            item = BoardItem(case_id=case_id, zone=zone, text=text.strip(), raised_by=raised_by,
                             shareable=shareable, withheld_reason=withheld_reason,
                             worker_note=worker_note, position=position)
            save(item, "create")
            save(BoardMove(board_item_id=item.id, case_id=case_id, to_zone=zone), "create")
        return item

    def move(self, item_id: str, zone: Zone, position: int | None = None) -> BoardItem:
        """To `zone`, at `position` (a row of the zone as shown, the item itself included) or
        at its end."""
        with self._store.transaction():
            item = self._store.records.get(BoardItem, item_id)
            self._place(item, zone, position, "move")
        return item

    def update(self, item: BoardItem, *, zone: Zone | None = None) -> BoardItem:
        """The item's words and sharing, and its zone when `zone` is given: one transaction."""
        if not item.text.strip():
            raise InvalidInput("A board item needs some words.")
        with self._store.transaction():
            if zone is None or zone is self._store.records.get(BoardItem, item.id).zone:
                self._store.records.save_in_transaction(item, "update")
            else:
                self._place(item, zone, None, "update")
        return item

    def history(self, item_id: str) -> list[BoardMove]:
        return self._store.records.find(BoardMove, "board_item_id = ?", [item_id],
                                        order_by="moved_at")

    def _place(self, item: BoardItem, zone: Zone, position: int | None, action: str) -> None:
        """Save `item` in `zone` at `position` (None: the end), renumbering the zone, and
        record the move between zones."""
        save = self._store.records.save_in_transaction
        stored = self._store.records.get(BoardItem, item.id)
        old = stored.zone
        if position is None:
            item.zone = zone
            item.position = self._next_position(item.case_id, zone)
            save(item, action)
        else:
            shown = [i for i in self.items(item.case_id) if i.zone is zone]
            row = next((n for n, i in enumerate(shown) if i.id == item.id), None)
            if row is not None and row < position:
                position -= 1            # the rows below the item move up as it leaves
            others = [i for i in shown if i.id != item.id]
            others.insert(max(0, min(position, len(others))), item)
            item.zone = zone
            for number, each in enumerate(others):
                if each is item or each.position != number:
                    each.position = number
                    save(each, action)
        if old is not zone:
            save(BoardMove(board_item_id=item.id, case_id=item.case_id, from_zone=old,
                           to_zone=zone), "create")

    def _next_position(self, case_id: str, zone: Zone) -> int:
        row = self.db.execute(
            'SELECT coalesce(max(position), -1) + 1 FROM "board_item" '
            "WHERE case_id = ? AND zone = ? AND deleted = 0", [case_id, zone.value]).fetchone()
        return int(row[0])

    # -- reviews ------------------------------------------------------------------------------

    def start_review(self, case_id: str, *, held_on: date | None = None,
                     next_review_on: date | None = None, notes: str = "",
                     family_words: Mapping[str, str] | None = None) -> Review:
        """Snapshot the board. `family_words` ({board item id: words}) are the words the
        worker chose for the family's copy; the item's own words stay in the snapshot."""
        save = self._store.records.save_in_transaction
        with self._store.transaction():
            case = self._store.cases.get(case_id)
            rows = board_rules.snapshot(self.items(case_id))
            for row in rows:
                words = (family_words or {}).get(row["board_item_id"], "").strip()
                if words:
                    row["family_text"] = words
            review = Review(case_id=case_id, held_on=(held_on or date.today()).isoformat(),
                            snapshot=rows, next_review_on=iso(next_review_on), notes=notes)
            save(review, "create")
            if next_review_on:
                case.next_review_on = next_review_on.isoformat()
                save(case, "update")
        return review

    def reviews(self, case_id: str) -> list[Review]:
        """Oldest first."""
        return self._store.records.find(Review, "case_id = ?", [case_id],
                                        order_by="held_on, updated_at")

    def movement_now(self, case_id: str) -> list[board_rules.Movement]:
        """What a review taken now would show as moved since the last one."""
        reviews = self.reviews(case_id)
        return board_rules.movement(reviews[-1].snapshot if reviews else None,
                                    board_rules.snapshot(self.items(case_id)))

    def movement(self, review_id: str) -> list[board_rules.Movement]:
        """What moved between the review before this one and this one."""
        review = self._store.records.get(Review, review_id)
        history = self.reviews(review.case_id)
        index = [r.id for r in history].index(review.id)
        previous = history[index - 1].snapshot if index > 0 else None
        return board_rules.movement(previous, review.snapshot)
