"""A direct-work activity's drawings, ecomap, genogram and scores: what may be kept, and the one
plain sentence a worker gets for what may not (the shape is the CLI's contract, README)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rbsw_desktop.domain import DirectWorkTool, direct_work_content
from rbsw_desktop.domain.direct_work_content import (
    Content,
    ContentProblem,
    Drawing,
    Ecomap,
    EcomapPerson,
    Genogram,
    GenogramPerson,
    Scale,
    content_summary,
    content_words,
    parse_content,
    same_question,
    tool_of,
)
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


# -- every refusal, in the words the worker reads ----------------------------------------------

AREA = {"width": 800, "height": 600,
        "strokes": [{"points": [[10, 10, 0.5]], "width": 6, "colour": "#D62828"}],
        "stamps": [{"kind": "heart", "x": 100, "y": 120, "size": 64}]}
NAN = {"id": "p1", "name": "Nan"}
MUM, ADA = {"id": "m", "name": "Mum"}, {"id": "a", "name": "Ada"}


def area(**change: Any) -> dict[str, Any]:
    return {"drawing": {"House of worries": {**AREA, **change}}}


def stroke(**change: Any) -> dict[str, Any]:
    return area(strokes=[{**AREA["strokes"][0], **change}])


def stamp(**change: Any) -> dict[str, Any]:
    return area(stamps=[{**AREA["stamps"][0], **change}])


def eco(people: Any = (NAN,), links: Any = ()) -> dict[str, Any]:
    return {"ecomap": {"people": list(people), "links": list(links)}}


def person(**change: Any) -> dict[str, Any]:
    return eco([{**NAN, **change}])


def link(**change: Any) -> dict[str, Any]:
    return eco(links=[{"person_id": "p1", **change}])


def gen(people: Any = (MUM, ADA), rels: Any = ()) -> dict[str, Any]:
    return {"genogram": {"people": list(people), "relationships": list(rels)}}


def gperson(**change: Any) -> dict[str, Any]:
    return gen([{**MUM, **change}])


def rel(**change: Any) -> dict[str, Any]:
    return gen(rels=[{"kind": "parent_of", "from": "m", "to": "a", **change}])


def score(**change: Any) -> dict[str, Any]:
    return {"scales": [{"person": "Ada", "score": 7, **change}]}


IN_WORRIES = "the drawing “house of worries”"
REFUSALS = [
    (T.FREE_FORM, [], "The content should be a JSON object."),
    (T.FREE_FORM, {"pictures": {}}, "The content has “pictures”, which it cannot hold; it holds "
                                    "drawing, ecomap, genogram, scales."),
    (T.FREE_FORM, {"drawing": []}, "“drawing” should be a JSON object."),
    (T.ECOMAP, area(), "Ecomap has no drawing areas."),
    (T.THREE_HOUSES, {"drawing": {"The moon": AREA}},
     "Three Houses has no drawing area called “The moon”; its areas are “House of worries”, "
     "“House of good things”, “House of dreams”."),
    (T.SCALING, eco(), "Only Ecomap holds an ecomap, not Scaling 0-10."),
    (T.ECOMAP, gen(), "Only Genogram holds a genogram, not Ecomap."),
    (T.GENOGRAM, score(), "Only Scaling 0-10 holds scores, not Genogram."),
    (T.SCALING, {"scales": {}}, "“scales” should be a JSON list."),
    # a drawing area
    (T.THREE_HOUSES, {"drawing": {"House of worries": []}},
     "The drawing “House of worries” should be a JSON object."),
    (T.THREE_HOUSES, area(paper="A4"), "The drawing “House of worries” has “paper”, which it "
                                       "cannot hold; it holds width, height, strokes, stamps."),
    (T.THREE_HOUSES, area(width=0.5),
     "The drawing “House of worries”'s width should be a number from 1 to 10000."),
    (T.THREE_HOUSES, area(width="800"),
     "The drawing “House of worries”'s width should be a number from 1 to 10000."),
    (T.THREE_HOUSES, area(width=True),
     "The drawing “House of worries”'s width should be a number from 1 to 10000."),
    (T.THREE_HOUSES, area(height=10_001),
     "The drawing “House of worries”'s height should be a number from 1 to 10000."),
    (T.THREE_HOUSES, area(strokes={}),
     "The drawing “House of worries”'s strokes should be a JSON list."),
    (T.THREE_HOUSES, area(stamps={}),
     "The drawing “House of worries”'s stamps should be a JSON list."),
    # a stroke
    (T.THREE_HOUSES, area(strokes=["line"]), f"A stroke of {IN_WORRIES} should be a JSON object."),
    (T.THREE_HOUSES, stroke(pen="biro"), f"A stroke of {IN_WORRIES} has “pen”, which it cannot "
                                         "hold; it holds points, width, colour, eraser."),
    (T.THREE_HOUSES, stroke(points={}),
     f"A stroke's points in {IN_WORRIES} should be a JSON list."),
    (T.THREE_HOUSES, stroke(points=[[1]]),
     f"Each point of a stroke in {IN_WORRIES} is [x, y] or [x, y, pressure]."),
    (T.THREE_HOUSES, stroke(points=[[-10_001, 0]]),
     "A point's x should be a number from -10000 to 20000."),
    (T.THREE_HOUSES, stroke(points=[[20_001, 0]]),
     "A point's x should be a number from -10000 to 20000."),
    (T.THREE_HOUSES, stroke(points=[[0, 20_001]]),
     "A point's y should be a number from -10000 to 20000."),
    (T.THREE_HOUSES, stroke(points=[[0, 0, 1.5]]),
     "A point's pressure should be a number from 0 to 1."),
    (T.THREE_HOUSES, stroke(points=[]), f"A stroke in {IN_WORRIES} has no points."),
    (T.THREE_HOUSES, stroke(colour="red"),
     f"A stroke's colour in {IN_WORRIES} should look like “#1a2b3c”."),
    (T.THREE_HOUSES, stroke(eraser="yes"), "A stroke's “eraser” is true or false."),
    (T.THREE_HOUSES, stroke(width=0.05), "A stroke's width should be a number from 0.1 to 500."),
    (T.THREE_HOUSES, stroke(width=500.5), "A stroke's width should be a number from 0.1 to 500."),
    # a stamp
    (T.THREE_HOUSES, area(stamps=["heart"]), f"A stamp of {IN_WORRIES} should be a JSON object."),
    (T.THREE_HOUSES, stamp(colour="red"), f"A stamp of {IN_WORRIES} has “colour”, which it "
                                          "cannot hold; it holds kind, x, y, size."),
    (T.THREE_HOUSES, stamp(kind="skull"),
     "“skull” is not a stamp; the stamps are happy, sad, angry, worried, heart, house, star."),
    (T.THREE_HOUSES, stamp(x=20_001), "A stamp's x should be a number from -10000 to 20000."),
    (T.THREE_HOUSES, stamp(y=-10_001), "A stamp's y should be a number from -10000 to 20000."),
    (T.THREE_HOUSES, stamp(size=0.5), "A stamp's size should be a number from 1 to 10000."),
    # an ecomap
    (T.ECOMAP, {"ecomap": []}, "The ecomap should be a JSON object."),
    (T.ECOMAP, {"ecomap": {"people": [], "lines": []}},
     "The ecomap has “lines”, which it cannot hold; it holds people, links."),
    (T.ECOMAP, {"ecomap": {"people": {}}}, "The ecomap's people should be a JSON list."),
    (T.ECOMAP, eco(["Nan"]), "A person on the ecomap should be a JSON object."),
    (T.ECOMAP, person(age=70), "A person on the ecomap has “age”, which it cannot hold; it "
                               "holds id, name, kind, relationship, x, y."),
    (T.ECOMAP, person(kind="pets"), "“pets” is not a kind of person or service on an ecomap; "
                                    "the kinds are family, friends, school, health, "
                                    "social_care, clubs, other."),
    (T.ECOMAP, person(x=10), "A person placed on the ecomap needs both x and y."),
    (T.ECOMAP, person(y=10), "A person placed on the ecomap needs both x and y."),
    (T.ECOMAP, person(x=10_001, y=0), "A person's x should be a number from -10000 to 10000."),
    (T.ECOMAP, person(x=0, y=-10_001), "A person's y should be a number from -10000 to 10000."),
    (T.ECOMAP, eco([{"name": "Nan"}]), "A person on the ecomap needs an “id”."),
    (T.ECOMAP, person(name=" "), "Everyone on the ecomap needs a name."),
    (T.ECOMAP, person(relationship=3), "A relationship should be text."),
    (T.ECOMAP, eco([NAN, {"id": "p1", "name": "Grandad"}]),
     "Two people on the ecomap have the id “p1”."),
    (T.ECOMAP, {"ecomap": {"people": [NAN], "links": {}}},
     "The ecomap's links should be a JSON list."),
    (T.ECOMAP, eco(links=["p1"]), "A link on the ecomap should be a JSON object."),
    (T.ECOMAP, link(colour="red"), "A link on the ecomap has “colour”, which it cannot hold; "
                                   "it holds person_id, strength, support."),
    (T.ECOMAP, eco(links=[{"person_id": "p9"}]),
     "A link on the ecomap goes to “p9”, who is not on it; add the person first."),
    (T.ECOMAP, link(strength="medium"), "A link is strong, weak or stressful, not “medium”."),
    (T.ECOMAP, link(support="none"), "Support goes to_child, from_child or both, not “none”."),
    # a genogram
    (T.GENOGRAM, {"genogram": []}, "The genogram should be a JSON object."),
    (T.GENOGRAM, {"genogram": {"people": [], "households": []}},
     "The genogram has “households”, which it cannot hold; it holds people, relationships."),
    (T.GENOGRAM, {"genogram": {"people": {}}}, "The genogram's people should be a JSON list."),
    (T.GENOGRAM, gen(["Mum"]), "A person in the genogram should be a JSON object."),
    (T.GENOGRAM, gperson(age=40), "A person in the genogram has “age”, which it cannot hold; "
                                  "it holds id, name, sex, born, died, in_household."),
    (T.GENOGRAM, gperson(sex="f"),
     "A person's sex in a genogram is female, male or unknown, not “f”."),
    (T.GENOGRAM, gperson(in_household="yes"), "“in_household” is true or false."),
    (T.GENOGRAM, gperson(name=""), "Everyone on the genogram needs a name."),
    (T.GENOGRAM, gen([{"name": "Mum"}]), "A person in the genogram needs an “id”."),
    (T.GENOGRAM, gperson(born="spring 1961"),
     "When Mum was born is a year (1961) or a date (1961-04-02), not “spring 1961”."),
    (T.GENOGRAM, gperson(died="19611"),
     "When Mum died is a year (1961) or a date (1961-04-02), not “19611”."),
    (T.GENOGRAM, gen([MUM, {"id": "m", "name": "Ada"}]),
     "Two people on the genogram have the id “m”."),
    (T.GENOGRAM, {"genogram": {"people": [MUM], "relationships": {}}},
     "The genogram's relationships should be a JSON list."),
    (T.GENOGRAM, gen(rels=["m"]), "A relationship in the genogram should be a JSON object."),
    (T.GENOGRAM, rel(since="2010"), "A relationship in the genogram has “since”, which it "
                                    "cannot hold; it holds kind, from, to."),
    (T.GENOGRAM, rel(kind="married"),
     "A relationship is partners, separated or parent_of, not “married”."),
    (T.GENOGRAM, rel(**{"from": "z"}),
     "A relationship in the genogram names “z”, who is not in it; add the person first."),
    (T.GENOGRAM, rel(to="z"),
     "A relationship in the genogram names “z”, who is not in it; add the person first."),
    (T.GENOGRAM, rel(to="m"), "A relationship in the genogram joins a person to themselves."),
    # scores
    (T.SCALING, {"scales": ["7"]}, "A score should be a JSON object."),
    (T.SCALING, score(when="today"),
     "A score has “when”, which it cannot hold; it holds person, score, why."),
    (T.SCALING, score(score=-1), "A score is a whole number from 0 to 10; “-1” is not."),
    (T.SCALING, score(score=True), "A score is a whole number from 0 to 10; “True” is not."),
    (T.SCALING, score(person=" "), "Each score needs the name of the person who gave it."),
    (T.SCALING, score(why=7), "A score's “why” should be text."),
]


@pytest.mark.parametrize(("tool", "content", "sentence"), REFUSALS)
def test_each_refusal_names_what_to_put_right(tool: DirectWorkTool, content: Any,
                                              sentence: str) -> None:
    """The worker (or the CLI's caller) reads exactly this sentence: it names the part at
    fault and what it may hold."""
    with pytest.raises(ContentProblem) as err:
        parse_content(tool, copy.deepcopy(content))
    assert str(err.value) == sentence


def test_a_bad_tool_name_lists_the_tools() -> None:
    assert tool_of("ecomap") is T.ECOMAP
    with pytest.raises(ContentProblem) as err:
        tool_of("crystal_ball")
    names = ", ".join(t.value for t in DirectWorkTool)
    assert str(err.value) == f"“crystal_ball” is not a direct-work tool; the tools are {names}."


def test_what_is_left_out_is_filled_in_and_the_edges_are_kept() -> None:
    """A drawing, person or link sent with only what it must have gets the defaults a worker
    sees in the app; the largest and smallest allowed values are kept, not refused."""
    drawing = parse_content(T.THREE_HOUSES, {"drawing": {"House of worries": {
        "width": 1, "height": 10_000}}}).drawings["House of worries"]
    assert drawing == Drawing(1.0, 10_000.0)
    edges = parse_content(T.THREE_HOUSES, area(
        strokes=[{"points": [[-10_000, 20_000], [20_000, -10_000, 0]], "width": 0.1,
                  "colour": "#abcdef"},
                 {"points": [[0, 0, 1]], "width": 500, "colour": "#000000", "eraser": True}],
        stamps=[{"kind": "star", "x": 20_000, "y": -10_000}, {"kind": "sad", "x": 0, "y": 0,
                                                             "size": 1}]))
    first, second = edges.drawings["House of worries"].strokes
    assert first.points == ((-10_000.0, 20_000.0, 1.0), (20_000.0, -10_000.0, 0.0))
    assert (first.width, first.eraser, second.width, second.eraser) == (0.1, False, 500.0, True)
    assert [s.to_json() for s in edges.drawings["House of worries"].strokes] == [
        {"points": [[-10_000.0, 20_000.0, 1.0], [20_000.0, -10_000.0, 0.0]], "width": 0.1,
         "colour": "#abcdef"},
        {"points": [[0.0, 0.0, 1.0]], "width": 500.0, "colour": "#000000", "eraser": True}]
    assert [(s.size, s.x, s.y) for s in edges.drawings["House of worries"].stamps] == [
        (48.0, 20_000.0, -10_000.0), (1.0, 0.0, 0.0)]

    ecomap = parse_content(T.ECOMAP, {"ecomap": {
        "people": [NAN, {"id": "p2", "name": "Gran", "x": -10_000, "y": 10_000}],
        "links": [{"person_id": "p1"}]}}).ecomap
    assert ecomap is not None
    assert ecomap.people == (EcomapPerson("p1", "Nan", "other", ""),
                             EcomapPerson("p2", "Gran", "other", "", -10_000.0, 10_000.0))
    assert [p.to_json() for p in ecomap.people] == [
        {"id": "p1", "name": "Nan", "kind": "other", "relationship": ""},
        {"id": "p2", "name": "Gran", "kind": "other", "relationship": "", "x": -10_000.0,
         "y": 10_000.0}]
    assert [k.to_json() for k in ecomap.links] == [
        {"person_id": "p1", "strength": "strong", "support": "both"}]

    genogram = parse_content(T.GENOGRAM, gen([MUM, {**ADA, "born": "", "died": "2020-02-29"}]))
    assert genogram.genogram is not None
    assert genogram.genogram.people == (GenogramPerson("m", "Mum", "unknown", None, None, False),
                                        GenogramPerson("a", "Ada", "unknown", None, "2020-02-29",
                                                       False))
    assert parse_content(T.ECOMAP, {"ecomap": {}}).ecomap == Ecomap()
    assert parse_content(T.GENOGRAM, {"genogram": {}}).genogram == Genogram()
    scores = parse_content(T.SCALING, {"scales": [{"person": " Ada ", "score": 0},
                                                  {"person": "Mum", "score": 10}]})
    assert scores.scales == (Scale("Ada", 0, ""), Scale("Mum", 10, ""))


def test_the_stroke_and_point_limits_count_every_area(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limits (20,000 strokes an area, 2,000,000 points an activity) hold the app to what
    it can draw; at the limit is kept, one over is refused, and points add up over areas."""
    monkeypatch.setattr(direct_work_content, "MAX_STROKES", 2)
    monkeypatch.setattr(direct_work_content, "MAX_POINTS", 3)
    dot = {"points": [[1, 1]], "width": 1, "colour": "#000000"}
    two = {"width": 10, "height": 10, "strokes": [dot, dot]}
    houses = parse_content(T.THREE_HOUSES, {"drawing": {"House of worries": two}})
    assert len(houses.drawings["House of worries"].strokes) == 2
    _bad(T.THREE_HOUSES, {"drawing": {"House of worries": {**two, "strokes": [dot] * 3}}},
         "The drawing “House of worries” has more than 2 strokes.")
    at_limit = {"House of worries": two, "House of dreams": {**two, "strokes": [dot]}}
    assert len(parse_content(T.THREE_HOUSES, {"drawing": at_limit}).drawings) == 2
    _bad(T.THREE_HOUSES, {"drawing": {"House of worries": two, "House of dreams": two}},
         "The drawings have more than 3 points in all.")


def test_a_parent_cycle_anywhere_in_the_family_is_refused_and_a_shared_child_is_not() -> None:
    """A cycle further down than the first parent named is still found; two parents of one
    child (and that child's own child, reached twice) are an ordinary family."""
    people = [{"id": i, "name": n} for i, n in (("g", "Gran"), ("m", "Mum"), ("d", "Dad"),
                                                 ("c", "Cal"), ("b", "Baby"))]
    family = [("g", "m"), ("m", "c"), ("d", "c"), ("c", "b")]
    ok = parse_content(T.GENOGRAM, gen(people, [{"kind": "parent_of", "from": a, "to": b}
                                                for a, b in family]))
    assert ok.genogram is not None and len(ok.genogram.relationships) == 4
    _bad(T.GENOGRAM, gen(people, [{"kind": "parent_of", "from": a, "to": b}
                                  for a, b in [*family, ("b", "m")]]),
         "Mum would be their own ancestor: check who is whose parent.")


def test_the_list_words_count_each_kind_of_content() -> None:
    one = Content(drawings={"House of worries": Drawing(10, 10)},
                  ecomap=Ecomap((EcomapPerson("p", "Nan"),)),
                  genogram=Genogram((GenogramPerson("m", "Mum"),)), scales=(Scale("Ada", 3),))
    assert content_summary(one) == "1 drawing, 1 person, 1 person, 1 score"
    two = Content(drawings={"a": Drawing(10, 10), "b": Drawing(10, 10)},
                  ecomap=Ecomap((EcomapPerson("p", "Nan"), EcomapPerson("q", "Gran"))),
                  genogram=Genogram((GenogramPerson("m", "Mum"), GenogramPerson("d", "Dad"))),
                  scales=(Scale("Ada", 3), Scale("Mum", 4)))
    assert content_summary(two) == "2 drawings, 2 people, 2 people, 2 scores"
    assert content_summary(Content(ecomap=Ecomap(), genogram=Genogram())) == ""
    assert content_words(two) == ["Nan", "Gran", "Mum", "Dad", "Ada", "Mum"]


def test_a_scaling_question_is_the_same_whatever_its_spacing_or_capitals() -> None:
    assert same_question("  How SAFE do\tyou  feel? ") == same_question("how safe do you feel?")
    assert same_question("How safe do you feel?") == "how safe do you feel?"
