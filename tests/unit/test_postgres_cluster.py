"""The throwaway PostgreSQL cluster the gateway's PostgreSQL tests run on (tests/postgres.py):
a real password-protected server on 127.0.0.1, fresh independent databases, production
durability, and no server left behind when the test process dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests import postgres
from tests.postgres import PostgresCluster, PostgresUnavailable

ROOT = Path(__file__).resolve().parents[2]


def test_a_fresh_database_answers_on_loopback_with_the_password(
        postgres_cluster: PostgresCluster, postgres_url: str) -> None:
    prefix = f"postgresql://{postgres_cluster.user}:{postgres_cluster.password}@127.0.0.1:"
    assert postgres_url.startswith(prefix)
    with psycopg.connect(postgres_url, connect_timeout=10) as conn:
        user, addr, port, dbname = conn.execute(
            "SELECT current_user, host(inet_server_addr()), inet_server_port(), "
            "current_database()").fetchone()
        listen = conn.execute("SHOW listen_addresses").fetchone()[0]
        sockets = conn.execute("SHOW unix_socket_directories").fetchone()[0]
    assert (user, addr, port) == (postgres_cluster.user, "127.0.0.1", postgres_cluster.port)
    assert postgres_url.endswith("/" + dbname)
    assert listen == "127.0.0.1"                               # never on another interface
    assert sockets == str(postgres_cluster.socket_dir)         # not /var/run/postgresql


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_the_server_never_runs_as_root(postgres_cluster: PostgresCluster) -> None:
    status = Path(f"/proc/{postgres_cluster.pid}/status").read_text()
    uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    assert uid != 0
    assert uid == os.geteuid() or os.geteuid() == 0


@pytest.mark.parametrize("password", ["", "not-the-password"])
def test_a_connection_without_the_password_is_refused(
        postgres_cluster: PostgresCluster, password: str, tmp_path: Path) -> None:
    empty_passfile = tmp_path / "pgpass"
    empty_passfile.write_text("")
    for host in ("127.0.0.1", str(postgres_cluster.socket_dir)):    # TCP and the unix socket
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(host=host, port=postgres_cluster.port, user=postgres_cluster.user,
                            password=password, dbname="postgres", connect_timeout=10,
                            passfile=str(empty_passfile))


def test_two_fresh_databases_are_independent(postgres_cluster: PostgresCluster) -> None:
    first, second = postgres_cluster.create_database(), postgres_cluster.create_database()
    try:
        assert first != second
        with psycopg.connect(first) as conn:
            conn.execute("CREATE TABLE record (id text PRIMARY KEY, body text)")
            conn.execute("INSERT INTO record VALUES ('r1', 'fictional visit note')")
        with psycopg.connect(second) as conn:
            tables = conn.execute("SELECT count(*) FROM information_schema.tables "
                                  "WHERE table_schema = 'public'").fetchone()[0]
            assert tables == 0                                 # fresh and empty
            conn.execute("CREATE TABLE record (id text PRIMARY KEY)")   # same name: no clash
            assert conn.execute("SELECT count(*) FROM record").fetchone()[0] == 0
        with psycopg.connect(first) as conn:
            assert conn.execute("SELECT body FROM record").fetchall() == [
                ("fictional visit note",)]
    finally:
        postgres_cluster.drop_database(first)
        postgres_cluster.drop_database(second)


def test_dropping_a_database_closes_connections_left_open(
        postgres_cluster: PostgresCluster) -> None:
    url = postgres_cluster.create_database()
    leaked = psycopg.connect(url)                              # a test that forgot to close
    try:
        postgres_cluster.drop_database(url)
        with postgres_cluster.connect() as conn:
            names = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
        assert postgres.database_name(url) not in names
        with pytest.raises(psycopg.OperationalError):
            leaked.execute("SELECT 1")
    finally:
        leaked.close()


def test_durability_is_as_in_production(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        shown = {name: conn.execute(f"SHOW {name}").fetchone()[0]
                 for name in ("fsync", "synchronous_commit", "full_page_writes")}
    assert shown == {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def test_a_committed_row_survives_a_crash(postgres_cluster: PostgresCluster,
                                          postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        conn.execute("CREATE TABLE record (id text PRIMARY KEY)")
        conn.execute("INSERT INTO record VALUES ('committed before the crash')")
    port = postgres_cluster.port
    postgres_cluster.restart(mode="immediate")     # no shutdown checkpoint: recovery from WAL
    assert "automatic recovery in progress" in postgres_cluster.log_tail()
    assert postgres_cluster.port == port
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT id FROM record").fetchall() == [
            ("committed before the crash",)]


def test_the_server_stops_when_the_test_process_is_killed(tmp_path: Path) -> None:
    """SIGKILL leaves no finaliser to run: the parent-death guard stops the server, and the
    next launch removes what the dead process left in the temp dir."""
    script = ("import sys, time\nfrom tests.postgres import PostgresCluster\n"
              "c = PostgresCluster.launch()\nprint(c.pid, c.base, flush=True)\ntime.sleep(120)\n")
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                             text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert child.stdout is not None
        pid_text, base = child.stdout.readline().split()
        server = int(pid_text)
        assert _alive(server)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    deadline = time.monotonic() + 20
    while _alive(server):
        assert time.monotonic() < deadline, "postgres outlived the killed test process"
        time.sleep(0.05)
    assert Path(base).exists()
    postgres.remove_stale_dirs()
    assert not Path(base).exists()


def test_without_postgresql_ci_fails_and_a_laptop_skips(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBSW_PG_BINDIR", str(tmp_path))      # a directory with no server
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI needs PostgreSQL.*RBSW_PG_BINDIR"):
        postgres.launch_for_tests()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL is not available.*initdb"):
        postgres.launch_for_tests()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="only root needs a user")
def test_as_root_without_a_user_to_run_it_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBSW_PG_USER", "rbsw-no-such-user")
    with pytest.raises(PostgresUnavailable, match="no user 'rbsw-no-such-user'"):
        PostgresCluster()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()  # a zombie is dead
    except OSError:
        return False
