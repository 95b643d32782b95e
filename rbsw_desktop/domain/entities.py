"""The records the app keeps: plain dataclasses, no I/O.

Every record carries the sync bookkeeping of `Record`. Field names are the names used in the
store's columns, in the sync protocol's `fields` and in the CLI's JSON: one name per idea.
Dates are ISO strings (`YYYY-MM-DD`, a local calendar day), times ISO 8601 instants in UTC
(`...Z`, see `domain.instants`, which turns them into text and back), so a record round-trips
through SQLite and JSON unchanged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rbsw_desktop.domain.enums import (
    CareArrangement,
    CaseCategory,
    DirectWorkTool,
    EntityKind,
    RaisedBy,
    Role,
    SafetyCategory,
    SyncState,
    VisitStatus,
    VisitType,
    WithheldReason,
    Zone,
)
from rbsw_desktop.domain.instants import utc_now


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(kw_only=True)
class Record:
    """Sync bookkeeping shared by every record."""

    entity: ClassVar[EntityKind]
    #: Fields whose text is indexed for search.
    search_fields: ClassVar[tuple[str, ...]] = ()

    id: str = field(default_factory=new_id)
    rev: int | None = None          # the gateway's revision; None until synced
    updated_at: str = ""
    updated_by: str = ""
    device_id: str = ""
    sync_state: SyncState = SyncState.PENDING
    deleted: bool = False           # deletes are tombstones


@dataclass(kw_only=True)
class Pod(Record):
    entity: ClassVar[EntityKind] = EntityKind.POD
    name: str
    phone: str = ""
    email: str = ""


@dataclass(kw_only=True)
class Worker(Record):
    entity: ClassVar[EntityKind] = EntityKind.WORKER
    name: str
    role: Role = Role.SOCIAL_WORKER
    pod_id: str = ""
    phone: str = ""
    email: str = ""


@dataclass(kw_only=True)
class Child(Record):
    entity: ClassVar[EntityKind] = EntityKind.CHILD
    search_fields: ClassVar[tuple[str, ...]] = ("name", "known_as")
    name: str
    known_as: str = ""
    date_of_birth: str | None = None
    pronouns: str = ""
    languages: str = ""


@dataclass(kw_only=True)
class Person(Record):
    """Family members and other people around the child."""

    entity: ClassVar[EntityKind] = EntityKind.PERSON
    search_fields: ClassVar[tuple[str, ...]] = ("name", "relationship")
    case_id: str
    name: str
    relationship: str = ""          # "Mum", "Grandad", "School nurse"
    is_family: bool = True
    address_restricted: bool = False  # e.g. a refuge: never in a family document


@dataclass(kw_only=True)
class Case(Record):
    entity: ClassVar[EntityKind] = EntityKind.CASE
    search_fields: ClassVar[tuple[str, ...]] = ("family_name",)
    child_id: str
    pod_id: str = ""
    worker_id: str = ""
    family_name: str = ""           # how the family is known, e.g. "The Example family"
    category: CaseCategory = CaseCategory.CHILD_IN_NEED
    care_arrangement: CareArrangement | None = None
    #: The date the plan, order or placement started: the first statutory interval counts from it.
    started_on: str | None = None
    first_review_on: str | None = None
    next_review_on: str | None = None
    open: bool = True


@dataclass(kw_only=True)
class Visit(Record):
    entity: ClassVar[EntityKind] = EntityKind.VISIT
    search_fields: ClassVar[tuple[str, ...]] = (
        "child_words", "observations", "parents_views", "analysis", "not_seen_alone_reason")
    case_id: str
    visit_type: VisitType = VisitType.STATUTORY
    status: VisitStatus = VisitStatus.DRAFT
    visited_at: str = field(default_factory=utc_now)
    announced: bool = True
    present: list[dict[str, str]] = field(default_factory=list)   # [{"name", "role"}]
    absent: list[dict[str, str]] = field(default_factory=list)
    child_seen: bool = False
    child_seen_alone: bool = False
    not_seen_alone_reason: str = ""
    bedroom_seen: bool = False
    seen_awake: bool | None = None  # infants only
    child_words: str = ""           # the child's own words, verbatim
    observations: str = ""
    parents_views: str = ""
    analysis: str = ""
    actions: list[dict[str, str]] = field(default_factory=list)   # [{"what", "who", "by_when"}]
    next_visit_due: str | None = None
    finalised_at: str | None = None
    finalised_by: str | None = None


@dataclass(kw_only=True)
class VisitAmendment(Record):
    """A correction to a finalised visit: the original is never edited (a legal record)."""

    entity: ClassVar[EntityKind] = EntityKind.VISIT_AMENDMENT
    search_fields: ClassVar[tuple[str, ...]] = ("text", "reason")
    visit_id: str
    case_id: str
    field_name: str = ""            # which part of the visit it corrects ("" = general)
    text: str
    reason: str = ""
    amended_at: str = field(default_factory=utc_now)


@dataclass(kw_only=True)
class BoardItem(Record):
    entity: ClassVar[EntityKind] = EntityKind.BOARD_ITEM
    search_fields: ClassVar[tuple[str, ...]] = ("text", "worker_note")
    case_id: str
    zone: Zone
    text: str                       # in the family's words
    raised_by: RaisedBy = RaisedBy.FAMILY
    shareable: bool = True          # may appear in what the family is given
    withheld_reason: WithheldReason | None = None
    worker_note: str = ""           # professionals only, never printed for the family
    category: SafetyCategory | None = None
    position: int = 0


@dataclass(kw_only=True)
class BoardMove(Record):
    """One step in a board item's history: placed (from_zone None) or moved."""

    entity: ClassVar[EntityKind] = EntityKind.BOARD_MOVE
    board_item_id: str
    case_id: str
    from_zone: Zone | None = None
    to_zone: Zone
    moved_at: str = field(default_factory=utc_now)


