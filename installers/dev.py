#!/usr/bin/env python3
"""The README's two commands: set up a virtual environment, then launch the app or run the tests.

    python3 installers/dev.py app [APP ARGS...]     launch rbsw-desktop (demo store if none yet)
    python3 installers/dev.py test [PYTEST ARGS...] run the whole test suite
    python3 installers/dev.py bench [NAME]          run the benchmarks (their own command)
    python3 installers/dev.py fuzz [ARGS...]        Schemathesis against the real gateway
    python3 installers/dev.py mutate [MODULE...]    mutation testing (mutmut): kill rate per module
    python3 installers/dev.py bundle                build this OS's app bundle into dist/

Only the standard library is used here: this runs before anything is installed. The virtual
environment lives in `.venv/` beside this checkout and is refreshed whenever `pyproject.toml`
changes. On Debian/Ubuntu the system libraries Qt needs, and the tools the tests use (a real
keyring over D-Bus, poppler's pdftoppm, a PostgreSQL server), are installed with apt-get when we
may, or named in a clear message when we may not.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".rbsw-installed"

# Debian packages: what Qt's libraries and spell-check load at run time, and what the tests
# drive.
APP_DEBS = [
    "libegl1", "libgl1", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1",
    "libdbus-1-3", "libglib2.0-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1",
    "libxcb-shape0", "libxcb-xinerama0", "libxcb-randr0", "libxcb-render-util0", "libxcb-image0",
    # Spell-check (pyenchant): the Enchant library, its Hunspell back end and the British
    # English dictionary.
    "libenchant-2-2", "hunspell-en-gb",
]
# `postgresql` is Debian's (and Ubuntu's) metapackage for the release's PostgreSQL server
# (postgresql-15 on Debian 12): the tests run a throwaway cluster of their own from its
# /usr/lib/postgresql/*/bin (tests/postgres.py), never the system's cluster.
TEST_DEBS = ["dbus", "gnome-keyring", "poppler-utils", "postgresql"]

#: `mutate`: each module's code that mutmut changes, and the fast tests that must notice. A module
#: is mutated in a copy of the tree of its own (build/mutate/NAME), so runs never share results.
MUTATE = {
    "domain": (["rbsw_desktop/domain/*"],
               ["tests/unit/test_domain_rules.py", "tests/unit/test_instants.py",
                "tests/unit/test_direct_work_content.py", "tests/unit/test_map_layout.py"]),
    "protocol": (["rbsw_desktop/protocol/*"],
                 ["tests/unit/test_protocol.py", "tests/unit/test_big_records.py"]),
    "sync": (["rbsw_desktop/sync/backoff.py"], ["tests/unit/test_backoff.py"]),
    "store": (["rbsw_desktop/store/*"], ["tests/store", "tests/sync/test_engine_store.py"]),
    # Against ONE real gateway process that `mutate` starts for the whole run (SHARED_GATEWAY).
    "engine": (["rbsw_desktop/sync/engine.py"], ["tests/sync/test_engine_mutants.py",
                                                 "tests/sync/test_engine_mutants_edges.py",
                                                 "tests/sync/test_engine_mutants_blobs.py",
                                                 "tests/sync/test_engine_mutants_paths.py"]),
}
#: Modules whose tests talk to a real gateway: `mutate` starts one (embedded SQLite, loopback)
#: before mutmut and names it in RBSW_ENGINE_GATEWAY (tests/sync/engine_gateway.py), so no
#: mutant waits for a gateway to start; it stops it afterwards, or by itself after its lifetime.
SHARED_GATEWAY = {"engine"}
SHARED_GATEWAY_SECONDS = 4 * 3600
#: What `mutate` runs when no module is named: the pure modules, a few minutes on two cores.
MUTATE_DEFAULT = ["domain", "protocol", "sync"]
#: Killed (or timed out) mutants out of all of them, per module: below this the command fails.
MUTATE_TARGET = 85.0


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


@contextlib.contextmanager
def shared_gateway(py: str, work: Path, wanted: bool) -> Iterator[dict[str, str]]:
    """A test gateway (`tests.sync.fault_gateway`, this checkout's own code, not a mutant) on
    loopback for a whole mutation run, as RBSW_ENGINE_GATEWAY; stopped however the run ends."""
    if not wanted:
        yield {}
        return
    data_dir = work / "gateway"
    data_dir.mkdir(parents=True)
    log = open(data_dir / "gateway.log", "ab")  # noqa: SIM115 (owned by the process)
    proc = subprocess.Popen(
        [py, "-m", "tests.sync.fault_gateway", "--data-dir", str(data_dir), "serve", "--host",
         "127.0.0.1", "--port", "0", "--max-seconds", str(SHARED_GATEWAY_SECONDS),
         "--client-timeout", "5"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=log,
        env={**os.environ, "PYTHONPATH": str(ROOT),
             "RBSW_TEST_FAULT_PLAN": str(data_dir / "test-faults.json")})
    log.close()
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        try:
            url = str(json.loads(first)["url"])
        except (ValueError, KeyError):
            fail(f"The test gateway did not start; see {data_dir / 'gateway.log'}.")
        print(f"One gateway for every mutant: {url} (data in {data_dir})", flush=True)
        yield {"RBSW_ENGINE_GATEWAY": json.dumps({"url": url, "data_dir": str(data_dir)})}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def run_mutate(args: list[str]) -> int:
    """mutmut over each named module (MUTATE) with its tests; the kill rate of each, printed."""
    ensure_python()
    ensure_debs(APP_DEBS)
    ensure_venv()
    py = str(venv_python())
    if subprocess.run([py, "-c", "import mutmut"], capture_output=True).returncode != 0:
        print("Installing the mutation tester (the [mutate] extra) into .venv", flush=True)
        if subprocess.run([py, "-m", "pip", "install", "--quiet", "-e",
                           f"{ROOT}[test,mutate]"]).returncode != 0:
            fail("pip could not install mutmut (see above). Check the connection to the "
                 "package index and run the command again.")
    names = args or MUTATE_DEFAULT
    unknown = [n for n in names if n not in MUTATE]
    if unknown:
        fail(f"No such module to mutate: {', '.join(unknown)}. Choose from: {', '.join(MUTATE)}")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}   # the mutated copy only
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    rates: dict[str, tuple[float, dict[str, int], float]] = {}
    for name in names:
        sources, tests = MUTATE[name]
        work = ROOT / "build" / "mutate" / name
        shutil.rmtree(work, ignore_errors=True)
        for part in ("rbsw_desktop", "tests", "resources"):
            shutil.copytree(ROOT / part, work / part,
                            ignore=shutil.ignore_patterns("__pycache__", "artifacts"))
        (work / "pyproject.toml").write_text(
            (ROOT / "pyproject.toml").read_text()
            + "\n[tool.mutmut]\n"
            + 'source_paths = ["rbsw_desktop"]\n'
            + 'also_copy = ["resources"]\n'          # fonts, demo families, icons
            + f"only_mutate = {json.dumps(sources)}\n"
            + f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
            + 'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]\n')
        print(f"\nMutating {name}: {', '.join(sources)} against {', '.join(tests)}", flush=True)
        started = time.monotonic()
        jobs = str(os.cpu_count() or 2)
        with shared_gateway(py, work, name in SHARED_GATEWAY) as extra:
            ran = subprocess.run([py, "-m", "mutmut", "run", "--max-children", jobs],
                                 cwd=work, env={**env, **extra}).returncode
        if ran != 0:
            fail(f"mutmut could not run over {name} (see above).")
        subprocess.run([py, "-m", "mutmut", "export-cicd-stats"], cwd=work, env=env,
                       stdout=subprocess.DEVNULL, check=True)
        stats = json.loads((work / "mutants" / "mutmut-cicd-stats.json").read_text())
        dead = stats["killed"] + stats["timeout"]
        rates[name] = (100.0 * dead / max(stats["total"], 1), stats, time.monotonic() - started)
        survivors = subprocess.run([py, "-m", "mutmut", "results"], cwd=work, env=env,
                                   capture_output=True, text=True).stdout.strip()
        if survivors:
            print(f"Mutants of {name} no test noticed (show one with `cd {work} && "
                  f"{py} -m mutmut show NAME`):\n{survivors}")
    print("\nmodule      killed  survived  no tests  timeout  total  kill rate  time")
    for name, (rate, st, took) in rates.items():
        print(f"{name:<10} {st['killed']:>7} {st['survived']:>9} {st['no_tests']:>9} "
              f"{st['timeout']:>8} {st['total']:>6} {rate:>9.1f}% {took:>5.0f}s")
    low = [name for name, (rate, _, _) in rates.items() if rate < MUTATE_TARGET]
    if low:
        print(f"\nBelow the {MUTATE_TARGET:.0f}% target: {', '.join(low)}", file=sys.stderr)
        return 1
    return 0


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
                "mutate": run_mutate, "bundle": run_bundle,
                "_in-session": in_session}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
