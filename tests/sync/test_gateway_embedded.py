"""The demo gateway `rbsw-desktop --demo` starts: a real process on loopback holding a fictional
pod, with records waiting to be filed, that stops when asked."""

from __future__ import annotations

from pathlib import Path

from rbsw_desktop.gateway.embedded import demo_enrol_code, start_local_gateway
from tests.sync.gw_world import call, enrol, pull_all


def test_the_demo_gateway_holds_a_fictional_pod_and_stops_when_asked(tmp_path: Path) -> None:
    url, stop = start_local_gateway(tmp_path / "gw", seed_demo=True)
    try:
        assert url.startswith("http://127.0.0.1:")
        worker = enrol(url, demo_enrol_code(tmp_path / "gw", "social_worker"))
        seen = pull_all(url, worker["token"])
        children = sorted(c["fields"]["name"] for c in seen.values() if c["entity"] == "child")
        assert children == ["Ada Fictional", "Ben Example"]
        assert worker["pod"]["name"] == "Demo Pod (fictional)"
        support = enrol(url, demo_enrol_code(tmp_path / "gw", "business_support"))
        unfiled = call(url, "GET", "/pod/unfiled", token=support["token"]).json()["records"]
        assert len(unfiled) == 3 and all("(fictional)" in r["fields"]["observations"]
                                        for r in unfiled)
    finally:
        stop()
    assert _refused_connection(url)
    # Started again on the same data: the same pod, not a second one.
    url, stop = start_local_gateway(tmp_path / "gw", seed_demo=True)
    try:
        support = enrol(url, demo_enrol_code(tmp_path / "gw", "business_support"))
        pods = [c for c in pull_all(url, support["token"]).values() if c["entity"] == "pod"]
        assert len(pods) == 1
    finally:
        stop()
    # Nothing of the council's copy is readable by another user of the laptop.
    gw = tmp_path / "gw"
    assert gw.stat().st_mode & 0o777 == 0o700
    for path in gw.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path


def _refused_connection(url: str) -> bool:
    try:
        call(url, "GET", "/openapi.json", timeout=2)
    except OSError:
        return True
    return False
