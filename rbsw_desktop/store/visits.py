"""Visit notes (`store.visits`): a draft is edited in place; a finalised visit is a legal record,
corrected only by an amendment that points at it."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rbsw_desktop.domain.entities import Visit, VisitAmendment
from rbsw_desktop.domain.enums import VisitStatus, VisitType
from rbsw_desktop.domain.instants import utc_now
from rbsw_desktop.errors import InvalidInput, RecordLocked
from rbsw_desktop.store.part import Part


class Visits(Part):
    def of_case(self, case_id: str) -> list[Visit]:
        """Newest first."""
        return self._store.records.find(Visit, "case_id = ?", [case_id],
                                        order_by="visited_at DESC")

    def with_ids(self, case_id: str, ids: Collection[str]) -> list[Visit]:
        """These visits of the case as stored now, deleted ones too."""
        return self._store.records.with_ids(Visit, ids, "case_id = ?", [case_id])

    def amended(self, amendment_ids: Collection[str]) -> set[str]:
        """The visits these amendments correct."""
        return {a.visit_id for a in self._store.records.with_ids(VisitAmendment, amendment_ids)}

    def add(self, case_id: str, **fields: Any) -> Visit:
        self._store.cases.get(case_id)  # refuses an unknown case clearly
        visit = Visit(case_id=case_id, **fields)
        return self._store.records.save(visit, action="create")

    def update(self, visit: Visit) -> Visit:
        return self._store.records.save(visit, action="update")

    def finalise(self, visit_id: str) -> Visit:
        visit = self._store.records.get(Visit, visit_id)
        if visit.status is VisitStatus.FINALISED:
            return visit
        if visit.visit_type is VisitType.STATUTORY and visit.child_seen \
                and not visit.child_seen_alone and not visit.not_seen_alone_reason.strip():
            raise InvalidInput("The child was not seen alone. Please record why before "
                               "finalising (reg 29).")
        visit.status = VisitStatus.FINALISED
        visit.finalised_at = utc_now()
        visit.finalised_by = self._store.actor
        return self._store.records.save(visit, action="finalise")

    def amend(self, visit_id: str, text: str, *, reason: str = "",
              field_name: str = "") -> VisitAmendment:
        visit = self._store.records.get(Visit, visit_id)
        if visit.status is not VisitStatus.FINALISED:
            raise RecordLocked("This visit is still a draft: change it directly.")
        if not text.strip():
            raise InvalidInput("An amendment needs some text.")
        amendment = VisitAmendment(visit_id=visit_id, case_id=visit.case_id, text=text,
                                   reason=reason, field_name=field_name)
        return self._store.records.save(amendment, action="amend")

    def amendments(self, visit_id: str) -> list[VisitAmendment]:
        return self._store.records.find(VisitAmendment, "visit_id = ?", [visit_id],
                                        order_by="amended_at")
