"""The facade the UI and CLI call for everything they do to a case (Anki's `Collection`).

Each method is one user action and one transaction. Nothing here touches Qt or HTTP.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from rbsw_desktop.domain import board as board_rules
from rbsw_desktop.domain import timeliness
from rbsw_desktop.domain.entities import (
    Attachment,
    BoardItem,
    BoardMove,
    Case,
    Child,
    DirectWorkActivity,
    Pod,
    Review,
    Visit,
    VisitAmendment,
    Worker,
)
from rbsw_desktop.domain.enums import (
    CareArrangement,
    CaseCategory,
    DirectWorkTool,
    RaisedBy,
    SyncState,
    VisitStatus,
    VisitType,
    WithheldReason,
    Zone,
)
from rbsw_desktop.domain.instants import local_date, utc_now
from rbsw_desktop.errors import InvalidInput, NotFound, RecordLocked

if TYPE_CHECKING:
    from rbsw_desktop.store.store import Store

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff",
               "application/pdf"}


@dataclass(frozen=True)
class CaseSummary:
    """One line of the caseload."""

    id: str
    child_name: str
    family_name: str
    worker: str
    category: CaseCategory
    last_visit: date | None
    next_visit_due: date | None
    days_overdue: int
    sync_state: SyncState

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "child_name": self.child_name, "family_name": self.family_name,
                "worker": self.worker, "category": self.category.value,
                "last_visit": _iso(self.last_visit), "next_visit_due": _iso(self.next_visit_due),
                "days_overdue": self.days_overdue, "sync_state": self.sync_state.value}


@dataclass(frozen=True)
class TimelineEntry:
    at: str
    entity: str
    record_id: str
    title: str


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(text: str | None) -> date | None:
    """A stored calendar day (`YYYY-MM-DD`)."""
    return date.fromisoformat(text[:10]) if text else None


def _local_day(instant: str | None) -> date | None:
    """The local day a stored instant fell on (not its UTC day: 00:30 BST on 2 June is
    stored as 1 June 23:30 UTC, and the statutory clock counts from 2 June)."""
    return local_date(instant) if instant else None


class CaseworkMixin:
    # -- people and cases ---------------------------------------------------------------------

    def cases(self: Store, *, include_closed: bool = False,
              today: date | None = None) -> list[CaseSummary]:
        today = today or date.today()
        where = "c.deleted = 0" + ("" if include_closed else " AND c.open = 1")
        rows = self._rows(
            'SELECT c.id, c.family_name, c.category, c.care_arrangement, c.started_on, '
            'c.first_review_on, c.sync_state, ch.name AS child_name, w.name AS worker, '
            '(SELECT max(v.visited_at) FROM "visit" v WHERE v.case_id = c.id AND v.deleted = 0 '
            "  AND v.visit_type = 'statutory' AND v.child_seen = 1) AS last_visit "
            'FROM "case" c LEFT JOIN "child" ch ON ch.id = c.child_id '
            'LEFT JOIN "worker" w ON w.id = c.worker_id '
            f"WHERE {where} ORDER BY ch.name COLLATE NOCASE")
        out = []
        for r in rows:
            category = CaseCategory(r["category"])
            last = _local_day(r["last_visit"])
            due = timeliness.next_visit_due(
                category, CareArrangement(r["care_arrangement"]) if r["care_arrangement"] else None,
                last_visit=last, started_on=_day(r["started_on"]),
                first_review_on=_day(r["first_review_on"]))
            out.append(CaseSummary(r["id"], r["child_name"] or "", r["family_name"],
                                   r["worker"] or "", category, last, due,
                                   timeliness.days_overdue(due, today), SyncState(r["sync_state"])))
        return out

    def case_summary(self: Store, case_id: str) -> CaseSummary:
        for summary in self.cases(include_closed=True):
            if summary.id == case_id:
                return summary
        raise NotFound(f"No case with id {case_id} here. Run `rbsw cases` to see the ids.")

    def case(self: Store, case_id: str) -> Case:
        try:
            return self.get(Case, case_id)
        except NotFound:
            raise NotFound(f"No case with id {case_id} on this laptop. `rbsw cases` lists the "
                           "case ids.") from None

    def child_of(self: Store, case: Case) -> Child:
        return self.get(Child, case.child_id)

    def open_case(self: Store, case_id: str) -> Case:
        """Read a case for work on it; recorded in the audit log."""
        case = self.get(Case, case_id)
        with self.transaction():
            self.audit("view", "case", case_id)
        return case

    def pod_contacts(self: Store, case_id: str) -> tuple[Pod | None, list[Worker]]:
        case = self.get(Case, case_id)
        pod = self.find(Pod, "id = ?", [case.pod_id])
        workers = self.find(Worker, "pod_id = ?", [case.pod_id], order_by="name")
        return (pod[0] if pod else None), workers

    # -- visits -------------------------------------------------------------------------------

    def visits(self: Store, case_id: str) -> list[Visit]:
        return self.find(Visit, "case_id = ?", [case_id], order_by="visited_at DESC")

    def add_visit(self: Store, case_id: str, **fields: Any) -> Visit:
        self.case(case_id)  # refuses an unknown case clearly
        visit = Visit(case_id=case_id, **fields)
        return self.save(visit, action="create")

    def update_visit(self: Store, visit: Visit) -> Visit:
        return self.save(visit, action="update")

    def finalise_visit(self: Store, visit_id: str) -> Visit:
        visit = self.get(Visit, visit_id)
        if visit.status is VisitStatus.FINALISED:
            return visit
        if visit.visit_type is VisitType.STATUTORY and visit.child_seen \
                and not visit.child_seen_alone and not visit.not_seen_alone_reason.strip():
            raise InvalidInput("The child was not seen alone. Please record why before "
                               "finalising (reg 29).")
        visit.status = VisitStatus.FINALISED
        visit.finalised_at = utc_now()
        visit.finalised_by = self.actor
        return self.save(visit, action="finalise")

    def amend_visit(self: Store, visit_id: str, text: str, *, reason: str = "",
                    field_name: str = "") -> VisitAmendment:
        visit = self.get(Visit, visit_id)
        if visit.status is not VisitStatus.FINALISED:
            raise RecordLocked("This visit is still a draft: change it directly.")
        if not text.strip():
            raise InvalidInput("An amendment needs some text.")
        amendment = VisitAmendment(visit_id=visit_id, case_id=visit.case_id, text=text,
                                   reason=reason, field_name=field_name)
        return self.save(amendment, action="amend")

    def amendments(self: Store, visit_id: str) -> list[VisitAmendment]:
        return self.find(VisitAmendment, "visit_id = ?", [visit_id], order_by="amended_at")

    # -- the board ----------------------------------------------------------------------------

    def board(self: Store, case_id: str) -> list[BoardItem]:
        return self.find(BoardItem, "case_id = ?", [case_id], order_by="position, updated_at")

    def add_board_item(self: Store, case_id: str, zone: Zone, text: str, *,
                       raised_by: RaisedBy = RaisedBy.FAMILY, shareable: bool = True,
                       withheld_reason: WithheldReason | None = None,
                       worker_note: str = "") -> BoardItem:
        if not text.strip():
            raise InvalidInput("A board item needs some words.")
        self.case(case_id)
        if not shareable and withheld_reason is None:
            withheld_reason = WithheldReason.PROFESSIONALS_ONLY
        with self.transaction():
            position = self._next_position(case_id, zone)
            item = BoardItem(case_id=case_id, zone=zone, text=text.strip(), raised_by=raised_by,
                             shareable=shareable, withheld_reason=withheld_reason,
                             worker_note=worker_note, position=position)
            self._save(item, "create")
            self._save(BoardMove(board_item_id=item.id, case_id=case_id, to_zone=zone), "create")
        return item

    def move_board_item(self: Store, item_id: str, zone: Zone,
                        position: int | None = None) -> BoardItem:
        with self.transaction():
            item = self.get(BoardItem, item_id)
            old = item.zone
            item.zone = zone
            item.position = self._next_position(item.case_id, zone) if position is None \
                else position
            self._save(item, "move")
            if old is not zone:
                self._save(BoardMove(board_item_id=item.id, case_id=item.case_id, from_zone=old,
                                     to_zone=zone), "create")
        return item

    def update_board_item(self: Store, item: BoardItem) -> BoardItem:
        if not item.text.strip():
            raise InvalidInput("A board item needs some words.")
        return self.save(item, action="update")

    def board_history(self: Store, item_id: str) -> list[BoardMove]:
        return self.find(BoardMove, "board_item_id = ?", [item_id], order_by="moved_at")

    def _next_position(self: Store, case_id: str, zone: Zone) -> int:
        row = self.db.execute(
            'SELECT coalesce(max(position), -1) + 1 FROM "board_item" '
            "WHERE case_id = ? AND zone = ? AND deleted = 0", [case_id, zone.value]).fetchone()
        return int(row[0])

    # -- reviews ------------------------------------------------------------------------------

    def start_review(self: Store, case_id: str, *, held_on: date | None = None,
                     next_review_on: date | None = None, notes: str = "") -> Review:
        with self.transaction():
            case = self.case(case_id)
            review = Review(case_id=case_id, held_on=(held_on or date.today()).isoformat(),
                            snapshot=board_rules.snapshot(self.board(case_id)),
                            next_review_on=_iso(next_review_on), notes=notes)
            self._save(review, "create")
            if next_review_on:
                case.next_review_on = next_review_on.isoformat()
                self._save(case, "update")
        return review

    def reviews(self: Store, case_id: str) -> list[Review]:
        """Oldest first."""
        return self.find(Review, "case_id = ?", [case_id], order_by="held_on, updated_at")

    def review_movement(self: Store, review_id: str) -> list[board_rules.Movement]:
        """What moved between the review before this one and this one."""
        review = self.get(Review, review_id)
        history = self.reviews(review.case_id)
        index = [r.id for r in history].index(review.id)
        previous = history[index - 1].snapshot if index > 0 else None
        return board_rules.movement(previous, review.snapshot)

    # -- direct work and attachments ----------------------------------------------------------

    def direct_work(self: Store, case_id: str) -> list[DirectWorkActivity]:
        return self.find(DirectWorkActivity, "case_id = ?", [case_id],
                         order_by="held_on DESC, updated_at DESC")

    def add_direct_work(self: Store, case_id: str, tool: DirectWorkTool, **fields: Any
                        ) -> DirectWorkActivity:
        self.case(case_id)
        fields.setdefault("held_on", date.today().isoformat())
        activity = DirectWorkActivity(case_id=case_id, tool=tool, **fields)
        return self.save(activity, action="create")

    def attach(self: Store, owner_id: str, case_id: str, data: bytes, media_type: str, *,
               filename: str = "", caption: str = "", consent: str = "") -> Attachment:
        if media_type not in IMAGE_TYPES:
            raise InvalidInput("Only photos and scans (PNG, JPEG, GIF, WebP, BMP, TIFF or PDF) "
                               "can be attached.")
        if not data:
            raise InvalidInput("That file is empty.")
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput("That file is larger than 50 MB. Please attach a smaller photo.")
        digest = hashlib.sha256(data).hexdigest()
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO blob(sha256, media_type, size, data, created_at) "
                "VALUES (?, ?, ?, ?, ?)", [digest, media_type, len(data), data, utc_now()])
            attachment = Attachment(owner_id=owner_id, case_id=case_id, sha256=digest,
                                    media_type=media_type, size=len(data), filename=filename,
                                    caption=caption, consent=consent)
            self._save(attachment, "create")
        return attachment

    def attachments(self: Store, owner_id: str) -> list[Attachment]:
        return self.find(Attachment, "owner_id = ?", [owner_id], order_by="updated_at")

    def blob(self: Store, sha256: str) -> bytes | None:
        self._check_open()
        row = self.db.execute("SELECT data FROM blob WHERE sha256 = ?", [sha256]).fetchone()
        return bytes(row[0]) if row else None

    # -- timeline and autosave ----------------------------------------------------------------

    def timeline(self: Store, case_id: str) -> list[TimelineEntry]:
        """Visits, board changes, reviews and direct work, newest first."""
        entries = [TimelineEntry(v.visited_at, "visit", v.id, f"{v.visit_type.label}"
                                 f"{' (draft)' if v.status is VisitStatus.DRAFT else ''}")
                   for v in self.visits(case_id)]
        items = {i.id: i for i in self.find(BoardItem, "case_id = ?", [case_id],
                                            include_deleted=True)}
        for move in self.find(BoardMove, "case_id = ?", [case_id]):
            item = items.get(move.board_item_id)
            text = item.text if item else ""
            title = (f"Board: added to {move.to_zone.label}: {text}" if move.from_zone is None
                     else f"Board: moved {move.from_zone.label} → {move.to_zone.label}: {text}")
            entries.append(TimelineEntry(move.moved_at, "board_move", move.id, title))
        entries += [TimelineEntry(r.held_on, "review", r.id, "Review of the board")
                    for r in self.reviews(case_id)]
        entries += [TimelineEntry(a.held_on, "direct_work_activity", a.id,
                                  f"Direct work: {a.tool.label}"
                                  f"{': ' + a.title if a.title else ''}")
                    for a in self.direct_work(case_id)]
        return sorted(entries, key=lambda e: e.at, reverse=True)

    def autosave(self: Store, key: str, payload: str) -> None:
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO autosave(key, payload, saved_at) "
                            "VALUES (?, ?, ?)", [key, payload, utc_now()])

    def autosaved(self: Store, key: str) -> str | None:
        self._check_open()
        row = self.db.execute("SELECT payload FROM autosave WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def clear_autosave(self: Store, key: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM autosave WHERE key = ?", [key])

    # -- sync status --------------------------------------------------------------------------

    def pending_count(self: Store) -> int:
        self._check_open()
        return int(self.db.execute(
            "SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0])
