"""POST /sync/push and GET /sync/changes: a laptop's changes up, its scope's changes down."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from rbsw_desktop.gateway.deps import GatewayDep, JsonBody, PendingDep, database_work, served
from rbsw_desktop.gateway.edge import header_count
from rbsw_desktop.gateway.routes import AUTH_ERRORS, json_answer
from rbsw_desktop.protocol import (
    DEFAULT_PULL_LIMIT,
    INT64_MAX,
    MAX_PULL_LIMIT,
    UNSENT_HEADER,
    Outcome,
)
from rbsw_desktop.protocol.models import ChangesPage, PushAnswer

router = APIRouter(prefix="/sync", tags=["sync"])

#: The ops whose record a push's audit row names: written, or its council version sent back.
WROTE_OR_SHOWED = (Outcome.APPLIED.value, Outcome.CONFLICT.value)
PUSH_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/PushRequest"}}}}}


@router.post("/push", response_model=PushAnswer, responses=AUTH_ERRORS, openapi_extra=PUSH_BODY,
             summary="Send a batch of changes; each is answered applied, duplicate, conflict "
             "or rejected (with its reason)")
@database_work
def push(body: JsonBody, request: Request, gw: GatewayDep, pending: PendingDep) -> Response:
    # The body is read as JSON and each op validated on its own (protocol.models.Op), so one
    # malformed change is that change's `rejected` answer, not the whole batch's 400.
    # The push takes its pod's writers' lock itself (pushes of other pods go on meanwhile).
    with served(request, gw, lock=False) as (row, who):
        answer = gw.service.push(who, body, pending)
        row.count = len(answer["results"])
        row.records = [op["id"] for op, result in zip(body["ops"], answer["results"],
                                                      strict=True)
                       if result["outcome"] in WROTE_OR_SHOWED]
    return json_answer(answer)


@router.get("/changes", response_model=ChangesPage, responses=AUTH_ERRORS,
            summary="The changes in the caller's scope after a cursor, oldest first")
@database_work
def changes(request: Request, gw: GatewayDep, pending: PendingDep,
            since: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
            limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
            ) -> Response:
    with served(request, gw, lock=False) as (row, who):
        if who.retired:        # it has pushed what it holds: now it wipes, and its token dies
            told = gw.service.told_to_wipe(who)
            row.status, row.target = told.status, "wipe"
            row.count = header_count(request.headers.get(UNSENT_HEADER))
        else:
            answer = gw.service.changes(who, since, limit, pending)
            row.target, row.count = answer["cursor"], len(answer["changes"])
            row.records = [change["id"] for change in answer["changes"]]
    if who.retired:
        raise told
    return json_answer(answer)
