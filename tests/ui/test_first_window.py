"""The first window comes up quickly: `app.build` imports only what the lock screen needs, and
the rest (the store, the records' classes, spell-check, the case screens) after it shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: Each is slow to import and not needed to show the lock screen (`logging.handlers`: the
#: log file's).
AFTER_THE_WINDOW = ("rbsw_desktop.store", "rbsw_desktop.domain.entities",
                    "rbsw_desktop.ui.spelling", "rbsw_desktop.ui.case_workspace",
                    "logging.handlers")

SHOW = """
import json, sys
from rbsw_desktop import app as app_module
app, window, _demo = app_module.build(app_module.parse_args(["--data-dir", sys.argv[1]]))
app.processEvents()
print(json.dumps({"shown": window.isVisible(), "modules": sorted(sys.modules)}))
"""


#: The app's start as `main` runs it, for a second.
RUN = """
import sys
from PySide6.QtCore import QTimer
from rbsw_desktop import app as app_module
app, window, _demo = app_module.build(app_module.parse_args(["--data-dir", sys.argv[1]]))
app_module.log.info("window shown")
QTimer.singleShot(1000, app.quit)
app.exec()
"""


def run(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", RBSW_LOG_DIR=str(tmp_path / "logs"),
               RBSW_POLICY_FILE=str(tmp_path / "no-policy.json"))
    return subprocess.run([sys.executable, "-c", script, str(tmp_path / "data")],
                          capture_output=True, text=True, env=env, timeout=120)


def test_the_lock_screen_shows_before_the_rest_is_imported(tmp_path: Path) -> None:
    done = run(SHOW, tmp_path)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["shown"]
    assert [m for m in AFTER_THE_WINDOW if m in shown["modules"]] == []


def test_what_is_logged_before_the_log_file_opens_is_written_to_it(tmp_path: Path) -> None:
    """The log file opens once the window shows; a record from before that is not lost."""
    done = run(RUN, tmp_path)
    assert done.returncode == 0, done.stderr
    log = (tmp_path / "logs" / "rbsw-desktop.log").read_text(encoding="utf-8")
    assert "INFO rbsw.app: window shown" in log


#: A start that fails before its window shows (the window cannot be made), after the policy
#: file was found unusable: `main` as the app runs it.
FAILING = """
import sys
from rbsw_desktop import app as app_module
from rbsw_desktop.ui import main_window

class Broken:
    def __init__(self, **_kwargs):
        raise RuntimeError("fictional start-up failure")

main_window.MainWindow = Broken
app_module.main(["--data-dir", sys.argv[1]])
"""


def test_a_start_that_fails_before_its_window_still_writes_what_it_logged(
        tmp_path: Path) -> None:
    (tmp_path / "no-policy.json").write_text("{ this is not json", encoding="utf-8")
    done = run(FAILING, tmp_path)
    assert done.returncode != 0 and "fictional start-up failure" in done.stderr
    log = (tmp_path / "logs" / "rbsw-desktop.log").read_text(encoding="utf-8")
    assert "policy file unusable" in log
