"""One bad record never stops the pod: a pulled change this laptop cannot apply (a number beyond
64 bits, a malformed record, a kind of record it does not know, fields its store refuses) is kept
aside with its reason, the rest of the page saves and the cursor moves on; `rbsw status`, `rbsw
sync --json` and the Sync problems view say so (and `sync --json` prints its document whenever it
cannot sync at all). The bad records are written straight into the
real gateway's database (a gateway before strict models, or a damaged one, could serve them),
and real laptops' stores pull them through the real gateway process, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from rbsw_desktop.domain import BoardItem, Zone
from rbsw_desktop.domain.entities import new_id
from rbsw_desktop.sync.device import sync_status
from rbsw_desktop.ui.conflicts import ConflictsView
from rbsw_desktop.ui.sync_status import SyncPhase, describe
from tests.sync.conftest import GatewayProcess
from tests.sync.laptops import Laptop, new_laptop
from tests.sync.test_cli_sync import needs_keyring, rbsw
from tests.ui.conftest import store_taskman

BIG = 2**70                      # fits no 64-bit column, nor any laptop's SQLite

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def _item(case_id: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"case_id": case_id, "zone": "amber", "text": text, "raised_by": "professional",
            "shareable": True, "withheld_reason": None, "worker_note": "", "category": None,
            "position": 0, **extra}


def serve_raw(gateway: GatewayProcess, pod: str, case: str, entity: str, record_id: str,
              rev: int, fields: Any) -> None:
    """Put a record version into the gateway's own database, as the next change it serves."""
    gateway.sql("DELETE FROM records WHERE id = :id", {"id": record_id})
    numbering = ("SELECT nextval('change_seq')" if gateway.backend == "postgresql"
                 else "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value")
    (seq,) = gateway.sql(numbering)[0]
    gateway.sql("INSERT INTO records (id, entity, rev, seq, pod_id, case_id, fields, deleted, "
                "updated_at, received_at, filed, case_system_ref) VALUES (:id, :entity, :rev, "
                ":seq, :pod, :case, :fields, false, :at, :at, false, '')",
                {"id": record_id, "entity": entity, "rev": rev, "seq": seq, "pod": pod,
                 "case": case, "fields": json.dumps(fields), "at": "2026-11-30T09:00:00.000Z"})


def _laptop(gateway: GatewayProcess, tmp_path: Path, name: str) -> tuple[Laptop, str, str]:
    pod = gateway.pod_add(f"Quarantine Pod {name} (fictional)")
    worker = gateway.worker_add(pod, f"Sam Quarantine {name} (fictional)")
    case = gateway.case_add(worker, f"Ada Quarantine {name}")
    laptop = new_laptop(tmp_path / name, gateway.url, gateway.enrol_code(worker))
    assert laptop.sync().ok
    return laptop, pod, case


def test_a_bad_pulled_change_is_kept_aside_and_the_rest_of_the_page_saves(
        module_gateway: GatewayProcess, tmp_path: Path) -> None:
    laptop, pod, case = _laptop(module_gateway, tmp_path, "page")
    before, after, big, nulled = new_id(), new_id(), new_id(), new_id()
    serve_raw(module_gateway, pod, case, "board_item", before, 1,
              _item(case, "Before the bad ones (fictional)"))
    serve_raw(module_gateway, pod, case, "board_item", big, 1,
              _item(case, "A number too big (fictional)", position=BIG))
    serve_raw(module_gateway, pod, case, "spaceship", new_id(), 1, {"case_id": case})
    serve_raw(module_gateway, pod, case, "board_item", new_id(), 1, ["not", "a", "record"])
    serve_raw(module_gateway, pod, case, "board_item", nulled, 1,
              _item(case, None))                      # the store's NOT NULL refuses it
    serve_raw(module_gateway, pod, case, "board_item", after, 1,
              _item(case, "After the bad ones (fictional)"))

    report = laptop.sync(pull_limit=50)           # every change in one page
    assert report.errors == []
    assert (report.pulled, report.not_applied, report.not_applied_total) == (2, 4, 4)
    assert not report.ok
    assert "could not be saved on this laptop" in " ".join(report.warnings)
    assert {i.text for i in laptop.store.records.find(BoardItem)} >= {
        "Before the bad ones (fictional)", "After the bad ones (fictional)"}
    assert laptop.store.records.find(BoardItem, "id IN (?, ?)", [big, nulled]) == []

    kept = {p.entity: p for p in laptop.store.outbox.not_applied()}
    assert len(laptop.store.outbox.not_applied()) == 4
    assert kept["spaceship"].reason.startswith("this version of the app does not know")
    by_id = {p.record_id: p for p in laptop.store.outbox.not_applied()}
    assert "too large" in by_id[big].reason
    assert by_id[big].change["fields"]["position"] == BIG       # kept as it came, not lost
    assert "refused" in by_id[nulled].reason

    # The cursor moved on: the next sync neither fails nor keeps the same changes twice.
    again = laptop.sync()
    assert again.errors == [] and again.not_applied == 0
    assert again.not_applied_total == 4

    # A corrected revision from the council saves and takes its bad one's place.
    serve_raw(module_gateway, pod, case, "board_item", big, 2,
              _item(case, "A number that fits (fictional)", position=3))
    fixed = laptop.sync()
    assert fixed.pulled == 1 and fixed.not_applied_total == 3
    assert laptop.store.records.get(BoardItem, big).text == "A number that fits (fictional)"
    assert big not in {p.record_id for p in laptop.store.outbox.not_applied()}


