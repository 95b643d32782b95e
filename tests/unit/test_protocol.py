"""What a record may hold on the wire, how a refusal is put into words, and who may push what."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from rbsw_desktop.domain.enums import Zone
from rbsw_desktop.protocol import INT64_MAX, INT64_MIN, is_unicode
from rbsw_desktop.protocol.models import (
    MAX_DEPTH,
    EnrolRequest,
    Op,
    PushRequest,
    Wire,
    first_reason,
    json_problem,
)
from rbsw_desktop.protocol.rights import RECORD_RIGHTS, Action, may

LONE = "\ud800"      # what JSON's "\ud800" escape spells: no database can keep it


def nested(depth: int, wrap=list, leaf: object = 1) -> object:  # noqa: ANN001
    value = leaf
    for _ in range(depth):
        value = [value] if wrap is list else {"k": value}
    return value


def test_text_with_a_lone_surrogate_is_not_unicode() -> None:
    assert is_unicode("Zoë 🦊") and is_unicode("")
    assert not is_unicode(f"a{LONE}b")


@pytest.mark.parametrize("value", [
    None, True, 0, INT64_MAX, INT64_MIN, 1.5, "", "Zoë", [], {}, [1, "a", None],
    {"a": [1, {"b": 2.5}]}, nested(MAX_DEPTH), nested(MAX_DEPTH, dict),
    nested(MAX_DEPTH, leaf="text"), nested(MAX_DEPTH, dict, None), nested(MAX_DEPTH, leaf=True),
])
def test_json_every_end_can_keep(value: object) -> None:
    assert json_problem(value) == ""


@pytest.mark.parametrize(("value", "problem"), [
    (INT64_MAX + 1, "has a number too large to keep"),
    (INT64_MIN - 1, "has a number too large to keep"),
    (float("inf"), "has a number that is not finite"),
    (float("nan"), "has a number that is not finite"),
    (LONE, "has text that is not valid Unicode"),
    ([1, "ok", LONE], "has text that is not valid Unicode"),
    ({"ok": 1, "bad": [float("-inf")]}, "has a number that is not finite"),
    ({1: "a"}, "has a name that is not valid Unicode"),
    ({LONE: "a"}, "has a name that is not valid Unicode"),
    ({"when": object()}, "has a value that is not JSON"),
    (nested(MAX_DEPTH + 1), "is nested too deeply"),
    (nested(MAX_DEPTH + 1, dict), "is nested too deeply"),
    # whatever is nested: text, null and bools too
    (nested(MAX_DEPTH + 1, leaf="text"), "is nested too deeply"),
    (nested(MAX_DEPTH + 1, dict, None), "is nested too deeply"),
    (nested(MAX_DEPTH + 1, leaf=False), "is nested too deeply"),
])
def test_json_no_database_can_keep_is_refused_in_words(value: object, problem: str) -> None:
    assert json_problem(value) == problem


def test_text_of_an_enum_is_checked_as_text() -> None:
    """A record's fields often hold StrEnum members (a zone, a visit type): text all the
    same, kept when it is Unicode and refused in the same words when it is not."""
    class Word(str):
        pass

    assert json_problem({"zone": Zone.RED, "word": Word("Zoë")}) == ""
    assert json_problem({"word": Word(f"a{LONE}")}) == "has text that is not valid Unicode"


def _reason(model: type[Wire], data: object) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return first_reason(caught.value)


def test_a_refused_push_says_which_field_and_why() -> None:
    op = {"op_id": "op-1", "entity": "visit", "id": "v-1", "fields": {"note": LONE}}
    assert _reason(Op, op) == "`fields`: the record has text that is not valid Unicode"

    class Envelope(Wire):        # how FastAPI reports a request body: under "body"
        body: PushRequest

    assert _reason(Envelope, {"body": {"ops": [op]}}) == \
        "`ops.0.fields`: the record has text that is not valid Unicode"
    assert _reason(EnrolRequest, {"code": f"AB{LONE}"}) == \
        "`code`: this text is not valid Unicode"
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(int).validate_python("many")
    assert first_reason(caught.value).startswith("Input should be a valid integer")


def test_who_may_push_what() -> None:
    for role in ("social_worker", "senior_social_worker", "nqsw"):
        assert all(may(role, "visit", a) for a in Action)
        assert may(role, "visit_amendment", Action.CREATE)
        assert not may(role, "visit_amendment", Action.UPDATE)
        assert not may(role, "review", Action.DELETE)
    assert may("pod_manager", "board_item", Action.UPDATE)
    assert may("pod_manager", "board_move", Action.CREATE)
    assert not may("pod_manager", "board_move", Action.DELETE)
    assert not may("pod_manager", "visit", Action.CREATE)
    assert not any(may("business_support", e, a) for e in RECORD_RIGHTS["nqsw"] for a in Action)
    assert not may("someone", "visit", Action.CREATE)
    assert not may("social_worker", "case", Action.UPDATE)
