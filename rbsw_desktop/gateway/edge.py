"""The gateway's edge, as ASGI middleware in front of the API: what every request goes through
before a route sees it, and every answer after.

- HTTP/1.0 and 1.1 only (505 otherwise).
- A request body needs a Content-Length (411 for chunked); it is read whole, bounded (413, also
  after gunzip: a gzip bomb is cut off at the limit), within the client timeout (a client that
  goes silent mid-request gets 408 and is hung up on), and handed to the app decoded.
- JSON answers are gzip-compressed when the client accepts it.
- One audit row per request (who, which device, the client's address, what, when, the answer;
  never content). A route that serves writes its row in the same transaction as its work
  (`deps.audited`); a refusal, which serves nothing, is audited here just before its answer
  leaves, naming the device its token belongs to, if any. A request uvicorn could not even read
  (a garbled head, a head too large, one that never finished: `http11`) reaches this edge as an
  `UNREADABLE` event and is audited too. The answer that tells a laptop to wipe itself
  (`device_revoked`, `device_retired`) is audited with target `wipe` and, as its count, the
  records the laptop said it held unsent (`X-Unsent-Records`): what its wipe destroys.
- The last line of defence: an unexpected error is a 500 in the protocol's shape, never a hang.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import re
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeVar

import anyio

from rbsw_desktop.domain.instants import utc_now
from rbsw_desktop.gateway.errors import ApiError, bad_request, too_large
from rbsw_desktop.gateway.repository import Caller, GatewayRepository
from rbsw_desktop.gateway.service import GatewayService
from rbsw_desktop.protocol import (
    API_PREFIX,
    ERROR_HEADER,
    MAX_BLOB_CHUNK,
    MAX_BODY_BYTES,
    UNSENT_HEADER,
    ErrorCode,
)

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
T = TypeVar("T")

GZIP_MIN = 512
DRAIN_LIMIT = 4 * MAX_BODY_BYTES        # read and drop up to this much of a refused body
BLOB_PATH = re.compile(rf"^{API_PREFIX}/blobs/[^/]+$")
#: The ASGI event `http11` sends for a request it answered itself, unread: its scope has
#: `client`, `status` and `action`.
UNREADABLE = "rbsw.unreadable"
#: Answers that tell a laptop to wipe its store.
WIPE_CODES = frozenset({ErrorCode.DEVICE_REVOKED.value, ErrorCode.DEVICE_RETIRED.value})


def error_body(exc: ApiError) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    body = json.dumps({"error": exc.code, "message": exc.message}).encode("utf-8")
    headers = [(b"content-type", b"application/json"),
               (ERROR_HEADER.lower().encode(), exc.code.encode())]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1"))
                for k, v in exc.headers.items()]
    return body, headers


#: The most requests whose work one SQLite commit takes (`DatabaseWork`): the first of them
#: waits for the others' work before its answer leaves.
MAX_GROUP = 64
#: The threads a gateway process runs its PostgreSQL work on. Each spends most of a request
#: waiting on the database, but its Python takes turns with every other thread on one lock
#: (the GIL): with anyio's default of 40 a sync cost about a tenth more CPU than with 8, a
#: fifth more than with 4, and pushes waited the longer. 8 leaves room for requests waiting
#: on a pod's lock. A request beyond these waits its turn on the loop.
DATABASE_THREADS = 8
NOT_SAVED = ("The council system could not save this just now. Your work is safe on your "
             "laptop; sync will try again.")


class DatabaseWork:
    """Runs a request's database work where it belongs, and says when its answer may leave.

    PostgreSQL: on one of `DATABASE_THREADS` threads. There requests wait on the network,
    pods commit in parallel, and the server shares one flush of its log among the commits
    that come together.

    SQLite (`one_at_a_time`): on the event loop's thread (its writers go one at a time
    whatever the threads, and the hop to a thread and back cost a quarter of a sync's CPU),
    with group commit. Requests queue their work; the queue is worked off in groups of up to
    `MAX_GROUP`, each group in one transaction (`open_group`) with each request's own
    `transaction()` a SAVEPOINT in it: one commit, one write of the pages they share and one
    fsync (`synchronous=FULL`) for the lot, where each commit on its own cost a push more than
    a millisecond of its few. Every answer waits for its group's commit, so none tells a laptop
    "applied", or shows it a change, before that is on disk. A request whose work fails is
    rolled back to its savepoint alone; a commit that fails fails every request of its group
    (503: the laptops keep their changes and send them again). The next group starts only
    after the answers of the last are on their way (it is queued behind them on the loop), so
    a burst's answers leave group by group rather than all at its end.
    """

    def __init__(self, repo: GatewayRepository) -> None:
        self.repo = repo
        self._queue: deque[tuple[Callable[[], Any], contextvars.Context,
                                 asyncio.Future[Any]]] = deque()
        self._scheduled = False                 # a group is due on the loop
        self._threads = anyio.CapacityLimiter(DATABASE_THREADS)

    async def __call__(self, work: Callable[[], T]) -> T:
        if not self.repo.one_at_a_time:
            return await anyio.to_thread.run_sync(work, limiter=self._threads)
        loop = asyncio.get_running_loop()
        answered: asyncio.Future[T] = loop.create_future()
        self._queue.append((work, contextvars.copy_context(), answered))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._group)
        return await answered

    def _group(self) -> None:
        """Run the next group's work in one transaction, commit it, then answer each."""
        group = [self._queue.popleft() for _ in range(min(MAX_GROUP, len(self._queue)))]
        outcomes: list[tuple[bool, Any]] = []
        try:
            self.repo.open_group()
            try:
                for work, context, _ in group:
                    try:
                        outcomes.append((True, context.run(work)))
                    except Exception as exc:  # noqa: BLE001 (its request is told, below)
                        outcomes.append((False, exc))
            finally:
                self.repo.commit_group()
        except Exception as exc:  # noqa: BLE001 (every request of the group is told)
            log.error("gateway: a commit of %d requests failed (%s)", len(group),
                      type(exc).__name__)
            outcomes = [(False, ApiError(503, ErrorCode.UNAVAILABLE.value, NOT_SAVED,
                                         {"Retry-After": "30"})) for _ in group]
        for (_, _, answered), (ok, value) in zip(group, outcomes, strict=True):
            if answered.done():                  # (its request was cancelled meanwhile)
                continue
            if ok:
                answered.set_result(value)
            else:
                answered.set_exception(value)
        self._scheduled = bool(self._queue)
        if self._queue:                          # on the loop behind the answers just given
            asyncio.get_running_loop().call_soon(self._group)


