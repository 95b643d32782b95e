"""Pure Python: the entities, vocabularies and rules of the practice. No Qt, no I/O.

Its names are loaded when first used (PEP 562): the lock screen needs the vocabularies
(`domain.enums`, `domain.changes`) before the window shows, not the entities.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rbsw_desktop.domain.entities import (
        ENTITY_TYPES,
        RECORD_NAMES,
        Attachment,
        BoardItem,
        BoardMove,
        Case,
        Child,
        DirectWorkActivity,
        Person,
        Pod,
        Record,
        Review,
        Visit,
        VisitAmendment,
        Worker,
        new_id,
        record_name,
    )
    from rbsw_desktop.domain.enums import (
        CareArrangement,
        CaseCategory,
        DirectWorkTool,
        RaisedBy,
        Role,
        SafetyCategory,
        SyncState,
        VisitStatus,
        VisitType,
        WithheldReason,
        Zone,
    )
    from rbsw_desktop.domain.instants import (
        instant_text,
        local_date,
        local_text,
        parse_instant,
        utc_now,
    )

__all__ = [
    "Attachment", "BoardItem", "BoardMove", "CareArrangement", "Case", "CaseCategory", "Child",
    "DirectWorkActivity", "DirectWorkTool", "ENTITY_TYPES", "Person", "Pod", "RECORD_NAMES",
    "RaisedBy", "Record", "Review", "Role", "SafetyCategory", "SyncState", "Visit",
    "VisitAmendment", "VisitStatus", "VisitType", "WithheldReason", "Worker", "Zone", "new_id",
    "instant_text", "local_date", "local_text", "parse_instant", "record_name", "utc_now",
]

_HOME = {**dict.fromkeys(("instant_text", "local_date", "local_text", "parse_instant",
                          "utc_now"), "instants"),
         **dict.fromkeys(("CareArrangement", "CaseCategory", "DirectWorkTool", "RaisedBy",
                          "Role", "SafetyCategory", "SyncState", "VisitStatus", "VisitType",
                          "WithheldReason", "Zone"), "enums")}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_HOME.get(name, 'entities')}")
    value = getattr(module, name)
    globals()[name] = value
    return value
