"""Where the ecomap and genogram put people (pure Python), and the few words a list shows."""

from __future__ import annotations

import itertools
import math
import time

from rbsw_desktop.domain import DirectWorkTool
from rbsw_desktop.domain.direct_work_content import (
    ECOMAP_KINDS,
    EcomapPerson,
    Genogram,
    GenogramPerson,
    Relationship,
    content_summary,
    content_words,
    parse_content,
)
from rbsw_desktop.domain.map_layout import (
    ECOMAP_MAX_X,
    ECOMAP_MAX_Y,
    GenogramLayout,
    ecomap_layout,
    generations,
    genogram_layout,
)


def people(n: int) -> list[EcomapPerson]:
    return [EcomapPerson(f"p{i}", f"Person {i} (fictional)", ECOMAP_KINDS[i % len(ECOMAP_KINDS)])
            for i in range(n)]


def test_forty_people_go_round_the_child_apart_on_the_sheet_and_quickly() -> None:
    crowd = people(40)
    start = time.perf_counter()
    places = ecomap_layout(crowd)
    assert time.perf_counter() - start < 0.05
    assert set(places) == {p.id for p in crowd}
    for x, y in places.values():
        assert abs(x) <= ECOMAP_MAX_X and abs(y) <= ECOMAP_MAX_Y
        assert math.hypot(x, y) >= 100                  # clear of the child in the middle
    for a, b in itertools.combinations(places.values(), 2):
        assert math.dist(a, b) > 40                     # nobody on top of anybody


def test_thirty_people_fit_round_the_child_with_no_two_boxes_overlapping() -> None:
    places = ecomap_layout(people(30))
    for (ax, ay), (bx, by) in itertools.combinations(places.values(), 2):
        assert abs(ax - bx) >= 140 or abs(ay - by) >= 48     # a box is 140 by 48


def test_each_kind_sits_together_and_a_placed_person_stays_put() -> None:
    crowd = [*people(10), EcomapPerson("here", "Nan (fictional)", "family", x=-300.0, y=200.0)]
    places = ecomap_layout(crowd)
    assert places["here"] == (-300.0, 200.0)
    order = sorted((p for p in crowd if p.id != "here"),
                   key=lambda p: (math.atan2(places[p.id][1], places[p.id][0]) + math.pi / 2)
                   % (2 * math.pi))                     # clockwise from the top
    kinds = [k for k, _ in itertools.groupby(p.kind for p in order)]
    assert len(kinds) == len(set(kinds))                # one run of each kind round the ring


GENOGRAM = {"genogram": {
    "people": [{"id": "gd", "name": "Grandad (fictional)", "sex": "male", "died": "2019"},
               {"id": "gm", "name": "Nan (fictional)", "sex": "female"},
               {"id": "mum", "name": "Mum (fictional)", "sex": "female", "in_household": True},
               {"id": "dad", "name": "Dad (fictional)", "sex": "male"},
               {"id": "ada", "name": "Ada (fictional)", "sex": "female", "in_household": True},
               {"id": "bo", "name": "Bo (fictional)", "sex": "unknown", "in_household": True}],
    "relationships": [{"kind": "partners", "from": "gd", "to": "gm"},
                      {"kind": "parent_of", "from": "gd", "to": "mum"},
                      {"kind": "parent_of", "from": "gm", "to": "mum"},
                      {"kind": "separated", "from": "mum", "to": "dad"},
                      {"kind": "parent_of", "from": "mum", "to": "ada"},
                      {"kind": "parent_of", "from": "dad", "to": "ada"},
                      {"kind": "parent_of", "from": "mum", "to": "bo"}]}}


def test_a_genogram_is_three_generation_rows_parents_above_and_partners_side_by_side() -> None:
    genogram = parse_content(DirectWorkTool.GENOGRAM, GENOGRAM).genogram
    assert genogram is not None
    layout = genogram_layout(genogram)
    at = layout.places
    assert layout.generations == 3
    assert at["gd"][1] == at["gm"][1] < at["mum"][1] == at["dad"][1] < at["ada"][1] == at["bo"][1]
    assert abs(at["gd"][0] - at["gm"][0]) < 140 and abs(at["mum"][0] - at["dad"][0]) < 140
    assert len(set(at.values())) == len(at)             # no two people in one place


