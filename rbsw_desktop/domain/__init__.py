"""Pure Python: the entities, vocabularies and rules of the practice. No Qt, no I/O."""

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
