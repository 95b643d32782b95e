"""Sync from the app window: an enrolled laptop shows the indicator, syncs without blocking the
UI, and the council's case arrives in the caseload; each record shows where it stands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from rbsw_desktop.store import Store
from rbsw_desktop.sync.device import enrol
from rbsw_desktop.ui.main_window import MainWindow
from rbsw_desktop.ui.taskman import TaskManager
from tests.conftest import FAST_KDF, PASSPHRASE

pytestmark = pytest.mark.skipif(
    os.environ.get("RBSW_TEST_KEYRING") != "secret-service",
    reason="run through `python3 installers/dev.py test`, which starts a private keyring")


def test_sync_from_the_window_brings_the_caseload(qtbot, gateway, tmp_path: Path) -> None:
    pod = gateway.pod_add("App Pod (fictional)")
    worker = gateway.worker_add(pod, "Sam Appworker (fictional)", "social_worker")
    case_id = gateway.case_add(worker, "Ada Appchild")
    data_dir = tmp_path / "laptop"
    store = Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF)
    enrol(store, gateway.url, gateway.enrol_code(worker))
    store.lock()

    window = MainWindow(taskman=TaskManager(synchronous=True), data_dir=data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(window.lock_screen.passphrase, PASSPHRASE)
    qtbot.keyClick(window.lock_screen.passphrase, Qt.Key.Key_Return)
    panel = window.sync_panel
    assert panel is not None and panel.widget.isVisible()
    qtbot.mouseClick(panel.widget.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.caseload.model_.rowCount() == 1, timeout=20_000)
    assert window.caseload.model_.rows[0].id == case_id
    qtbot.waitUntil(lambda: not panel.controller.running, timeout=20_000)
    assert "Synced" in panel.widget.label.text() or "synced" in panel.widget.label.text()

    window.open_case(case_id)
    window.workspace.visits.new_visit()
    qtbot.waitUntil(lambda: window.workspace.visits.list.count() == 1, timeout=5000)
    assert "Waiting to sync" in window.workspace.visits.list.item(0).text()
    window.lock()
    assert window.sync_panel is None


def test_business_support_signs_in_to_the_pod_view(qtbot, gateway, tmp_path: Path) -> None:
    pod = gateway.pod_add("Support Pod (fictional)")
    social_worker = gateway.worker_add(pod, "Sam Podworker (fictional)", "social_worker")
    gateway.case_add(social_worker, "Ada Podchild")
    officer = gateway.worker_add(pod, "Morgan Officer (fictional)", "business_support")
    data_dir = tmp_path / "bso-laptop"
    store = Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF)
    enrol(store, gateway.url, gateway.enrol_code(officer))
    store.lock()

    window = MainWindow(taskman=TaskManager(synchronous=True), data_dir=data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(window.lock_screen.passphrase, PASSPHRASE)
    with qtbot.waitSignal(window.sig_unlocked, timeout=10_000):
        qtbot.keyClick(window.lock_screen.passphrase, Qt.Key.Key_Return)
    view = window.pod_view
    assert view is not None and window.case_area.currentWidget() is view
    qtbot.waitUntil(lambda: view.devices.rowCount() >= 1, timeout=15_000)
    laptops = {view.devices.item(r, 0).text() for r in range(view.devices.rowCount())}
    assert "Morgan Officer (fictional)" in laptops
    window.lock()
    assert window.pod_view is None
