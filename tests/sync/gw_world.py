"""Raw HTTP against the real gateway process (urllib, no engine), and a small fictional world:
two pods, workers of every kind, a case each, enrolled devices. For the test_gateway_* tests."""

from __future__ import annotations

import gzip
import hashlib
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from rbsw_desktop.protocol import MAX_BLOB_CHUNK

API = "/api/v1"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


def call(url: str, method: str, path: str, body: Any = None, *, token: str | None = None,
         raw: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = 5.0) -> Answer:
    """One request. `body` is sent as JSON; `raw` as it is. 4xx/5xx are returned, not raised."""
    hdrs = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        hdrs.setdefault("Content-Type", "application/json")
    if token is not None:
        hdrs["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url + API + path, data=data, method=method,  # noqa: S310
                                 headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (loopback)
            payload = resp.read()
            got = {k.lower(): v for k, v in resp.getheaders()}
            status = resp.status
    except urllib.error.HTTPError as exc:
        payload, got, status = exc.read(), {k.lower(): v for k, v in exc.headers.items()}, \
            exc.code
    if got.get("content-encoding") == "gzip":
        payload = gzip.decompress(payload)
    return Answer(status, got, payload)


def enrol(url: str, code: str, name: str = "test-laptop") -> dict[str, Any]:
    answer = call(url, "POST", "/devices", {"code": code, "device_name": name})
    assert answer.status == 201, answer.body
    return answer.json()


AT = "2026-11-24T10:00:00.000Z"


def _op(entity: str, rid: str | None, base_rev: int | None,
        fields: dict[str, Any]) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "entity": entity, "id": rid or str(uuid.uuid4()),
            "base_rev": base_rev, "deleted": False, "at": AT,
            "fields": {"updated_at": AT, **fields}}


def board_item_op(case_id: str, text: str, *, rid: str | None = None,
                  base_rev: int | None = None, **fields: Any) -> dict[str, Any]:
    return _op("board_item", rid, base_rev,
               {"case_id": case_id, "zone": "amber", "text": text, "raised_by": "family",
                "shareable": True, "position": 0, **fields})


def visit_op(case_id: str, observations: str, *, rid: str | None = None,
             base_rev: int | None = None, **fields: Any) -> dict[str, Any]:
    """A draft visit note (what business support files)."""
    return _op("visit", rid, base_rev, {"case_id": case_id, "status": "draft", "visited_at": AT,
                                        "observations": observations, **fields})


def activity_op(case_id: str, tool: str, content: dict[str, Any], *, rid: str | None = None,
                base_rev: int | None = None, **fields: Any) -> dict[str, Any]:
    """A direct-work activity with its drawings, maps or scores."""
    return _op("direct_work_activity", rid, base_rev,
               {"case_id": case_id, "tool": tool, "held_on": AT[:10], "content": content,
                **fields})


OCTETS = {"Content-Type": "application/octet-stream"}


def upload(url: str, token: str, data: bytes) -> str:
    """Send `data` in chunks; its SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    for offset in range(0, len(data), MAX_BLOB_CHUNK):
        answer = call(url, "PUT", f"/blobs/{sha}?offset={offset}",
                      raw=data[offset:offset + MAX_BLOB_CHUNK], token=token, headers=OCTETS)
        assert answer.status == 200, answer.body
    assert answer.json() == {"received": len(data), "complete": True}
    return sha


def push(url: str, token: str, *ops: dict[str, Any]) -> list[dict[str, Any]]:
    answer = call(url, "POST", "/sync/push", {"ops": list(ops)}, token=token)
    assert answer.status == 200, answer.body
    return answer.json()["results"]


def pull_all(url: str, token: str, limit: int = 1000) -> dict[str, dict[str, Any]]:
    """Every change in the caller's scope, by record id (pages followed by cursor)."""
    out: dict[str, dict[str, Any]] = {}
    cursor = "0"
    for _ in range(100):
        answer = call(url, "GET", f"/sync/changes?since={cursor}&limit={limit}", token=token)
        assert answer.status == 200, answer.body
        page = answer.json()
        for change in page["changes"]:
            out[change["id"]] = change
        cursor = page["cursor"]
        if not page["more"]:
            return out
    raise AssertionError("the pull never finished")


@dataclass
class Person:
    worker_id: str
    token: str
    device_id: str
    case_id: str = ""


@dataclass
class World:
    url: str
    pod_a: str
    pod_b: str
    sw: Person                 # social worker, pod A, case sw.case_id
    sw2: Person                # another social worker, pod A, their own case
    manager: Person            # pod manager, pod A
    support: Person            # business support officer, pod A
    other: Person              # social worker in pod B
    extra: dict[str, Any] = field(default_factory=dict)


def _person(gateway: Any, pod: str, name: str, role: str, child: str = "") -> Person:
    worker = gateway.worker_add(pod, name, role)
    case = gateway.case_add(worker, child) if child else ""
    enrolled = enrol(gateway.url, gateway.enrol_code(worker), f"{role}-laptop")
    return Person(worker, enrolled["token"], enrolled["device_id"], case)


def make_world(gateway: Any) -> World:
    pod_a = gateway.pod_add("North Pod (fictional)")
    pod_b = gateway.pod_add("South Pod (fictional)")
    return World(
        gateway.url, pod_a, pod_b,
        sw=_person(gateway, pod_a, "Sam Testworker (fictional)", "social_worker", "Ada Fictional"),
        sw2=_person(gateway, pod_a, "Nia Newqualified (fictional)", "nqsw", "Ben Example"),
        manager=_person(gateway, pod_a, "Pat Podmanager (fictional)", "pod_manager"),
        support=_person(gateway, pod_a, "Bea Business (fictional)", "business_support"),
        other=_person(gateway, pod_b, "Olu Otherpod (fictional)", "social_worker",
                      "Cara Elsewhere"),
    )

