"""Printing from the app: the worker sees what is left out and confirms before anything is
written."""

from __future__ import annotations

from pathlib import Path

import pypdf
from PySide6.QtCore import Qt

from rbsw_desktop.domain import Case, WithheldReason, Zone
from rbsw_desktop.store import Store
from rbsw_desktop.ui.export_dialog import ExportDialog
from rbsw_desktop.ui.taskman import TaskManager
from tests.ui.conftest import threaded_taskman

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def test_left_out_items_are_shown_and_saving_needs_confirmation(qtbot, store: Store, case: Case,
                                                               tmp_path: Path) -> None:
    store.board.add(case.id, Zone.GREEN, "Grandad visits every weekend")
    store.board.add(case.id, Zone.AMBER, "School nurse's private concern", shareable=False,
                    withheld_reason=WithheldReason.THIRD_PARTY)
    store.board.start_review(case.id)
    taskman = TaskManager(synchronous=True)
    taskman.store = store
    out = tmp_path / "family.pdf"
    dialog = ExportDialog(taskman=taskman, case_id=case.id, out_path=out)
    qtbot.addWidget(dialog)
    dialog.show()
    shown = [dialog.left_out.item(i).text() for i in range(dialog.left_out.count())]
    assert shown == ["About another person (third party): School nurse's private concern"]
    assert not dialog.save_button.isEnabled()          # nothing written before confirming
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "export-dialog.png"))
    qtbot.mouseClick(dialog.confirm, Qt.MouseButton.LeftButton)
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.exported is not None and out.exists()
    text = "".join(p.extract_text() for p in pypdf.PdfReader(str(out)).pages)
    assert "Grandad visits every weekend" in text and "private concern" not in text


def test_export_runs_off_the_ui_thread(qtbot, store: Store, case: Case, tmp_path: Path) -> None:
    store.board.add(case.id, Zone.GREEN, "A real-thread strength")
    taskman = threaded_taskman(qtbot, store)      # real threads
    out = tmp_path / "threaded.pdf"
    dialog = ExportDialog(taskman=taskman, case_id=case.id, out_path=out)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10_000)
    dialog.confirm.setChecked(True)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.exported is not None, timeout=20_000)
    assert out.exists()
    taskman.close_store()
