"""The HTTP client the engine talks to the gateway with (stdlib http.client, one kept-alive
connection). gzip request bodies, gzip responses, a timeout on every socket operation, and
errors sorted into what the engine does about them:

    TransportError   the network failed (cut, stalled, refused): try again later
    ServerBusy       429/5xx: try again, after Retry-After if given
    DeviceRevoked    401 device_revoked: wipe this laptop's store
    DeviceRetired    401 device_retired: it has sent what it could; wipe this laptop's store
    NotAuthorised    401 otherwise: enrol again
    Refused          another 4xx: this request will never work as it is

Requests are built and answers read with the protocol's models (`rbsw_desktop.protocol.models`):
an answer that does not fit them is a TransportError ("cannot be read"), never a crash. A
plain `http://` address is refused for anything but this computer (loopback); https verifies
the council's certificate against the OS trust store plus the IT policy's `gateway_ca_file`.
TCP_NODELAY is set on the connection, so a small request is never held back by Nagle.
"""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import ssl
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ValidationError

from rbsw_desktop.deployment import is_loopback
from rbsw_desktop.errors import RbswError
from rbsw_desktop.protocol import (
    API_PREFIX,
    ERROR_HEADER,
    PENDING_HEADER,
    RECEIVED_HEADER,
    UNSENT_HEADER,
    ErrorCode,
)
from rbsw_desktop.protocol.models import (
    BlobProgress,
    ChangesPage,
    EnrolAnswer,
    EnrolRequest,
    PushAnswer,
    PushRequest,
)
from rbsw_desktop.sync.backoff import parse_retry_after
from rbsw_desktop.sync.plain_json import plain_bytes

M = TypeVar("M", bound=BaseModel)

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
UNREACHABLE = ("Could not reach the council system. Your work is safe on this laptop and will "
               "sync when the connection is back.")
UNREADABLE = ("The council system sent an answer this app cannot read. Nothing was changed "
              "here; please tell IT support.")
NOT_HTTPS = ("The council system's address must start with https:// (plain http:// is only "
             "for a gateway on this computer).")


def tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    """The OS trust store, plus the council's own CA when the IT policy names one."""
    context = ssl.create_default_context()
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError):
            raise RbswError(f"The council's certificate file {ca_file} (the IT policy's "
                            "gateway_ca_file) could not be read. Tell IT support.") from None
    return context


class TransportError(RbswError):
    """The connection failed; nothing about the request itself is wrong."""


class ServerBusy(TransportError):
    def __init__(self, message: str, retry_after: float | None = None, status: int = 503) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class DeviceRevoked(RbswError):
    pass


class DeviceRetired(DeviceRevoked):
    """Retired rather than revoked: the council took what this laptop sent before."""


class NotAuthorised(RbswError):
    pass


@dataclass(frozen=True)
class Waiting:
    """What waits on this laptop, as a request tells the gateway: the outbox's records
    (`X-Pending-Ops`, business support's "waiting on laptop") and the records the council
    does not have (`X-Unsent-Records`: the answer telling this laptop to wipe is audited with
    it). Handed to each request as a value, so a request built on a helper thread carries the
    counts it was sent with, whatever the engine has recorded since."""

    pending_ops: int
    unsent_records: int


