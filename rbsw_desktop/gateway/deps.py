"""What routes depend on: the gateway's services, who is calling, what they sent.

`Gateway` holds the services of one process (built once by `app.create_app`); routes get it,
the caller and a strictly parsed JSON body through FastAPI dependencies. A route that works on
the database is a plain function marked `@database_work`: it runs where `edge.DatabaseWork` says
(on SQLite on the event loop's thread, in a group commit; on PostgreSQL on its own threads).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError

from rbsw_desktop.domain.instants import utc_now
from rbsw_desktop.gateway.blobs import BlobStore
from rbsw_desktop.gateway.edge import DatabaseWork, action_of, client_of, header_count
from rbsw_desktop.gateway.errors import ApiError, bad_request
from rbsw_desktop.gateway.repository import Caller, GatewayRepository
from rbsw_desktop.gateway.service import GatewayService
from rbsw_desktop.gateway.support import SupportView
from rbsw_desktop.protocol import PENDING_HEADER, ErrorCode

P = ParamSpec("P")
T = TypeVar("T")

NOT_AUDITED = ("The council system cannot record this access right now, so it was not served. "
               "Your work is safe on your laptop; sync will try again.")


@dataclass
class Gateway:
    repo: GatewayRepository
    run: DatabaseWork = field(init=False)     # every request's database work goes here

    def __post_init__(self) -> None:
        self.service = GatewayService(self.repo)
        self.blobs = BlobStore(self.repo)
        self.support = SupportView(self.repo)
        self.run = DatabaseWork(self.repo)


# Every dependency and route is `async def` to FastAPI, which would otherwise run each plain
# `def` in its thread pool: a hop to another thread and back for each (on SQLite as costly as
# the route's SQL). Database work goes through `Gateway.run`, which knows where it belongs.

async def gateway(request: Request) -> Gateway:
    return request.app.state.gateway


def database_work(route: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """A route (a plain function taking `gw`) run through `Gateway.run`. FastAPI reads the
    route's own signature through the wrapper."""
    @functools.wraps(route)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        gw = kwargs["gw"]
        assert isinstance(gw, Gateway)
        return await gw.run(functools.partial(route, *args, **kwargs))
    return run


def who_calls(request: Request, gw: Gateway) -> Caller:
    """The device, worker, pod and role the bearer token stands for (401 otherwise)."""
    who = gw.service.authenticate(request.headers.get("authorization"))
    request.state.caller = who                  # for the audit row
    return who


async def caller(request: Request, gw: Annotated[Gateway, Depends(gateway)]) -> Caller:
    """`who_calls`, as a dependency (it reads the database)."""
    return await gw.run(functools.partial(who_calls, request, gw))


async def pending_ops(request: Request) -> int | None:
    value = request.headers.get(PENDING_HEADER)
    return None if value is None else header_count(value)


def _no_constant(name: str) -> Any:
    raise ValueError(name)


async def json_body(request: Request) -> Any:
    """The request's JSON, strictly: UTF-8, no NaN or Infinity (their schema says so)."""
    raw = await request.body()
    if not raw:
        raise bad_request("The request has no body; it should be JSON.")
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad_request("The request is not valid JSON.") from None


@dataclass
class AuditRow:
    """What an access's audit row names besides who and when: ids and counts, never content.
    `records`: the ids of the records it read or wrote; `status`: the answer's."""

    target: str = ""
    count: int = 0
    records: list[str] = field(default_factory=list)
    status: int = 200


@contextmanager
def audited(request: Request, gw: Gateway, *, status: int = 200,
            lock: bool = True) -> Iterator[AuditRow]:
    """The route's work and its audit row in ONE transaction: what is served is audited, and
    an access that cannot be audited (a full disk, a lost database) is not served (503).
    `lock=False` for reads. A refusal raised inside is rolled back and audited by the edge."""
    row = AuditRow(status=status)
    try:
        with gw.repo.transaction(lock=lock):
            yield row
            who: Caller | None = getattr(request.state, "caller", None)
            gw.repo.audit(utc_now(), who.device_id if who else None,
                          who.worker_id if who else None, action_of(request.scope),
                          row.target[:100], row.count, row.status,
                          client=client_of(request.scope), record_ids=row.records,
                          pod_id=who.pod_id if who else None)
    except SQLAlchemyError:
        raise ApiError(503, ErrorCode.UNAVAILABLE.value, NOT_AUDITED,
                       {"Retry-After": "30"}) from None
    request.state.audited = True


@contextmanager
def served(request: Request, gw: Gateway, *,
           lock: bool = True) -> Iterator[tuple[AuditRow, Caller]]:
    """`audited`, with the caller looked up in that same transaction: one connection and one
    transaction a request rather than two (the hot routes: push and pull). A refusal (401) is
    rolled back and audited by the edge, as from `caller`."""
    with audited(request, gw, lock=lock) as row:
        yield row, who_calls(request, gw)


GatewayDep = Annotated[Gateway, Depends(gateway)]
CallerDep = Annotated[Caller, Depends(caller)]
PendingDep = Annotated[int | None, Depends(pending_ops)]
JsonBody = Annotated[Any, Depends(json_body)]
