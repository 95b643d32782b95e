"""A small TCP proxy on 127.0.0.1 for fault tests: it forwards to the gateway and, per connection,
cuts the request part-way, cuts the response part-way, stalls, or throttles. It runs in daemon
threads, and stops by itself after `lifetime` seconds if nobody stops it first (it then refuses
new connections).

Given several target ports it is a round-robin load balancer (tests/sync/balancer.py): each new
connection goes to the next target that is up; a target marked down (`mark_down(port)`) is
skipped, and one that refuses the connection (a killed instance) is passed over for the next, as
a balancer's health check would. `routed` records the port each connection went to (None when
no target took it)."""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

FAULTS = ("pass", "cut_request", "cut_response", "stall", "throttle")


@dataclass
class Fault:
    kind: str = "pass"
    after: int = 0          # bytes let through before the cut (in the faulted direction)


class FaultProxy:
    def __init__(self, target_port: int | Sequence[int],
                 choose: Callable[[int], Fault] | None = None, *,
                 lifetime: float = 240.0, stall_seconds: float = 3.0) -> None:
        ports = [target_port] if isinstance(target_port, int) else list(target_port)
        if not ports:
            raise ValueError("a proxy needs at least one target port")
        self.target_ports = ports
        self.target_port = ports[0]
        self.choose = choose or (lambda n: Fault())
        self.stall_seconds = stall_seconds
        self.seen: list[str] = []
        self.routed: list[int | None] = []
        self._down: set[int] = set()
        self._next = 0                      # round-robin: the index of the next target to try
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._deadline = time.monotonic() + lifetime
        self._stop = threading.Event()
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            for s in self._socks:
                _close(s)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def mark_down(self, port: int) -> None:
        """New connections skip this target (existing ones carry on) until `mark_up`."""
        with self._lock:
            self._down.add(self._known(port))

    def mark_up(self, port: int) -> None:
        with self._lock:
            self._down.discard(self._known(port))

    def _known(self, port: int) -> int:
        if port not in self.target_ports:
            raise ValueError(f"{port} is not one of this proxy's targets {self.target_ports}")
        return port

    def _connect_upstream(self) -> tuple[socket.socket | None, int | None]:
        """The next target that is up and accepts, in round-robin order."""
        with self._lock:
            start, self._next = self._next, (self._next + 1) % len(self.target_ports)
            order = [self.target_ports[(start + i) % len(self.target_ports)]
                     for i in range(len(self.target_ports))]
            order = [port for port in order if port not in self._down]
        for port in order:
            try:
                return socket.create_connection(("127.0.0.1", port), timeout=5), port
            except OSError:
                continue                    # refused: a dead instance, try the next
        return None, None

    def _serve(self) -> None:
        n = 0
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            fault = self.choose(n)
            n += 1
            self.seen.append(fault.kind)
            upstream, port = self._connect_upstream()
            self.routed.append(port)
            if upstream is None:
                _close(client)
                continue
            with self._lock:
                self._socks += [client, upstream]
            for src, dst, outbound in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(target=self._pump, args=(src, dst, outbound, fault, client,
                                                          upstream), daemon=True).start()
        self._listener.close()              # past its lifetime: refuse, rather than hang

    def _pump(self, src: socket.socket, dst: socket.socket, outbound: bool, fault: Fault,
              client: socket.socket, upstream: socket.socket) -> None:
        moved = 0
        try:
            src.settimeout(0.5)
        except OSError:        # the other direction already closed this socket
            return
        try:
            while not self._stop.is_set() and time.monotonic() < self._deadline:
                try:
                    data = src.recv(16384)
                except TimeoutError:
                    continue
                if not data:
                    break
                cut = (fault.kind == "cut_request" and outbound) or \
                      (fault.kind == "cut_response" and not outbound)
                if cut and moved + len(data) > fault.after:
                    dst.sendall(data[:max(0, fault.after - moved)])
                    break
                if fault.kind == "stall" and not outbound:
                    time.sleep(self.stall_seconds)          # the client times out first
                    break
                if fault.kind == "throttle":
                    for i in range(0, len(data), 2048):
                        dst.sendall(data[i:i + 2048])
                        time.sleep(0.002)
                else:
                    dst.sendall(data)
                moved += len(data)
        except OSError:
            pass
        finally:
            _close(client)
            _close(upstream)


def _close(s: socket.socket) -> None:
    with contextlib.suppress(OSError):
        s.shutdown(socket.SHUT_RDWR)
    s.close()


def random_faults(seed: int, *, clean_every: int = 0) -> Callable[[int], Fault]:
    """A mix of faults; every `clean_every`-th connection passes clean (0: never forced)."""
    rng = random.Random(seed)

    def choose(n: int) -> Fault:
        if clean_every and n % clean_every == clean_every - 1:
            return Fault()
        kind = rng.choice(FAULTS)
        return Fault(kind, rng.randint(0, 3000))
    return choose
