"""Sync from the app window: an enrolled laptop shows the indicator, syncs without blocking the
UI, and the council's case arrives in the caseload; each record shows where it stands."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from rbsw_desktop.domain.enums import EntityKind
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
    reports, announced = [], []
    panel.controller.sig_finished.connect(reports.append)
    window.taskman.sig_changes_applied.connect(lambda changes, by: announced.append((changes, by)))
    qtbot.mouseClick(panel.widget.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.caseload.model_.rowCount() == 1, timeout=20_000)
    assert window.caseload.model_.rows[0].id == case_id
    qtbot.waitUntil(lambda: not panel.controller.running, timeout=20_000)
    # The window announces exactly what the sync wrote here: the council's case among it.
    (report,) = reports
    assert case_id in report.changes.ids(EntityKind.CASE)
    assert [changes for changes, by in announced if by is window] == [report.changes]
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


def _unlocked_window(qtbot, data_dir: Path) -> MainWindow:
    window = MainWindow(taskman=TaskManager(synchronous=True), data_dir=data_dir)
    qtbot.addWidget(window)
    window.show()
    qtbot.keyClicks(window.lock_screen.passphrase, PASSPHRASE)
    with qtbot.waitSignal(window.sig_unlocked, timeout=10_000):
        qtbot.keyClick(window.lock_screen.passphrase, Qt.Key.Key_Return)
    return window


def test_a_worker_sets_up_sync_in_the_app_with_a_code(qtbot, gateway, tmp_path: Path,
                                                       monkeypatch) -> None:
    """No `rbsw` CLI on a deployed laptop: "Set up sync" takes the IT policy's address and
    the one-time code, and sync starts; a used code is refused in plain words."""
    from rbsw_desktop.security import keyring_access

    pod = gateway.pod_add("Enrol Pod (fictional)")
    worker = gateway.worker_add(pod, "Sam Enrolworker (fictional)", "social_worker")
    case_id = gateway.case_add(worker, "Ada Enrolchild")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"gateway_url": gateway.url}), encoding="utf-8")
    monkeypatch.setenv("RBSW_POLICY_FILE", str(policy))
    data_dir = tmp_path / "laptop"
    Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF).lock()

    window = _unlocked_window(qtbot, data_dir)
    assert window.sync_panel is None and window.enrol_button.isVisible()
    assert "rbsw enrol" not in window.status.toolTip()
    qtbot.mouseClick(window.enrol_button, Qt.MouseButton.LeftButton)
    dialog = window.enrol_dialog
    assert dialog is not None and dialog.url.text() == gateway.url      # from the IT policy
    code = gateway.enrol_code(worker)
    qtbot.keyClicks(dialog.code, "WRONG-CODE-0000")
    qtbot.mouseClick(dialog.setup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.setup_button.isEnabled(), timeout=10_000)
    assert "code did not work" in dialog.message.text() and window.sync_panel is None
    dialog.code.clear()
    qtbot.keyClicks(dialog.code, code.lower())           # read over the phone: any case
    with qtbot.waitSignal(dialog.sig_enrolled, timeout=10_000):
        qtbot.mouseClick(dialog.setup_button, Qt.MouseButton.LeftButton)
    assert window.sync_panel is not None and not window.enrol_button.isVisible()
    assert window.status.toolTip() == ""              # no "Not set up to sync yet" any more
    qtbot.waitUntil(lambda: window.caseload.model_.rowCount() == 1, timeout=20_000)
    assert window.caseload.model_.rows[0].id == case_id
    assert keyring_access.get_secret(data_dir, "device_token")          # in the keyring ...
    assert not any(b"device_token" in p.read_bytes() or code.encode() in p.read_bytes()
                   for p in data_dir.rglob("*") if p.is_file())        # ... never in a file
    window.lock()

    # The same code again, on another laptop: refused, plainly.
    other_dir = tmp_path / "other"
    Store.create(other_dir, PASSPHRASE, kdf=FAST_KDF).lock()
    other = _unlocked_window(qtbot, other_dir)
    dialog = other.show_enrol_dialog()
    qtbot.keyClicks(dialog.code, code)
    qtbot.mouseClick(dialog.setup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.setup_button.isEnabled(), timeout=10_000)
    assert "used already" in dialog.message.text() and other.sync_panel is None
    dialog.url.setText("not an address")
    qtbot.mouseClick(dialog.setup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.setup_button.isEnabled(), timeout=10_000)
    assert "should look like https://" in dialog.message.text()
    other.lock()


def test_a_revoked_laptop_leaves_the_case_screens_and_its_store_is_gone(
        qtbot, gateway, tmp_path: Path) -> None:
    from rbsw_desktop.security import keyring_access

    pod = gateway.pod_add("Revoke Pod (fictional)")
    worker = gateway.worker_add(pod, "Sam Revokedworker (fictional)", "social_worker")
    case_id = gateway.case_add(worker, "Ada Revokechild")
    data_dir = tmp_path / "laptop"
    store = Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF)
    device_id = enrol(store, gateway.url, gateway.enrol_code(worker)).device_id
    store.lock()
    window = _unlocked_window(qtbot, data_dir)
    panel = window.sync_panel
    qtbot.mouseClick(panel.widget.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.caseload.model_.rowCount() == 1, timeout=20_000)
    qtbot.waitUntil(lambda: not panel.controller.running, timeout=20_000)
    window.open_case(case_id)
    assert window.workspace is not None
    window.taskman.run_on_store(lambda s: s.visits.add(case_id, observations="Unsent (fictional)"),
                                lambda _visit: None, lambda exc: None)
    window.taskman.wait()                                   # a visit saved, not yet sent

    gateway.revoke(device_id)                               # `rbsw-gateway revoke --device`
    with qtbot.waitSignal(window.sig_revoked, timeout=20_000) as revoked:
        qtbot.mouseClick(panel.widget.button, Qt.MouseButton.LeftButton)
    assert "signed out by the council" in revoked.args[0]
    assert "1 record that had not reached the council" in revoked.args[0]
    assert "1 record that had not reached" in window.lock_screen.error.text()
    assert window.stack.currentWidget() is window.lock_screen
    assert window.workspace is None and window.sync_panel is None and window.locked
    assert window.caseload.model_.rowCount() == 0
    assert "wiped" in window.lock_screen.error.text()
    assert window.lock_screen.creating                      # nothing left to unlock
    assert not (data_dir / "store.db").exists() and not (data_dir / "keyfile.json").exists()
    assert keyring_access.get_secret(data_dir, "device_token") is None
    window.close()


def _sync_column(window: MainWindow) -> set[str]:
    model = window.caseload.model()
    return {model.index(row, 4).data() for row in range(model.rowCount())}


def test_a_locked_keyring_is_said_in_words_and_unlocking_it_syncs(qtbot, gateway,
                                                                  tmp_path: Path) -> None:
    """The login keyring locked (a screen lock can lock it): sync says what is wrong and what
    to do, with a button that asks again; no record reads "Synced" meanwhile."""
    from tests.keyring_lock import lock_keyring, unlock_keyring

    pod = gateway.pod_add("Keyring Pod (fictional)")
    worker = gateway.worker_add(pod, "Sam Keyringworker (fictional)", "social_worker")
    gateway.case_add(worker, "Ada Keyringchild")
    data_dir = tmp_path / "laptop"
    store = Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF)
    enrol(store, gateway.url, gateway.enrol_code(worker))
    store.lock()
    try:
        window = _unlocked_window(qtbot, data_dir)
        panel = window.sync_panel
        qtbot.mouseClick(panel.widget.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _sync_column(window) == {"Synced"}, timeout=20_000)

        lock_keyring()                                  # while the app runs
        qtbot.mouseClick(panel.widget.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not panel.controller.running, timeout=20_000)
        assert panel.widget.label.text() == "Unlock your computer's keyring to sync"
        assert panel.widget.button.text() == "Unlock keyring and sync"
        assert "locked" in panel.widget.toolTip() and "KeyringLocked" not in panel.widget.toolTip()
        assert _sync_column(window) == {"Not connected"}
        unlock_keyring()
        qtbot.mouseClick(panel.widget.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _sync_column(window) == {"Synced"}, timeout=20_000)
        assert panel.widget.button.text() == "Sync now"
        window.lock()

        lock_keyring()                                  # locked before the app unlocks
        window = _unlocked_window(qtbot, data_dir)
        qtbot.waitUntil(lambda: window.sync_retry is not None and window.sync_retry.isVisible())
        assert window.sync_panel is None and window.sync_problem.text() == \
            "Unlock your computer's keyring to sync"
        assert "Not set up" not in window.status.toolTip()
        assert _sync_column(window) == {"Not connected"}
        unlock_keyring()
        qtbot.mouseClick(window.sync_retry, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _sync_column(window) == {"Synced"}, timeout=20_000)
        assert not window.sync_retry.isVisible() and window.sync_panel is not None
        window.lock()
    finally:
        unlock_keyring()


def test_a_saved_change_is_sent_a_few_seconds_later(qtbot, gateway, tmp_path: Path) -> None:
    """Online, a save starts a sync a few seconds after typing stops (not the 5-minute timer):
    the pod sees the work soon. What waits is counted in records, in words."""
    pod = gateway.pod_add("Soon Pod (fictional)")
    worker = gateway.worker_add(pod, "Sam Soonworker (fictional)", "social_worker")
    case_id = gateway.case_add(worker, "Ada Soonchild")
    data_dir = tmp_path / "laptop"
    store = Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF)
    enrol(store, gateway.url, gateway.enrol_code(worker))
    store.lock()
    window = _unlocked_window(qtbot, data_dir)
    panel = window.sync_panel
    qtbot.mouseClick(panel.widget.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.caseload.model_.rowCount() == 1, timeout=20_000)
    qtbot.waitUntil(lambda: "0 changes waiting" in window.status.text(), timeout=20_000)

    window.open_case(case_id)
    visits = window.workspace.visits
    qtbot.mouseClick(visits.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: visits.list.count() == 1, timeout=5000)
    editor = visits.editor
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    notes, other = editor.texts["observations"], editor.texts["analysis"]
    for words in ("Ada showed me ", "her new ", "bike."):      # three saves of one visit:
        qtbot.mouseClick(notes.viewport(), Qt.MouseButton.LeftButton)
        qtbot.keyClicks(notes, words)
        qtbot.mouseClick(other.viewport(), Qt.MouseButton.LeftButton)    # focus leaves: saved
    qtbot.waitUntil(lambda: "1 change waiting to sync" in window.status.text(), timeout=5000)
    assert panel.controller.running is False
    qtbot.waitUntil(lambda: any(r["entity"] == "visit" for r in gateway.records(pod=pod)),
                    timeout=20_000)
    qtbot.waitUntil(lambda: "0 changes waiting" in window.status.text(), timeout=20_000)
    (visit,) = [r for r in gateway.records(pod=pod) if r["entity"] == "visit"]
    assert "bike" in visit["fields"]["observations"]
    window.lock()
