"""The caseload and each case: its child, its pod's contacts, its timeline (`store.cases`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from rbsw_desktop.domain import timeliness
from rbsw_desktop.domain.changes import Changes
from rbsw_desktop.domain.entities import (
    BoardItem,
    BoardMove,
    Case,
    Child,
    DirectWorkActivity,
    Pod,
    Record,
    Review,
    Visit,
    VisitAmendment,
    Worker,
)
from rbsw_desktop.domain.enums import (
    CareArrangement,
    CaseCategory,
    EntityKind,
    SyncState,
    VisitStatus,
)
from rbsw_desktop.domain.instants import local_date, local_datetime, local_text
from rbsw_desktop.errors import NotFound
from rbsw_desktop.store.direct_work import activity_summary
from rbsw_desktop.store.part import Part
from rbsw_desktop.store.records import id_in

R = TypeVar("R", bound=Record)


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
    as_of: date              # the day `days_overdue` was worked out for

    def due_words(self) -> str:
        """The next statutory visit in words ("Due tomorrow", "Overdue by 3 days")."""
        if self.next_visit_due is None:
            return "No visit yet"
        return timeliness.due_words(self.next_visit_due, self.as_of)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "child_name": self.child_name, "family_name": self.family_name,
                "worker": self.worker, "category": self.category.value,
                "last_visit": iso(self.last_visit), "next_visit_due": iso(self.next_visit_due),
                "days_overdue": self.days_overdue, "sync_state": self.sync_state.value}


@dataclass(frozen=True)
class TimelineEntry:
    at: str                  # an instant, or a day (`YYYY-MM-DD`: a review, direct work)
    entity: str
    record_id: str
    title: str

    def order(self) -> tuple[str, int, str]:
        """Where it sorts, by the local day first: a day-only entry is of that whole day (it
        is not "before midnight"), so it heads the day's timed entries, newest first."""
        if "T" not in self.at:
            return (self.at, 1, "")
        try:
            moment = local_datetime(self.at)
        except (ValueError, OverflowError, OSError):
            return (self.at[:10], 0, self.at)
        return (moment.date().isoformat(), 0, moment.isoformat())


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(text: str | None) -> date | None:
    """A stored calendar day (`YYYY-MM-DD`)."""
    return date.fromisoformat(text[:10]) if text else None


def _local_day(instant: str | None) -> date | None:
    """The local day a stored instant fell on (not its UTC day: 00:30 BST on 2 June is
    stored as 1 June 23:30 UTC, and the statutory clock counts from 2 June)."""
    return local_date(instant) if instant else None


