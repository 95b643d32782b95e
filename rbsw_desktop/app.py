"""`rbsw-desktop`: builds the application and wires the services.

    rbsw-desktop [--data-dir DIR] [--demo] [--self-test ...]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from pathlib import Path

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
    if "--self-test" in argv:
        from rbsw_desktop.selftest import run
        return run(argv)
    args = parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from rbsw_desktop import APP_NAME
    from rbsw_desktop.deployment import load_policy
    from rbsw_desktop.logs import setup_logging
    from rbsw_desktop.paths import demo_data_dir, resolve_data_dir
    from rbsw_desktop.ui import style
    from rbsw_desktop.ui.main_window import MainWindow
    from rbsw_desktop.ui.taskman import TaskManager

    with contextlib.suppress(OSError):
        setup_logging("rbsw-desktop")
    data_dir = resolve_data_dir(args.data_dir)
    demo_passphrase = ""
    store_factory = None
    if args.demo:
        from rbsw_desktop.store.demo import DEMO_PASSPHRASE, create_demo_store
        data_dir = demo_data_dir(data_dir)
        demo_passphrase = DEMO_PASSPHRASE
        store_factory = create_demo_store

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    style.apply(app)
    taskman = TaskManager()
    policy = load_policy()
    window = MainWindow(taskman=taskman, data_dir=Path(data_dir),
                        idle_minutes=policy.effective_idle_minutes(None),
                        demo_passphrase=demo_passphrase, store_factory=store_factory)
    if args.demo:
        # The demo store is created on first unlock with its (shown) passphrase.
        window.lock_screen.passphrase.setText(demo_passphrase)
        window.lock_screen.confirm.setText(demo_passphrase)
    window.show()
    log.info("window shown")
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
