"""An ecomap, genogram or scale is found by the names and words in it."""

from __future__ import annotations

from rbsw_desktop.domain import Case, DirectWorkTool
from rbsw_desktop.store import Store

ECOMAP = {"ecomap": {"people": [
    {"id": "n", "name": "Nanna Quillfeather", "kind": "family", "relationship": "Nan"},
    {"id": "s", "name": "Brookside Primary", "kind": "school", "relationship": ""}],
    "links": [{"person_id": "n", "strength": "strong", "support": "to_child"}]}}
GENOGRAM = {"genogram": {"people": [
    {"id": "g", "name": "Grandpa Thistlewood", "sex": "male", "died": "2019"}]}}
SCALES = {"scales": [{"person": "Ada", "score": 6, "why": "trampoline at the weekend"}]}


def test_search_finds_people_on_maps_and_the_why_of_a_score(store: Store, case: Case) -> None:
    ecomap = store.direct_work.add(case.id, DirectWorkTool.ECOMAP, content=ECOMAP)
    genogram = store.direct_work.add(case.id, DirectWorkTool.GENOGRAM, content=GENOGRAM)
    scale = store.direct_work.add(case.id, DirectWorkTool.SCALING, content=SCALES)
    assert [h.record_id for h in store.search.find("quillfeather")] == [ecomap.id]
    assert [h.record_id for h in store.search.find("Brookside")] == [ecomap.id]
    assert [h.record_id for h in store.search.find("thistlewood")] == [genogram.id]
    assert [h.record_id for h in store.search.find("trampoline")] == [scale.id]
    # A name taken off the ecomap is not found any more.
    ecomap.content = {"ecomap": {"people": [ECOMAP["ecomap"]["people"][1]]}}
    store.direct_work.save(ecomap)
    assert store.search.find("quillfeather") == []
