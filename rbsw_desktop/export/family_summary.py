"""What goes into the family's board summary, and what is left out and why.

`plan_summary` decides; `export_family_summary` writes the PDF. The plan holds only what a family
may be given (DOMAIN.md, "What a family may be given"): items marked shareable, in the family's
words; the movement since the last review; the pod's contacts; and the child's drawings from
direct work since the last review, only where the activity is shareable AND the child's consent
names the family (`consent_allows_family`). Never worker-only notes, internal ids, or the names
of workers who are not the family's pod contacts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rbsw_desktop.domain.board import Change
from rbsw_desktop.domain.entities import Attachment, BoardItem, DirectWorkActivity, Review
from rbsw_desktop.domain.enums import Role, WithheldReason, Zone
from rbsw_desktop.errors import InvalidInput, NotFound
from rbsw_desktop.export.plan import Contact, LeftOut, Picture, SummaryPlan
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


FAMILY_WORDS = re.compile(r"\b(family|families|parents?|mum|mam|mom|mummy|dad|daddy|carers?|"
                          r"everyone|everybody)\b", re.I)
NOT_WORDS = re.compile(r"\b(not|no|nobody|never|except|without|don't|dont|doesn't)\b", re.I)
NO_FAMILY_CONSENT = "The child has not agreed that the family may see it"


def consent_allows_family(consent: str) -> bool:
    """Whether the child's consent, as the worker wrote it ("who the child agreed may see it"),
    names the family and says nothing against it: "my mum and dad", "my family", "everyone".
    Anything in doubt ("not my dad", "nobody", blank) is no."""
    return bool(FAMILY_WORDS.search(consent)) and not NOT_WORDS.search(consent)


def _drawings(store: Store, case_id: str, after: str | None, until: str | None
              ) -> tuple[list[Picture], list[LeftOut]]:
    """The renderings of the drawings from direct work held from the previous review's day up to
    this review's: those the family may see, and the others with why not."""
    shown: list[Picture] = []
    left_out: list[LeftOut] = []
    activities = sorted(store.direct_work.of_case(case_id), key=lambda a: a.held_on)
    for a in activities:
        if (after and a.held_on < after) or (until and a.held_on > until[:10]):
            continue
        for part, rendering in _renderings(store, a):
            caption = f"{a.tool.label}: {part}"
            if a.shareable and consent_allows_family(a.consent):
                shown.append(Picture(caption, store.direct_work.blob(rendering.sha256) or b""))
            else:
                reason = (NO_FAMILY_CONSENT if a.shareable
                          else WithheldReason.PROFESSIONALS_ONLY.label)
                left_out.append(LeftOut(f"A drawing ({caption}, {a.held_on})", reason))
    return shown, left_out


def _renderings(store: Store, a: DirectWorkActivity) -> list[tuple[str, Attachment]]:
    kept = store.direct_work.renderings(a.id)
    return [(part, kept[part]) for part in a.tool.prompts if part in kept]


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

    earlier = [r for r in reviews if review is not None and r.held_on < review.held_on]
    drawings, drawings_left_out = _drawings(
        store, case_id, earlier[-1].held_on[:10] if earlier else None,
        review.held_on if review is not None else None)
    left_out += drawings_left_out

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
        pod_email=pod.email if pod else "", left_out=left_out, approved_by=store.actor,
        drawings=drawings)


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
