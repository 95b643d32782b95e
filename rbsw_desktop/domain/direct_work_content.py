"""What a direct-work activity holds beyond words: drawings, an ecomap, a genogram, scales.

It is kept as JSON in the activity's record (`DirectWorkActivity.content`), in the shape the CLI's
`rbsw direct-work show` prints and `add --content-file` reads (a contract, README):

    {"drawing": {PART: {"width", "height", "strokes": [{"points": [[x, y, pressure]...],
                                                          "width", "colour"}],
                        "stamps": [{"kind", "x", "y", "size"}]}},
     "ecomap": {"people": [{"id", "name", "kind", "relationship"}],
                "links": [{"person_id", "strength", "support"}]},
     "genogram": {"people": [{"id", "name", "sex", "born", "died", "in_household"}],
                  "relationships": [{"kind", "from", "to"}]},
     "scales": [{"person", "score", "why"}]}

`PART` is one of the tool's prompts (`DirectWorkTool.prompts`): each drawing area sits beside the
words of the same part. `parse_content` checks content against its tool and gives typed values;
`Content.to_json` gives the JSON back. A problem is a `ContentProblem` whose message is one plain
sentence a worker can act on; nothing of bad content is kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rbsw_desktop.domain.enums import DirectWorkTool

MAX_STROKES = 20_000
MAX_POINTS = 2_000_000        # over all strokes of one activity
MAX_SIDE = 10_000             # a drawing area's width or height, in its own units
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

#: Tools with drawing areas (one per prompt).
DRAWING_TOOLS = frozenset({DirectWorkTool.THREE_HOUSES, DirectWorkTool.WIZARD_FAIRY,
                           DirectWorkTool.SAFETY_HOUSE, DirectWorkTool.FREE_FORM,
                           DirectWorkTool.ALL_ABOUT_ME, DirectWorkTool.LIFE_STORY,
                           DirectWorkTool.WISHES_AND_FEELINGS})
STAMP_KINDS = ("happy", "sad", "angry", "worried", "heart", "house", "star")
ECOMAP_KINDS = ("family", "friends", "school", "health", "social_care", "clubs", "other")
LINK_STRENGTHS = ("strong", "weak", "stressful")
LINK_SUPPORT = ("to_child", "from_child", "both")
SEXES = ("female", "male", "unknown")
RELATIONSHIP_KINDS = ("partners", "separated", "parent_of")


class ContentProblem(ValueError):
    """Content that cannot be kept; the message is one plain sentence."""


# -- drawings ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stroke:
    points: tuple[tuple[float, float, float], ...]     # x, y, pressure 0..1
    width: float
    colour: str                                        # "#rrggbb"
    eraser: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"points": [list(p) for p in self.points], "width": self.width,
                               "colour": self.colour}
        if self.eraser:
            out["eraser"] = True
        return out


@dataclass(frozen=True)
class Stamp:
    kind: str
    x: float
    y: float
    size: float

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "x": self.x, "y": self.y, "size": self.size}


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    strokes: tuple[Stroke, ...] = ()
    stamps: tuple[Stamp, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height,
                "strokes": [s.to_json() for s in self.strokes],
                "stamps": [s.to_json() for s in self.stamps]}


# -- ecomap -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class EcomapPerson:
    id: str
    name: str
    kind: str = "other"
    relationship: str = ""
    #: Where the worker or child put them; None means laid out around the child automatically.
    x: float | None = None
    y: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "kind": self.kind,
                               "relationship": self.relationship}
        if self.x is not None and self.y is not None:
            out["x"], out["y"] = self.x, self.y
        return out


@dataclass(frozen=True)
class EcomapLink:
    person_id: str
    strength: str = "strong"
    support: str = "both"

    def to_json(self) -> dict[str, Any]:
        return {"person_id": self.person_id, "strength": self.strength, "support": self.support}


@dataclass(frozen=True)
class Ecomap:
    people: tuple[EcomapPerson, ...] = ()
    links: tuple[EcomapLink, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"people": [p.to_json() for p in self.people],
                "links": [k.to_json() for k in self.links]}


# -- genogram ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class GenogramPerson:
    id: str
    name: str
    sex: str = "unknown"
    born: str | None = None         # a year ("1961") or a date ("1961-04-02")
    died: str | None = None
    in_household: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "sex": self.sex, "born": self.born,
                "died": self.died, "in_household": self.in_household}


@dataclass(frozen=True)
class Relationship:
    kind: str
    from_id: str
    to_id: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "from": self.from_id, "to": self.to_id}


@dataclass(frozen=True)
class Genogram:
    people: tuple[GenogramPerson, ...] = ()
    relationships: tuple[Relationship, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"people": [p.to_json() for p in self.people],
                "relationships": [r.to_json() for r in self.relationships]}


# -- scales -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scale:
    person: str
    score: int
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"person": self.person, "score": self.score, "why": self.why}


# -- the whole ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Content:
    drawings: dict[str, Drawing] = field(default_factory=dict)     # keyed by part
    ecomap: Ecomap | None = None
    genogram: Genogram | None = None
    scales: tuple[Scale, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.drawings:
            out["drawing"] = {part: d.to_json() for part, d in self.drawings.items()}
        if self.ecomap is not None:
            out["ecomap"] = self.ecomap.to_json()
        if self.genogram is not None:
            out["genogram"] = self.genogram.to_json()
        if self.scales:
            out["scales"] = [s.to_json() for s in self.scales]
        return out


def content_words(content: Content) -> list[str]:
    """The words in content that search finds: people's names and relationships, who gave
    each score and why."""
    words: list[str] = []
    if content.ecomap is not None:
        words += [w for p in content.ecomap.people for w in (p.name, p.relationship) if w]
    if content.genogram is not None:
        words += [p.name for p in content.genogram.people]
    words += [w for s in content.scales for w in (s.person, s.why) if w]
    return words


def content_summary(content: Content) -> str:
    """A few words for the timeline and lists: "6 people", "3 scores"; "" for nothing."""
    def count(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    bits = []
    if content.drawings:
        bits.append(count(len(content.drawings), "drawing", "drawings"))
    if content.ecomap is not None and content.ecomap.people:
        bits.append(count(len(content.ecomap.people), "person", "people"))
    if content.genogram is not None and content.genogram.people:
        bits.append(count(len(content.genogram.people), "person", "people"))
    if content.scales:
        bits.append(count(len(content.scales), "score", "scores"))
    return ", ".join(bits)


#: The part of a Scaling 0-10 session that holds its question, and what 0 and 10 mean.
QUESTION, ZERO_MEANS, TEN_MEANS = DirectWorkTool.SCALING.prompts[:3]


def same_question(text: str) -> str:
    """A scaling question as compared across sessions: the same words, whatever the spacing
    or capitals, are the same scale."""
    return " ".join(text.split()).casefold()


def tool_of(value: object) -> DirectWorkTool:
    try:
        return DirectWorkTool(str(value))
    except ValueError:
        names = ", ".join(t.value for t in DirectWorkTool)
        raise ContentProblem(f"“{value}” is not a direct-work tool; the tools are {names}.") \
            from None


def parse_content(tool: DirectWorkTool, obj: object) -> Content:
    """Check `obj` (the JSON above) against `tool`; the typed content, or ContentProblem."""
    data = _obj(obj, "The content")
    _only(data, ("drawing", "ecomap", "genogram", "scales"), "The content")
    drawings: dict[str, Drawing] = {}
    if "drawing" in data:
        if tool not in DRAWING_TOOLS:
            raise ContentProblem(f"{tool.label} has no drawing areas.")
        points = [0]
        for part, d in _obj(data["drawing"], "“drawing”").items():
            if part not in tool.prompts:
                parts = ", ".join(f"“{p}”" for p in tool.prompts)
                raise ContentProblem(f"{tool.label} has no drawing area called “{part}”; "
                                     f"its areas are {parts}.")
            drawings[part] = _drawing(d, part, points)
    ecomap = genogram = None
    scales: tuple[Scale, ...] = ()
    if "ecomap" in data:
        _for_tool(tool, DirectWorkTool.ECOMAP, "an ecomap")
        ecomap = _ecomap(data["ecomap"])
    if "genogram" in data:
        _for_tool(tool, DirectWorkTool.GENOGRAM, "a genogram")
        genogram = _genogram(data["genogram"])
    if "scales" in data:
        _for_tool(tool, DirectWorkTool.SCALING, "scores")
        scales = tuple(_scale(s) for s in _list(data["scales"], "“scales”"))
    return Content(drawings, ecomap, genogram, scales)


def _for_tool(tool: DirectWorkTool, wanted: DirectWorkTool, what: str) -> None:
    if tool is not wanted:
        raise ContentProblem(f"Only {wanted.label} holds {what}, not {tool.label}.")


def _drawing(obj: object, part: str, points: list[int]) -> Drawing:
    where = f"The drawing “{part}”"
    d = _obj(obj, where)
    _only(d, ("width", "height", "strokes", "stamps"), where)
    width = _number(d.get("width"), f"{where}'s width", 1, MAX_SIDE)
    height = _number(d.get("height"), f"{where}'s height", 1, MAX_SIDE)
    strokes = []
    for s in _list(d.get("strokes", []), f"{where}'s strokes"):
        strokes.append(_stroke(s, where, points))
        if len(strokes) > MAX_STROKES:
            raise ContentProblem(f"{where} has more than {MAX_STROKES:,} strokes.")
    stamps = tuple(_stamp(s, where) for s in _list(d.get("stamps", []), f"{where}'s stamps"))
    return Drawing(width, height, tuple(strokes), stamps)


def _stroke(obj: object, where: str, points: list[int]) -> Stroke:
    s = _obj(obj, f"A stroke of {where.lower()}")
    _only(s, ("points", "width", "colour", "eraser"), f"A stroke of {where.lower()}")
    pts = []
    for p in _list(s.get("points"), f"A stroke's points in {where.lower()}"):
        if not isinstance(p, list) or len(p) not in (2, 3):
            raise ContentProblem(f"Each point of a stroke in {where.lower()} is [x, y] or "
                                 "[x, y, pressure].")
        x = _number(p[0], "A point's x", -MAX_SIDE, 2 * MAX_SIDE)
        y = _number(p[1], "A point's y", -MAX_SIDE, 2 * MAX_SIDE)
        pressure = _number(p[2], "A point's pressure", 0, 1) if len(p) == 3 else 1.0
        pts.append((x, y, pressure))
    if not pts:
        raise ContentProblem(f"A stroke in {where.lower()} has no points.")
    points[0] += len(pts)
    if points[0] > MAX_POINTS:
        raise ContentProblem(f"The drawings have more than {MAX_POINTS:,} points in all.")
    colour = s.get("colour")
    if not isinstance(colour, str) or not COLOUR_RE.match(colour):
        raise ContentProblem(f"A stroke's colour in {where.lower()} should look like "
                             "“#1a2b3c”.")
    eraser = s.get("eraser", False)
    if not isinstance(eraser, bool):
        raise ContentProblem("A stroke's “eraser” is true or false.")
    return Stroke(tuple(pts), _number(s.get("width"), "A stroke's width", 0.1, 500),
                  colour.lower(), eraser)


def _stamp(obj: object, where: str) -> Stamp:
    s = _obj(obj, f"A stamp of {where.lower()}")
    _only(s, ("kind", "x", "y", "size"), f"A stamp of {where.lower()}")
    kind = s.get("kind")
    if kind not in STAMP_KINDS:
        raise ContentProblem(f"“{kind}” is not a stamp; the stamps are "
                             f"{', '.join(STAMP_KINDS)}.")
    return Stamp(str(kind), _number(s.get("x"), "A stamp's x", -MAX_SIDE, 2 * MAX_SIDE),
                 _number(s.get("y"), "A stamp's y", -MAX_SIDE, 2 * MAX_SIDE),
                 _number(s.get("size", 48), "A stamp's size", 1, MAX_SIDE))


def _ecomap(obj: object) -> Ecomap:
    e = _obj(obj, "The ecomap")
    _only(e, ("people", "links"), "The ecomap")
    people = []
    for p in _list(e.get("people", []), "The ecomap's people"):
        d = _obj(p, "A person on the ecomap")
        _only(d, ("id", "name", "kind", "relationship", "x", "y"), "A person on the ecomap")
        kind = d.get("kind", "other")
        if kind not in ECOMAP_KINDS:
            raise ContentProblem(f"“{kind}” is not a kind of person or service on an ecomap; "
                                 f"the kinds are {', '.join(ECOMAP_KINDS)}.")
        x, y = d.get("x"), d.get("y")
        if (x is None) != (y is None):
            raise ContentProblem("A person placed on the ecomap needs both x and y.")
        people.append(EcomapPerson(
            _id(d.get("id"), "A person on the ecomap"), _name(d.get("name"), "ecomap"), kind,
            _text(d.get("relationship", ""), "A relationship"),
            None if x is None else _number(x, "A person's x", -MAX_SIDE, MAX_SIDE),
            None if y is None else _number(y, "A person's y", -MAX_SIDE, MAX_SIDE)))
    ids = _unique_ids([p.id for p in people], "ecomap")
    links = []
    for k in _list(e.get("links", []), "The ecomap's links"):
        d = _obj(k, "A link on the ecomap")
        _only(d, ("person_id", "strength", "support"), "A link on the ecomap")
        if d.get("person_id") not in ids:
            raise ContentProblem(f"A link on the ecomap goes to “{d.get('person_id')}”, who is "
                                 "not on it; add the person first.")
        strength, support = d.get("strength", "strong"), d.get("support", "both")
        if strength not in LINK_STRENGTHS:
            raise ContentProblem(f"A link is strong, weak or stressful, not “{strength}”.")
        if support not in LINK_SUPPORT:
            raise ContentProblem(f"Support goes to_child, from_child or both, not “{support}”.")
        links.append(EcomapLink(str(d["person_id"]), strength, support))
    return Ecomap(tuple(people), tuple(links))


def _genogram(obj: object) -> Genogram:
    g = _obj(obj, "The genogram")
    _only(g, ("people", "relationships"), "The genogram")
    people = []
    for p in _list(g.get("people", []), "The genogram's people"):
        d = _obj(p, "A person in the genogram")
        _only(d, ("id", "name", "sex", "born", "died", "in_household"), "A person in the genogram")
        sex = d.get("sex", "unknown")
        if sex not in SEXES:
            raise ContentProblem(f"A person's sex in a genogram is female, male or unknown, "
                                 f"not “{sex}”.")
        in_household = d.get("in_household", False)
        if not isinstance(in_household, bool):
            raise ContentProblem("“in_household” is true or false.")
        name = _name(d.get("name"), "genogram")
        people.append(GenogramPerson(_id(d.get("id"), "A person in the genogram"), name, sex,
                                     _year_or_date(d.get("born"), name, "was born"),
                                     _year_or_date(d.get("died"), name, "died"), in_household))
    ids = _unique_ids([p.id for p in people], "genogram")
    rels = []
    for r in _list(g.get("relationships", []), "The genogram's relationships"):
        d = _obj(r, "A relationship in the genogram")
        _only(d, ("kind", "from", "to"), "A relationship in the genogram")
        kind = d.get("kind")
        if kind not in RELATIONSHIP_KINDS:
            raise ContentProblem(f"A relationship is partners, separated or parent_of, "
                                 f"not “{kind}”.")
        a, b = d.get("from"), d.get("to")
        for end in (a, b):
            if end not in ids:
                raise ContentProblem(f"A relationship in the genogram names “{end}”, who is "
                                     "not in it; add the person first.")
        if a == b:
            raise ContentProblem("A relationship in the genogram joins a person to themselves.")
        rels.append(Relationship(str(kind), str(a), str(b)))
    _no_parent_cycle(rels, {p.id: p.name for p in people})
    return Genogram(tuple(people), tuple(rels))


def _no_parent_cycle(rels: list[Relationship], names: dict[str, str]) -> None:
    children: dict[str, list[str]] = {}
    for r in rels:
        if r.kind == "parent_of":
            children.setdefault(r.from_id, []).append(r.to_id)
    state: dict[str, int] = {}          # 1 visiting, 2 done

    def visit(start: str) -> None:
        stack = [(start, iter(children.get(start, ())))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                raise ContentProblem(f"{names.get(nxt, nxt)} would be their own ancestor: "
                                     "check who is whose parent.")
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(children.get(nxt, ()))))

    for person in list(children):
        if person not in state:
            visit(person)


def _scale(obj: object) -> Scale:
    d = _obj(obj, "A score")
    _only(d, ("person", "score", "why"), "A score")
    score = d.get("score")
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        raise ContentProblem(f"A score is a whole number from 0 to 10; “{score}” is not.")
    person = d.get("person")
    if not isinstance(person, str) or not person.strip():
        raise ContentProblem("Each score needs the name of the person who gave it.")
    return Scale(person.strip(), score, _text(d.get("why", ""), "A score's “why”"))


# -- small checks -----------------------------------------------------------------------------

def _obj(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ContentProblem(f"{what} should be a JSON object.")
    return value


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ContentProblem(f"{what} should be a JSON list.")
    return value


def _only(d: dict[str, Any], keys: tuple[str, ...], what: str) -> None:
    extra = sorted(set(d) - set(keys))
    if extra:
        raise ContentProblem(f"{what} has “{extra[0]}”, which it cannot hold; it holds "
                             f"{', '.join(keys)}.")


def _number(value: object, what: str, low: float, high: float) -> float:
    if (not isinstance(value, (int, float)) or isinstance(value, bool)
            or not math.isfinite(value) or not low <= value <= high):
        raise ContentProblem(f"{what} should be a number from {low:g} to {high:g}.")
    return float(value)


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ContentProblem(f"{what} should be text.")
    return value


def _id(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContentProblem(f"{what} needs an “id”.")
    return value


def _name(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContentProblem(f"Everyone on the {where} needs a name.")
    return value.strip()


def _unique_ids(ids: list[str], where: str) -> set[str]:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ContentProblem(f"Two people on the {where} have the id “{i}”.")
        seen.add(i)
    return seen


def _year_or_date(value: object, name: str, when: str) -> str | None:
    """`when` finishes "When NAME ...": "was born", "died"."""
    if value is None or value == "":
        return None
    text = str(value)
    try:
        if re.fullmatch(r"\d{4}", text):
            return text
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ContentProblem(f"When {name} {when} is a year (1961) or a date "
                             f"(1961-04-02), not “{text}”.") from None
