"""Which role may create, update and delete which kind of record through sync: the one
definition. The gateway refuses any other push (`rejected`, in words); README.md's security
section shows the same table for people (a test checks the two agree).

Derived from the practice (../shared/DOMAIN.md, the Brighton & Hove pod model):
- The allocated social workers (social worker, senior, newly qualified) write the case record:
  visits, amendments to finalised visits, the family's board, reviews, direct work and its
  photos. An amendment, a board move and a review are each a record of a moment: they are
  made, never changed or deleted.
- The pod manager works the family's board with them and the pod (the board is the pod's common
  language with the family) but does not write another worker's visit notes, reviews or direct
  work. Their own oversight records will be theirs to write when the app has that kind of record
  (there is none yet).
- Business support files records into the council's case system (the pod route) and never
  writes case notes, so it may write nothing through sync.

Whether a particular record may still change (a finalised visit, a review, anything filed) is a
separate rule, the gateway's (`gateway.legal`).
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


_ALL = frozenset(Action)
_MADE_ONCE = frozenset({Action.CREATE})

#: What an allocated social worker of any grade may do.
_CASE_WORKER: dict[str, frozenset[Action]] = {
    "visit": _ALL,
    "visit_amendment": _MADE_ONCE,
    "board_item": _ALL,
    "board_move": _MADE_ONCE,
    "review": _MADE_ONCE,
    "direct_work_activity": _ALL,
    "attachment": _ALL,
}

#: role -> entity -> the actions that role may push. A kind of record not listed: nothing.
RECORD_RIGHTS: dict[str, dict[str, frozenset[Action]]] = {
    "social_worker": _CASE_WORKER,
    "senior_social_worker": _CASE_WORKER,
    "nqsw": _CASE_WORKER,
    "pod_manager": {"board_item": _ALL, "board_move": _MADE_ONCE},
    "business_support": {},
}


def may(role: str, entity: str, action: Action) -> bool:
    return action in RECORD_RIGHTS.get(role, {}).get(entity, frozenset())
