"""The tree stays ruff-clean, keeps its package rules and type-checks (see pyproject.toml)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    if not Path(found).exists():
        pytest.skip(f"{name} is not installed (it comes with the [test] extra)")
    return found


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    # This checkout's package, whichever checkout the virtual environment was installed from.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)


def test_ruff_is_clean() -> None:
    done = _run([_tool("ruff"), "check", "--no-cache", str(ROOT)])
    assert done.returncode == 0, done.stdout[-4000:]


def test_package_rules_hold() -> None:
    """import-linter's contracts: which package may import which, and only ui and app load Qt."""
    done = _run([_tool("lint-imports"), "--no-cache"])
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_mypy_is_clean() -> None:
    """mypy over rbsw_desktop, with the settings in pyproject.toml ([tool.mypy])."""
    done = _run([sys.executable, "-m", "mypy", "--no-error-summary"])
    if done.returncode != 0 and "No module named mypy" in done.stderr:
        pytest.skip("mypy is not installed (it comes with the [test] extra)")
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
