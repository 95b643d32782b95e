"""What the family's board summary shows: `family_summary` builds it, `pdf` prints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rbsw_desktop.domain.board import Movement
from rbsw_desktop.domain.enums import Zone


@dataclass(frozen=True)
class Contact:
    role: str          # "Your social worker"
    name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class LeftOut:
    text: str          # shown to the worker before export, never printed
    reason: str        # the WithheldReason's label


@dataclass(frozen=True)
class Picture:
    caption: str       # "Three Houses: House of dreams"
    png: bytes         # the drawing's rendering


@dataclass
class SummaryPlan:
    child_name: str
    family_name: str
    review_date: date | None
    next_review: date | None
    zones: dict[Zone, list[str]]
    changes: list[Movement]                       # shareable movement only
    contacts: list[Contact]
    pod_name: str = ""
    pod_phone: str = ""
    pod_email: str = ""
    left_out: list[LeftOut] = field(default_factory=list)
    approved_by: str = ""
    #: The child's drawings from direct work since the last review that the family may see.
    drawings: list[Picture] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return sum(len(v) for v in self.zones.values())