@dataclass(kw_only=True)
class Review(Record):
    """A dated snapshot of the board, taken with the family at a review."""

    entity: ClassVar[EntityKind] = EntityKind.REVIEW
    search_fields: ClassVar[tuple[str, ...]] = ("notes",)
    case_id: str
    held_on: str
    #: [{"board_item_id", "zone", "text", "shareable", "raised_by"}], and "family_text" on a
    #: row whose words the worker reworded for the family's copy (the "text" stays as it was)
    snapshot: list[dict[str, Any]] = field(default_factory=list)
    scales: list[dict[str, Any]] = field(default_factory=list)   # [{"person", "score", "why"}]
    goals: list[str] = field(default_factory=list)
    notes: str = ""                 # professionals only
    next_review_on: str | None = None


@dataclass(kw_only=True)
class DirectWorkActivity(Record):
    entity: ClassVar[EntityKind] = EntityKind.DIRECT_WORK_ACTIVITY
    search_fields: ClassVar[tuple[str, ...]] = ("title", "child_words", "lived_experience")
    case_id: str
    tool: DirectWorkTool = DirectWorkTool.FREE_FORM
    held_on: str
    title: str = ""
    #: The tool's parts in the child's own words, keyed by the tool's prompts.
    parts: dict[str, str] = field(default_factory=dict)
    child_words: str = ""           # verbatim
    lived_experience: str = ""      # what it tells us about the child's lived experience
    consent: str = ""               # who the child agreed may see it
    shareable: bool = False
    #: Drawings, an ecomap, a genogram or scores (`domain.direct_work_content`), as JSON.
    content: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class Attachment(Record):
    """A photo or scan (a child's drawing): the bytes live encrypted in the store's blobs. Or
    the PNG rendering of one of its activity's drawing areas (`rendering_of` names the area),
    kept for what cannot draw vectors (the PDF, the council's viewers, thumbnails)."""

    entity: ClassVar[EntityKind] = EntityKind.ATTACHMENT
    search_fields: ClassVar[tuple[str, ...]] = ("caption",)
    owner_id: str                   # the direct work activity (or visit) it belongs to
    case_id: str
    sha256: str
    media_type: str
    size: int
    filename: str = ""
    caption: str = ""
    consent: str = ""
    #: How far the photo is turned clockwise when shown, in degrees (one of `ROTATIONS`); the
    #: bytes are never changed.
    rotation: int = 0
    rendering_of: str = ""          # the drawing area it renders; "" for a photo or scan


#: The turns a photo may be shown at.
ROTATIONS = (0, 90, 180, 270)


ENTITY_TYPES: dict[str, type[Record]] = {
    t.entity: t
    for t in (Pod, Worker, Child, Person, Case, Visit, VisitAmendment, BoardItem, BoardMove,
              Review, DirectWorkActivity, Attachment)
}

#: Each kind of record in a worker's words (sync problems, the pod view).
RECORD_NAMES: dict[str, str] = {
    "pod": "Pod", "worker": "Worker", "child": "Child", "person": "Person", "case": "Case",
    "visit": "Visit note", "visit_amendment": "Amendment", "board_item": "Board item",
    "board_move": "Board move", "review": "Review", "direct_work_activity": "Direct work",
    "attachment": "Photo or scan",
}


def record_name(entity: str) -> str:
    return RECORD_NAMES.get(entity, entity.replace("_", " ").capitalize())


#: Bookkeeping that is the store's business, not the record's content.
BOOKKEEPING = ("id", "rev", "sync_state")
