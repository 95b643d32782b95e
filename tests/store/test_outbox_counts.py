"""What waits to sync is counted in records: a visit saved many times is one record waiting
(what the status bar's "N changes waiting" and `rbsw status`'s `pending` say)."""

from __future__ import annotations

from rbsw_desktop.domain import Case, Visit
from rbsw_desktop.store import Store


def test_saves_of_one_record_count_once_and_a_refused_record_is_not_waiting(
        store: Store, case: Case) -> None:
    before = store.outbox.counts()
    visit = store.records.save(Visit(case_id=case.id, observations="First words (fictional)"))
    for words in ("More words", "Yet more words", "The last words"):
        visit.observations = words
        store.records.save(visit)
    other = store.records.save(Visit(case_id=case.id, observations="Another visit"))
    counts = store.outbox.counts()
    assert counts.pending == before.pending + 2 and store.outbox.pending_count() >= 5
    (op,) = [o for o in store.outbox.next_push_batch(1000, 10**9) if o.record_id == other.id]
    store.outbox.refuse(op.op_id, "refused by the council (fictional)")
    counts = store.outbox.counts()
    assert (counts.pending, counts.refused) == (before.pending + 1, before.refused + 1)
