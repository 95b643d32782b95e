"""The in-test load balancer (tests/sync/balancer.py) that multi-instance gateway tests sync
through: it spreads connections round-robin, routes around an instance that is down or killed,
cuts connections part-way when asked (replayably, from its seed), and stops by itself."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.sync.balancer import Balancer

PAYLOAD = bytes(range(256)) * 80            # 20,480 bytes: longer than any cut_after below


class _NameHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:               # noqa: N802 (http.server's spelling)
        body = self.server.name.encode()    # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _EchoHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            self.request.sendall(data)


class _EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True


def _serve(server: socketserver.BaseServer) -> int:
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                     daemon=True).start()
    return int(server.server_address[1])


@pytest.fixture
def http_backends() -> Iterator[dict[int, str]]:
    """Two HTTP servers on loopback, each answering GET with its own name: {port: name}."""
    servers = []
    for name in ("instance-a", "instance-b"):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _NameHandler)
        server.daemon_threads = True
        server.name = name                  # type: ignore[attr-defined]
        servers.append(server)
    try:
        yield {_serve(s): s.name for s in servers}   # type: ignore[attr-defined]
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()


@pytest.fixture
def echo_backends() -> Iterator[list[int]]:
    servers = [_EchoServer(("127.0.0.1", 0), _EchoHandler) for _ in range(2)]
    try:
        yield [_serve(s) for s in servers]
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()


def _get(lb: Balancer) -> str:
    with urllib.request.urlopen(lb.url + "/", timeout=5) as answer:  # noqa: S310 (loopback)
        return str(answer.read().decode())


def _echo(port: int, payload: bytes) -> bytes:
    got = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        try:
            s.sendall(payload)
            while len(got) < len(payload):
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass
    return bytes(got)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connections_go_to_each_instance_in_turn(http_backends: dict[int, str]) -> None:
    ports = list(http_backends)
    with Balancer(ports, lifetime=30) as lb:
        answers = [_get(lb) for _ in range(6)]
    assert answers == ["instance-a", "instance-b"] * 3
    assert lb.routed == ports * 3
    assert lb.cuts == 0


def test_an_instance_marked_down_gets_nothing_until_it_is_up(
        http_backends: dict[int, str]) -> None:
    a, b = http_backends
    with Balancer([a, b], lifetime=30) as lb:
        lb.mark_down(b)
        while_down = [_get(lb) for _ in range(4)]
        lb.mark_up(b)
        after = [_get(lb) for _ in range(2)]
        lb.mark_down(a)
        lb.mark_down(b)
        with pytest.raises(OSError):         # nothing up: the connection is closed at once
            _get(lb)
    assert while_down == ["instance-a"] * 4
    assert sorted(after) == ["instance-a", "instance-b"]
    assert lb.routed[-1] is None


def test_a_killed_instance_that_refuses_is_passed_over(http_backends: dict[int, str]) -> None:
    alive = next(iter(http_backends))
    killed = _free_port()                    # nothing listens there: connections are refused
    with Balancer([killed, alive], lifetime=30) as lb:
        answers = [_get(lb) for _ in range(4)]
    assert answers == [http_backends[alive]] * 4
    assert lb.routed == [alive] * 4


def test_cut_mode_cuts_part_way_in_both_directions_and_replays_from_its_seed(
        echo_backends: list[int]) -> None:
    runs = []
    for _run in range(2):
        with Balancer(echo_backends, cut_probability=0.5, seed=7, cut_after=(0, 8192),
                      lifetime=30) as lb:
            whole = [_echo(lb.port, PAYLOAD) == PAYLOAD for _ in range(16)]
        # a connection came back whole exactly when the balancer chose not to cut it
        assert whole == [kind == "pass" for kind in lb.seen]
        runs.append(list(lb.seen))
    assert {"pass", "cut_request", "cut_response"} <= set(runs[0])
    assert runs[0] == runs[1]                # the same seed cuts the same connections


def test_every_connection_is_cut_at_probability_one(echo_backends: list[int]) -> None:
    with Balancer(echo_backends, cut_probability=1.0, seed=3, cut_after=(100, 8192),
                  lifetime=30) as lb:
        lengths = [len(_echo(lb.port, PAYLOAD)) for _ in range(6)]
    assert all(n < len(PAYLOAD) for n in lengths), lengths
    assert lb.cuts == 6
    assert set(lb.routed) == set(echo_backends)


def test_the_balancer_stops_by_itself_after_its_lifetime(http_backends: dict[int, str]) -> None:
    lb = Balancer(list(http_backends), lifetime=0.3)
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", lb.port), timeout=1).close()
            except OSError:
                break                        # refused: it is gone
            assert time.monotonic() < deadline, "the balancer outlived its lifetime"
            time.sleep(0.1)
    finally:
        lb.close()
