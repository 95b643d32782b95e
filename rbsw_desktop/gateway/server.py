"""The gateway's HTTP front: stdlib ThreadingHTTPServer, HTTP/1.1 keep-alive, JSON bodies
(gzip accepted and offered), bounded request bodies (also after decompression), a socket
timeout for slow clients, and an audit row for every request (who, what, when; no content).

Bad input always gets a 4xx with `{"error", "message"}`; nothing a client sends should ever
produce a 500 or keep a thread waiting longer than the client timeout.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from rbsw_desktop.gateway.blobs import BlobStore
from rbsw_desktop.gateway.openapi import openapi_document
from rbsw_desktop.gateway.repository import Caller, GatewayRepository
from rbsw_desktop.gateway.service import GatewayService, now_iso
from rbsw_desktop.gateway.support import SupportView
from rbsw_desktop.gateway.validate import ApiError, bad_request
from rbsw_desktop.sync.protocol import (
    API_PREFIX,
    ERROR_HEADER,
    MAX_BLOB_CHUNK,
    MAX_BODY_BYTES,
    ErrorCode,
)

log = logging.getLogger(__name__)

GZIP_MIN = 512
DRAIN_LIMIT = 4 * MAX_BODY_BYTES        # read and discard up to this much of a refused body
BLOB_RE = re.compile(rf"^{API_PREFIX}/blobs/([^/]+)$")
FILED_RE = re.compile(rf"^{API_PREFIX}/pod/records/([^/]+)/filed$")


@dataclass
class GatewayApp:
    repo: GatewayRepository
    data_dir: Path
    test_faults: bool = False

    def __post_init__(self) -> None:
        self.service = GatewayService(self.repo)
        self.blobs = BlobStore(self.repo, self.data_dir)
        self.support = SupportView(self.repo)
        self.openapi = json.dumps(openapi_document()).encode("utf-8")


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], app: GatewayApp,
                 client_timeout: float = 15.0) -> None:
        self.app = app
        handler = type("BoundHandler", (Handler,), {"timeout": client_timeout})
        super().__init__(address, handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def _gunzip(data: bytes) -> bytes:
    """Decompress at most MAX_BODY_BYTES; a body that would grow beyond it is refused (413)."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, MAX_BODY_BYTES + 1)
    except zlib.error:
        raise bad_request("The request said it was gzip-compressed but it is not.") from None
    if len(out) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        raise ApiError(413, ErrorCode.TOO_LARGE.value,
                       "The request is too large once unpacked. Send fewer changes at a time.")
    if not inflater.eof:
        raise bad_request("The compressed request was cut short.")
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rbsw-gateway/1"
    sys_version = ""
    server: GatewayServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib's name)
        log.debug("http %s", format % args)

    def do_GET(self) -> None:  # noqa: N802 (stdlib's names)
        self._dispatch("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    # -- one request --------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        app = self.server.app
        caller: Caller | None = None
        route, target, count, status = "?", "", 0, 500
        try:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            route = path[len(API_PREFIX):] if path.startswith(API_PREFIX) else path
            if path == f"{API_PREFIX}/openapi.json" and method in ("GET", "HEAD"):
                self._read_body(0)
                status = 200
                self._send(200, app.openapi, "application/json", head=method == "HEAD")
                return
            blob = BLOB_RE.match(path)
            raw = self._read_body(MAX_BLOB_CHUNK if blob else MAX_BODY_BYTES)
            if app.test_faults:
                fault = app.repo.take_fault()
                if fault is not None:
                    code = ErrorCode.RATE_LIMITED if fault[0] == 429 else ErrorCode.UNAVAILABLE
                    headers = {} if fault[1] is None else {"Retry-After": f"{fault[1]:g}"}
                    raise ApiError(fault[0], code.value, "The council system is busy (test).",
                                   headers)
            if path == f"{API_PREFIX}/devices" and method == "POST":
                answer = app.service.enrol(self._json(raw))
                caller_id = answer["device_id"]
                target, status = caller_id, 201
                self._send_json(201, answer)
                return
            caller = app.service.authenticate(self.headers.get("Authorization"))
            pending = self._pending()
            status, body, target, count = self._route(method, path, query, raw, caller, pending,
                                                      blob)
            if isinstance(body, bytes):
                self._send(status, body, "application/octet-stream")
            elif method == "HEAD":
                self._send(status, b"", "application/json", head=True,
                           headers={"X-Received": str(body["received"])})
            else:
                self._send_json(status, body)
        except ApiError as exc:
            status = exc.status
            self._send_error(exc)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            status = 499
        except Exception as exc:  # noqa: BLE001 (the last line of defence: answer, never hang)
            log.error("gateway: unexpected %s on %s %s", type(exc).__name__, method, route)
            status = 500
            self._send_error(ApiError(500, "internal", "The council system had a problem. "
                                      "Your work is safe on your laptop; sync will try again."))
        finally:
            self._audit(caller, method, route, target, count, status)

    def _route(self, method: str, path: str, query: dict[str, list[str]], raw: bytes,
               caller: Caller, pending: int | None, blob: re.Match[str] | None,
               ) -> tuple[int, Any, str, int]:
        app = self.server.app

        def q(name: str) -> str | None:
            return query.get(name, [None])[0]

        if blob:
            sha = blob.group(1)
            if method == "HEAD":
                return 200, {"received": app.blobs.received(caller, sha)}, sha, 0
            if method == "PUT":
                answer = app.blobs.put(caller, sha, q("offset"), raw)
                return 200, answer, sha, len(raw)
            if method == "GET":
                data = app.blobs.get(caller, sha)
                return 200, data, sha, len(data)
        elif path == f"{API_PREFIX}/sync/push" and method == "POST":
            answer = app.service.push(caller, self._json(raw), pending)
            return 200, answer, "", len(answer["results"])
        elif path == f"{API_PREFIX}/sync/changes" and method == "GET":
            answer = app.service.changes(caller, q("since"), q("limit"), pending)
            return 200, answer, answer["cursor"], len(answer["changes"])
        elif path == f"{API_PREFIX}/pod/devices" and method == "GET":
            answer = app.support.devices(caller)
            return 200, answer, "", len(answer["devices"])
        elif path == f"{API_PREFIX}/pod/workers" and method == "GET":
            answer = app.support.workers(caller)
            return 200, answer, "", len(answer["workers"])
        elif path == f"{API_PREFIX}/pod/unfiled" and method == "GET":
            answer = app.support.unfiled(caller, q("limit"))
            return 200, answer, "", len(answer["records"])
        elif path == f"{API_PREFIX}/pod/problems" and method == "GET":
            answer = app.support.problems(caller, q("limit"))
            return 200, answer, "", len(answer["conflicts"]) + len(answer["failures"])
        elif (filed := FILED_RE.match(path)) and method == "POST":
            answer = app.support.file_record(caller, filed.group(1), self._json(raw))
            return 200, answer, answer["id"], 1
        raise ApiError(404, ErrorCode.NOT_FOUND.value, "There is no such address on the "
                       "council system.")

    # -- bodies -------------------------------------------------------------------------------

    def _read_body(self, limit: int) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise ApiError(411, ErrorCode.BAD_REQUEST.value,
                           "Send the request with a Content-Length.")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise bad_request("The request's Content-Length is not a number.")
        if length > limit:
            self._drain(length)
            raise ApiError(413, ErrorCode.TOO_LARGE.value,
                           "The request is too large. Send fewer changes at a time.")
        data = self.rfile.read(length)
        if len(data) < length:
            raise ConnectionError("client sent less than it said")
        encoding = (self.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding == "gzip":
            return _gunzip(data)
        if encoding != "identity":
            raise ApiError(415, ErrorCode.BAD_REQUEST.value,
                           "Only gzip-compressed or plain requests are understood.")
        return data

    def _drain(self, length: int) -> None:
        """Read and drop a refused body so the answer reaches the client; too big: hang up."""
        self.close_connection = True
        if length > DRAIN_LIMIT:
            return
        left = length
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                return
            left -= len(chunk)

    def _json(self, raw: bytes) -> Any:
        if not raw:
            raise bad_request("The request has no body; it should be JSON.")
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise bad_request("The request is not valid JSON.") from None

    def _pending(self) -> int | None:
        value = self.headers.get("X-Pending-Ops")
        if value is None:
            return None
        try:
            return max(0, min(int(value), 10**9))
        except ValueError:
            return None

    # -- answers ------------------------------------------------------------------------------

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """http.server's own refusals (garbled request line, huge URL or headers), as JSON."""
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.0"      # always answer with a status line + headers
        status = code if 400 <= code < 600 else 400
        error = ErrorCode.TOO_LARGE if status in (413, 414, 431) else ErrorCode.BAD_REQUEST
        if status == 501:
            status, error = 405, ErrorCode.BAD_REQUEST
        words = ("The request could not be read by the council system"
                 f"{f' ({message})' if message else ''}.")
        self._send_error(ApiError(status, error.value, words))

    def _send_error(self, exc: ApiError) -> None:
        # The code in a header too: a HEAD answer has no body, and a revoked laptop must still
        # learn that it is revoked from one.
        headers = {**(exc.headers or {}), ERROR_HEADER: exc.code}
        try:
            self._send_json(exc.status, {"error": exc.code, "message": exc.message},
                            headers=headers)
        except OSError:
            self.close_connection = True

    def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._send(status, body, "application/json", headers=headers)

    def _send(self, status: int, body: bytes, content_type: str, *, head: bool = False,
              headers: dict[str, str] | None = None) -> None:
        head = head or getattr(self, "command", None) == "HEAD"   # a HEAD answer has no body
        if head:
            body = b""
        request_headers = getattr(self, "headers", None)
        accept = (request_headers.get("Accept-Encoding") if request_headers else None) or ""
        gzipped = (content_type == "application/json" and len(body) > GZIP_MIN
                   and "gzip" in accept.lower())
        if gzipped:
            packer = zlib.compressobj(5, zlib.DEFLATED, 31)
            body = packer.compress(body) + packer.flush()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _audit(self, caller: Caller | None, method: str, route: str, target: str, count: int,
               status: int) -> None:
        try:
            with self.server.app.repo.transaction():
                self.server.app.repo.audit(
                    now_iso(), caller.device_id if caller else None,
                    caller.worker_id if caller else None, f"{method} {route[:80]}",
                    target[:100], count, status)
        except Exception as exc:  # noqa: BLE001 (an audit failure is logged, never hidden)
            log.error("gateway: audit write failed (%s)", type(exc).__name__)


def serve(app: GatewayApp, host: str, port: int, *, max_seconds: float | None = None,
          client_timeout: float = 15.0, ready: Any = None, stop_when: Any = None) -> None:
    """Serve until shut down (SIGTERM/SIGINT), or until `max_seconds` have passed, or until
    `stop_when()` (polled every second) says so."""
    server = GatewayServer((host, port), app, client_timeout)
    if ready is not None:
        ready(server.url)
    timer = None
    if max_seconds:
        timer = threading.Timer(max_seconds, server.shutdown)
        timer.daemon = True
        timer.start()
    if stop_when is not None:
        def watch() -> None:
            while not stop_when():
                time.sleep(1.0)
            server.shutdown()
        threading.Thread(target=watch, daemon=True).start()
    log.info("gateway serving on %s (started %s)", server.url, now_iso())
    try:
        server.serve_forever(poll_interval=0.25)
    finally:
        if timer is not None:
            timer.cancel()
        server.server_close()
