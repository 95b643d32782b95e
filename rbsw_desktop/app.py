"""`rbsw-desktop`: builds the application and wires the services.

    rbsw-desktop [--data-dir DIR] [--demo] [--self-test ...]
    rbsw-desktop --run-gateway ARGS...     is `rbsw-gateway ARGS...` (how the frozen build runs
                                           the demo's gateway: it has no Python to `-m` with)

`--demo` opens the fictional demo store and also starts the reference gateway on loopback (its
own process, started off the UI thread, stopped at quit, and gone by itself if the app dies),
holding the demo store's pod and cases; the demo laptop enrols itself after unlock, so the
status-bar sync and the business support view (Ctrl+P) work with nothing to set up.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from rbsw_desktop.domain import DirectWorkActivity

log = logging.getLogger("rbsw.app")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="rbsw-desktop")
    parser.add_argument("--data-dir", help="the store's folder (default: RBSW_DATA_DIR, else the "
                        "per-user data folder)")
    parser.add_argument("--demo", action="store_true",
                        help="open the fictional demo store (created if there is none yet)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--run-gateway"]:
        from rbsw_desktop.gateway.cli import main as gateway_main
        return gateway_main(argv[1:])
    if "--self-test" in argv:
        from rbsw_desktop.selftest import run
        return run(argv)
    try:
        app, _window, _demo = build(parse_args(argv))
    except BaseException:
        open_log()                  # what was held before the window keeps why it failed
        raise
    log.info("window shown")
    return app.exec()


#: What the lock screen does not need: imported on a plain thread once the first window shows,
#: so the window comes up at once and nothing waits for these later (the store, the case
#: screens, sync).
AFTER_SHOW = ("rbsw_desktop.store", "rbsw_desktop.ui.case_workspace",
              "rbsw_desktop.ui.sync_panel", "rbsw_desktop.ui.enrol_dialog")
AFTER_SHOW_MS = 200


def import_the_rest() -> None:
    def run() -> None:
        for name in AFTER_SHOW:
            importlib.import_module(name)
    threading.Thread(target=run, name="import-the-rest", daemon=True).start()


DEMO_GATEWAY_WAIT_S = 30.0      # the demo's gateway must listen within this, or sync is off


class DemoGateway:
    """The demo's gateway process: started on a plain thread (never the UI thread), stopped
    at quit, bounded by embedded.START_TIMEOUT. No Qt here."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.url = ""
        self.error = ""
        self._stop: Any = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._stopped = False

    def start(self) -> DemoGateway:
        threading.Thread(target=self._run, name="demo-gateway", daemon=True).start()
        return self

    def _run(self) -> None:
        from rbsw_desktop.errors import RbswError
        from rbsw_desktop.gateway.embedded import start_local_gateway

        try:
            url, stop = start_local_gateway(self.data_dir, seed_demo=False)
        except RbswError as exc:
            self.error = str(exc)
        except OSError:
            self.error = "The demo council system could not be started."
        else:
            with self._lock:
                self.url, self._stop = url, stop
                if self._stopped:                     # quit while it was starting
                    stop()
        finally:
            self._ready.set()

    def started(self) -> bool:
        """It listens, or it failed to start: `wait(0)` then answers at once."""
        return self._ready.is_set()

    def wait(self, timeout: float = 30.0) -> str:
        """The URL once it listens; RbswError in plain words if not (a timeout above 0 blocks:
        never on the UI thread)."""
        from rbsw_desktop.errors import RbswError

        if not self._ready.wait(timeout) or not self.url:
            raise RbswError(self.error or "The demo council system did not start in time. "
                            "The app works without it; sync will not be available.")
        return self.url

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            stop, self._stop = self._stop, None
        if stop is not None:
            stop()


def _link_demo(window: Any, taskman: Any, demo: DemoGateway) -> None:
    """After each unlock of the demo store: wait for the gateway (a timer on the UI thread
    looks, never blocks, so a lock or quit meanwhile is not held up), enrol or re-address the
    store (store thread), then start sync and make the pod view available."""
    import time

    from PySide6.QtCore import QTimer

    from rbsw_desktop.demo_link import link_demo
    from rbsw_desktop.errors import RbswError
    from rbsw_desktop.sync.support_client import SupportClient
    from rbsw_desktop.ui.taskman import StoreOp

    def linked(login: Any) -> None:
        if login is not None:
            window.pod_client = SupportClient(login.url, login.token)
        if window.sync_panel is not None:      # enrolled before: the gateway's new address
            window.sync_panel.controller.gateway_url = demo.url
            window.sync_panel.controller.sync_now()
        else:
            window._enrolled(None)

    def failed(exc: BaseException) -> None:
        from rbsw_desktop.ui.taskman import plain_message
        window.status.setToolTip(plain_message(exc))
        log.warning("demo gateway not linked: %s", type(exc).__name__)

    def ready(url: str) -> None:
        StoreOp(window, lambda store: link_demo(store, demo.data_dir, url), taskman=taskman
                ).success(linked).failure(failed).run_in_background()

    deadline = time.monotonic() + DEMO_GATEWAY_WAIT_S
    timer = QTimer(window, interval=200)

    def look() -> None:
        if not demo.started() and time.monotonic() < deadline:
            return
        timer.stop()
        timer.deleteLater()
        try:
            url = demo.wait(0)
        except RbswError as exc:
            failed(exc)
        else:
            ready(url)

    timer.timeout.connect(look)
    timer.start()
    look()