def _gunzip(data: bytes) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, MAX_BODY_BYTES + 1)
    except zlib.error:
        raise bad_request("The request said it was gzip-compressed but it is not.") from None
    if len(out) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        raise too_large("The request is too large once unpacked. Send fewer changes at a time.")
    if not inflater.eof:
        raise bad_request("The compressed request was cut short.")
    return out


class Edge:
    def __init__(self, app: ASGIApp, repo: GatewayRepository, run: DatabaseWork, *,
                 client_timeout: float = 15.0) -> None:
        self.app = app
        self.repo = repo
        self.run = run
        self.service = GatewayService(repo)
        self.client_timeout = client_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == UNREADABLE:
            await self._audit(scope, scope["status"], {})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})
        answer: dict[str, Any] = {"status": 500, "started": False}
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        gzip_ok = "gzip" in headers.get("accept-encoding", "").lower()

        async def send_out(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["started"] = True
                answer["start"] = message
                return                    # held back until the body: it may be gzipped
            if message["type"] == "http.response.body" and "start" in answer:
                start = answer.pop("start")
                code = next((v.decode("latin-1") for k, v in start.get("headers", [])
                             if k.lower() == ERROR_HEADER.lower().encode()), "")
                await self._audit(scope, start["status"], headers, code)
                await self._start(start, message, gzip_ok, send)
                return
            await send(message)

        try:
            if scope.get("http_version") not in ("1.0", "1.1"):
                raise ApiError(505, ErrorCode.BAD_REQUEST.value,
                               "The council system speaks HTTP/1.1.")
            body = await self._read_body(scope, headers, receive)
            delivered = False

            async def replay() -> Message:
                nonlocal delivered
                if not delivered:
                    delivered = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send_out)
        except ApiError as exc:
            if answer["started"]:
                raise
            answer["status"] = exc.status
            await self._audit(scope, exc.status, headers, exc.code)
            await self._send_error(exc, send, close=exc.status in (408, 411, 413, 505))
        except Exception as exc:  # noqa: BLE001 (the last line of defence: answer, never hang)
            log.error("gateway: unexpected %s on %s %s", type(exc).__name__,
                      scope.get("method"), scope.get("path", "")[:80])
            if not answer["started"]:
                answer["status"] = 500
                await self._audit(scope, 500, headers, ErrorCode.INTERNAL.value)
                await self._send_error(ApiError(
                    500, ErrorCode.INTERNAL.value, "The council system had a problem. Your "
                    "work is safe on your laptop; sync will try again."), send, close=True)
        finally:
            await self._audit(scope, answer["status"], headers)      # an answer never sent

    # -- the request body ---------------------------------------------------------------------

    async def _read_body(self, scope: Scope, headers: dict[str, str], receive: Receive) -> bytes:
        if "transfer-encoding" in headers:
            raise ApiError(411, ErrorCode.BAD_REQUEST.value,
                           "Send the request with a Content-Length.")
        length_text = headers.get("content-length")
        if length_text is None:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            length = -1
        if length < 0:
            raise bad_request("The request's Content-Length is not a number.")
        limit = MAX_BLOB_CHUNK if BLOB_PATH.match(scope.get("path", "")) else MAX_BODY_BYTES
        if length > limit:
            if length <= DRAIN_LIMIT:
                await self._drain(receive)
            raise too_large("The request is too large. Send fewer changes at a time.")
        chunks: list[bytes] = []
        got = 0
        while True:
            with anyio.move_on_after(self.client_timeout) as waited:
                message = await receive()
            if waited.cancelled_caught:
                raise ApiError(408, ErrorCode.BAD_REQUEST.value,
                               "The request stopped arriving part-way. Please try again.")
            if message["type"] == "http.disconnect":
                raise ApiError(400, ErrorCode.BAD_REQUEST.value, "The request was cut short.")
            chunk = message.get("body", b"")
            got += len(chunk)
            if got > limit:
                raise too_large("The request is too large. Send fewer changes at a time.")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        data = b"".join(chunks)
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if encoding == "gzip":
            return _gunzip(data)
        if encoding not in ("identity", ""):
            raise ApiError(415, ErrorCode.BAD_REQUEST.value,
                           "Only gzip-compressed or plain requests are understood.")
        return data

    async def _drain(self, receive: Receive) -> None:
        """Read and drop a refused body so the answer reaches the client."""
        left = DRAIN_LIMIT
        while left > 0:
            with anyio.move_on_after(self.client_timeout) as waited:
                message = await receive()
            if waited.cancelled_caught or message["type"] != "http.request":
                return
            left -= len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    # -- answers ------------------------------------------------------------------------------

    async def _start(self, start: Message, first: Message, gzip_ok: bool, send: Send) -> None:
        headers = list(start.get("headers", []))
        names = {k.lower() for k, _ in headers}
        body = first.get("body", b"")
        is_json = any(k.lower() == b"content-type" and v.startswith(b"application/json")
                      for k, v in headers)
        if (gzip_ok and is_json and not first.get("more_body") and len(body) > GZIP_MIN
                and b"content-encoding" not in names):
            packer = zlib.compressobj(5, zlib.DEFLATED, 31)
            body = packer.compress(body) + packer.flush()
            headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
            headers += [(b"content-encoding", b"gzip"),
                        (b"content-length", str(len(body)).encode())]
            first = {**first, "body": body}
        await send({**start, "headers": headers})
        await send(first)

    async def _send_error(self, exc: ApiError, send: Send, *, close: bool) -> None:
        body, headers = error_body(exc)
        headers.append((b"content-length", str(len(body)).encode()))
        if close:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": exc.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _audit(self, scope: Scope, status: int, headers: dict[str, str],
                     code: str = "") -> None:
        """The refusal's audit row, once per request (a route that served wrote its own)."""
        state = scope.setdefault("state", {})
        if state.get("audited"):
            return
        state["audited"] = True
        action = scope.get("action") or action_of(scope)
        target, count = "", 0
        if code in WIPE_CODES:
            target, count = "wipe", header_count(headers.get(UNSENT_HEADER.lower()))

        def write() -> None:
            caller: Caller | None = state.get("caller") or self.service.identify(
                headers.get("authorization"))
            with self.repo.transaction(lock=False):
                self.repo.audit(utc_now(), caller.device_id if caller else None,
                                caller.worker_id if caller else None, action, target, count,
                                status, client=client_of(scope),
                                pod_id=caller.pod_id if caller else None)
        try:
            await self.run(write)
        except Exception as exc:  # noqa: BLE001 (an audit failure is logged, never hidden)
            log.error("gateway: audit write failed (%s)", type(exc).__name__)


def header_count(value: str | None) -> int:
    """A count a laptop sent in a header, bounded (0 when it is not a number)."""
    try:
        return max(0, min(int(value or 0), 10**9))
    except ValueError:
        return 0


def client_of(scope: Scope) -> str | None:
    """An audit row's `client`: the address the request came from, as the gateway saw it."""
    client = scope.get("client")
    return str(client[0])[:100] if client else None


def action_of(scope: Scope) -> str:
    """An audit row's `action`: the method and the route, e.g. "POST /sync/push"."""
    route = scope.get("path", "")
    route = route[len(API_PREFIX):] if route.startswith(API_PREFIX) else route
    return f"{scope.get('method', '?')} {route[:80]}".replace("\x00", "?")
