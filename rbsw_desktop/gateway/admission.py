"""Pushes first: under a burst, a gateway process starts a pull only once the pushes it has
already received are answered (or after `MAX_WAIT`, so a stream of pushes never starves pulls).

A push carries work that exists nowhere but on the laptop until the council answers
"applied"; a pull only catches a laptop up with what the council already keeps. At 9 am,
hundreds of laptops push and then pull; served in arrival order, each finished push's pulls
(which can be many pages) take turns with the pushes still waiting, and every push waits for
them. Holding pulls back while pushes are in hand answers the pushes first, and costs the
whole sync nothing: the pulls then run with nothing in their way. Everything else passes
straight through. Per process: with `--workers N`, each worker orders what it received.
"""

from __future__ import annotations

import asyncio

import anyio

from rbsw_desktop.gateway.edge import ASGIApp, Receive, Scope, Send
from rbsw_desktop.protocol import API_PREFIX

PUSH = ("POST", f"{API_PREFIX}/sync/push")
PULL = ("GET", f"{API_PREFIX}/sync/changes")
#: The longest a pull waits for the pushes ahead of it, in seconds.
MAX_WAIT = 2.0


class PushesFirst:
    def __init__(self, app: ASGIApp, *, max_wait: float = MAX_WAIT) -> None:
        self.app = app
        self.max_wait = max_wait
        self.pushes = 0                        # pushes received and not yet answered
        self._none: asyncio.Event | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = (scope.get("method"), scope.get("path")) if scope["type"] == "http" else None
        if kind == PUSH:
            await self._push(scope, receive, send)
            return
        if kind == PULL and self.pushes:
            with anyio.move_on_after(self.max_wait):
                await self._no_pushes().wait()
        await self.app(scope, receive, send)

    async def _push(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.pushes += 1
        self._no_pushes().clear()
        try:
            await self.app(scope, receive, send)
        finally:
            self.pushes -= 1
            if not self.pushes:
                self._no_pushes().set()

    def _no_pushes(self) -> asyncio.Event:
        if self._none is None:
            self._none = asyncio.Event()
            self._none.set()
        return self._none
