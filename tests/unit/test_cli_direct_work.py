"""`rbsw direct-work` as a script sees it: a real process over a real encrypted store; list,
show, add and render, and bad content refused in one sentence with nothing kept."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.unit.test_cli import PASS, demo_dir, first_case, ok_json, rbsw, refused  # noqa: F401

ECOMAP = {"ecomap": {
    "people": [{"id": "nan", "name": "Nan Fictional", "kind": "family", "relationship": "Nan"},
               {"id": "school", "name": "Example Primary", "kind": "school",
                "relationship": "", "x": 200.0, "y": -120.0}],
    "links": [{"person_id": "nan", "strength": "strong", "support": "to_child"},
              {"person_id": "school", "strength": "stressful", "support": "both"}]}}
GENOGRAM = {"genogram": {
    "people": [{"id": "g", "name": "Grandad Fictional", "sex": "male", "born": "1950",
                "died": "2019", "in_household": False},
               {"id": "m", "name": "Mum Fictional", "sex": "female", "born": "1980",
                "died": None, "in_household": True},
               {"id": "c", "name": "Child Fictional", "sex": "unknown", "born": "2017",
                "died": None, "in_household": True}],
    "relationships": [{"kind": "parent_of", "from": "g", "to": "m"},
                      {"kind": "parent_of", "from": "m", "to": "c"}]}}
SCALES = {"scales": [{"person": "Poppy", "score": 7, "why": "Mum is calmer"},
                     {"person": "Mum", "score": 5, "why": ""}]}


def content_file(tmp_path: Path, content: Any, name: str = "content.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(content), encoding="utf-8")
    return str(path)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def headless(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """rbsw with no display and no Qt platform chosen, as on a server or over ssh."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(RBSW_TEST_FAST_KDF="1", RBSW_PASSPHRASE=PASS,
               RBSW_LOG_DIR=str(data_dir.parent / "logs"))
    return subprocess.run([sys.executable, "-m", "rbsw_desktop.cli", "--data-dir",
                           str(data_dir), *args], capture_output=True, text=True, env=env,
                          timeout=90, stdin=subprocess.DEVNULL)