def test_a_partner_of_their_own_child_still_gets_a_layout() -> None:
    genogram = parse_content(DirectWorkTool.GENOGRAM, {"genogram": {
        "people": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        "relationships": [{"kind": "parent_of", "from": "a", "to": "b"},
                          {"kind": "partners", "from": "a", "to": "b"}]}}).genogram
    assert genogram is not None
    assert set(genogram_layout(genogram).places) == {"a", "b"}


def test_the_few_words_for_lists_and_the_words_search_finds() -> None:
    genogram = parse_content(DirectWorkTool.GENOGRAM, GENOGRAM)
    assert content_summary(genogram) == "6 people"
    assert "Grandad (fictional)" in content_words(genogram)
    ecomap = parse_content(DirectWorkTool.ECOMAP, {"ecomap": {"people": [
        {"id": "n", "name": "Nan Example", "kind": "family", "relationship": "Nan"}]}})
    assert content_summary(ecomap) == "1 person"
    assert content_words(ecomap) == ["Nan Example", "Nan"]
    scores = parse_content(DirectWorkTool.SCALING, {"scales": [
        {"person": "Ada", "score": 7, "why": "School is better"},
        {"person": "Mum", "score": 5, "why": ""}]})
    assert content_summary(scores) == "2 scores"
    assert content_words(scores) == ["Ada", "School is better", "Mum"]


def test_a_few_people_go_in_kind_order_round_the_inner_ring_and_placed_ones_stay_on_the_sheet(
) -> None:
    """Family at the top, then clockwise school, health, clubs, and a kind this version does not
    know last; someone dragged off the sheet comes back to its edge, and someone with only an
    x (never saved so) is laid out with the rest."""
    crowd = [EcomapPerson("club", "Cubs", "clubs"), EcomapPerson("new", "Robot", "robots"),
             EcomapPerson("nan", "Nan", "family"), EcomapPerson("gp", "GP", "health"),
             EcomapPerson("teach", "Teacher", "school", x=5000.0),
             EcomapPerson("aunt", "Aunt", "family", x=-5000.0, y=5000.0)]
    assert ecomap_layout(crowd) == {
        "aunt": (-ECOMAP_MAX_X, ECOMAP_MAX_Y), "nan": (0.0, -135.0), "teach": (223.6, -31.5),
        "gp": (159.8, 97.1), "club": (-161.2, 96.3), "new": (-223.2, -32.7)}


def family(people: str, *relationships: tuple[str, str, str]) -> Genogram:
    return Genogram(tuple(GenogramPerson(i, i.title()) for i in people.split()),
                    tuple(Relationship(k, a, b) for k, a, b in relationships))


def test_each_person_has_their_place_in_the_genogram() -> None:
    """Where the worker sees each person: a row a generation, partners side by side, children
    centred under their parents, an aunt beside her sister's partner, the sheet just wide and
    tall enough."""
    layout = genogram_layout(family(
        "gd gm aunt mum dad kid step",
        ("partners", "gd", "gm"), ("parent_of", "gm", "aunt"), ("parent_of", "gd", "mum"),
        ("parent_of", "gm", "mum"), ("separated", "mum", "dad"), ("parent_of", "mum", "kid"),
        ("parent_of", "dad", "kid"), ("parent_of", "dad", "step")))
    assert layout == GenogramLayout(
        {"gd": (65.0, 75.0), "gm": (195.0, 75.0), "mum": (65.0, 225.0), "dad": (195.0, 225.0),
         "aunt": (325.0, 225.0), "kid": (97.5, 375.0), "step": (227.5, 375.0)},
        generations=3, width=390.0, height=450.0)
    # A child under the one parent named, who sits to the right of their partner.
    assert genogram_layout(family("x a b c", ("partners", "a", "b"),
                                  ("parent_of", "b", "c"))).places == {
        "x": (65.0, 75.0), "a": (195.0, 75.0), "b": (325.0, 75.0), "c": (325.0, 225.0)}
    assert genogram_layout(Genogram()) == GenogramLayout({}, 0, 130.0, 150.0)


def test_generations_follow_parents_named_in_any_order_and_partners_share_a_row() -> None:
    """The rows do not depend on the order the worker added the relationships; a father's
    row learnt from his partner still puts his child below him."""
    assert generations(family("a b c d", ("parent_of", "c", "d"), ("parent_of", "b", "c"),
                              ("parent_of", "a", "b"))) == {"a": 0, "b": 1, "c": 2, "d": 3}
    assert generations(family("g m d k", ("parent_of", "d", "k"), ("partners", "m", "d"),
                              ("parent_of", "g", "m"))) == {"g": 0, "m": 1, "d": 1, "k": 2}
