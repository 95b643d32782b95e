"""Bad input never gets a 500 or a hang from the real gateway process: malformed JSON, wrong
types, unknown entities, missing fields, huge bodies, gzip bombs and slow clients all get a
prompt 4xx with a reason (or, inside a push, a `rejected` op with a reason)."""

from __future__ import annotations

import gzip
import json
import socket
import time
import zlib
from typing import Any

import pytest

from rbsw_desktop.protocol import MAX_BLOB_CHUNK, MAX_BODY_BYTES
from tests.sync.conftest import CLIENT_TIMEOUT
from tests.sync.gw_world import (
    World,
    activity_op,
    board_item_op,
    call,
    push,
)

QUICK = 3.0          # seconds: every refusal below must come at least this fast


def _refused(answer: Any, status: int | tuple[int, ...] = 400) -> dict[str, Any]:
    statuses = status if isinstance(status, tuple) else (status,)
    assert answer.status in statuses, (answer.status, answer.body[:200])
    info = answer.json()
    assert info["error"] and len(info["message"]) > 10
    return info


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe\x00", b"[1, 2, 3]", b"null",
                                 b'{"ops": "all of them"}', b'{"ops": [1, 2]}',
                                 b'{"ops": [{"entity": "board_item"}]}',
                                 b"[" * 100_000 + b"]" * 100_000, b""])
def test_malformed_push_bodies_get_400_with_a_reason(world: World, raw: bytes) -> None:
    answer = call(world.url, "POST", "/sync/push", raw=raw, token=world.sw.token,
                  headers={"Content-Type": "application/json"}, timeout=QUICK)
    assert _refused(answer)["error"] == "bad_request"


@pytest.mark.parametrize("body", [{"code": 12345}, {"code": None}, {"code": ["a"]},
                                  {"device_name": "x"}, {"code": "ABCD", "device_name": 7}])
def test_malformed_enrolments_get_400(world: World, body: dict[str, Any]) -> None:
    _refused(call(world.url, "POST", "/devices", body, timeout=QUICK))


def test_each_bad_op_is_rejected_with_its_reason_and_the_good_one_applies(
        world: World, module_gateway: Any) -> None:
    case = world.sw.case_id
    good = board_item_op(case, "Fine (fictional)")
    bad = {
        "unknown entity": {**board_item_op(case, "x"), "entity": "spaceship"},
        "wrong base_rev": {**board_item_op(case, "x"), "base_rev": "1"},
        "fields a list": {**board_item_op(case, "x"), "fields": ["text"]},
        "deleted text": {**board_item_op(case, "x"), "deleted": "yes"},
        "missing zone": board_item_op(case, "x", zone=None),
        "bad zone": board_item_op(case, "x", zone="purple"),
        "position a word": board_item_op(case, "x", position="first"),
        "no case": {**board_item_op(case, "x"), "fields": {"zone": "red", "text": "x"}},
        "bad id": {**board_item_op(case, "x"), "id": "../../etc/passwd"},
        "bad sha": {"op_id": "op-att-bad", "entity": "attachment", "id": "att-bad",
                    "base_rev": None, "fields": {"owner_id": "o", "case_id": case,
                                                 "sha256": "nope", "media_type": "image/png",
                                                 "size": 3}},
        "bad turn": {"op_id": "op-att-turn", "entity": "attachment", "id": "att-turn",
                     "base_rev": None, "fields": {"owner_id": "o", "case_id": case,
                                                  "sha256": "a" * 64, "media_type": "image/png",
                                                  "size": 3, "rotation": 45}},
    }
    del bad["missing zone"]["fields"]["zone"]
    t0 = time.monotonic()
    results = push(world.url, world.sw.token, good, *bad.values())
    assert time.monotonic() - t0 < QUICK
    assert results[0]["outcome"] == "applied"
    for name, result in zip(bad, results[1:], strict=True):
        assert result["outcome"] == "rejected", name
        assert len(result["reason"]) > 5, name
    assert results[list(bad).index("bad turn") + 1]["reason"] == \
        "`rotation` should be 0, 90, 180 or 270"
    held = {r["id"] for r in module_gateway.records()}
    assert good["id"] in held and not {op["id"] for op in bad.values()} & held


def test_a_body_over_the_limit_gets_413(world: World) -> None:
    raw = b"{" + b" " * MAX_BODY_BYTES + b"}"
    answer = call(world.url, "POST", "/sync/push", raw=raw, token=world.sw.token, timeout=10)
    assert _refused(answer, 413)["error"] == "too_large"


def test_a_gzip_bomb_gets_413_and_a_broken_gzip_400(world: World) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    spaces = b" " * (1024 * 1024)
    bomb = packer.compress(b'{"ops": [') + b"".join(packer.compress(spaces) for _ in range(64))
    bomb += packer.compress(b"]}") + packer.flush()         # 64 MB of JSON once unpacked
    assert len(bomb) < 1024 * 1024
    t0 = time.monotonic()
    answer = call(world.url, "POST", "/sync/push", raw=bomb, token=world.sw.token,
                  headers={"Content-Encoding": "gzip"}, timeout=QUICK)
    assert _refused(answer, 413)["error"] == "too_large"
    assert time.monotonic() - t0 < QUICK
    broken = call(world.url, "POST", "/sync/push", raw=b"\x1f\x8b not really gzip",
                  token=world.sw.token, headers={"Content-Encoding": "gzip"}, timeout=QUICK)
    _refused(broken)
    cut = gzip.compress(json.dumps({"ops": []}).encode())[:-6]
    _refused(call(world.url, "POST", "/sync/push", raw=cut, token=world.sw.token,
                  headers={"Content-Encoding": "gzip"}, timeout=QUICK))
    _refused(call(world.url, "POST", "/sync/push", raw=b"{}", token=world.sw.token,
                  headers={"Content-Encoding": "br"}, timeout=QUICK), 415)