class Refused(RbswError):
    def __init__(self, message: str, status: int, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class PulledPage:
    """A page of changes as `HttpTransport.changes` read it."""

    page: ChangesPage
    changes: list[Any]
    plain: bool          # its JSON text surely plain: no value in it needs checking one by one


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else {}


class HttpTransport:
    """Talks protocol v1 to one gateway. Not thread-safe: one per sync thread."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 15.0,
                 compress: bool = True, ca_file: str | None = None) -> None:
        parts = urlsplit(base_url.strip().rstrip("/"))
        try:
            parts.port                                   # noqa: B018 (raises when garbled)
        except ValueError:
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RbswError("The gateway address should look like https://gateway.example "
                            "(ask business support for it).")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise RbswError(NOT_HTTPS)
        self.ca_file = ca_file
        self.base_url = base_url.rstrip("/")
        self._scheme, self._host, self._port = parts.scheme, parts.hostname, parts.port
        self._prefix = parts.path.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.compress = compress
        self._conn: http.client.HTTPConnection | None = None
        # Bytes of request/response bodies: as sent on the wire, and as raw JSON.
        self.wire_sent = self.wire_received = self.raw_sent = self.raw_received = 0

    # -- the protocol's calls -----------------------------------------------------------------

    def enrol(self, request: EnrolRequest) -> EnrolAnswer:
        return read_answer(EnrolAnswer, self.call("POST", "/devices", request.model_dump(),
                                            auth=False))

    def push(self, request: PushRequest, *, waiting: Waiting | None = None) -> PushAnswer:
        # Written by pydantic's own encoder: compact UTF-8 JSON like `wire_json` of its dump
        # (for a batch of board items, the same bytes), in a fifth of the time (500: 3 ms).
        return read_answer(PushAnswer, self.call("POST", "/sync/push",
                                                 request.model_dump_json().encode("utf-8"),
                                                 waiting=waiting))

    def changes(self, since: str, limit: int, *,
                waiting: Waiting | None = None) -> PulledPage:
        """A page of changes: its envelope, the changes as sent (each is read on its own, so
        one this laptop cannot read never hides the rest), and whether the page's JSON text
        was surely plain (`plain_json.plain_bytes`: its fields need no value-by-value check)."""
        resp = self.call("GET", f"/sync/changes?since={quote(since)}&limit={int(limit)}",
                         waiting=waiting)
        try:
            raw = resp.json()
            changes = raw.get("changes") if isinstance(raw, dict) else None
            page = ChangesPage.model_validate({**raw, "changes": []})
        except (ValueError, UnicodeDecodeError, TypeError, ValidationError):
            raise TransportError(UNREADABLE) from None
        if not isinstance(changes, list):
            raise TransportError(UNREADABLE)
        return PulledPage(page, changes, plain_bytes(resp.body))

    def blob_received(self, sha256: str, *, waiting: Waiting | None = None) -> int:
        """Bytes of this blob the gateway already holds (0 when none)."""
        try:
            resp = self.call("HEAD", f"/blobs/{sha256}", waiting=waiting)
        except Refused as exc:
            if exc.status == 404:
                return 0
            raise
        return int(resp.headers.get(RECEIVED_HEADER.lower(), "0") or 0)

    def blob_put(self, sha256: str, offset: int, data: bytes, *,
                 waiting: Waiting | None = None) -> BlobProgress:
        return read_answer(BlobProgress, self.call(
            "PUT", f"/blobs/{sha256}?offset={int(offset)}", data,
            content_type="application/octet-stream", waiting=waiting))

    def blob_get(self, sha256: str, *, waiting: Waiting | None = None) -> bytes:
        return self.call("GET", f"/blobs/{sha256}", waiting=waiting).body

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- one request --------------------------------------------------------------------------

    def call(self, method: str, path: str, body: dict[str, Any] | bytes | None = None, *,
             auth: bool = True, content_type: str = "application/json",
             waiting: Waiting | None = None) -> Response:
        headers = {"Accept": "application/json", "Accept-Encoding": "gzip",
                   "User-Agent": "rbsw-desktop/1"}
        if auth and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
            if waiting is not None:
                headers[PENDING_HEADER] = str(max(0, waiting.pending_ops))
                headers[UNSENT_HEADER] = str(max(0, waiting.unsent_records))
        payload: bytes | None = None
        if body is not None:
            raw = body if isinstance(body, bytes) else wire_json(body)
            self.raw_sent += len(raw)
            payload = raw
            if self.compress and content_type == "application/json" and len(raw) > 256:
                payload = gzip.compress(raw, compresslevel=5)
                headers["Content-Encoding"] = "gzip"
            headers["Content-Type"] = content_type
            self.wire_sent += len(payload)
        resp = self._send(method, self._prefix + API_PREFIX + path, payload, headers)
        if resp.status >= 400:
            self._raise_for(resp)
        return resp

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self.timeout,
                    context=tls_context(self.ca_file))
            else:
                self._conn = http.client.HTTPConnection(self._host, self._port,
                                                        timeout=self.timeout)
        return self._conn

    def _send(self, method: str, url: str, payload: bytes | None,
              headers: dict[str, str]) -> Response:
        conn = self._connection()
        try:
            if conn.sock is None:
                conn.connect()
                sock = cast(socket.socket, conn.sock)      # connect() has just set it
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.request(method, url, body=payload, headers=headers)
            raw = conn.getresponse()
            data = raw.read(MAX_RESPONSE_BYTES + 1)     # b"" for HEAD; frees the connection
            status, resp_headers = raw.status, {k.lower(): v for k, v in raw.getheaders()}
            if raw.will_close:
                self.close()
        except ssl.SSLCertVerificationError:
            self.close()
            raise TransportError("The council system's certificate could not be checked, so "
                                 "nothing was sent. Tell IT support.") from None
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise TransportError(UNREACHABLE + f" ({type(exc).__name__})") from None
        if len(data) > MAX_RESPONSE_BYTES:
            self.close()
            raise TransportError("The council system sent far more than expected. "
                                 "Please tell IT support.")
        if "content-length" in resp_headers and method != "HEAD":
            try:
                expected = int(resp_headers["content-length"])
            except ValueError:
                expected = len(data)
            if expected != len(data):
                self.close()
                raise TransportError(UNREACHABLE + " (the answer was cut short)")
        self.wire_received += len(data)
        if resp_headers.get("content-encoding") == "gzip" and data:
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                self.close()
                raise TransportError(UNREACHABLE + " (the answer was damaged)") from None
        self.raw_received += len(data)
        return Response(status, resp_headers, data)

    def _raise_for(self, resp: Response) -> None:
        try:
            info = resp.json()
        except (ValueError, UnicodeDecodeError):
            info = {}
        if not isinstance(info, dict):
            info = {}
        code = str(info.get("error") or resp.headers.get(ERROR_HEADER.lower(), ""))
        message = str(info.get("message", "")) or f"The council system answered {resp.status}."
        if resp.status == 401 and code == ErrorCode.DEVICE_RETIRED:
            raise DeviceRetired(message)
        if resp.status == 401 and code == ErrorCode.DEVICE_REVOKED:
            raise DeviceRevoked(message)
        if resp.status == 401:
            raise NotAuthorised("This laptop is not signed in to the council system any more. "
                                "Ask business support for a new enrolment code.")
        if resp.status == 429 or resp.status >= 500:
            raise ServerBusy("The council system is busy. Sync will try again shortly.",
                             parse_retry_after(resp.headers.get("retry-after")), resp.status)
        raise Refused(message, resp.status, code)


def wire_json(body: Any) -> bytes:
    """A request body as it goes on the wire (before gzip)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def read_answer(model: type[M], resp: Response) -> M:
    try:
        return model.model_validate_json(resp.body or b"{}")
    except ValidationError:
        raise TransportError(UNREADABLE) from None
