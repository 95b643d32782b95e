"""The gateway's production edges, through the real process on both databases: strict input
from the protocol models (nothing a laptop could not store gets in, no bad request is a 5xx),
enrolment that survives a lost answer, HTTPS with the council's own CA, the laptop refusing
plain http:// beyond this computer, and the database commands' plain-words errors."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from rbsw_desktop import deployment
from rbsw_desktop.errors import RbswError
from rbsw_desktop.protocol.models import EnrolRequest
from rbsw_desktop.sync.device import register_device
from rbsw_desktop.sync.transport import HttpTransport, TransportError
from tests.sync.conftest import GATEWAY_CMD, ROOT, GatewayProcess, _env
from tests.sync.faultproxy import Fault, FaultProxy
from tests.sync.gw_world import World, board_item_op, call, push

NONCE = "fictional-nonce-0123456789"


# -- strict input ---------------------------------------------------------------------------

def _raw_push(world: World, text: str) -> Any:
    return call(world.url, "POST", "/sync/push", raw=text.encode("utf-8", "surrogatepass"),
                token=world.sw.token, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("number", [2**70, 2**64, -(2**63) - 1])
def test_a_number_beyond_64_bits_is_rejected_and_never_reaches_a_laptop(
        world: World, module_gateway: Any, number: int) -> None:
    op = board_item_op(world.sw.case_id, "Too far (fictional)", position=number)
    fine = board_item_op(world.sw.case_id, "Fine (fictional)", position=2**62)
    bad, good = push(world.url, world.sw.token, op, fine)
    assert bad["outcome"] == "rejected" and "too large" in bad["reason"]
    assert good["outcome"] == "applied"
    held = {r["id"] for r in module_gateway.records()}
    assert op["id"] not in held and fine["id"] in held


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_not_served_back(world: World, constant: str) -> None:
    op = json.dumps(board_item_op(world.sw.case_id, "x")).replace('"position": 0',
                                                                    f'"position": {constant}')
    answer = _raw_push(world, f'{{"ops": [{op}]}}')
    assert answer.status == 400 and answer.json()["error"] == "bad_request"


def test_a_lone_surrogate_is_refused_in_words(world: World) -> None:
    op = json.dumps(board_item_op(world.sw.case_id, "x")).replace('"text": "x"',
                                                                    '"text": "\\ud800"')
    (result,) = _raw_push(world, f'{{"ops": [{op}]}}').json()["results"]
    assert result["outcome"] == "rejected" and "Unicode" in result["reason"]
    named = json.dumps({"code": "ABCD", "device_name": "\\ud800"}).replace("\\\\", "\\")
    answer = call(world.url, "POST", "/devices", raw=named.encode(),
                  headers={"Content-Type": "application/json"})
    assert 400 <= answer.status < 500


@pytest.mark.parametrize("query", [f"since={2**63}", "since=-1", "limit=1001", "limit=0",
                                   "limit=5000"])
def test_cursors_and_limits_out_of_range_are_400_not_clamped(world: World, query: str) -> None:
    answer = call(world.url, "GET", f"/sync/changes?{query}", token=world.sw.token)
    assert answer.status == 400 and len(answer.json()["message"]) > 5


def test_the_document_is_honest_about_nulls_404_and_405(world: World) -> None:
    doc = call(world.url, "GET", "/openapi.json").json()
    op = doc["components"]["schemas"]["Op"]["properties"]
    assert {"type": "null"} in op["base_rev"]["anyOf"]
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert {"404", "405"} <= set(operation["responses"]), (path, method)
            assert "Allow" in operation["responses"]["405"]["headers"]
            assert "422" not in operation["responses"]
    wrong = call(world.url, "DELETE", "/blobs/" + "a" * 64, token=world.sw.token)
    assert wrong.status == 405 and set(wrong.headers["allow"].split(", ")) == {
        "GET", "HEAD", "PUT"}


# -- enrolment survives a lost answer -------------------------------------------------------

def _enrol(url: str, code: str, nonce: str | None) -> Any:
    return call(url, "POST", "/devices", EnrolRequest(code=code, nonce=nonce).model_dump())


def test_a_retried_enrolment_gets_the_same_device_and_a_fresh_token(
        world: World, module_gateway: Any) -> None:
    code = module_gateway.enrol_code(world.sw.worker_id)
    first = _enrol(world.url, code, NONCE)
    again = _enrol(world.url, code, NONCE)
    assert first.status == again.status == 201
    assert again.json()["device_id"] == first.json()["device_id"]
    assert again.json()["token"] != first.json()["token"]
    # The token the lost answer held is no longer any good; the new one is.
    assert call(world.url, "GET", "/sync/changes", token=first.json()["token"]).status == 401
    assert call(world.url, "GET", "/sync/changes", token=again.json()["token"]).status == 200
    for nonce in (None, "another-nonce-0123456789"):      # anyone else: the code is spent
        refused = _enrol(world.url, code, nonce)
        assert refused.status == 400 and refused.json()["error"] == "invalid_code"


def test_a_retry_long_after_is_refused(world: World, module_gateway: Any) -> None:
    code = module_gateway.enrol_code(world.sw.worker_id)
    assert _enrol(world.url, code, NONCE).status == 201
    module_gateway.sql("UPDATE enrol_codes SET used_at = '2026-01-01T00:00:00.000Z' "
                       "WHERE nonce = :n", {"n": NONCE})
    assert _enrol(world.url, code, NONCE).json()["error"] == "invalid_code"


def test_a_laptop_whose_enrolment_answer_is_cut_is_still_enrolled(
        world: World, module_gateway: Any) -> None:
    code = module_gateway.enrol_code(world.sw.worker_id)
    cuts = {0: Fault("cut_response", 40)}                  # the first answer never arrives
    with FaultProxy(module_gateway.port, lambda n: cuts.get(n, Fault()), lifetime=60) as proxy:
        enrolment = register_device(proxy.url, code, "cut-laptop")
        assert proxy.seen[:2] == ["cut_response", "pass"]
    assert call(world.url, "GET", "/sync/changes", token=enrolment.token).status == 200
    devices = {d["device_id"] for d in call(world.url, "GET", "/pod/devices",
                                            token=world.support.token).json()["devices"]}
    assert enrolment.device_id in devices


# -- HTTPS ----------------------------------------------------------------------------------

def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A fictional council CA and a certificate it signed for 127.0.0.1."""
    now = dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=2)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fictional Council Root CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / "gateway.pem", folder / "gateway.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


