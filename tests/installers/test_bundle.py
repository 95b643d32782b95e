"""The Linux bundle an IT team deploys: built by its command, and its own --self-test passes
with no display."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or shutil.which("dpkg-deb") is None,
    reason="the Linux bundle and .deb are built on Linux")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    work = tmp_path_factory.mktemp("work")
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
         "--distpath", str(out), "--workpath", str(work),
         str(ROOT / "installers" / "rbsw-desktop.spec")],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_the_bundle_self_test_passes_offscreen(dist: Path, tmp_path: Path) -> None:
    exe = dist / "rbsw-desktop" / "rbsw-desktop"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["RBSW_POLICY_FILE"] = str(tmp_path / "no-policy.json")
    report = tmp_path / "it" / "self-test.txt"
    done = subprocess.run([str(exe), "--self-test", "--offscreen", "--report", str(report)],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("rbsw-desktop ") and lines[-1] == "Result: ready to use."
    assert any(line.startswith("OK       Qt ") for line in lines)
    assert any(line.startswith("OK       SQLCipher  4.") for line in lines)
    assert any(line.startswith("OK       Fonts") for line in lines)
    assert report.read_text(encoding="utf-8") == done.stdout      # the report file, for IT


def test_the_deb_installs_to_opt_with_a_launcher(dist: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "installers" / "linux" / "build_deb.py"),
                           str(dist)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    deb = Path(done.stdout.strip().splitlines()[-1])
    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True,
                             check=True).stdout
    assert "./opt/rbsw-desktop/rbsw-desktop" in listing
    assert "./usr/share/applications/rbsw-desktop.desktop" in listing
    assert "./opt/rbsw-desktop/_internal/resources/fonts/DejaVuSans.ttf" in listing


def test_the_bundle_runs_the_demo_gateway_with_its_migrations(dist: Path, tmp_path: Path) -> None:
    """The frozen app's `--run-gateway` (how `--demo` starts its council system): Alembic finds
    its migrations in the bundle and uvicorn its app, with no Python installed beside it."""
    exe = str(dist / "rbsw-desktop" / "rbsw-desktop")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    gw = ["--run-gateway", "--data-dir", str(tmp_path / "gw")]
    done = subprocess.run([exe, *gw, "pod", "add", "Bundle Pod (fictional)", "--json"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["id"]
    serve = subprocess.Popen([exe, *gw, "serve", "--port", "0", "--max-seconds", "20"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    try:
        assert serve.stdout is not None
        url = json.loads(serve.stdout.readline())["url"]
        for _ in range(100):
            try:
                with urllib.request.urlopen(url + "/api/v1/openapi.json", timeout=2) as r:  # noqa: S310
                    assert json.load(r)["openapi"].startswith("3.")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the bundled gateway never answered")
    finally:
        serve.terminate()
        serve.wait(timeout=30)
