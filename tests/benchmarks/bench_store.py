"""The encrypted store against plain sqlite3, on the same code path (the Store facade).

Targets (issue 3): encrypted/plain <= 1.3 for writes, reads and search; search p95 <= 20 ms at
100,000 notes; unlock (KDF included) <= 1 s; reopening with the raw key <= 10 ms.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import sqlite_utils

from rbsw_desktop.domain import Case, Child, Visit
from rbsw_desktop.security.keys import DEFAULT_PARAMS, Argon2Params
from rbsw_desktop.store import Store
from rbsw_desktop.store import db as dbmod

PASS = "fictional benchmark passphrase"
CHEAP = Argon2Params(1, 8192, 1)
WORDS = (
    "home", "warm", "tidy", "kitchen", "school", "reading", "bedroom", "garden", "nana",
    "grandad", "mum", "dad", "cat", "dog", "football", "homework", "breakfast", "calm",
    "worried", "happy", "visit", "spoke", "alone", "drawing", "routine", "teacher", "nurse",
    "health", "appointment", "sleep", "night", "morning", "shouting", "sorry", "proud",
    "friends", "bike", "park", "money", "rent", "heating", "cold", "food", "shopping",
    "contact", "brother", "sister",
)
BIG = 100_000
BULK = 10_000


class PlainStore(Store):
    """Benchmark only: the same Store code over plain sqlite3, to measure SQLCipher's cost."""

    def _open_connection(self, key: bytearray) -> sqlite_utils.Database:
        return dbmod.connect(self.path, None)


def note(rng: random.Random, n: int) -> str:
    return f"Fictional visit {n}: " + " ".join(rng.choice(WORDS) for _ in range(100))


def visits(case_id: str, count: int, seed: int) -> list[Visit]:
    rng = random.Random(seed)
    return [Visit(case_id=case_id, child_seen=True, observations=note(rng, n))
            for n in range(count)]


def open_store(kind: str, data_dir: Path) -> Store:
    if kind == "plain":
        data_dir.mkdir(parents=True, exist_ok=True)
        return PlainStore(data_dir, bytearray(32))
    return Store.create(data_dir, PASS, kdf=CHEAP)


def reopen(kind: str, data_dir: Path, key: bytes) -> Store:
    if kind == "plain":
        return PlainStore(data_dir, bytearray(32))
    return Store.open_with_key(data_dir, key)


def seed_case(store: Store) -> str:
    child = store.records.save(Child(name="Ada Benchmark"))
    return store.records.save(Case(child_id=child.id, family_name="The Benchmark family")).id


def timed(fn) -> float:  # noqa: ANN001
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure(kind: str, root: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    store = open_store(kind, root / f"{kind}-single")
    case_id = seed_case(store)
    one = visits(case_id, 300, seed=2)
    out["single"] = timed(lambda: [store.records.save(v) for v in one]) / len(one)
    store.lock()
    # A store of 100,000 notes.
    big_dir = root / f"{kind}-big"
    store = open_store(kind, big_dir)
    case_id = seed_case(store)
    for start in range(0, BIG, 10_000):
        store.records.save_many(visits(case_id, 10_000, seed=100 + start))
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    key = store.raw_key()
    store.lock()
    times = []
    for _ in range(7):
        start = time.perf_counter()
        store = reopen(kind, big_dir, key)
        store.cases.summaries()
        times.append(time.perf_counter() - start)
        store.lock()
    out["reopen"] = statistics.median(times)
    store = reopen(kind, big_dir, key)
    # Reads: a case's visit list (the same query the app runs).
    out["read"] = statistics.median(timed(lambda: store.visits.of_case(case_id)) for _ in range(3))
    # Search p50 / p95.
    rng = random.Random(7)
    queries = [rng.choice(WORDS) for _ in range(100)] + \
        [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(60)] + \
        [rng.choice(WORDS)[:3] for _ in range(40)]
    times = sorted(timed(lambda q=q: store.search.find(q, limit=50)) for q in queries)
    out["search_p50"] = times[len(times) // 2]
    out["search_p95"] = times[int(len(times) * 0.95)]
    store.lock()
    return out


def measure_bulk(root: Path, rounds: int = 5) -> dict[str, float]:
    """Bulk insert of 10,000 notes in one transaction, each round into a fresh store, the two
    kinds taken in turn so that a noisy moment falls on both: the median of each."""
    times: dict[str, list[float]] = {"encrypted": [], "plain": []}
    for n in range(rounds):
        for kind, runs in times.items():
            store = open_store(kind, root / f"{kind}-bulk-{n}")
            batch = visits(seed_case(store), BULK, seed=1)
            runs.append(timed(lambda s=store, b=batch: s.records.save_many(b)))
            store.lock()
    return {kind: statistics.median(runs) for kind, runs in times.items()}


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="rbsw-bench-store-"))
    try:
        bulk = measure_bulk(root)
        enc = measure("encrypted", root) | {"bulk": bulk["encrypted"]}
        plain = measure("plain", root) | {"bulk": bulk["plain"]}
        kdf_dir = root / "kdf"
        Store.create(kdf_dir, PASS, kdf=DEFAULT_PARAMS).lock()
        unlock = min(timed(lambda: Store.unlock(kdf_dir, PASS).lock()) for _ in range(3))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def ratio(key: str) -> float:
        return enc[key] / plain[key] if plain[key] else float("inf")
    rows = [
        ("bulk insert 10,000 notes (median of 5)", f"{enc['bulk']:.2f} s", f"{plain['bulk']:.2f} s",
         ratio("bulk"), "ratio <= 1.3", ratio("bulk") <= 1.3),
        ("one note per transaction (fsync each)", f"{enc['single'] * 1000:.1f} ms",
         f"{plain['single'] * 1000:.1f} ms", ratio("single"), "(for information)", True),
        ("reopen 100k-note store (raw key) + caseload", f"{enc['reopen'] * 1000:.1f} ms",
         f"{plain['reopen'] * 1000:.1f} ms", ratio("reopen"), "<= 10 ms",
         enc["reopen"] <= 0.010),
        ("read a case's 100k visits", f"{enc['read'] * 1000:.0f} ms",
         f"{plain['read'] * 1000:.0f} ms", ratio("read"), "ratio <= 1.3", ratio("read") <= 1.3),
        ("search p50 at 100k notes", f"{enc['search_p50'] * 1000:.1f} ms",
         f"{plain['search_p50'] * 1000:.1f} ms", ratio("search_p50"), "ratio <= 1.3",
         ratio("search_p50") <= 1.3),
        ("search p95 at 100k notes", f"{enc['search_p95'] * 1000:.1f} ms",
         f"{plain['search_p95'] * 1000:.1f} ms", ratio("search_p95"), "<= 20 ms, ratio <= 1.3",
         enc["search_p95"] <= 0.020 and ratio("search_p95") <= 1.3),
        ("unlock with the real Argon2id (256 MiB)", f"{unlock:.2f} s", "-", float("nan"),
         "<= 1 s", unlock <= 1.0),
    ]
    print(f"{'metric':<44} {'encrypted':>10} {'plain':>10} {'ratio':>6}  target")
    for name, e, p, r, target, ok in rows:
        shown = "" if r != r else f"{r:.2f}"
        print(f"{name:<44} {e:>10} {p:>10} {shown:>6}  {target:<24} {'PASS' if ok else 'MISS'}")


if __name__ == "__main__":
    main()