def test_https_with_the_councils_own_ca_from_the_it_policy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ca, cert, key = _certificates(tmp_path)
    gw = GatewayProcess(tmp_path / "gw", tls=(cert, key))
    gw.start()
    try:
        assert gw.url.startswith("https://127.0.0.1:")
        pod = gw.pod_add("TLS Pod (fictional)")
        worker = gw.worker_add(pod, "Sam Tlsworker (fictional)", "social_worker")
        policy = tmp_path / "policy.json"
        monkeypatch.setattr(deployment, "policy_path", lambda: policy)
        monkeypatch.delenv("RBSW_POLICY_FILE", raising=False)
        with pytest.raises(RbswError) as untrusted:       # the OS does not know this CA
            register_device(gw.url, gw.enrol_code(worker), "tls-laptop")
        assert "certificate" in str(untrusted.value)
        policy.write_text(json.dumps({"gateway_url": gw.url, "gateway_ca_file": str(ca)}))
        enrolment = register_device(gw.url, gw.enrol_code(worker), "tls-laptop")
        transport = HttpTransport(gw.url, enrolment.token, ca_file=str(ca))
        page = transport.changes("0", 100).page
        assert page.cursor
        transport.close()
    finally:
        gw.stop()


@pytest.mark.parametrize("url", ["http://gateway.council.example", "http://10.0.0.5:8765",
                                 "HTTP://rbsw.example/"])
def test_plain_http_beyond_this_computer_is_refused_in_one_sentence(url: str) -> None:
    for attempt in (lambda: register_device(url, "ABCD-EFGH-JKLM"),
                    lambda: HttpTransport(url, "token")):
        with pytest.raises(RbswError) as refused:
            attempt()
        message = str(refused.value)
        assert "https://" in message and message.count(". ") == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1"])
def test_plain_http_on_loopback_is_allowed(url: str) -> None:
    transport = HttpTransport(url, "token", timeout=1)
    with pytest.raises(TransportError):                  # nothing listens there: offline
        transport.changes("0", 1)


# -- the database commands ------------------------------------------------------------------

def _gateway(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GATEWAY_CMD, *args], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env={**_env(), **(env or {})})


@pytest.mark.parametrize("url", ["mysql://x@127.0.0.1/db", "not a url at all",
                                 "postgresql://sam:hunter2@127.0.0.1:1/rbsw"])
def test_a_wrong_or_unreachable_database_is_one_sentence_and_exit_1(tmp_path: Path,
                                                                    url: str) -> None:
    for command in (["migrate"], ["pod", "add", "X"], ["serve", "--port", "0"]):
        out = _gateway("--data-dir", str(tmp_path), "--database", url, *command)
        assert out.returncode == 1 and out.stdout == "", (command, out.stderr)
        assert out.stderr.startswith("rbsw-gateway: ") and "Traceback" not in out.stderr
        assert out.stderr.strip().count("\n") == 0 and "hunter2" not in out.stderr


def test_serve_on_postgresql_wants_migrate_first(tmp_path: Path, postgres_url: str) -> None:
    env = {"RBSW_GATEWAY_DATABASE": postgres_url}        # the password is not on a command line
    out = _gateway("--data-dir", str(tmp_path), "serve", "--port", "0", "--max-seconds", "3",
                   env=env)
    assert out.returncode == 1 and "migrate" in out.stderr and "Traceback" not in out.stderr
    assert _gateway("--data-dir", str(tmp_path), "migrate", env=env).returncode == 0
    out = _gateway("--data-dir", str(tmp_path), "serve", "--port", "0", "--max-seconds", "2",
                   env=env)
    assert out.returncode == 0 and json.loads(out.stdout.splitlines()[0])["url"]


