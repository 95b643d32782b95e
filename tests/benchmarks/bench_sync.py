"""Sync benchmark: push + pull of 10,000 changes over loopback through the real gateway process,
bytes on the wire against raw JSON, and the longest UI stall while a sync runs. Beside each
time, the CPU time the laptop (this process) and the gateway process spent on it: a busy
machine moves those less than the times.

    .venv/bin/python -m tests.benchmarks.bench_sync      (or via `python -m tests.benchmarks`)

Targets: push + pull <= 2 s; wire/raw <= 0.5 (gzip); longest UI stall <= 16 ms (one frame),
printed beside the same timer's longest gap with nothing running.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rbsw_desktop.domain.entities import BoardItem
from rbsw_desktop.domain.enums import Zone
from rbsw_desktop.store import Store
from tests.benchmarks.bench_gateway import cpu_seconds
from tests.sync.laptops import Laptop, new_laptop

N_CHANGES = 10_000
TARGET_S = 2                # push + pull of N_CHANGES on loopback (issue 12)
STALL_CHANGES = 2_000
IDLE_MS = 1_000
FRAME_MS = 16
GATEWAY = [sys.executable, "-m", "rbsw_desktop.gateway.cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _admin(data_dir: Path, *args: str) -> str:
    out = subprocess.run([*GATEWAY, "--data-dir", str(data_dir), *args], capture_output=True,
                         text=True, timeout=60, check=True)
    return out.stdout.strip()


def _id(data_dir: Path, *args: str) -> str:
    return str(json.loads(_admin(data_dir, *args, "--json"))["id"])


@contextmanager
def gateway(data_dir: Path) -> Iterator[tuple[str, int]]:
    """The gateway's URL and process id."""
    port = _free_port()
    proc = subprocess.Popen([*GATEWAY, "--data-dir", str(data_dir), "serve", "--host",
                             "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/api/v1/openapi.json", timeout=1).close()  # noqa: S310
                break
            except OSError:
                time.sleep(0.05)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _cpu() -> float:
    """This process's CPU time (the laptop's), user + system."""
    times = os.times()
    return times.user + times.system


def _pod(gw_dir: Path) -> tuple[str, str, str]:
    pod = _id(gw_dir, "pod", "add", "Bench Pod (fictional)")
    worker = _id(gw_dir, "worker", "add", "--pod", pod, "--name", "Bench Worker (fictional)",
                 "--role", "social_worker")
    case = _id(gw_dir, "case", "add", "--worker", worker, "--child", "Ada Fictional")
    return pod, worker, case


def _code(gw_dir: Path, worker: str) -> str:
    out = _admin(gw_dir, "enrol-code", "--worker", worker, "--json")
    try:
        return str(json.loads(out)["code"])
    except (ValueError, KeyError, TypeError):
        return out.split()[-1]


def _fill(laptop: Laptop, case_id: str, n: int) -> None:
    items = [BoardItem(case_id=case_id, zone=(Zone.RED, Zone.AMBER, Zone.GREEN)[i % 3],
                       text=f"Fictional board item {i}: school run, grandma helps on Tuesdays")
             for i in range(n)]
    laptop.store.records.save_many(items)


def bench_push_pull(root: Path) -> dict[str, float]:
    gw_dir = root / "gateway"
    gw_dir.mkdir()
    _, worker, _ = _pod(gw_dir)
    with gateway(gw_dir) as (url, pid):
        a = new_laptop(root / "a", url, _code(gw_dir, worker), "bench-a")
        b = new_laptop(root / "b", url, _code(gw_dir, worker), "bench-b")
        a.sync()
        b.sync()
        case_id = a.store.cases.summaries()[0].id
        _fill(a, case_id, N_CHANGES)
        push_engine = a.engine()
        t0, cpu0, gw0 = time.perf_counter(), _cpu(), cpu_seconds(pid)
        pushed = push_engine.sync_once()
        t_push, cpu_push, gw_push = (time.perf_counter() - t0, _cpu() - cpu0,
                                     cpu_seconds(pid) - gw0)
        pull_engine = b.engine()
        t0, cpu0, gw0 = time.perf_counter(), _cpu(), cpu_seconds(pid)
        pulled = pull_engine.sync_once()
        t_pull, cpu_pull, gw_pull = (time.perf_counter() - t0, _cpu() - cpu0,
                                     cpu_seconds(pid) - gw0)
        assert pushed.pushed == N_CHANGES and pushed.ok, pushed.as_json()
        assert pulled.pulled >= N_CHANGES and pulled.ok, pulled.as_json()
        wire = push_engine.transport.wire_sent + pull_engine.transport.wire_received
        raw = push_engine.transport.raw_sent + pull_engine.transport.raw_received
        stall, idle = bench_ui_stall(a, case_id)
        for laptop in (a, b):
            laptop.store.lock()
    return {"push_s": t_push, "pull_s": t_pull, "total_s": t_push + t_pull,
            "push_cpu": (cpu_push, gw_push), "pull_cpu": (cpu_pull, gw_pull),
            "wire_bytes": wire, "raw_bytes": raw, "ratio": wire / raw, "stall_ms": stall,
            "idle_ms": idle}


def bench_ui_stall(laptop: Laptop, case_id: str) -> tuple[float, float]:
    """Longest gap between 5 ms timer ticks on the Qt main thread while the app's sync (the
    SyncController, as a long job on the task manager's store thread, with the status-bar
    widget showing its progress) sends STALL_CHANGES changes; and the same timer's longest gap
    with nothing running (what the machine itself allows)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from rbsw_desktop.ui.sync_status import SyncController, SyncStatusWidget
    from rbsw_desktop.ui.taskman import TaskManager

    app = QApplication.instance() or QApplication([])
    _fill(laptop, case_id, STALL_CHANGES)
    key, data_dir, enrolment = laptop.store.raw_key(), laptop.store.data_dir, laptop.enrolment
    taskman = TaskManager()
    loop = QEventLoop()
    opened: list = []

    def open_store() -> Store:     # on the store thread, as the app's lock screen does
        return Store.open_with_key(data_dir, key)
    taskman.run_on_store_thread(open_store, lambda s: (opened.append(s), loop.quit()),
                                lambda exc: (opened.append(exc), loop.quit()))
    loop.exec()
    if not isinstance(opened[0], Store):
        raise opened[0]
    taskman.store = opened[0]
    controller = SyncController(taskman, lambda store: Laptop(store, enrolment).engine(),
                                lambda store: {}, interval_ms=3_600_000)
    widget = SyncStatusWidget(controller)
    widget.show()
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    last[0] = time.perf_counter()
    QTimer.singleShot(IDLE_MS, loop.quit)       # first the same timer with nothing running
    loop.exec()
    idle = max(gaps) * 1000
    gaps.clear()
    controller.sig_finished.connect(lambda _report: loop.quit())
    last[0] = time.perf_counter()
    controller.sync_now()
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    timer.stop()
    controller.stop()
    taskman.close_store()
    widget.deleteLater()
    del app
    return (max(gaps) * 1000 if gaps else float("nan")), idle


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="rbsw-bench-sync-") as tmp:
        r = bench_push_pull(Path(tmp))
    for way in ("push", "pull"):
        laptop, council = r[f"{way}_cpu"]
        print(f"sync: {way} {N_CHANGES} changes       {r[f'{way}_s']:.2f} s   (CPU: laptop "
              f"{laptop:.2f} s, gateway {council:.2f} s)")
    print(f"sync: push + pull                {r['total_s']:.2f} s   (target <= {TARGET_S} s)")
    print(f"sync: bytes on the wire / raw    {r['wire_bytes']:,} / {r['raw_bytes']:,} = "
          f"{r['ratio']:.3f}   (target <= 0.5)")
    print(f"sync: longest UI stall, idle      {r['idle_ms']:.1f} ms   (the machine itself)")
    print(f"sync: longest UI stall ({STALL_CHANGES} changes) {r['stall_ms']:.1f} ms   "
          f"(target <= {FRAME_MS} ms)")
    return 0 if r["total_s"] <= TARGET_S and r["ratio"] <= 0.5 and r["stall_ms"] <= FRAME_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