def test_add_list_show_an_ecomap_and_render_it_headless(demo_dir: Path,  # noqa: F811
                                                        tmp_path: Path) -> None:
    case = first_case(demo_dir, "Mia")
    added = ok_json(demo_dir, "direct-work", "add", "--case", case["id"], "--tool", "ecomap",
                    "--content-file", content_file(tmp_path, ECOMAP))
    assert (added["tool"], added["case_id"], added["content"]) == ("ecomap", case["id"], ECOMAP)
    listed = {a["id"]: a for a in ok_json(demo_dir, "direct-work", "list", "--case",
                                          case["id"])}
    row = listed[added["id"]]
    assert {"id", "tool", "held_on", "title", "shareable"} <= set(row)
    assert row["summary"] == "Ecomap: 2 people" and "content" not in row
    assert ok_json(demo_dir, "direct-work", "show", added["id"])["content"] == ECOMAP
    human = rbsw(demo_dir, "direct-work", "show", added["id"])
    assert human.returncode == 0 and "Nan Fictional" in human.stdout
    assert "Ecomap: 2 people" in rbsw(demo_dir, "direct-work", "list", "--case",
                                      case["id"]).stdout

    out = tmp_path / "ecomap.png"
    done = headless(demo_dir, "direct-work", "render", added["id"], "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    width, height = png_size(out)
    assert width == 1200 and 700 < height < 1000
    assert out.stat().st_size > 20_000               # people, lines and words, not a blank


@pytest.mark.parametrize(("tool", "content"), [("genogram", GENOGRAM), ("scaling", SCALES)])
def test_a_genogram_and_scores_render_as_pictures(demo_dir: Path, tmp_path: Path,  # noqa: F811
                                                  tool: str, content: Any) -> None:
    case = first_case(demo_dir, "Mia")
    added = ok_json(demo_dir, "direct-work", "add", "--case", case["id"], "--tool", tool,
                    "--content-file", content_file(tmp_path, content))
    out = tmp_path / f"{tool}.png"
    done = headless(demo_dir, "direct-work", "render", added["id"], "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert png_size(out)[0] == 1200 and out.stat().st_size > 10_000


def test_a_drawing_is_rendered_as_its_sheet_and_an_empty_one_says_so(
        demo_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    """Three Houses renders its houses that hold a drawing, one under the other, headless; a
    session with nothing drawn is refused in words and writes no file."""
    case = first_case(demo_dir, "Mia")
    empty = ok_json(demo_dir, "direct-work", "add", "--case", case["id"], "--tool",
                    "three_houses")
    out = tmp_path / "houses.png"
    err = refused(rbsw(demo_dir, "direct-work", "render", empty["id"], "--out", str(out)))
    assert "has nothing drawn in it yet" in err
    assert not out.exists()
    red = {"width": 400, "height": 300, "stamps": [],
           "strokes": [{"points": [[0, 150, 1], [400, 150, 1]], "width": 40,
                        "colour": "#ff0000"}]}
    drawn = ok_json(demo_dir, "direct-work", "add", "--case", case["id"], "--tool",
                    "three_houses", "--content-file", content_file(tmp_path, {"drawing": {
                        "House of worries": red, "House of dreams": red}}))
    done = headless(demo_dir, "direct-work", "render", drawn["id"], "--out", str(out))
    assert done.returncode == 0, done.stderr
    width, height = png_size(out)
    assert width == 1200 and height > 2 * 900         # two houses of 1200x900, with headings
    from PySide6.QtGui import QImage  # the red line is in the picture
    image = QImage(str(out))
    assert image.pixelColor(600, height - 450).red() > 200
    assert image.pixelColor(600, height - 450).green() < 60


GENOGRAM_CYCLE = {"genogram": {
    "people": [{"id": "a", "name": "Alex Fictional"}, {"id": "b", "name": "Bo Fictional"}],
    "relationships": [{"kind": "parent_of", "from": "a", "to": "b"},
                      {"kind": "parent_of", "from": "b", "to": "a"}]}}


@pytest.mark.parametrize(("tool", "content", "said"), [
    ("collage", None, "“collage” is not a direct-work tool"),
    ("scaling", {"scales": [{"person": "Poppy", "score": 11, "why": ""}]},
     "A score is a whole number from 0 to 10; “11” is not."),
    ("ecomap", {"ecomap": {"people": [], "links": [{"person_id": "nobody"}]}},
     "A link on the ecomap goes to “nobody”, who is not on it"),
    ("genogram", GENOGRAM_CYCLE, "would be their own ancestor"),
    ("ecomap", "not json {", "is not valid JSON"),
    ("ecomap", ["a list"], "should hold one JSON object"),
    ("genogram", ECOMAP, "Only Ecomap holds an ecomap, not Genogram."),
])
def test_bad_content_is_refused_in_one_sentence_and_nothing_is_kept(
        demo_dir: Path, tmp_path: Path, tool: str, content: Any, said: str) -> None:  # noqa: F811
    case = first_case(demo_dir, "Oscar")
    before = ok_json(demo_dir, "direct-work", "list", "--case", case["id"])
    args = ["direct-work", "add", "--case", case["id"], "--tool", tool]
    if isinstance(content, str):
        path = tmp_path / "bad.json"
        path.write_text(content, encoding="utf-8")
        args += ["--content-file", str(path)]
    elif content is not None:
        args += ["--content-file", content_file(tmp_path, content)]
    err = refused(rbsw(demo_dir, *args, "--json"))
    assert said in err
    assert len(err.strip().splitlines()) == 1         # one sentence, no traceback
    assert ok_json(demo_dir, "direct-work", "list", "--case", case["id"]) == before


def test_an_unknown_session_or_a_missing_file_is_a_plain_refusal(demo_dir: Path,  # noqa: F811
                                                                 tmp_path: Path) -> None:
    err = refused(rbsw(demo_dir, "direct-work", "show", "no-such-session"))
    assert "No direct-work session with id no-such-session" in err
    case = first_case(demo_dir, "Oscar")
    err = refused(rbsw(demo_dir, "direct-work", "add", "--case", case["id"], "--tool",
                       "ecomap", "--content-file", str(tmp_path / "missing.json")))
    assert "could not be read" in err and "Nothing was saved" in err
