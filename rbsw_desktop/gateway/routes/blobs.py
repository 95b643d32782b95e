"""PUT/HEAD/GET /blobs/{sha256}: photos and scans, in resumable chunks, read only in scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from rbsw_desktop.gateway.deps import CallerDep, GatewayDep, audited, database_work
from rbsw_desktop.gateway.errors import bad_request
from rbsw_desktop.gateway.routes import AUTH_ERRORS, errors, json_answer
from rbsw_desktop.protocol import MAX_BLOB_BYTES, RECEIVED_HEADER
from rbsw_desktop.protocol.models import SHA256_PATTERN, BlobProgress

router = APIRouter(prefix="/blobs", tags=["blobs"])

Sha = Annotated[str, Path(pattern=SHA256_PATTERN, description="The bytes' SHA-256 (hex)")]
CHUNK_BODY = {"requestBody": {"required": True, "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary", "minLength": 1}}}}}
RECEIVED = {RECEIVED_HEADER: {"description": "Bytes of this device's upload held so far",
                           "schema": {"type": "integer"}}}


@router.put("/{sha256}", response_model=BlobProgress, openapi_extra=CHUNK_BODY,
            responses={**AUTH_ERRORS, **errors(409)},
            summary="Send the piece of a file that starts at `offset`")
async def put_chunk(sha256: Sha, request: Request, gw: GatewayDep, who: CallerDep,
                    offset: Annotated[int, Query(ge=0, lt=MAX_BLOB_BYTES)] = 0) -> Response:
    data = await request.body()
    if not data:
        raise bad_request("A piece of a file needs its bytes.")
    def put() -> dict[str, object]:
        with audited(request, gw) as row:
            row.target, row.count = sha256, len(data)
            return gw.blobs.put(who, sha256, offset, data)

    return json_answer(await gw.run(put))


@router.head("/{sha256}", responses={200: {"description": "This device's upload is under way "
                                           "or done", "headers": RECEIVED}, **AUTH_ERRORS,
                                     **errors(404)},
             summary="How much of a file the council system holds")
@database_work
def received(sha256: Sha, request: Request, gw: GatewayDep, who: CallerDep) -> Response:
    with audited(request, gw, lock=False) as row:
        held = gw.blobs.received(who, sha256)
        row.target = sha256
    return Response(status_code=200, headers={RECEIVED_HEADER: str(held)})


@router.get("/{sha256}", responses={200: {"description": "The file's bytes", "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
    **AUTH_ERRORS, **errors(404)}, response_class=Response,
            summary="A file cited by an attachment in the caller's scope")
@database_work
def get(sha256: Sha, request: Request, gw: GatewayDep, who: CallerDep) -> Response:
    with audited(request, gw, lock=False) as row:
        data = gw.blobs.get(who, sha256)
        row.target, row.count = sha256, len(data)
    return Response(data, media_type="application/octet-stream")