def test_the_embedded_default_migrates_itself_and_keeps_its_files_private(
        tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    out = _gateway("--data-dir", str(data), "pod", "add", "Private Pod (fictional)")
    assert out.returncode == 0, out.stderr
    assert data.stat().st_mode & 0o777 == 0o700
    for path in data.glob("gateway.sqlite3*"):
        assert path.stat().st_mode & 0o777 == 0o600, path


# -- found in review ------------------------------------------------------------------------

def test_lone_surrogates_in_an_ops_kind_or_id_are_rejected_not_a_500(world: World) -> None:
    for field in ("entity", "id"):
        op = json.dumps(board_item_op(world.sw.case_id, "x"))
        op = op.replace('"entity": "board_item"', '"entity": "\\udc80"') if field == "entity" \
            else op.replace('"id": "', '"id": "\\udc80', 1)
        answer = _raw_push(world, f'{{"ops": [{op}]}}')
        assert answer.status == 200, (field, answer.body[:200])
        assert answer.json()["results"][0]["outcome"] == "rejected"


def test_a_huge_base_rev_is_a_conflict_not_a_stuck_outbox(world: World) -> None:
    op = board_item_op(world.sw.case_id, "Once (fictional)")
    assert push(world.url, world.sw.token, op)[0]["outcome"] == "applied"
    again = {**board_item_op(world.sw.case_id, "Twice (fictional)", rid=op["id"]),
             "base_rev": 2**40}
    (result,) = push(world.url, world.sw.token, again)
    assert result["outcome"] == "conflict" and result["rev"] == 1


def test_an_op_id_twice_in_one_push_gets_the_same_answer_twice(world: World) -> None:
    applied = board_item_op(world.sw.case_id, "Twice in a batch (fictional)")
    refused = {**board_item_op(world.sw.case_id, "x"), "entity": "spaceship"}
    first, second, third, fourth = push(world.url, world.sw.token, applied, applied, refused,
                                        refused)
    assert (first["outcome"], second["outcome"]) == ("applied", "duplicate")
    assert second["rev"] == first["rev"]
    assert third == fourth and third["outcome"] == "rejected"


def test_a_client_that_never_finishes_its_request_head_is_hung_up_on(world: World) -> None:
    import socket
    import time

    from tests.sync.conftest import CLIENT_TIMEOUT

    host, port = world.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=CLIENT_TIMEOUT + 5) as sock:
        sock.sendall(b"GET /api/v1/sync/changes HTTP/1.1\r\nHost: x\r\n")   # and no more
        t0 = time.monotonic()
        assert sock.recv(65536) == b""                      # the gateway closed it
        assert time.monotonic() - t0 <= CLIENT_TIMEOUT + 3


def test_head_of_the_document_still_answers(world: World) -> None:
    assert call(world.url, "HEAD", "/openapi.json").status == 200


def test_a_certificate_that_is_not_one_is_one_sentence_before_any_address(
        tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("not a certificate")
    key.write_text("not a key")
    out = _gateway("--data-dir", str(tmp_path / "gw"), "serve", "--port", "0",
                   "--tls-cert", str(cert), "--tls-key", str(key))
    assert out.returncode == 1 and out.stdout == ""
    assert "TLS certificate" in out.stderr and "Traceback" not in out.stderr


def test_admin_commands_on_an_unmigrated_postgresql_refuse(tmp_path: Path,
                                                           postgres_url: str) -> None:
    env = {"RBSW_GATEWAY_DATABASE": postgres_url}
    out = _gateway("--data-dir", str(tmp_path), "pod", "add", "X (fictional)", env=env)
    assert out.returncode == 1 and "migrate" in out.stderr


def test_workers_stop_when_their_supervisor_is_killed(tmp_path: Path) -> None:
    proc = subprocess.Popen([*GATEWAY_CMD, "--data-dir", str(tmp_path), "serve", "--port", "0",
                             "--workers", "2", "--max-seconds", "60"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=ROOT, env=_env())
    try:
        _kill_the_supervisor_of(proc)
    finally:
        if proc.poll() is None:
            proc.kill()


def _kill_the_supervisor_of(proc: subprocess.Popen[bytes]) -> None:
    import signal
    import time

    assert proc.stdout is not None
    url = json.loads(proc.stdout.readline())["url"]
    deadline = time.monotonic() + 30
    while True:                            # both workers up
        try:
            if call(url, "GET", "/openapi.json", timeout=2).status == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "the gateway never answered"
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while True:                            # the orphaned workers let go of the port
        try:
            call(url, "GET", "/openapi.json", timeout=1)
        except OSError:
            break
        assert time.monotonic() < deadline, "workers still serving after their supervisor died"
        time.sleep(0.2)
