"""The family's board (`store.board`): items in red, amber and green, every move between zones
kept as a BoardMove, and the reviews that snapshot the board.
"""

from __future__ import annotations

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
        save = self._store.records.save_in_transaction
        with self._store.transaction():
            item = self._store.records.get(BoardItem, item_id)
            old = item.zone
            item.zone = zone
            item.position = self._next_position(item.case_id, zone) if position is None \
                else position
            save(item, "move")
            if old is not zone:
                save(BoardMove(board_item_id=item.id, case_id=item.case_id, from_zone=old,
                               to_zone=zone), "create")
        return item

    def update(self, item: BoardItem) -> BoardItem:
        if not item.text.strip():
            raise InvalidInput("A board item needs some words.")
        return self._store.records.save(item, action="update")

    def history(self, item_id: str) -> list[BoardMove]:
        return self._store.records.find(BoardMove, "board_item_id = ?", [item_id],
                                        order_by="moved_at")

    def _next_position(self, case_id: str, zone: Zone) -> int:
        row = self.db.execute(
            'SELECT coalesce(max(position), -1) + 1 FROM "board_item" '
            "WHERE case_id = ? AND zone = ? AND deleted = 0", [case_id, zone.value]).fetchone()
        return int(row[0])

    # -- reviews ------------------------------------------------------------------------------

    def start_review(self, case_id: str, *, held_on: date | None = None,
                     next_review_on: date | None = None, notes: str = "") -> Review:
        save = self._store.records.save_in_transaction
        with self._store.transaction():
            case = self._store.cases.get(case_id)
            review = Review(case_id=case_id, held_on=(held_on or date.today()).isoformat(),
                            snapshot=board_rules.snapshot(self.items(case_id)),
                            next_review_on=iso(next_review_on), notes=notes)
            save(review, "create")
            if next_review_on:
                case.next_review_on = next_review_on.isoformat()
                save(case, "update")
        return review

    def reviews(self, case_id: str) -> list[Review]:
        """Oldest first."""
        return self._store.records.find(Review, "case_id = ?", [case_id],
                                        order_by="held_on, updated_at")

    def movement(self, review_id: str) -> list[board_rules.Movement]:
        """What moved between the review before this one and this one."""
        review = self._store.records.get(Review, review_id)
        history = self.reviews(review.case_id)
        index = [r.id for r in history].index(review.id)
        previous = history[index - 1].snapshot if index > 0 else None
        return board_rules.movement(previous, review.snapshot)
