"""uvicorn's h11 protocol, answering what it cannot parse in the protocol's own error shape.

uvicorn answers a request it cannot read (a garbled request line, a missing Host, a request
line or headers too long) with a plain-text 400. Laptops and IT's tools read `{"error",
"message"}` and the `X-Rbsw-Error` header on every refusal, so this subclass sends that, with
the status that names the problem: 414 for a request line too long, 431 for headers too large,
400 otherwise. Each such answer, and a connection hung up on because its request's head never
ended, is handed to the app as an `edge.UNREADABLE` event, so it is audited like any refusal
(with the client's address; there is no token to name a device by). Everything else is
uvicorn's.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from rbsw_desktop.gateway import CLIENT_TIMEOUT_ENV
from rbsw_desktop.gateway.edge import UNREADABLE
from rbsw_desktop.protocol import ERROR_HEADER, ErrorCode

#: A request line longer than this without its end is "URI too long" rather than a bad request.
MAX_REQUEST_LINE = 8 * 1024
PHRASES = {400: b"Bad Request", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}
_audits: set[asyncio.Task[Any]] = set()        # kept until done (the loop holds tasks weakly)


class GatewayH11Protocol(H11Protocol):
    _line_open = True          # the request line of the request being read has not ended yet
    _line_bytes = 0
    _between = False           # a request was read: the next bytes after its body start anew
    _hint = 400
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A client that connects and never finishes its request's head is hung up on after
        # the client timeout (uvicorn alone would wait for ever: a slow-loris could hold every
        # socket). Between requests, uvicorn's own keep-alive timeout applies.
        timeout = float(os.environ.get(CLIENT_TIMEOUT_ENV, "15"))
        self._head_timer = asyncio.get_running_loop().call_later(timeout, self._no_head)

    def _no_head(self) -> None:
        if not self.transport.is_closing():
            self._audit(408, "(a request that never finished arriving)")
            self.transport.close()

    def _audit(self, status: int, action: str) -> None:
        async def nothing() -> dict[str, Any]:
            return {"type": "http.disconnect"}

        async def drop(_message: Any) -> None:
            return None

        scope: dict[str, Any] = {"type": UNREADABLE, "client": self.client, "status": status,
                                 "action": action, "headers": [], "state": {}}
        task = self.loop.create_task(self.app(scope, nothing, drop))
        _audits.add(task)
        task.add_done_callback(_audits.discard)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:          # reading a request's line and headers
            if self._between:
                self._line_open, self._line_bytes, self._between = True, 0, False
            if self._line_open:
                end = data.find(b"\n")
                self._line_bytes += len(data) if end < 0 else end
                self._line_open = end < 0
        super().data_received(data)

    def handle_events(self) -> None:
        next_event = self.conn.next_event

        def watched() -> object:
            try:
                event = next_event()
            except h11.RemoteProtocolError as exc:
                self._hint = exc.error_status_hint
                raise
            if isinstance(event, h11.Request):        # the next request's line starts afresh
                self._between = True
                if self._head_timer is not None:
                    self._head_timer.cancel()
                    self._head_timer = None
            return event

        self.conn.next_event = watched  # type: ignore[method-assign,assignment]
        try:
            super().handle_events()
        finally:
            del self.conn.next_event

    def send_400_response(self, msg: str) -> None:
        status = 414 if self._line_bytes > MAX_REQUEST_LINE else self._hint
        status = status if status in PHRASES else 400
        error = ErrorCode.TOO_LARGE if status in (414, 431) else ErrorCode.BAD_REQUEST
        body = json.dumps({"error": error.value, "message": (
            "The request could not be read by the council system"
            f"{' (its address is too long)' if status == 414 else ''}.")}).encode()
        headers = [(b"content-type", b"application/json"), (b"connection", b"close"),
                   (ERROR_HEADER.lower().encode(), error.value.encode()),
                   (b"content-length", str(len(body)).encode())]
        try:
            for event in (h11.Response(status_code=status, headers=headers,
                                       reason=PHRASES[status]),
                          h11.Data(data=body), h11.EndOfMessage()):
                self.transport.write(self.conn.send(event))
        except h11.LocalProtocolError:
            pass                                  # a response had begun: just hang up
        self._audit(status, "(a request that could not be read)")
        self.transport.close()
