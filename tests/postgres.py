"""A throwaway PostgreSQL cluster for tests, on 127.0.0.1, that cleans up after itself.

    cluster = PostgresCluster.launch()     # initdb into a temp dir, start `postgres`, wait
    cluster.url("postgres")                -> "postgresql://rbsw_test:PASSWORD@127.0.0.1:PORT/postgres"
    cluster.url(name, driver="psycopg")    -> "postgresql+psycopg://..." (SQLAlchemy's spelling:
                                              plain "postgresql://" means psycopg2 to SQLAlchemy)
    url = cluster.create_database()        a fresh empty database with a unique name -> its URL
    cluster.drop_database(url_or_name)     drops it, closing any connections still open to it
    cluster.restart(mode="immediate")      a crash (no checkpoint; WAL recovery at the restart),
                                           or mode="fast" for a clean stop; same port, same data
    cluster.destroy()                      stops the server and removes its directory

The tests reach it through the `postgres_cluster` and `postgres_url` fixtures (tests/conftest.py).

How it runs: `initdb` and `postgres` run as the user running the tests or, when that is root
(postgres refuses to), as the `postgres` user that Debian's package creates (RBSW_PG_USER names
another); the temp dir is chowned to that user. The server listens on 127.0.0.1 only, on a free
port, with its unix socket in the temp dir, so it never meets the machine's own cluster. The
superuser `rbsw_test` has a random password and every connection, TCP or socket, must give it
(scram-sha-256). Durability is as in production (fsync, synchronous_commit and full_page_writes
on); only sizes are small (shared_buffers 32MB) and JIT is off.

How it is bounded: `postgres` is this process's own child (not daemonised by pg_ctl), started
through `setpriv --pdeathsig=INT`, so the kernel sends it SIGINT, a fast shutdown, the moment the
test process dies, SIGKILL included. (The kernel means the thread that started it: launch and
restart a cluster from the main thread, as fixtures run, not from a thread that ends before it
should.) The fixture stops it at the end of the session and an atexit hook does too; a watchdog
stops it after `max_seconds` (RBSW_PG_MAX_SECONDS, default 5400: CI's limit) whatever happens.
A temp dir whose test process died is removed by the next launch.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

SUPERUSER = "rbsw_test"
DIR_PREFIX = "rbsw-pg-"
OWNER_FILE = "owner.pid"          # the pid of the test process that made the temp dir
START_TIMEOUT = 60.0
MAX_SECONDS = float(os.environ.get("RBSW_PG_MAX_SECONDS", "5400"))
STOP_SIGNALS = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}

#: Appended to the cluster's postgresql.conf. Durability stays as in production.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "shared_buffers": "32MB",
    "max_connections": "100",
    "jit": "off",
    "max_wal_size": "256MB",
    "log_checkpoints": "off",
    "log_line_prefix": "'%m [%p] %q%u@%d '",
}


class PostgresUnavailable(RuntimeError):
    """This machine has no PostgreSQL server to run (or no user to run it as)."""


def find_bin_dir() -> Path:
    """The directory holding `initdb` and `postgres`: RBSW_PG_BINDIR if set (and only it),
    else the newest of Debian's /usr/lib/postgresql/*/bin, else `pg_config --bindir`, else
    wherever PATH has them."""
    candidates: list[Path] = []
    if os.environ.get("RBSW_PG_BINDIR"):
        candidates.append(Path(os.environ["RBSW_PG_BINDIR"]))
    else:
        debian = Path("/usr/lib/postgresql").glob("*/bin")
        candidates += sorted(debian, key=lambda p: _version_key(p.parent.name), reverse=True)
        if shutil.which("pg_config"):
            out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(Path(out.stdout.strip()))
        if shutil.which("initdb"):
            candidates.append(Path(shutil.which("initdb") or "").parent)
    for directory in candidates:
        if all((directory / name).is_file() for name in ("initdb", "postgres")):
            return directory
    where = (f"RBSW_PG_BINDIR={os.environ['RBSW_PG_BINDIR']}" if os.environ.get("RBSW_PG_BINDIR")
             else "/usr/lib/postgresql/*/bin, pg_config --bindir or PATH")
    raise PostgresUnavailable(
        f"no PostgreSQL server binaries (initdb, postgres) in {where}; on Debian/Ubuntu "
        "`python3 installers/dev.py test` installs them (apt-get install postgresql)")


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


class ClusterUser:
    """Who runs the cluster when the tests run as root (postgres will not run as root)."""

    def __init__(self, name: str) -> None:
        import pwd

        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            raise PostgresUnavailable(
                f"the tests run as root, and PostgreSQL must run as another user, but there is "
                f"no user {name!r} (Debian's postgresql package creates 'postgres'; "
                f"RBSW_PG_USER names another unprivileged user)") from None
        self.name, self.uid, self.gid = name, entry.pw_uid, entry.pw_gid

    def chown(self, *paths: Path) -> None:
        for path in paths:
            os.chown(path, self.uid, self.gid)


def _cluster_user() -> ClusterUser | None:
    if os.name != "posix":
        raise PostgresUnavailable("the throwaway cluster is set up for POSIX systems only")
    if os.geteuid() != 0:
        return None                                  # run it as ourselves
    return ClusterUser(os.environ.get("RBSW_PG_USER", "postgres"))


class PostgresCluster:
    host = "127.0.0.1"

    def __init__(self, *, max_seconds: float = MAX_SECONDS) -> None:
        self.bin_dir = find_bin_dir()
        self.owner = _cluster_user()
        self.user = SUPERUSER
        self.password = secrets.token_urlsafe(18)
        self.port = 0
        self.base = Path(tempfile.mkdtemp(prefix=DIR_PREFIX))
        self.data_dir = self.base / "data"
        self.socket_dir = self.base / "sock"
        self.log_path = self.base / "postgres.log"
        self.timings: dict[str, float] = {}          # seconds: initdb, start, create_database
        self._max_seconds = max_seconds
        self._proc: subprocess.Popen[bytes] | None = None
        self._admin: Any = None                       # a psycopg connection to `postgres`
        self._lock = threading.RLock()
        self._names = itertools.count(1)
        self._watchdog: threading.Timer | None = None
        self._destroyed = False

    # -- lifecycle ----------------------------------------------------------------------------

    @classmethod
    def launch(cls, **kwargs: Any) -> PostgresCluster:
        """A new cluster, initialised and started (see the module docstring)."""
        remove_stale_dirs()
        cluster = cls(**kwargs)
        atexit.register(cluster.destroy)
        try:
            cluster.initdb()
            cluster.start()
        except BaseException:
            cluster.destroy()
            raise
        cluster._watchdog = threading.Timer(max(1.0, cluster._max_seconds), cluster.stop)
        cluster._watchdog.daemon = True
        cluster._watchdog.start()
        return cluster

    def initdb(self) -> None:
        began = time.monotonic()
        self.base.chmod(0o700)
        (self.base / OWNER_FILE).write_text(str(os.getpid()))
        self.socket_dir.mkdir(mode=0o700)
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if self.owner is not None:
            self.owner.chown(self.base, self.socket_dir, pwfile)
        # --no-sync: initdb does not fsync its own files at the end; the server's fsync is on.
        cmd = [str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", self.user,
               f"--pwfile={pwfile}", "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
               "--encoding=UTF8", "--locale=C", "--no-sync"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                                  cwd=self.base, env=_child_env(), **self._as_owner())
        finally:
            pwfile.unlink()
        if done.returncode != 0:
            hint = ""
            if self.owner is not None and "Permission denied" in done.stderr:
                hint = (f"\n(the user {self.owner.name!r} must be able to reach {self.base}: "
                        "point TMPDIR at a directory every user can enter, such as /tmp)")
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{done.stdout}{done.stderr}"
                               f"{hint}")
        settings = {**SETTINGS, "unix_socket_directories": f"'{self.socket_dir}'"}
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# tests/postgres.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self.timings["initdb"] = time.monotonic() - began

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the server: on its old port after a stop, else on a free one (retried if
        another process takes the port first)."""
        began = time.monotonic()
        with self._lock:
            if self.running:
                return
            for _attempt in range(5):
                port = self.port or _free_port()
                if self._spawn(port, timeout):
                    self.port = port
                    self.timings.setdefault("start", time.monotonic() - began)
                    return
                if self.port:                      # a restart must keep its port
                    break
            raise RuntimeError(f"postgres did not start; its log:\n{self.log_tail()}")

    def stop(self, mode: str = "fast", timeout: float = 30.0) -> None:
        """Stop the server: "fast" (roll back sessions, checkpoint), "smart" (wait for sessions
        to end) or "immediate" (no checkpoint: like a crash, recovered from WAL at the next
        start)."""
        with self._lock:
            self._close_admin()
            proc, self._proc = self._proc, None
            if proc is None:
                return
            if proc.poll() is None:
                proc.send_signal(STOP_SIGNALS[mode])
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGQUIT)
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait(timeout=10)

    def restart(self, mode: str = "fast") -> None:
        """Stop (see `stop`) and start again on the same port with the same data."""
        with self._lock:
            self.stop(mode)
            self.start()

    def destroy(self) -> None:
        """Stop the server and remove its directory (idempotent)."""
        with self._lock:
            if self._destroyed:
                return
            self._destroyed = True
            if self._watchdog is not None:
                self._watchdog.cancel()
            self.stop("immediate")                # its data is thrown away: no checkpoint
            shutil.rmtree(self.base, ignore_errors=True)
        atexit.unregister(self.destroy)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    # -- URLs and databases -------------------------------------------------------------------

    def url(self, dbname: str = "postgres", *, driver: str | None = None) -> str:
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return (f"{scheme}://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
                f"@{self.host}:{self.port}/{quote(dbname, safe='')}")

    def create_database(self, prefix: str = "rbsw_test") -> str:
        """A fresh, empty database with a unique name; returns its URL."""
        name = f"{prefix}_{os.getpid()}_{next(self._names)}_{secrets.token_hex(3)}".lower()
        began = time.monotonic()
        self._admin_execute("CREATE DATABASE {}", name)
        self.timings["create_database"] = time.monotonic() - began
        return self.url(name)

    def drop_database(self, url_or_name: str) -> None:
        """Drop a database (by URL or name), closing any connections still open to it."""
        self._admin_execute("DROP DATABASE IF EXISTS {} WITH (FORCE)", database_name(url_or_name))

    def connect(self, dbname: str = "postgres", **kwargs: Any) -> Any:
        """A psycopg connection to `dbname` as the superuser, with the password."""
        import psycopg

        return psycopg.connect(self.url(dbname), connect_timeout=10, **kwargs)

    # -- inside -------------------------------------------------------------------------------

    def _admin_execute(self, statement: str, name: str) -> None:
        from psycopg import sql

        with self._lock:
            if self._admin is None or self._admin.closed:
                self._admin = self.connect("postgres", autocommit=True)
            try:
                self._admin.execute(sql.SQL(statement).format(sql.Identifier(name)))
            except Exception:
                if self._admin.broken:
                    self._close_admin()
                raise

    def _close_admin(self) -> None:
        if self._admin is not None:
            with contextlib.suppress(Exception):
                self._admin.close()
            self._admin = None

    def _as_owner(self) -> dict[str, Any]:
        if self.owner is None:
            return {}
        return {"user": self.owner.uid, "group": self.owner.gid,
                "extra_groups": [self.owner.gid]}

    def _spawn(self, port: int, timeout: float) -> bool:
        """Run `postgres` as our child; True once it is ready, False if it could not bind."""
        cmd = [str(self.bin_dir / "postgres"), "-D", str(self.data_dir), "-p", str(port)]
        extra: dict[str, Any] = {}
        if sys.platform == "linux" and shutil.which("setpriv"):
            # The parent-death guard is set after the uid change (a uid change clears it).
            guard = ["setpriv", "--pdeathsig=INT"]
            if self.owner is not None:
                guard += [f"--reuid={self.owner.uid}", f"--regid={self.owner.gid}",
                          "--clear-groups"]
            cmd = [*guard, "--", *cmd]
        else:
            extra = self._as_owner()
        log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                          cwd=self.base, env=_child_env(),
                                          start_new_session=True, **extra)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                new_log = self.log_path.read_bytes()[log_start:]
                if b"could not bind" in new_log or b"Address already in use" in new_log:
                    return False
                raise RuntimeError(f"postgres exited at start; its log:\n{self.log_tail()}")
            if self._ready():
                return True
            time.sleep(0.02)
        self.stop("immediate")
        raise RuntimeError(f"postgres was not ready after {timeout:.0f} s; its log:\n"
                           f"{self.log_tail()}")

    def _ready(self) -> bool:
        """postmaster.pid names our process and says "ready" (as pg_ctl reads it)."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return (len(lines) >= 8 and self._proc is not None
                and lines[0].strip() == str(self._proc.pid) and lines[7].strip() == "ready")


def database_name(url_or_name: str) -> str:
    if "://" not in url_or_name:
        return url_or_name
    return unquote(urlsplit(url_or_name).path.lstrip("/"))


def remove_stale_dirs() -> None:
    """Remove temp dirs left by test processes that died (their server died with them)."""
    for directory in Path(tempfile.gettempdir()).glob(DIR_PREFIX + "*"):
        try:
            owner = int((directory / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            postmaster = (directory / "data" / "postmaster.pid").read_text().split()
            if _alive(int(postmaster[0])):
                continue                          # a server still running there: leave it
        shutil.rmtree(directory, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _child_env() -> dict[str, str]:
    """Our environment without libpq's PG* variables, with messages in English (we read the
    log for "could not bind")."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def launch_for_tests() -> PostgresCluster:
    """`PostgresCluster.launch()` for the session fixture. With no PostgreSQL server on the
    machine the tests that need it fail in CI (CI=true) and skip elsewhere, saying why; any
    other failure to start is an error with the server's log."""
    import pytest

    try:
        return PostgresCluster.launch()
    except PostgresUnavailable as missing:
        if in_ci():
            pytest.fail(f"CI needs PostgreSQL for these tests: {missing}", pytrace=False)
        pytest.skip(f"PostgreSQL is not available: {missing}")
