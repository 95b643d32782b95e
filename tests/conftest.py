"""Shared fixtures: each test gets a fresh, real, encrypted store in its own tmp_path; tests that
need PostgreSQL get a fresh database on a throwaway cluster (tests/postgres.py):

    def test_something(postgres_url):        # "postgresql://rbsw_test:PW@127.0.0.1:PORT/DB",
        ...                                  # a new empty database, dropped after the test
    def test_other(postgres_cluster):        # the session's cluster: .host .port .user
        url = postgres_cluster.create_database()   # .password .url(dbname, driver=None)
        postgres_cluster.drop_database(url)        # .connect(dbname) .restart(mode)
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # Qt tests never need a screen
os.environ.setdefault("RBSW_CHECK_THREADS", "1")   # a store used off its own thread raises
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from rbsw_desktop.domain import Case, CaseCategory, Child, Pod, Role, Worker
from rbsw_desktop.security.keys import Argon2Params
from rbsw_desktop.store import Store

if TYPE_CHECKING:
    from tests.postgres import PostgresCluster

#: Real Argon2id, cheap parameters, so hundreds of tests can create stores. The default
#: parameters are exercised by the security tests and the benchmark.
FAST_KDF = Argon2Params(time_cost=1, memory_kib=8192, parallelism=1)
PASSPHRASE = "fictional test passphrase"
#: Where tests leave the screenshots and PDF pages to look at; made fresh by each run, not kept
#: in git (so a test run leaves the tree as it was).
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def pytest_configure(config: pytest.Config) -> None:
    for kind in ("screenshots", "pdf"):
        (ARTIFACTS / kind).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def passphrase() -> str:
    return PASSPHRASE


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    s = Store.create(data_dir, PASSPHRASE, kdf=FAST_KDF)
    yield s
    s.lock()


@pytest.fixture
def case(store: Store) -> Case:
    """A fictional child protection case in a fictional pod."""
    pod = store.records.save(Pod(name="Test Pod (fictional)", phone="01632 960000"))
    worker = store.records.save(Worker(name="Sam Testworker", role=Role.SOCIAL_WORKER,
                                       pod_id=pod.id))
    child = store.records.save(Child(name="Ada Fictional", date_of_birth="2017-03-04"))
    return store.records.save(Case(child_id=child.id, pod_id=pod.id, worker_id=worker.id,
                           family_name="The Fictional family",
                           category=CaseCategory.CHILD_PROTECTION, started_on="2026-11-02"))


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the session, started when a test first asks for it.
    Without a PostgreSQL server on the machine, its tests fail in CI (CI=true) and skip
    elsewhere, saying why."""
    from tests.postgres import launch_for_tests

    cluster = launch_for_tests()
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A fresh, empty database on the session's cluster, dropped after the test."""
    url = postgres_cluster.create_database()
    try:
        yield url
    finally:
        postgres_cluster.drop_database(url)


#: Moments the zone check looks at: one in summer time, one in winter time.
_ZONE_PROBES = (datetime(2026, 6, 25, 12, tzinfo=UTC), datetime(2026, 1, 15, 12, tzinfo=UTC))


@pytest.fixture
def local_zone() -> Iterator[Callable[[str], None]]:
    """`local_zone("Europe/London")`: the laptop's clock is in that zone for the rest of the
    test, whatever zone the test run has (TZ, then time.tzset(), as a laptop set to that zone
    would be); the run's own zone comes back afterwards. Checked, not assumed: Python's local
    time and, when Qt is loaded, Qt's local time must both follow, or the test fails."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset() is POSIX only: this test sets the laptop's zone with it")
    before = os.environ.get("TZ")

    def use(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()
        for probe in _ZONE_PROBES:
            wanted = probe.astimezone(ZoneInfo(name)).utcoffset()
            assert probe.astimezone().utcoffset() == wanted, (
                f"TZ={name} did not reach the C library (is tzdata installed?)")
            if "PySide6.QtCore" in sys.modules:
                from PySide6.QtCore import QDateTime
                ms = int(probe.timestamp()) * 1000
                qt = QDateTime.fromMSecsSinceEpoch(ms).offsetFromUtc()
                assert qt == wanted.total_seconds(), (
                    f"Qt's local time did not follow TZ={name}: {qt} s from UTC")

    yield use
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()
