"""GET /pod/devices | workers | unfiled | problems, POST /pod/records/{id}/filed: the business
support officer's view of their pod (role `business_support` only; scoped to their pod)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from rbsw_desktop.gateway.deps import CallerDep, GatewayDep, audited, database_work
from rbsw_desktop.gateway.routes import AUTH_ERRORS, errors, json_answer
from rbsw_desktop.gateway.support import MAX_LIST
from rbsw_desktop.protocol.models import (
    FileAnswer,
    FileRequest,
    PodDevices,
    PodNotApplied,
    PodUnfiled,
    PodWorkers,
)

router = APIRouter(prefix="/pod", tags=["business support"])
Limit = Annotated[int, Query(ge=1, le=MAX_LIST)]


@router.get("/devices", response_model=PodDevices, responses=AUTH_ERRORS,
            summary="The pod's laptops and when each last synced")
@database_work
def devices(request: Request, gw: GatewayDep, who: CallerDep) -> Response:
    with audited(request, gw, lock=False) as row:
        answer = gw.support.devices(who)
        row.count = len(answer["devices"])
    return json_answer(answer)


@router.get("/workers", response_model=PodWorkers, responses=AUTH_ERRORS,
            summary="Each worker of the pod: laptops, waiting, to file, last sync")
@database_work
def workers(request: Request, gw: GatewayDep, who: CallerDep) -> Response:
    with audited(request, gw, lock=False) as row:
        answer = gw.support.workers(who)
        row.count = len(answer["workers"])
    return json_answer(answer)


@router.get("/unfiled", response_model=PodUnfiled, responses=AUTH_ERRORS,
            summary="Records received and not yet filed in the case system")
@database_work
def unfiled(request: Request, gw: GatewayDep, who: CallerDep, limit: Limit = MAX_LIST,
            ) -> Response:
    with audited(request, gw, lock=False) as row:
        answer = gw.support.unfiled(who, limit)
        row.count = len(answer["records"])
        row.records = [rec["id"] for rec in answer["records"]]
    return json_answer(answer)


@router.get("/problems", response_model=PodNotApplied, responses=AUTH_ERRORS,
            summary="Conflicts and refused changes of the pod's laptops")
@database_work
def problems(request: Request, gw: GatewayDep, who: CallerDep, limit: Limit = MAX_LIST,
             ) -> Response:
    with audited(request, gw, lock=False) as row:
        answer = gw.support.not_applied(who, limit)
        row.count = len(answer["conflicts"]) + len(answer["failures"])
        row.records = [p["record_id"] for p in answer["conflicts"] + answer["failures"]
                       if p["record_id"]]
    return json_answer(answer)


@router.post("/records/{id}/filed", response_model=FileAnswer,
             responses={**AUTH_ERRORS, **errors(404, 409)},
             summary="Mark a record filed in the case system, with its reference")
@database_work
def file_record(record_id: Annotated[str, Path(alias="id", max_length=100)], body: FileRequest,
                request: Request, gw: GatewayDep, who: CallerDep) -> Response:
    with audited(request, gw) as row:
        answer = gw.support.file_record(who, record_id, body)
        row.target, row.count, row.records = answer["id"], 1, [answer["id"]]
    return json_answer(answer)
