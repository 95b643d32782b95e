"""POST /devices: enrolment with a one-time code from business support."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from rbsw_desktop.gateway.deps import GatewayDep, audited, database_work
from rbsw_desktop.gateway.routes import errors, json_answer
from rbsw_desktop.protocol.models import EnrolAnswer, EnrolRequest

router = APIRouter(tags=["devices"])


@router.post("/devices", status_code=201, response_model=EnrolAnswer,
             responses=errors(400, 413, 429, 503),
             summary="Enrol this laptop with a one-time code; returns its device token")
@database_work
def enrol(body: EnrolRequest, request: Request, gw: GatewayDep) -> Response:
    with audited(request, gw, status=201) as row:
        answer = gw.service.enrol(body)
        row.target, row.count = answer["device_id"], 1
    return json_answer(answer, 201)
