"""Gateway benchmark: the real `rbsw-gateway serve` process on loopback, on SQLite and on
PostgreSQL, with 1 and 2 workers, under the loads a council sees.

    python3 installers/dev.py bench gateway

For each backend and worker count it prints:
- one laptop: the p50 of a 20-op push (target <= 10 ms);
- 100 laptops in a closed loop (each pushes 20 ops, waits for the answer, pushes again):
  ops/s, push p50/p95/p99, errors; and the ratio to the database's own rate for inserting the
  same rows directly, in the same 20-row transactions (target >= 0.5);
- 300 and 1,000 laptops arriving at once, each opening a connection and syncing (a 20-op push,
  then pulling until nothing more): push p50/p95/p99 and the whole sync's p50/p95, connection
  errors, clean syncs (targets: push p95 <= 1 s at 300; 0 connection errors and every sync
  clean at 1,000), and the
  gateway's CPU time a sync (its processes' user + system time over the burst, from /proc:
  less moved by a busy machine than the latencies);
- on PostgreSQL, before the gateway runs, the database's own time for a burst's pushes: each
  push's transaction as the gateway sends it (`PUSH_TRANSACTION`), from pgbench's
  `DATABASE_THREADS` connections, with no gateway and no HTTP. What the gateway's own work adds
  to on the same 2 cores.

While iterating, the environment can narrow a run (the default is the full report):
RBSW_BENCH_BACKENDS=sqlite or postgresql, RBSW_BENCH_WORKERS=1 or 2, RBSW_BENCH_BURSTS=300
(comma-separated lists).

The load comes from one asyncio process of plain HTTP/1.1 keep-alive connections (one per
laptop), on the same 2 cores as the gateway: every figure includes the load generator's own
cost. A push is timed from its sending: its body is built before (in a burst, every laptop's
before the burst starts), as a laptop's outbox is full before its connection returns. Devices
are enrolled through the gateway's service directly, so setting up 1,000 laptops does not take
1,000 HTTP enrolments.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rbsw_desktop.gateway import db
from rbsw_desktop.gateway.db.tables import applied_ops, counters, records
from rbsw_desktop.gateway.edge import DATABASE_THREADS
from rbsw_desktop.gateway.service import GatewayService
from rbsw_desktop.protocol.models import EnrolRequest

GATEWAY = [sys.executable, "-m", "rbsw_desktop.gateway.cli"]
PODS, PER_POD = 50, 20                    # 1,000 social workers, one case and laptop each
OPS = 20
CLOSED_LOOP, CLOSED_SECONDS = 100, 8.0
BURSTS = tuple(int(n) for n in os.environ.get("RBSW_BENCH_BURSTS", "300,1000").split(","))
WORKERS = tuple(int(n) for n in os.environ.get("RBSW_BENCH_WORKERS", "1,2").split(","))
BACKENDS = os.environ.get("RBSW_BENCH_BACKENDS", "sqlite,postgresql").split(",")
TIMEOUT = 60.0


@dataclass
class Laptop:
    token: str
    case_id: str
    cursor: str = "0"


@dataclass
class Tally:
    push_s: list[float] = field(default_factory=list)
    sync_s: list[float] = field(default_factory=list)     # a whole sync: push and pulls
    ops: int = 0
    errors: int = 0
    clean: int = 0

    def pct(self, q: float, of: str = "push_s") -> float:
        data = sorted(getattr(self, of))
        if not data:
            return float("nan")
        return data[min(len(data) - 1, int(q * len(data)))] * 1000


# -- the world ------------------------------------------------------------------------------

def make_world(url: str) -> list[Laptop]:
    db.migrate(url)
    repo = db.open_repository(url)
    service = GatewayService(repo)
    laptops = []
    try:
        for p in range(PODS):
            pod = service.add_pod(f"Bench Pod {p} (fictional)")
            for w in range(PER_POD):
                worker = service.add_worker(pod, f"Bench Worker {p}.{w} (fictional)",
                                            "social_worker")
                case_id, _ = service.add_case(worker, f"Child {p}.{w} Fictional")
                answer = service.enrol(EnrolRequest(code=service.enrol_code(worker),
                                                    device_name="bench laptop"))
                laptops.append(Laptop(answer["token"], case_id))
    finally:
        repo.close()
    return laptops


def direct_insert_rate(url: str, rows: int = 2000) -> float:
    """Rows a second the database itself takes: the records and applied_ops rows of a push, and
    the counter row's update, in transactions of OPS rows, as durable as the gateway's."""
    from sqlalchemy import update

    repo = db.open_repository(url)
    engine = repo.engine
    fields = json.dumps({"zone": "red", "text": "Fictional board item", "position": 0})
    t0 = time.perf_counter()
    for batch in range(rows // OPS):
        with engine.begin() as conn:
            for _ in range(OPS):
                conn.execute(update(counters).where(counters.c.name == "seq")
                             .values(value=counters.c.value + 1))
            now = "2026-12-01T09:00:00.000Z"
            ids = [str(uuid.uuid4()) for _ in range(OPS)]
            conn.execute(records.insert(), [
                {"id": rid, "entity": "board_item", "rev": 1, "seq": 10**12 + batch * OPS + i,
                 "pod_id": "direct", "case_id": None, "fields": fields, "updated_at": now,
                 "origin_device": "direct", "received_at": now} for i, rid in enumerate(ids)])
            conn.execute(applied_ops.insert(), [
                {"worker_id": "direct", "op_id": str(uuid.uuid4()), "device_id": "direct",
                 "record_id": rid, "rev": 1, "at": now} for rid in ids])
    rate = rows / (time.perf_counter() - t0)
    repo.close()
    return rate


#: One push's transaction as the gateway runs it on PostgreSQL (its pod's locks, its three
#: reads, 20 sequence numbers, its 20 records, op ids and history rows, the device's row, an
#: audit row), for pgbench: the database's own time for a burst, with no gateway in the way.
PUSH_TRANSACTION = """\\set pod random(0, {last_pod})
BEGIN;
SELECT pg_advisory_xact_lock_shared(1, 0), pg_advisory_xact_lock(2, hashtext('pod ' || :pod));
SELECT op_id FROM applied_ops WHERE worker_id = 'w ' || :pod
    AND op_id = ANY(ARRAY(SELECT gen_random_uuid()::text FROM generate_series(1, 20)));
