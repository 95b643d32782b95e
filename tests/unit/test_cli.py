"""The `rbsw` CLI as a script sees it: a real process, a real encrypted store, the JSON contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

PASS = "fictional cli passphrase"


def rbsw(data_dir: Path, *args: str, passphrase: str | None = PASS) -> subprocess.CompletedProcess:
    env = dict(os.environ, RBSW_TEST_FAST_KDF="1", RBSW_LOG_DIR=str(data_dir.parent / "logs"))
    env.pop("RBSW_PASSPHRASE", None)
    if passphrase is not None:
        env["RBSW_PASSPHRASE"] = passphrase
    return subprocess.run([sys.executable, "-m", "rbsw_desktop.cli", "--data-dir", str(data_dir),
                           *args], capture_output=True, text=True, env=env, timeout=60,
                          stdin=subprocess.DEVNULL)


def ok_json(data_dir: Path, *args: str) -> Any:
    done = rbsw(data_dir, *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # exactly one JSON document


def refused(done: subprocess.CompletedProcess, code: int = 1) -> str:
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return done.stderr


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli") / "data"
    done = rbsw(data_dir, "demo")
    assert done.returncode == 0, done.stderr
    assert "fictional families" in done.stdout
    return data_dir


def first_case(data_dir: Path, name_prefix: str = "Poppy") -> dict[str, Any]:
    return next(c for c in ok_json(data_dir, "cases") if c["child_name"].startswith(name_prefix))


def test_init_makes_an_empty_store_and_refuses_a_second(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert rbsw(data_dir, "init").returncode == 0
    assert ok_json(data_dir, "cases") == []
    assert "already a store" in refused(rbsw(data_dir, "init"))


def test_cases_json_has_the_contract_keys(demo_dir: Path) -> None:
    cases = ok_json(demo_dir, "cases")
    assert len(cases) >= 8
    for key in ("id", "child_name", "worker", "next_visit_due", "days_overdue", "category"):
        assert key in cases[0]
    assert any(c["days_overdue"] > 0 for c in cases), "the demo shows an overdue visit"
    human = rbsw(demo_dir, "cases").stdout
    assert "Overdue by" in human and "Poppy Pretend" in human


def test_visit_add_then_search_finds_it(demo_dir: Path) -> None:
    case = first_case(demo_dir)
    visit = ok_json(demo_dir, "visit", "add", "--case", case["id"], "--text",
                    "Fictional note: we built a den out of cushions", "--child-seen-alone")
    assert visit["id"] and visit["case_id"] == case["id"]
    assert visit["child_seen_alone"] is True and visit["sync_state"] == "pending"
    hits = ok_json(demo_dir, "search", "cushion")
    assert [h["id"] for h in hits] == [visit["id"]]
    assert "cushions" in hits[0]["snippet"]


def test_board_add_move_show_and_review(demo_dir: Path) -> None:
    case = first_case(demo_dir, "Mia")
    item = ok_json(demo_dir, "board", "add", "--case", case["id"], "--zone", "red", "--text",
                   "Fictional worry about the stairs")
    assert item["zone"] == "red" and item["shareable"] is True
    private = ok_json(demo_dir, "board", "add", "--case", case["id"], "--zone", "amber",
                      "--text", "Fictional confidential concern", "--private")
    assert private["shareable"] is False and private["withheld_reason"] == "professionals_only"
    assert rbsw(demo_dir, "board", "move", item["id"], "--zone", "green").returncode == 0
    board = {i["id"]: i for i in ok_json(demo_dir, "board", "show", "--case", case["id"])}
    assert board[item["id"]]["zone"] == "green"
    assert {"id", "zone", "text", "shareable"} <= set(board[item["id"]])
    review = ok_json(demo_dir, "review", "start", "--case", case["id"], "--family-text",
                     f"{item['id']}=Fictional: the stairs have a gate now")
    assert {r["board_item_id"] for r in review["snapshot"]} == set(board)
    [row] = [r for r in review["snapshot"] if r["board_item_id"] == item["id"]]
    assert row["text"] == "Fictional worry about the stairs"
    assert row["family_text"] == "Fictional: the stairs have a gate now"
    assert "ITEM_ID=WORDS" in refused(rbsw(demo_dir, "review", "start", "--case", case["id"],
                                           "--family-text", "no equals sign"))


@pytest.mark.parametrize("query", ['"unbalanced', "(brackets", "AND", "OR NOT", "*", "🙂",
                                   "NEAR(a b)", "body:den", "-", "^x", ""])
def test_hostile_search_input_never_errors(demo_dir: Path, query: str) -> None:
    done = rbsw(demo_dir, "search", query, "--json")
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout), list)


def test_wrong_passphrase_is_refused_in_plain_words(demo_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    rbsw(data_dir, "init")
    err = refused(rbsw(data_dir, "cases", passphrase="not the passphrase"))
    assert "passphrase is not right" in err


def test_no_passphrase_and_no_terminal_says_how(tmp_path: Path) -> None:
    err = refused(rbsw(tmp_path / "data", "init", passphrase=None))
    assert "RBSW_PASSPHRASE" in err


def test_unknown_case_and_bad_zone_are_plain_refusals(demo_dir: Path) -> None:
    err = refused(rbsw(demo_dir, "visit", "add", "--case", "no-such-case", "--text", "x"))
    assert "rbsw cases" in err
    err = refused(rbsw(demo_dir, "board", "add", "--case", "x", "--zone", "blue", "--text", "x"),
                  code=2)
    assert "red" in err and "green" in err
    err = refused(rbsw(demo_dir, "board", "move", "no-such-item", "--zone", "red"))
    assert "No board item" in err


def test_a_missing_store_is_explained(tmp_path: Path) -> None:
    err = refused(rbsw(tmp_path / "nothing-here", "cases"))
    assert "no store" in err.lower()


def test_export_pdf_writes_the_summary_and_names_what_is_left_out(demo_dir: Path,
                                                                  tmp_path: Path) -> None:
    import pypdf
    case = first_case(demo_dir)
    out = tmp_path / "family.pdf"
    done = rbsw(demo_dir, "export-pdf", "--case", case["id"], "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert "Left out (About another person (third party)): Information shared by a neighbour" \
        in done.stderr
    text = "".join(p.extract_text() for p in pypdf.PdfReader(str(out)).pages)
    assert "Nana Rose helps every day after school" in text
    assert "Information shared by a neighbour" not in text


def test_export_pdf_with_a_password(demo_dir: Path, tmp_path: Path) -> None:
    import pypdf
    case = first_case(demo_dir)
    out = tmp_path / "locked.pdf"
    env_done = subprocess.run(
        [sys.executable, "-m", "rbsw_desktop.cli", "--data-dir", str(demo_dir), "export-pdf",
         "--case", case["id"], "--out", str(out), "--password-env", "FAMILY_PDF_PASSWORD"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env=dict(os.environ, RBSW_PASSPHRASE=PASS, FAMILY_PDF_PASSWORD="fictional-42",
                 RBSW_LOG_DIR=str(tmp_path / "logs")))
    assert env_done.returncode == 0, env_done.stderr
    assert pypdf.PdfReader(str(out)).is_encrypted
    err = refused(rbsw(demo_dir, "export-pdf", "--case", case["id"], "--out", str(out),
                       "--password-env", "NOT_SET_ANYWHERE"))
    assert "NOT_SET_ANYWHERE" in err


@pytest.mark.parametrize("encoding_env", [
    {"PYTHONIOENCODING": "ascii"},
    {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
     "PYTHONIOENCODING": ""}])
def test_json_is_utf8_whatever_the_locale_or_pipe(demo_dir: Path,
                                                  encoding_env: dict[str, str]) -> None:
    case = first_case(demo_dir)
    text = "Ffion’s 🙂 party, ÿ and עברית"
    item = ok_json(demo_dir, "board", "add", "--case", case["id"], "--zone", "green",
                   "--text", text)
    env = dict(os.environ, RBSW_TEST_FAST_KDF="1", RBSW_PASSPHRASE=PASS,
               RBSW_LOG_DIR=str(demo_dir.parent / "logs"), **encoding_env)
    base = [sys.executable, "-m", "rbsw_desktop.cli", "--data-dir", str(demo_dir)]
    done = subprocess.run([*base, "board", "show", "--case", case["id"], "--json"],
                          capture_output=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    board = json.loads(done.stdout.decode("utf-8"))           # exactly one UTF-8 document
    assert {i["id"]: i["text"] for i in board}[item["id"]] == text
    human = subprocess.run([*base, "board", "show", "--case", case["id"]], capture_output=True,
                           env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert human.returncode == 0 and text in human.stdout.decode("utf-8")


@pytest.mark.parametrize(("zone", "last_sync"), [("Europe/London", "2026-06-25 07:09"),
                                                 ("Pacific/Auckland", "2026-06-25 18:09")])
def test_text_output_gives_local_days_and_times_and_json_keeps_the_instant(
        tmp_path: Path, local_zone, zone: str, last_sync: str) -> None:  # noqa: ANN001
    from rbsw_desktop.domain import Case, CaseCategory, Child, VisitStatus, VisitType
    from rbsw_desktop.domain.timeliness import due_words
    from rbsw_desktop.store import Store
    from tests.conftest import FAST_KDF

    local_zone(zone)                      # the rbsw process inherits TZ
    data_dir = tmp_path / "data"
    store = Store.create(data_dir, PASS, kdf=FAST_KDF)
    child = store.records.save(Child(name="Ada Fictional"))
    case = store.records.save(Case(child_id=child.id, category=CaseCategory.CHILD_PROTECTION))
    # 00:30 BST (11:30 NZST) on Tuesday 2 June, which is 23:30 UTC on Monday 1 June.
    store.visits.add(case.id, visit_type=VisitType.STATUTORY, child_seen=True,
                     visited_at="2026-06-01T23:30:00.000Z", status=VisitStatus.FINALISED)
    store.outbox.set_last_sync("2026-06-25T06:09:00.000Z")
    store.lock()

    # 10 working days counting Tuesday 2 June (not Monday 1 June): due Monday 15 June.
    # Shown in the words used everywhere ("Overdue by 169 days" on 1 December): no bare date.
    assert due_words(date(2026, 6, 15), date.today()) in rbsw(data_dir, "cases").stdout
    (row,) = ok_json(data_dir, "cases")
    assert row["last_visit"] == "2026-06-02" and row["next_visit_due"] == "2026-06-15"
    done = rbsw(data_dir, "status")
    assert done.returncode == 0, done.stderr
    assert f"last sync {last_sync}." in done.stdout
    assert ok_json(data_dir, "status")["last_sync"] == "2026-06-25T06:09:00.000Z"


def test_text_that_is_not_utf8_is_named_as_such(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert rbsw(data_dir, "init").returncode == 0
    for args, named in (((b"search", b"caf\xe9"), "QUERY"),
                        ((b"visit", b"add", b"--case", b"x", b"--text", b"caf\xe9 \xff"),
                         "--text"),
                        ((b"visit", b"add", b"--case", b"x", b"--text=caf\xe9"), "--text")):
        said = refused(rbsw(data_dir, *args))
        assert f"The text given to {named} is not valid UTF-8" in said, said
        assert "something went wrong" not in said
    said = refused(rbsw(data_dir, "cases", passphrase=os.fsdecode(b"fictional \xff phrase")))
    assert "RBSW_PASSPHRASE is not valid UTF-8" in said
