"""Pushes first (`gateway.admission`), through the real gateway process on both databases: a
pull that arrives while a push is still in hand waits for that push's answer, and never longer
than `MAX_WAIT`. The push is held in hand by sending its body slowly, on a raw socket."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

from rbsw_desktop.gateway.admission import MAX_WAIT
from tests.sync.gw_world import World, board_item_op, call


def _start_push(world: World, text: str) -> tuple[socket.socket, bytes]:
    """A push whose head and first half of body are sent; the rest is returned, unsent."""
    body = json.dumps({"ops": [board_item_op(world.sw.case_id, text)]}).encode()
    host, port = world.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    head = (f"POST /api/v1/sync/push HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer "
            f"{world.sw.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    half = len(body) // 2
    sock.sendall(head + body[:half])
    return sock, body[half:]


def _answer_of(sock: socket.socket) -> tuple[int, float]:
    """The push's status, and when its answer arrived."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the gateway hung up on the push"
        data += chunk
    return int(data.split()[1]), time.monotonic()


def _pull_in_background(world: World) -> tuple[threading.Thread, dict[str, Any]]:
    got: dict[str, Any] = {}

    def pull() -> None:
        answer = call(world.url, "GET", "/sync/changes?since=0", token=world.manager.token,
                      timeout=30)
        got["status"], got["at"] = answer.status, time.monotonic()

    thread = threading.Thread(target=pull, daemon=True)
    thread.start()
    return thread, got


def test_a_pull_waits_for_the_push_already_in_hand(world: World) -> None:
    sock, rest = _start_push(world, "Pushed before the pull (fictional)")
    with sock:
        time.sleep(0.2)                                   # the push's head has arrived
        thread, pulled = _pull_in_background(world)
        thread.join(0.8)
        assert pulled == {}, "the pull was answered while a push was still arriving"
        sock.sendall(rest)
        status, pushed_at = _answer_of(sock)
        thread.join(10)
    assert status == 200 and pulled["status"] == 200
    assert pulled["at"] >= pushed_at


def test_a_push_that_never_finishes_arriving_holds_pulls_back_only_so_long(
        world: World) -> None:
    sock, _rest = _start_push(world, "Never finished (fictional)")
    with sock:
        time.sleep(0.2)
        t0 = time.monotonic()
        thread, pulled = _pull_in_background(world)
        thread.join(MAX_WAIT + 8)
        assert pulled.get("status") == 200, "a stalled push held a pull back for good"
        assert pulled["at"] - t0 >= MAX_WAIT - 0.2
