"""Which package may import which (only ui/ and app.py import Qt, among others) is a set of
import-linter contracts in pyproject.toml, checked by tests/unit/test_lint.py. The one Qt import
they let through is the self-test's Qt check: this checks it loads Qt there and nowhere else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _qt_after(code: str) -> str:
    code += ("\nimport sys\n"
             "print(','.join(sorted(m for m in sys.modules "
             "if m.startswith(('PySide6', 'shiboken6')))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def test_the_self_test_imports_qt_only_to_check_qt(tmp_path: Path) -> None:
    """Every check but the Qt one runs without Qt; the Qt check is the one place it loads."""
    code = ("import os\n"
            f"os.environ['RBSW_POLICY_FILE'] = {str(tmp_path / 'none.json')!r}\n"
            "from rbsw_desktop import selftest\n"
            "for check in (selftest.check_sqlcipher, selftest.check_keyring, "
            "selftest.check_fonts, selftest.check_policy_and_gateway):\n"
            "    check()")
    assert _qt_after(code) == ""
    with_qt = ("import os\nos.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
               "from rbsw_desktop import selftest\nassert selftest.check_qt()[1] == 'OK'")
    assert "PySide6.QtWidgets" in _qt_after(with_qt).split(",")
