"""The version an IT officer reads off the self-test report is the one the package is built as."""

from __future__ import annotations

import tomllib
from pathlib import Path

import rbsw_desktop
from rbsw_desktop.selftest import FAILED, OK, format_report

ROOT = Path(__file__).resolve().parents[2]


def test_the_self_test_report_names_the_version_the_package_is_built_as() -> None:
    built = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert rbsw_desktop.__version__ == built
    report = format_report([("Store", OK, "SQLCipher 4")], as_json=False)
    assert report.splitlines()[0] == f"rbsw-desktop {built} self-test"
    assert report.splitlines()[-1] == "Result: ready to use."
    failed = format_report([("Keyring", FAILED, "no Secret Service")], as_json=False)
    assert failed.splitlines()[-1] == "Result: FAILED: see the lines above."
