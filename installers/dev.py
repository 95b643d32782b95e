#!/usr/bin/env python3
"""The README's two commands: set up a virtual environment, then launch the app or run the tests.

    python3 installers/dev.py app [APP ARGS...]     launch rbsw-desktop (demo store if none yet)
    python3 installers/dev.py test [PYTEST ARGS...] run the whole test suite
    python3 installers/dev.py bench [NAME]          run the benchmarks (their own command)
    python3 installers/dev.py fuzz [ARGS...]        Schemathesis against the real gateway
    python3 installers/dev.py bundle                build this OS's app bundle into dist/

Only the standard library is used here: this runs before anything is installed. The virtual
environment lives in `.venv/` beside this checkout and is refreshed whenever `pyproject.toml`
changes. On Debian/Ubuntu the system libraries Qt needs, and the tools the tests use (a real
keyring over D-Bus, poppler's pdftoppm, a PostgreSQL server), are installed with apt-get when we
may, or named in a clear message when we may not.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".rbsw-installed"

# Debian packages: what Qt's libraries load at run time, and what the tests drive.
APP_DEBS = [
    "libegl1", "libgl1", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1",
    "libdbus-1-3", "libglib2.0-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1",
    "libxcb-shape0", "libxcb-xinerama0", "libxcb-randr0", "libxcb-render-util0", "libxcb-image0",
]
# `postgresql` is Debian's (and Ubuntu's) metapackage for the release's PostgreSQL server
# (postgresql-15 on Debian 12): the tests run a throwaway cluster of their own from its
# /usr/lib/postgresql/*/bin (tests/postgres.py), never the system's cluster.
TEST_DEBS = ["dbus", "gnome-keyring", "poppler-utils", "postgresql"]


def fail(message: str, code: int = 2) -> None:
    print(f"\n{message}\n", file=sys.stderr)
    raise SystemExit(code)


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def ensure_python() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (this file runs on whatever python3 is)
        found = ".".join(map(str, sys.version_info[:3]))
        fail(f"rbsw-desktop needs Python 3.11 or newer; this is Python {found}. Run this command "
             "again with a newer python3 (e.g. python3.11 installers/dev.py ...).")


def missing_debs(names: list[str]) -> list[str]:
    if sys.platform != "linux" or shutil.which("dpkg-query") is None:
        return []
    missing = []
    for name in names:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True
        )
        if "install ok installed" not in out.stdout:
            missing.append(name)
    return missing


def ensure_debs(names: list[str]) -> None:
    missing = missing_debs(names)
    if not missing:
        return
    line = "apt-get install -y " + " ".join(missing)
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"]).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        fail(f"These system packages are needed: {' '.join(missing)}\nInstall them with:\n"
             f"    sudo apt-get update && sudo {line}")
    print(f"Installing system packages: {' '.join(missing)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=False, env=env)
    done = subprocess.run([*prefix, "apt-get", "install", "-y", "-qq", *missing], env=env)
    if done.returncode != 0:
        fail(f"apt-get could not install the system packages. Try:\n    sudo {line}")


def ensure_venv() -> None:
    if not venv_python().exists():
        print(f"Creating the virtual environment in {VENV}", flush=True)
        made = subprocess.run([sys.executable, "-m", "venv", str(VENV)])
        if made.returncode != 0:
            fail("Python could not create a virtual environment. On Debian/Ubuntu install it "
                 "with:\n    sudo apt-get install -y python3-venv")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    print("Installing rbsw-desktop and its packages into .venv", flush=True)
    py = str(venv_python())
    steps = [
        [py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
        [py, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"],
    ]
    for step in steps:
        if subprocess.run(step).returncode != 0:
            fail("pip could not install the packages (see above). Check the connection to the "
                 "package index and run the command again.")
    STAMP.write_text(wanted)


def run_app(args: list[str]) -> int:
    ensure_python()
    ensure_debs(APP_DEBS)
    ensure_venv()
    if not any(a in ("--data-dir", "--demo") or a.startswith("--data-dir=") for a in args):
        args = ["--demo", *args]
    return subprocess.run([str(venv_python()), "-m", "rbsw_desktop.app", *args]).returncode


def run_tests(args: list[str]) -> int:
    ensure_python()
    ensure_debs(APP_DEBS + TEST_DEBS)
    ensure_venv()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    inner = [str(venv_python()), str(Path(__file__).resolve()), "_in-session", *args]
    if sys.platform == "linux" and shutil.which("dbus-run-session"):
        # A private D-Bus session with its own Secret Service, so keyring tests use a real
        # backend and never touch the user's own keyring.
        return subprocess.run(["dbus-run-session", "--", *inner], env=env).returncode
    return subprocess.run(inner, env=env).returncode


def in_session(args: list[str]) -> int:
    """Inside dbus-run-session: start an unlocked throwaway gnome-keyring, then pytest."""
    daemon = None
    with tempfile.TemporaryDirectory(prefix="rbsw-keyring-") as home:
        if shutil.which("gnome-keyring-daemon") and os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            os.environ["XDG_DATA_HOME"] = str(Path(home) / "data")
            os.environ["XDG_RUNTIME_DIR"] = home
            os.chmod(home, 0o700)
            daemon = subprocess.Popen(
                ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            assert daemon.stdin is not None
            daemon.stdin.write(b"rbsw-test-keyring")  # a throwaway keyring's password
            daemon.stdin.close()
            os.environ["RBSW_TEST_KEYRING"] = "secret-service"
        try:
            cmd = [sys.executable, "-m", "pytest", *args]
            return subprocess.run(cmd, cwd=ROOT).returncode
        finally:
            if daemon is not None:
                daemon.terminate()
                daemon.wait(timeout=10)


def run_bench(args: list[str]) -> int:
    ensure_python()
    ensure_debs(APP_DEBS)
    ensure_venv()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cmd = [str(venv_python()), "-m", "tests.benchmarks", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def run_fuzz(args: list[str]) -> int:
    """Schemathesis against the real gateway's OpenAPI document (tests/fuzz)."""
    ensure_python()
    ensure_venv()
    cmd = [str(venv_python()), "-m", "tests.fuzz", *args]
    return subprocess.run(cmd, cwd=ROOT).returncode


def run_bundle(args: list[str]) -> int:
    """The PyInstaller one-folder bundle (installers/rbsw-desktop.spec) into dist/."""
    ensure_python()
    ensure_debs(APP_DEBS)
    ensure_venv()
    cmd = [str(venv_python()), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(ROOT / "dist"), "--workpath", str(ROOT / "build" / "pyinstaller"),
           str(ROOT / "installers" / "rbsw-desktop.spec"), *args]
    return subprocess.run(cmd, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    commands = {"app": run_app, "test": run_tests, "bench": run_bench, "fuzz": run_fuzz,
                "bundle": run_bundle,
                "_in-session": in_session}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
