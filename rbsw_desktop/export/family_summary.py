"""What goes into the family's board summary, and what is left out and why.

`plan_summary` decides; `export_family_summary` writes the PDF. The plan holds only what a family
may be given (DOMAIN.md, "What a family may be given"): items marked shareable, in the family's
words; the movement since the last review; the pod's contacts. Never worker-only notes, internal
ids, or the names of workers who are not the family's pod contacts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rbsw_desktop.domain.board import Change
from rbsw_desktop.domain.entities import BoardItem, Review
from rbsw_desktop.domain.enums import Role, WithheldReason, Zone
from rbsw_desktop.errors import InvalidInput, NotFound
from rbsw_desktop.export.plan import Contact, LeftOut, SummaryPlan
from rbsw_desktop.store.store import Store


@dataclass(frozen=True)
class ExportResult:
    path: Path
    items: int
    left_out: int


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def _reason(item: BoardItem | None, row_shareable: bool) -> str:
    if item is not None and item.withheld_reason is not None:
        return item.withheld_reason.label
    if not row_shareable or item is None or not item.shareable:
        return WithheldReason.PROFESSIONALS_ONLY.label
    return ""


def plan_summary(store: Store, case_id: str, review_id: str | None = None) -> SummaryPlan:
    case = store.cases.get(case_id)
    child = store.cases.child_of(case)
    reviews = store.board.reviews(case_id)
    review: Review | None = None
    if review_id:
        review = next((r for r in reviews if r.id == review_id), None)
        if review is None:
            raise NotFound("That review is not one of this family's reviews.")
    elif reviews:
        review = reviews[-1]
    current = {i.id: i for i in store.board.items(case_id)}
    if review is not None:
        rows = review.snapshot
        movement = store.board.movement(review.id)
    else:  # no review yet: the board as it stands
        rows = [{"board_item_id": i.id, "zone": i.zone.value, "text": i.text,
                 "shareable": i.shareable} for i in current.values()]
        movement = []
    if not rows:
        raise InvalidInput("This family's board is empty, so there is nothing to print yet.")

    zones: dict[Zone, list[str]] = {z: [] for z in Zone}
    left_out: list[LeftOut] = []
    shared_ids: set[str] = set()
    for row in rows:
        item = current.get(row["board_item_id"])
        # Shareable at the review AND still shareable now: a later "not shareable" wins.
        if row.get("shareable") and item is not None and item.shareable:
            zones[Zone(row["zone"])].append(row.get("family_text") or row["text"])
            shared_ids.add(row["board_item_id"])
        else:
            left_out.append(LeftOut(row["text"], _reason(item, bool(row.get("shareable")))))
    changes = [m for m in movement if m.board_item_id in shared_ids
               and m.change in (Change.BETTER, Change.NEW, Change.WORSE)]
    changes.sort(key=lambda m: {Change.BETTER: 0, Change.NEW: 1, Change.WORSE: 2}[m.change])

    pod, workers = store.cases.pod_contacts(case_id)
    contacts: list[Contact] = []
    for w in workers:
        if w.id == case.worker_id:
            contacts.insert(0, Contact("Your social worker", w.name, w.phone, w.email))
    for role, title in ((Role.POD_MANAGER, "Pod manager"),
                        (Role.BUSINESS_SUPPORT, "Business support officer")):
        contacts += [Contact(title, w.name, w.phone, w.email) for w in workers if w.role is role]
    first = (child.known_as or child.name).split()[0] if (child.known_as or child.name) else ""
    return SummaryPlan(
        child_name=first, family_name=case.family_name,
        review_date=_day(review.held_on) if review else None,
        next_review=_day((review.next_review_on if review else None) or case.next_review_on),
        zones=zones, changes=changes, contacts=contacts,
        pod_name=pod.name if pod else "", pod_phone=pod.phone if pod else "",
        pod_email=pod.email if pod else "", left_out=left_out, approved_by=store.actor)


def export_family_summary(store: Store, case_id: str, out_path: Path, *,
                          review_id: str | None = None, password: str | None = None,
                          plan: SummaryPlan | None = None) -> ExportResult:
    """Write the PDF (atomically) and record the export in the audit log."""
    # reportlab takes about 0.2 s to load: only when a PDF is written, not when a plan is shown.
    from rbsw_desktop.export.pdf import render

    plan = plan or plan_summary(store, case_id, review_id)
    out_path = Path(out_path)
    if out_path.is_dir():
        raise InvalidInput(f"{out_path} is a folder. Give a file name ending in .pdf.")
    tmp = out_path.with_name(out_path.name + ".part")
    try:
        render(plan, tmp, password=password)
        tmp.replace(out_path)
    finally:
        tmp.unlink(missing_ok=True)
    with store.transaction():
        store.audit.log("export_family_summary", "case", case_id)
    return ExportResult(out_path, plan.item_count, len(plan.left_out))
