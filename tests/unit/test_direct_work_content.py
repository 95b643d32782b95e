"""A direct-work activity's drawings, ecomap, genogram and scores: what may be kept, and the one
plain sentence a worker gets for what may not (the shape is the CLI's contract, README)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rbsw_desktop.domain import DirectWorkTool
from rbsw_desktop.domain.direct_work_content import ContentProblem, parse_content, tool_of
from rbsw_desktop.errors import InvalidInput
from rbsw_desktop.store import Store

T = DirectWorkTool

DRAWING = {"drawing": {"House of worries": {
    "width": 800, "height": 600,
    "strokes": [{"points": [[10, 10, 0.5], [20, 25, 0.7]], "width": 6, "colour": "#D62828"}],
    "stamps": [{"kind": "heart", "x": 100, "y": 120, "size": 64}]}}}
ECOMAP = {"ecomap": {
    "people": [{"id": "p1", "name": "Nan (fictional)", "kind": "family", "relationship": "Nan"},
               {"id": "p2", "name": "Example Primary", "kind": "school", "relationship": ""}],
    "links": [{"person_id": "p1", "strength": "strong", "support": "to_child"},
              {"person_id": "p2", "strength": "stressful", "support": "both"}]}}
GENOGRAM = {"genogram": {
    "people": [{"id": "g", "name": "Grandad Test", "sex": "male", "born": "1950", "died": "2020",
                "in_household": False},
               {"id": "m", "name": "Mum Test", "sex": "female", "born": "1985-03-01",
                "died": None, "in_household": True},
               {"id": "c", "name": "Child Test", "sex": "unknown", "born": "2016",
                "died": None, "in_household": True}],
    "relationships": [{"kind": "parent_of", "from": "g", "to": "m"},
                      {"kind": "parent_of", "from": "m", "to": "c"}]}}
SCALES = {"scales": [{"person": "Child", "score": 7, "why": "Mum is calmer"}]}


@pytest.mark.parametrize(("tool", "content"), [(T.THREE_HOUSES, DRAWING), (T.ECOMAP, ECOMAP),
                                               (T.GENOGRAM, GENOGRAM), (T.SCALING, SCALES),
                                               (T.FREE_FORM, {})])
def test_good_content_comes_back_as_it_went_in(tool: DirectWorkTool,
                                               content: dict[str, Any]) -> None:
    parsed = parse_content(tool, copy.deepcopy(content))
    back = parsed.to_json()
    if "drawing" in content:            # numbers come back as numbers, colours in lower case
        stroke = back["drawing"]["House of worries"]["strokes"][0]
        assert stroke["points"] == [[10.0, 10.0, 0.5], [20.0, 25.0, 0.7]]
        assert stroke["colour"] == "#d62828"
        assert back["drawing"]["House of worries"]["stamps"][0]["kind"] == "heart"
    else:
        assert back == content
    assert parse_content(tool, back).to_json() == back


def _bad(tool: DirectWorkTool, content: dict[str, Any], words: str) -> None:
    with pytest.raises(ContentProblem) as err:
        parse_content(tool, content)
    message = str(err.value)
    assert words in message
    assert message.count(".") >= 1 and "\n" not in message     # one plain sentence


def test_a_score_of_eleven_is_refused() -> None:
    _bad(T.SCALING, {"scales": [{"person": "Child", "score": 11, "why": ""}]},
         "whole number from 0 to 10")
    _bad(T.SCALING, {"scales": [{"person": "Child", "score": 6.5}]}, "whole number")


def test_a_link_to_nobody_is_refused() -> None:
    bad = copy.deepcopy(ECOMAP)
    bad["ecomap"]["links"].append({"person_id": "nobody", "strength": "weak", "support": "both"})
    _bad(T.ECOMAP, bad, "not on it")


def test_a_cycle_in_parents_is_refused() -> None:
    bad = copy.deepcopy(GENOGRAM)
    bad["genogram"]["relationships"].append({"kind": "parent_of", "from": "c", "to": "g"})
    _bad(T.GENOGRAM, bad, "their own ancestor")


def test_content_must_fit_its_tool() -> None:
    _bad(T.SCALING, ECOMAP, "Only Ecomap holds")
    _bad(T.ECOMAP, DRAWING, "has no drawing areas")
    wrong_part = {"drawing": {"The moon": DRAWING["drawing"]["House of worries"]}}
    _bad(T.THREE_HOUSES, wrong_part, "no drawing area called “The moon”")
    _bad(T.THREE_HOUSES, {"pictures": {}}, "cannot hold")
    with pytest.raises(ContentProblem, match="not a direct-work tool"):
        tool_of("crystal_ball")


def test_bad_strokes_and_stamps_are_refused() -> None:
    area = DRAWING["drawing"]["House of worries"]
    for change, words in [({"colour": "red"}, "colour"), ({"width": -1}, "width"),
                          ({"points": []}, "no points"), ({"points": [[1]]}, "[x, y]"),
                          ({"points": [[1, 2, 3]]}, "pressure")]:
        stroke = {**area["strokes"][0], **change}
        _bad(T.THREE_HOUSES, {"drawing": {"House of worries": {**area, "strokes": [stroke]}}},
             words)
    stamp = {**area["stamps"][0], "kind": "skull"}
    _bad(T.THREE_HOUSES, {"drawing": {"House of worries": {**area, "stamps": [stamp]}}},
         "not a stamp")


def test_the_store_keeps_nothing_of_bad_content(store: Store, case: Any) -> None:
    kept = store.direct_work.add(case.id, T.ECOMAP, content=copy.deepcopy(ECOMAP))
    assert store.records.get(type(kept), kept.id).content == ECOMAP
    bad = copy.deepcopy(ECOMAP)
    bad["ecomap"]["links"][0]["person_id"] = "nobody"
    before = store.outbox.counts()
    with pytest.raises(InvalidInput, match="not on it"):
        store.direct_work.add(case.id, T.ECOMAP, content=bad)
    kept.content = bad
    with pytest.raises(InvalidInput, match="not on it"):
        store.direct_work.save(kept)
    assert store.records.get(type(kept), kept.id).content == ECOMAP
    assert store.outbox.counts() == before
    assert len(store.direct_work.of_case(case.id)) == 1