class Cases(Part):
    def summaries(self, *, include_closed: bool = False, today: date | None = None,
                  touching: Changes | None = None) -> list[CaseSummary]:
        """The caseload, by child's name. Only a finalised statutory visit at which the child
        was seen moves the due date: a draft is not yet a visit on record. With `touching`,
        only the cases those changes touch (the case, its child or one of its visits)."""
        today = today or date.today()
        where = "c.deleted = 0" + ("" if include_closed else " AND c.open = 1")
        params: list[str] = []
        if touching is not None:
            cases, case_ids = id_in("c.id", touching.ids(EntityKind.CASE))
            children, child_ids = id_in("c.child_id", touching.ids(EntityKind.CHILD))
            visits, visit_ids = id_in("id", touching.ids(EntityKind.VISIT))
            where += (f' AND ({cases} OR {children} OR c.id IN (SELECT case_id FROM "visit" '
                      f"WHERE {visits}))")
            params = [*case_ids, *child_ids, *visit_ids]
        rows = self._store.records.rows(
            'SELECT c.id, c.family_name, c.category, c.care_arrangement, c.started_on, '
            'c.first_review_on, c.sync_state, ch.name AS child_name, w.name AS worker, '
            '(SELECT max(v.visited_at) FROM "visit" v WHERE v.case_id = c.id AND v.deleted = 0 '
            "  AND v.visit_type = 'statutory' AND v.child_seen = 1 "
            "  AND v.status = 'finalised') AS last_visit "
            'FROM "case" c LEFT JOIN "child" ch ON ch.id = c.child_id '
            'LEFT JOIN "worker" w ON w.id = c.worker_id '
            f"WHERE {where} ORDER BY ch.name COLLATE NOCASE", params)
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
                                   timeliness.days_overdue(due, today), SyncState(r["sync_state"]),
                                   today))
        return out

    def summary(self, case_id: str) -> CaseSummary:
        for summary in self.summaries(include_closed=True,
                                      touching=Changes.of(EntityKind.CASE, case_id)):
            return summary
        raise NotFound(f"No case with id {case_id} here. Run `rbsw cases` to see the ids.")

    def get(self, case_id: str) -> Case:
        try:
            return self._store.records.get(Case, case_id)
        except NotFound:
            raise NotFound(f"No case with id {case_id} on this laptop. `rbsw cases` lists the "
                           "case ids.") from None

    def child_of(self, case: Case) -> Child:
        return self._store.records.get(Child, case.child_id)

    def open(self, case_id: str) -> Case:
        """Read a case for work on it; recorded in the audit log."""
        case = self._store.records.get(Case, case_id)
        with self._store.transaction():
            self._store.audit.log("view", "case", case_id)
        return case

    def pod_contacts(self, case_id: str) -> tuple[Pod | None, list[Worker]]:
        records = self._store.records
        case = records.get(Case, case_id)
        pod = records.find(Pod, "id = ?", [case.pod_id])
        workers = records.find(Worker, "pod_id = ?", [case.pod_id], order_by="name")
        return (pod[0] if pod else None), workers

    def worker_names(self) -> dict[str, str]:
        """Each worker of the pod by id (who wrote an amendment), this laptop's own included."""
        names = {w.id: w.name for w in self._store.records.find(Worker)}
        names.setdefault(self._store.actor, self._store.meta("worker_name") or "You")
        return names

    def timeline(self, case_id: str, touching: Changes | None = None) -> list[TimelineEntry]:
        """Visits and their amendments, board changes, reviews and direct work, newest
        first. With `touching`, only the entries of those records (deleted ones have none),
        and of the amendments of a changed visit and the moves of a changed board item (their
        titles name it)."""
        records = self._store.records

        def find(cls: type[R], *by: tuple[str, EntityKind], order_by: str = "") -> list[R]:
            if touching is None:
                return records.find(cls, "case_id = ?", [case_id], order_by=order_by)
            parts = [id_in(column, touching.ids(kind)) for column, kind in by]
            return records.find(cls, f"case_id = ? AND ({' OR '.join(p for p, _ in parts)})",
                                [case_id, *(i for _, ids in parts for i in ids)],
                                order_by=order_by)

        visits = find(Visit, ("id", EntityKind.VISIT), order_by="visited_at DESC")
        amendments = find(VisitAmendment, ("id", EntityKind.VISIT_AMENDMENT),
                          ("visit_id", EntityKind.VISIT))
        moves = find(BoardMove, ("id", EntityKind.BOARD_MOVE),
                     ("board_item_id", EntityKind.BOARD_ITEM))
        entries = [TimelineEntry(v.visited_at, "visit", v.id, f"{v.visit_type.label}"
                                 f"{' (draft)' if v.status is VisitStatus.DRAFT else ''}")
                   for v in visits]
        visited = {v.id: local_text(v.visited_at) for v in (
            visits if touching is None else
            records.with_ids(Visit, {a.visit_id for a in amendments}))}
        names = self.worker_names()
        entries += [TimelineEntry(a.amended_at, "visit_amendment", a.id,
                                  f"Amendment to the visit of {visited.get(a.visit_id, '')} "
                                  f"by {names.get(a.updated_by, 'another worker')}: {a.text}")
                    for a in amendments]
        items = {i.id: i for i in (
            records.find(BoardItem, "case_id = ?", [case_id], include_deleted=True)
            if touching is None else
            records.with_ids(BoardItem, {m.board_item_id for m in moves}))}
        for move in moves:
            item = items.get(move.board_item_id)
            text = item.text if item else ""
            title = (f"Board: added to {move.to_zone.label}: {text}" if move.from_zone is None
                     else f"Board: moved {move.from_zone.label} → {move.to_zone.label}: {text}")
            entries.append(TimelineEntry(move.moved_at, "board_move", move.id, title))
        entries += [TimelineEntry(r.held_on, "review", r.id, "Review of the board")
                    for r in find(Review, ("id", EntityKind.REVIEW),
                                  order_by="held_on, updated_at")]
        entries += [TimelineEntry(a.held_on, "direct_work_activity", a.id,
                                  f"Direct work: {activity_summary(a)}"
                                  f"{': ' + a.title if a.title else ''}")
                    for a in find(DirectWorkActivity, ("id", EntityKind.DIRECT_WORK_ACTIVITY),
                                  order_by="held_on DESC, updated_at DESC")]
        return sorted(entries, key=TimelineEntry.order, reverse=True)
