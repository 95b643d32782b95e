"""Only ui/ and app.py import Qt: every other package imports and runs without PySide6."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import rbsw_desktop

QT_FREE = ["domain", "store", "security", "protocol", "sync", "export", "gateway"]
ROOT = Path(rbsw_desktop.__file__).parent
#: The app side, allowed to import Qt: the ui package and the module that builds the app.
QT_ALLOWED = {"ui", "app"}
#: Every top-level module (cli, deployment, paths, logs, errors, selftest, ...), found rather
#: than listed, so a new one is covered the day it is added.
TOP_LEVEL = sorted(m.name for m in pkgutil.iter_modules([str(ROOT)])
                   if not m.ispkg and m.name not in QT_ALLOWED)


@pytest.mark.parametrize("package", QT_FREE)
def test_package_imports_without_qt(package: str) -> None:
    modules = [f"rbsw_desktop.{package}"] + [
        f"rbsw_desktop.{package}.{m.name}"
        for m in pkgutil.iter_modules([str(ROOT / package)])]
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
            "print(','.join(bad))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"{package} pulled in Qt: {done.stdout.strip()}"


def test_cli_runs_without_qt() -> None:
    code = ("import sys, rbsw_desktop.cli\n"
            "print(any(m.startswith('PySide6') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "False", done.stderr


def _qt_after(code: str) -> str:
    code += ("\nimport sys\n"
             "print(','.join(sorted(m for m in sys.modules "
             "if m.startswith(('PySide6', 'shiboken6')))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def test_every_package_and_top_level_module_is_classified() -> None:
    packages = {m.name for m in pkgutil.iter_modules([str(ROOT)]) if m.ispkg}
    assert packages <= set(QT_FREE) | QT_ALLOWED, packages - set(QT_FREE) - QT_ALLOWED
    assert {"cli", "deployment", "paths", "logs", "errors", "selftest"} <= set(TOP_LEVEL)


@pytest.mark.parametrize("module", TOP_LEVEL)
def test_top_level_module_imports_without_qt(module: str) -> None:
    assert _qt_after(f"import rbsw_desktop.{module}") == "", f"{module} pulled in Qt"


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
