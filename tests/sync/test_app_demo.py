"""`rbsw-desktop --demo` out of the box, through the app's own start path (app.build): it
starts the real gateway process on loopback holding the demo store's pod and cases, the demo
laptop enrols itself, the status bar syncs, the business support view opens with the pushed
records to file, and quitting stops the gateway. The frozen build's `--run-gateway`
sub-command is checked by running the gateway through the app's entry point."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from rbsw_desktop import app as app_module
from rbsw_desktop.gateway import embedded
from rbsw_desktop.store.sync_state import OutboxCounts
from tests.sync.gw_world import call

pytestmark = pytest.mark.skipif(
    os.environ.get("RBSW_TEST_KEYRING") != "secret-service",
    reason="run through `python3 installers/dev.py test`, which starts a private keyring")

ROOT = Path(__file__).resolve().parents[2]


def _gone(url: str) -> bool:
    try:
        call(url, "GET", "/openapi.json", timeout=2)
    except OSError:
        return True
    return False


def _wait_synced(qtbot, panel, tmp_path: Path) -> None:
    """Until the status bar says "Synced at"; if it never does, what it said instead and the
    end of the demo gateway's log."""
    try:
        qtbot.waitUntil(lambda: not panel.controller.running
                        and "Synced at" in panel.widget.label.text(), timeout=60_000)
    except qtbot.TimeoutError:
        logs = "".join(log.read_text(errors="replace")[-3000:]
                       for log in tmp_path.rglob("gateway.log"))
        raise AssertionError(f"the status bar said {panel.widget.label.text()!r}; "
                             f"the gateway's log ends:\n{logs}") from None


def test_the_demo_syncs_and_opens_the_pod_view_with_nothing_to_set_up(qtbot,
                                                                       tmp_path: Path) -> None:
    args = app_module.parse_args(["--demo", "--data-dir", str(tmp_path / "data")])
    _app, window, demo = app_module.build(args)
    qtbot.addWidget(window)
    try:
        assert demo is not None
        qtbot.mouseClick(window.lock_screen.button, Qt.MouseButton.LeftButton)  # create demo
        qtbot.waitUntil(lambda: window.sync_panel is not None, timeout=60_000)
        assert demo.url.startswith("http://127.0.0.1:")
        panel = window.sync_panel
        _wait_synced(qtbot, panel, tmp_path)
        counts: list = []          # read on the store's own thread, as the app does
        window.taskman.run_on_store(lambda store: store.outbox.counts(), counts.append,
                                    counts.append)
        qtbot.waitUntil(lambda: bool(counts))
        assert counts[0] == OutboxCounts()
        window.show_pod_view()                                       # Ctrl+P
        view = window.pod_view
        assert view is not None and window.case_area.currentWidget() is view
        qtbot.waitUntil(lambda: view.unfiled.rowCount() > 0, timeout=20_000)
        laptops = {view.devices.item(r, 1).text() for r in range(view.devices.rowCount())}
        assert "Demo laptop (fictional)" in laptops
        window.lock()

        # Quit and start again: the same enrolment, the gateway on a new port, still syncing.
        url = demo.url
        demo.stop()
        assert _gone(url)
        _app, window2, demo2 = app_module.build(args)
        qtbot.addWidget(window2)
        try:
            qtbot.mouseClick(window2.lock_screen.button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: window2.sync_panel is not None, timeout=60_000)
            qtbot.waitUntil(lambda: window2.sync_panel.controller.gateway_url == demo2.url,
                            timeout=30_000)
            _wait_synced(qtbot, window2.sync_panel, tmp_path)
            window2.lock()
        finally:
            demo2.stop()
    finally:
        demo.stop()


def test_a_frozen_build_runs_the_gateway_through_the_apps_own_entry_point(
        tmp_path: Path, monkeypatch) -> None:
    """In a PyInstaller bundle sys.executable is the app: `APP --run-gateway ...` must be the
    gateway. A stand-in executable that runs only the app's entry point proves it."""
    exe = tmp_path / "rbsw-desktop"
    exe.write_text(f"#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -c "
                   "'import sys; from rbsw_desktop.app import main; sys.exit(main())' \"$@\"\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert embedded.gateway_command() == [str(exe), "--run-gateway"]
    url, stop = embedded.start_local_gateway(tmp_path / "gw", seed_demo=True)
    try:
        assert call(url, "GET", "/openapi.json").status == 200
    finally:
        stop()
    assert _gone(url)
