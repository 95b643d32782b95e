"""Only ui/ and app.py import Qt: every other package imports and runs without PySide6."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import rbsw_desktop

QT_FREE = ["domain", "store", "security", "sync", "export", "gateway"]
ROOT = Path(rbsw_desktop.__file__).parent


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
