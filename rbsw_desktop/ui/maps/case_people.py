"""Who is around the child in the case's own records: offered on an ecomap and as the people
who give a score (read on the store thread)."""

from __future__ import annotations

from dataclasses import dataclass

from rbsw_desktop.domain import Person, Worker
from rbsw_desktop.store import Store

PARENT_WORDS = ("mum", "mother", "dad", "father", "parent", "stepmum", "stepdad")


@dataclass(frozen=True)
class CasePeople:
    child: str                    # how the child is known
    people: tuple[Person, ...]    # family members and others around the child
    worker: str

    @property
    def parents(self) -> list[Person]:
        return [p for p in self.people
                if any(w in p.relationship.casefold().split() for w in PARENT_WORDS)]


def case_people(store: Store, case_id: str) -> CasePeople:
    case = store.cases.get(case_id)
    child = store.cases.child_of(case)
    people = store.records.find(Person, "case_id = ?", [case_id], order_by="name")
    workers = store.records.find(Worker, "id = ?", [case.worker_id])
    return CasePeople(child.known_as or child.name, tuple(people),
                      workers[0].name if workers else "")
