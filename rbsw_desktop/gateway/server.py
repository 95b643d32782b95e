"""Serving the gateway: one listening socket, uvicorn workers, TLS, and stopping on time.

    serve(database_url, host, port, workers=N, tls=(cert, key), ready=print_url)

The socket is bound here, before any worker starts, with a listen backlog that holds a 9 am
burst (`BACKLOG`, capped by the kernel's somaxconn), so `--port 0` works and the URL can be
printed at once. One worker runs in this process; several run as uvicorn's worker processes
sharing the socket, each with its own database connections. Every accepted connection has
TCP_NODELAY, so an answer's body is never held back behind its head by Nagle's algorithm (that
cost 40 ms an answer, the delayed ACK's timer). A request a
worker cannot parse is answered in the protocol's error shape (`http11.GatewayH11Protocol`).
WebSockets are off: every request is HTTP, through the edge and its audit.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable

import uvicorn
from uvicorn.supervisors import Multiprocess

from rbsw_desktop.gateway import CLIENT_TIMEOUT_ENV, DATABASE_ENV
from rbsw_desktop.gateway.http11 import GatewayH11Protocol

log = logging.getLogger(__name__)

BACKLOG = 4096
#: The ASGI app each worker builds (a factory reading its database from the environment).
#: Tests wrap the real app in their own fault injection by naming theirs here.
APP_FACTORY = "rbsw_desktop.gateway.app:app_from_env"
KEEP_ALIVE_SECONDS = 75          # longer than a laptop waits between the calls of one sync
SUPERVISOR_ENV = "RBSW_GATEWAY_SUPERVISOR_PID"


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP
    # (and the listening socket's own option is inherited by what it accepts, on Linux).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket, tls: bool) -> str:
    host, port = sock.getsockname()[:2]
    host = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{host}:{port}"


def serve(database_url: str, sock: socket.socket, *, workers: int = 1,
          tls: tuple[str, str] | None = None, client_timeout: float = 15.0,
          max_seconds: float | None = None, stop_when: Callable[[], bool] | None = None,
          ) -> None:
    """Serve on `sock` until SIGTERM/SIGINT, `max_seconds`, or `stop_when()` (polled)."""
    os.environ[DATABASE_ENV] = database_url            # read by each worker's app factory
    os.environ[CLIENT_TIMEOUT_ENV] = str(client_timeout)
    config = uvicorn.Config(
        APP_FACTORY, factory=True, workers=workers, http=GatewayH11Protocol,
        backlog=BACKLOG, timeout_keep_alive=KEEP_ALIVE_SECONDS, timeout_graceful_shutdown=5,
        h11_max_incomplete_event_size=64 * 1024, lifespan="off", ws="none", access_log=False,
        server_header=False, log_level="warning",
        ssl_certfile=tls[0] if tls else None, ssl_keyfile=tls[1] if tls else None)
    server = uvicorn.Server(config)
    if workers <= 1:
        _stop_later(max_seconds, stop_when, lambda: setattr(server, "should_exit", True))
        server.run(sockets=[sock])
    else:
        os.environ[SUPERVISOR_ENV] = str(os.getpid())       # each worker stops if it goes
        supervisor = Multiprocess(config, sockets=[sock])
        _stop_later(max_seconds, stop_when, supervisor.should_exit.set)
        supervisor.run()


def watch_supervisor() -> None:
    """In a worker process: stop when the supervisor that started it is gone (SIGKILLed, say),
    rather than go on serving on its own."""
    supervisor = os.environ.get(SUPERVISOR_ENV)
    if not supervisor:
        return

    def watch() -> None:
        while os.getppid() == int(supervisor):
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="gateway-supervisor").start()


def _stop_later(max_seconds: float | None, stop_when: Callable[[], bool] | None,
                stop: Callable[[], object]) -> None:
    """Ask uvicorn to shut down cleanly when time is up or `stop_when()` says so."""
    if not max_seconds and stop_when is None:
        return
    deadline = time.monotonic() + max_seconds if max_seconds else None

    def watch() -> None:
        while not (deadline is not None and time.monotonic() >= deadline) and not (
                stop_when is not None and stop_when()):
            time.sleep(0.2)
        log.info("gateway stopping (%s)", "time limit" if deadline else "parent gone")
        stop()

    threading.Thread(target=watch, daemon=True, name="gateway-stop").start()