SELECT id FROM records WHERE id = ANY(ARRAY(SELECT gen_random_uuid()::text
    FROM generate_series(1, 20)));
SELECT id FROM cases WHERE id = ANY(ARRAY['case ' || :pod]);
SELECT nextval('change_seq') FROM generate_series(1, 20);
INSERT INTO records (id, entity, rev, seq, pod_id, case_id, fields, updated_at, origin_device,
    received_at) SELECT gen_random_uuid()::text, 'board_item', 1, nextval('change_seq'),
    'pod ' || :pod, 'case ' || :pod, '{fields}', '2026-12-01T09:00:00.000Z', 'laptop',
    '2026-12-01T09:00:00.000Z' FROM generate_series(1, 20);
INSERT INTO applied_ops (worker_id, op_id, device_id, record_id, rev, at) SELECT 'w ' || :pod,
    gen_random_uuid()::text, 'laptop', gen_random_uuid()::text, 1, '2026-12-01T09:00:00.000Z'
    FROM generate_series(1, 20);
INSERT INTO record_history (record_id, rev, entity, pod_id, case_id, fields, deleted, filed,
    case_system_ref, worker_id, device_id, received_at, op_id) SELECT gen_random_uuid()::text,
    1, 'board_item', 'pod ' || :pod, 'case ' || :pod, '{fields}', false, false, '', 'w', 'laptop',
    '2026-12-01T09:00:00.000Z', gen_random_uuid()::text FROM generate_series(1, 20);
UPDATE devices SET last_seen_at = '2026-12-01T09:00:00.000Z' WHERE id = 'laptop ' || :pod;
INSERT INTO audit (at, device_id, worker_id, action, count, status, chain, hash)
    VALUES ('2026-12-01T09:00:00.000Z', 'laptop', 'w', 'POST /sync/push', 20, 200,
    'pod ' || :pod, md5(random()::text));