def render_direct_work(activity: DirectWorkActivity, width_px: int, *, centre: str,
                       sessions: Sequence[DirectWorkActivity] = ()) -> bytes | None:
    """PNG bytes of a direct-work session's drawings (`ui.drawing.paint.render_sheet`), ecomap,
    genogram or scales (`ui.maps.render_activity`) as the app shows them, or None when it has
    none; for `rbsw direct-work render`, which may not import Qt itself. Works headless: Qt
    draws offscreen, with the app's fonts."""
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtWidgets import QApplication

    from rbsw_desktop.domain.direct_work_content import DRAWING_TOOLS, parse_content
    from rbsw_desktop.ui import style
    from rbsw_desktop.ui.drawing.paint import render_sheet
    from rbsw_desktop.ui.maps import render_activity

    app = QApplication.instance()
    if app is None:
        app = QApplication(["rbsw", "-platform", "offscreen"])
        style.apply(app)
    if activity.tool in DRAWING_TOOLS:
        drawings = parse_content(activity.tool, activity.content).drawings
        image = render_sheet(activity.tool, drawings, width_px)
    else:
        image = render_activity(activity, width_px, centre=centre, sessions=sessions)
    if image is None:
        return None
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


def open_log() -> None:
    from rbsw_desktop.logs import setup_logging
    with contextlib.suppress(OSError):      # no log folder: the app runs on without a log
        setup_logging("rbsw-desktop")


def speller_of(taskman: Any) -> None:
    """Spell-check's dictionary, loading in the pool (its code imported after the window
    shows)."""
    from rbsw_desktop.ui.spelling import Speller
    Speller.of(taskman)


def build(args: argparse.Namespace) -> tuple[Any, Any, DemoGateway | None]:
    """The QApplication and the main window (shown), and the demo's gateway when --demo."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from rbsw_desktop import APP_NAME
    from rbsw_desktop.deployment import load_policy
    from rbsw_desktop.logs import hold_early_records
    from rbsw_desktop.paths import demo_data_dir, resolve_data_dir
    from rbsw_desktop.ui import style
    from rbsw_desktop.ui.main_window import MainWindow
    from rbsw_desktop.ui.taskman import TaskManager

    hold_early_records()                    # the log file opens once the window shows
    data_dir = resolve_data_dir(args.data_dir)
    demo_passphrase = ""
    store_factory = None
    if args.demo:
        from rbsw_desktop.store.demo import DEMO_PASSPHRASE, create_demo_store
        data_dir = demo_data_dir(data_dir)
        demo_passphrase = DEMO_PASSPHRASE
        store_factory = create_demo_store

    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName(APP_NAME)
    style.apply(app)
    taskman = TaskManager()
    policy = load_policy()
    window = MainWindow(taskman=taskman, data_dir=Path(data_dir),
                        idle_minutes=policy.effective_idle_minutes(None),
                        demo_passphrase=demo_passphrase, store_factory=store_factory,
                        allow_keyring_unlock=policy.allow_keyring_unlock)
    if args.demo:
        # The demo store is created on first unlock with its (shown) passphrase.
        window.lock_screen.passphrase.setText(demo_passphrase)
        window.lock_screen.confirm.setText(demo_passphrase)
    demo = None
    if args.demo:
        demo = DemoGateway(Path(data_dir) / "demo-gateway").start()
        app.aboutToQuit.connect(demo.stop)
        window.sig_unlocked.connect(lambda _store: _link_demo(window, taskman, demo))
    window.show()
    for after_show in (open_log, window.watch_input, import_the_rest):
        QTimer.singleShot(AFTER_SHOW_MS, after_show)    # once the window is on screen
    # Spell-check's dictionary loads in the pool while the lock screen waits, not as a case
    # opens.
    QTimer.singleShot(AFTER_SHOW_MS, lambda: speller_of(taskman))
    return app, window, demo


if __name__ == "__main__":
    raise SystemExit(main())