def test_one_bad_record_does_not_stop_every_laptop_of_the_pod(
        module_gateway: GatewayProcess, tmp_path: Path) -> None:
    first, pod, case = _laptop(module_gateway, tmp_path, "first")
    worker = module_gateway.sql("SELECT worker_id FROM cases WHERE id = :c", {"c": case})[0][0]
    second = new_laptop(tmp_path / "second", module_gateway.url,
                        module_gateway.enrol_code(worker), "second")
    serve_raw(module_gateway, pod, case, "board_item", new_id(), 1,
              _item(case, "Too big (fictional)", position=-BIG))
    first.store.board.add(case, Zone.GREEN, "Written after the bad one (fictional)")
    assert first.sync().pending == 0
    for laptop in (first, second):
        report = laptop.sync()
        assert report.errors == [] and report.pull_finished
        assert report.not_applied_total == 1
        assert "Written after the bad one (fictional)" in {
            i.text for i in laptop.store.records.find(BoardItem)}


def test_the_status_bar_and_sync_problems_say_what_was_not_saved_in_plain_words(
        qtbot: Any, module_gateway: GatewayProcess, tmp_path: Path) -> None:
    laptop, pod, case = _laptop(module_gateway, tmp_path, "view")
    serve_raw(module_gateway, pod, case, "board_item", new_id(), 1,
              _item(case, "Too big (fictional)", position=BIG))
    serve_raw(module_gateway, pod, case, "hovercraft", new_id(), 1, {"case_id": case})
    laptop.sync()
    bar = describe(sync_status(laptop.store), online=True)
    assert (bar.phase, bar.text) == (SyncPhase.ATTENTION, "Needs attention (2)")
    assert "could not be saved here" in bar.detail
    view = ConflictsView(taskman=store_taskman(laptop.store))
    qtbot.addWidget(view)
    view.reload()
    view.show()
    qtbot.waitExposed(view)
    SHOTS.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(SHOTS / f"not-saved-from-council-{module_gateway.backend}.png"))
    heading = view.not_applied.heading.text()
    assert heading.startswith("2 changes from the council system could not be saved on this "
                              "laptop. Everything else was saved")
    rows = [str(view.not_applied.list.item(r).data(Qt.ItemDataRole.AccessibleTextRole))
            for r in range(view.not_applied.list.count())]
    assert len(rows) == 2
    assert rows[0].startswith("Board item from the council system, received ")
    assert "cannot read" in rows[0] and "IT support" in rows[0]
    assert "does not know this kind of record" in rows[1]
    assert all("Too big" not in r and "position" not in r for r in rows)   # no content, no code

    # Nothing was refused, but IT support can still have the details, as received.
    refused = view.refused
    assert refused.export_button.isEnabled()
    qtbot.mouseClick(refused.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: refused.export_dialog is not None and refused.export_dialog.isVisible())
    chosen = tmp_path / "for-it.json"
    qtbot.keyClicks(refused.export_dialog.path, str(chosen))
    qtbot.mouseClick(refused.export_dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(chosen.exists)
    saved = json.loads(chosen.read_text(encoding="utf-8"))
    assert saved["refused_changes"] == []
    assert sorted(p["entity"] for p in saved["not_saved_here"]) == ["board_item", "hovercraft"]
    big = next(p for p in saved["not_saved_here"] if p["entity"] == "board_item")
    assert big["change"]["fields"]["position"] == BIG and "too large" in big["reason"]


@needs_keyring
def test_rbsw_sync_and_status_name_what_was_not_saved(gateway: GatewayProcess,
                                                      tmp_path: Path) -> None:
    pod = gateway.pod_add("CLI Quarantine Pod (fictional)")
    worker = gateway.worker_add(pod, "Sam Cliquarantine (fictional)")
    case = gateway.case_add(worker, "Ada Cliquarantine")
    data = tmp_path / "laptop"
    assert rbsw(data, "init").returncode == 0
    assert rbsw(data, "enrol", "--gateway", gateway.url, "--code",
                gateway.enrol_code(worker)).returncode == 0
    serve_raw(gateway, pod, case, "board_item", new_id(), 1,
              _item(case, "Too big (fictional)", position=BIG))
    done = rbsw(data, "sync", "--json")
    assert done.returncode == 1                    # not everything pulled: not "ok"
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["errors"] == []
    assert (report["pulled_quarantined"], report["pulled_quarantined_total"]) == (1, 1)
    assert report["pulled"] >= 1                   # the case, its child, the pod ...
    status = json.loads(rbsw(data, "status", "--json").stdout)
    assert status["pulled_quarantined"] == 1 and status["quarantined"] == 0
    said = rbsw(data, "status").stdout
    assert "1 from the council not saved here" in said


def test_rbsw_sync_json_prints_its_document_when_it_cannot_sync(tmp_path: Path) -> None:
    data = tmp_path / "laptop"
    for args, why in ((("sync", "--json"), "no store"), (("init",), None),
                      (("sync", "--json"), "not enrolled")):
        done = rbsw(data, *args)
        if why is None:
            assert done.returncode == 0
            continue
        assert done.returncode == 1, why
        report = json.loads(done.stdout)                  # one JSON document, even so
        assert report["ok"] is False, why
        assert report["errors"] == [done.stderr.removeprefix("rbsw: ").strip()], why
        assert "something went wrong" not in done.stderr
    assert report["pending"] == 0                 # the store opened: its counts are real
    missing = json.loads(rbsw(tmp_path / "nowhere", "sync", "--json").stdout)
    assert missing["pending"] is None             # no store: not known, never a made-up 0