COMMIT;
"""


def pgbench_burst(cluster: Any, url: str, pushes: int) -> float:
    """Milliseconds PostgreSQL itself takes for `pushes` push transactions (PUSH_TRANSACTION)
    of the pods a burst of that many laptops comes from, sent by pgbench from as many
    connections as a gateway worker has database threads: what any gateway on top adds to."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    fields = json.dumps(item_fields("case", 1))
    with tempfile.TemporaryDirectory(prefix="rbsw-pgbench-") as tmp:
        script = Path(tmp) / "push.sql"
        script.write_text(PUSH_TRANSACTION.format(last_pod=(pushes - 1) // PER_POD,
                                                  fields=fields))
        out = subprocess.run(
            [str(cluster.bin_dir / "pgbench"), "-n", "-h", str(parts.hostname), "-p",
             str(parts.port), "-U", unquote(str(parts.username)), "-c", str(DATABASE_THREADS),
             "-j", "2", "-t", str(max(1, pushes // DATABASE_THREADS)), "-f", str(script),
             parts.path.lstrip("/")],
            env={**os.environ, "PGPASSWORD": unquote(str(parts.password))}, check=True,
            capture_output=True, text=True, timeout=TIMEOUT).stdout
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    if found is None:
        raise RuntimeError(f"pgbench printed no rate: {out[-300:]}")
    return pushes / float(found.group(1)) * 1000


# -- one laptop's HTTP ----------------------------------------------------------------------

class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def call(self, method: str, path: str, token: str, data: bytes = b""
                   ) -> tuple[int, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = (f"{method} /api/v1{path} HTTP/1.1\r\nHost: bench\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode()
        self.writer.write(head + data)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and "close" in value.lower():
                close = True
        payload = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return status, json.loads(payload) if payload else None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def item_fields(case_id: str, i: int) -> dict[str, Any]:
    """The fields of a push's i-th board item."""
    return {"case_id": case_id, "zone": "amber", "position": i,
            "text": f"Fictional worry {i} about the future", "raised_by": "family",
            "shareable": True}


def push_body(laptop: Laptop) -> bytes:
    """A 20-op push's body, as the laptop's outbox holds it before the network returns."""
    return json.dumps({"ops": [{"op_id": str(uuid.uuid4()), "entity": "board_item",
                     "id": str(uuid.uuid4()), "base_rev": None, "deleted": False,
                     "at": "2026-12-01T09:00:00.000Z",
                     "fields": item_fields(laptop.case_id, i)} for i in range(OPS)]}).encode()


async def push(conn: Connection, laptop: Laptop, tally: Tally, body: bytes | None = None
               ) -> bool:
    """A push timed from its sending: its body is built first (`body`, or now)."""
    body = push_body(laptop) if body is None else body
    t0 = time.perf_counter()
    status, answer = await conn.call("POST", "/sync/push", laptop.token, body)
    tally.push_s.append(time.perf_counter() - t0)
    applied = status == 200 and all(r["outcome"] == "applied" for r in answer["results"])
    tally.ops += OPS if applied else 0
    return applied


async def sync(port: int, laptop: Laptop, tally: Tally, body: bytes) -> None:
    conn = Connection(port)
    t0 = time.perf_counter()
    try:
        ok = await push(conn, laptop, tally, body)
        while True:
            status, page = await conn.call(
                "GET", f"/sync/changes?since={laptop.cursor}&limit=1000", laptop.token)
            ok = ok and status == 200
            if status != 200:
                break
            laptop.cursor = page["cursor"]
            if not page["more"]:
                break
        tally.clean += ok
        tally.sync_s.append(time.perf_counter() - t0)
    except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
        tally.errors += 1
    finally:
        await conn.close()


async def closed_loop(port: int, laptops: list[Laptop]) -> tuple[Tally, float]:
    tally = Tally()
    deadline = time.perf_counter() + CLOSED_SECONDS

    async def one(laptop: Laptop) -> None:
        conn = Connection(port)
        try:
            while time.perf_counter() < deadline:
                try:
                    await push(conn, laptop, tally)
                except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
                    tally.errors += 1
                    await conn.close()
        finally:
            await conn.close()

    t0 = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(one(lp) for lp in laptops)), TIMEOUT)
    return tally, time.perf_counter() - t0


async def burst(port: int, laptops: list[Laptop]) -> Tally:
    tally = Tally()
    bodies = [push_body(lp) for lp in laptops]          # every outbox full before 9 am
    await asyncio.wait_for(asyncio.gather(*(sync(port, lp, tally, body)
                                            for lp, body in zip(laptops, bodies, strict=True))),
                           TIMEOUT)
    return tally


async def one_laptop(port: int, laptop: Laptop, n: int = 60) -> float:
    tally = Tally()
    conn = Connection(port)
    for _ in range(n):
        await push(conn, laptop, tally)
    await conn.close()
    return statistics.median(tally.push_s[5:]) * 1000


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and of every process under it (uvicorn's
    workers), from /proc; 0 where there is no /proc."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12]))
                                         / tick)
    tree, total = {pid}, 0.0
    while True:
        more = {p for p, (parent, _) in stats.items() if parent in tree} - tree
        if not more:
            break
        tree |= more
    for p in tree:
        total += stats.get(p, (0, 0.0))[1]
    return total


# -- a run ----------------------------------------------------------------------------------

def serve(data_dir: Path, url: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    proc = subprocess.Popen([*GATEWAY, "--data-dir", str(data_dir), "--database", url, "serve",
                             "--port", "0", "--workers", str(workers), "--max-seconds", "900"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    port = int(json.loads(proc.stdout.readline())["url"].rsplit(":", 1)[1])
    for _ in range(400):                     # every worker up
        try:
            import urllib.request
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json",  # noqa: S310
                                   timeout=2).close()
            break
        except OSError:
            time.sleep(0.05)
    time.sleep(1.0 if workers > 1 else 0.2)
    return proc, port


def run(name: str, url: str, data_dir: Path, laptops: list[Laptop], direct: float) -> list[str]:
    lines: list[str] = []
    for workers in WORKERS:
        printed = len(lines)
        proc, port = serve(data_dir, url, workers)
        try:
            p50 = asyncio.run(one_laptop(port, laptops[0]))
            loop, seconds = asyncio.run(closed_loop(port, laptops[:CLOSED_LOOP]))
            rate = loop.ops / seconds
            label = f"{name}, {workers} worker{'s' if workers > 1 else ''}"
            lines.append(f"{label}: one laptop, 20-op push p50 {p50:.1f} ms (target <= 10)")
            lines.append(
                f"{label}: {CLOSED_LOOP} laptops closed loop: {rate:,.0f} ops/s, push p50 "
                f"{loop.pct(.5):.0f} / p95 {loop.pct(.95):.0f} / p99 {loop.pct(.99):.0f} ms, "
                f"{loop.errors} errors; direct insert {direct:,.0f} rows/s, ratio "
                f"{rate / direct:.2f} (target >= 0.5)")
            for size in BURSTS:
                cpu = cpu_seconds(proc.pid)
                t = asyncio.run(burst(port, laptops[:size]))
                cpu = cpu_seconds(proc.pid) - cpu
                lines.append(
                    f"{label}: {size:>5} laptops at once: push p50 {t.pct(.5):.0f} / p95 "
                    f"{t.pct(.95):.0f} / p99 {t.pct(.99):.0f} ms (whole sync p50 "
                    f"{t.pct(.5, 'sync_s'):.0f} / p95 {t.pct(.95, 'sync_s'):.0f} ms), "
                    f"{t.errors} connection errors, {t.clean}/{size} syncs clean; gateway CPU "
                    f"{cpu * 1000 / size:.1f} ms a sync")
            for line in lines[printed:]:        # this worker count's lines, each once
                print(line, flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return lines


def main() -> int:
    from tests.postgres import PostgresCluster

    with tempfile.TemporaryDirectory(prefix="rbsw-bench-gw-") as tmp:
        root = Path(tmp)
        if "sqlite" in BACKENDS:
            sqlite_url = db.database_url(root / "sqlite")
            print("gateway: setting up 1,000 laptops on SQLite...", flush=True)
            laptops = make_world(sqlite_url)
            run("SQLite", sqlite_url, root / "sqlite", laptops, direct_insert_rate(sqlite_url))
        if "postgresql" not in BACKENDS:
            return 0
        cluster = PostgresCluster.launch()
        try:
            pg_url = cluster.create_database()
            print("gateway: setting up 1,000 laptops on PostgreSQL...", flush=True)
            laptops = make_world(pg_url)
            for size in BURSTS:
                print(f"PostgreSQL alone, no gateway (pgbench, {DATABASE_THREADS} connections): "
                      f"{size:>5} laptops' push transactions at once take "
                      f"{pgbench_burst(cluster, pg_url, size):.0f} ms", flush=True)
            run("PostgreSQL", pg_url, root / "pg", laptops, direct_insert_rate(pg_url))
        finally:
            cluster.destroy()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