def test_too_many_ops_in_one_push_gets_413(world: World) -> None:
    ops = [board_item_op(world.sw.case_id, "x") for _ in range(501)]
    answer = call(world.url, "POST", "/sync/push", {"ops": ops}, token=world.sw.token)
    _refused(answer, 413)


@pytest.mark.parametrize("query", ["since=abc", "since=-5", "limit=0", "limit=ten",
                                   "since=1e9999"])
def test_bad_pull_parameters_get_400(world: World, query: str) -> None:
    _refused(call(world.url, "GET", f"/sync/changes?{query}", token=world.sw.token,
                  timeout=QUICK))


def test_bad_blob_requests_get_4xx(world: World) -> None:
    _refused(call(world.url, "PUT", "/blobs/not-a-sha?offset=0", raw=b"x", token=world.sw.token))
    sha = "a" * 64
    _refused(call(world.url, "PUT", f"/blobs/{sha}?offset=zero", raw=b"x", token=world.sw.token))
    _refused(call(world.url, "PUT", f"/blobs/{sha}?offset=0", raw=b"x" * (MAX_BLOB_CHUNK + 1),
                  token=world.sw.token), 413)
    _refused(call(world.url, "GET", "/nowhere", token=world.sw.token), 404)
    _refused(call(world.url, "POST", f"/pod/records/{sha}/filed", raw=b"[]",
                  token=world.support.token))


def _raw_request(url: str, data: bytes) -> tuple[socket.socket, float]:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=CLIENT_TIMEOUT + 5)
    sock.sendall(data)
    return sock, time.monotonic()


def _read_answer(sock: socket.socket) -> bytes:
    """The whole answer: the gateway closes each refused connection, so read to the end (one
    recv() may hold only the head)."""
    sock.settimeout(QUICK)
    got = b""
    while chunk := sock.recv(65536):
        got += chunk
    return got


def test_a_slow_client_is_dropped_and_does_not_block_others(world: World) -> None:
    sock, t0 = _raw_request(world.url, (
        "POST /api/v1/sync/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {world.sw.token}\r\nContent-Length: 1000\r\n\r\n"
        '{"ops": [').encode())
    # Meanwhile the gateway answers everyone else at once.
    answer = call(world.url, "GET", "/sync/changes", token=world.manager.token, timeout=QUICK)
    assert answer.status == 200
    with sock:
        got = sock.recv(65536)                # the gateway hangs up on the silent client
    waited = time.monotonic() - t0
    assert CLIENT_TIMEOUT - 1 <= waited <= CLIENT_TIMEOUT + 4
    assert b" 500 " not in got


@pytest.mark.parametrize("head", [
    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "Content-Length: -4\r\n\r\n",
    "Content-Length: lots\r\n\r\n",
])
def test_requests_without_a_usable_length_are_refused(world: World, head: str) -> None:
    sock, _ = _raw_request(world.url, (
        f"POST /api/v1/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {world.sw.token}"
        f"\r\n{head}").encode())
    with sock:
        got = _read_answer(sock)
    status = int(got.split(b" ", 2)[1])
    assert 400 <= status < 500 and b'"message"' in got


def test_nothing_above_produced_a_500(world: World, module_gateway: Any) -> None:
    rows = json.loads(module_gateway.admin("audit", "--limit", "100000", "--json"))
    assert rows and not [r for r in rows if r["status"] >= 500]


@pytest.mark.parametrize("request_text, status", [
    ("GARBAGE\r\n\r\n", 400),
    ("GET /api/v1/sync/changes HTTP/9.9\r\n\r\n", 505),
    ("GET /" + "a" * 70_000 + " HTTP/1.1\r\n\r\n", 414),
    ("PATCH /api/v1/sync/push HTTP/1.1\r\nHost: x\r\n\r\n", 405),
])
def test_garbled_requests_get_a_json_refusal(world: World, request_text: str,
                                             status: int) -> None:
    sock, _ = _raw_request(world.url, request_text.encode())
    with sock:
        got = _read_answer(sock)
    assert int(got.split(b" ", 2)[1]) == status
    body = json.loads(got.split(b"\r\n\r\n", 1)[1])
    assert body["error"] and body["message"]


def test_direct_work_content_is_checked_at_the_council_too(world: World,
                                                          module_gateway: Any) -> None:
    """A laptop that skips the checks (or an old one) cannot leave a map to nobody or a score
    of 11 in the legal copy: the gateway uses the same rules as the laptop, in the same words."""
    case = world.sw.case_id
    good = activity_op(case, "scaling", {"scales": [{"person": "Child", "score": 7}]})
    eleven = activity_op(case, "scaling", {"scales": [{"person": "Child", "score": 11}]})
    nobody = activity_op(case, "ecomap", {"ecomap": {"people": [], "links": [
        {"person_id": "ghost", "strength": "weak", "support": "both"}]}})
    results = push(world.url, world.sw.token, good, eleven, nobody)
    assert [r["outcome"] for r in results] == ["applied", "rejected", "rejected"]
    assert "whole number from 0 to 10" in results[1]["reason"]
    assert "not on it" in results[2]["reason"]
    held = {r["id"] for r in module_gateway.records()}
    assert good["id"] in held and eleven["id"] not in held and nobody["id"] not in held
