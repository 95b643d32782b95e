"""The gateway as an ASGI application: FastAPI routes behind the edge middleware, behind
`admission.PushesFirst` (under a burst, pushes are answered before pulls).

    app = create_app(repo)                      # an ASGI app for uvicorn (or a test)
    document = openapi_document()               # the OpenAPI 3 document, from the models

Every error answer has the protocol's shape (`ErrorBody`, and its code in `X-Rbsw-Error`), from
one set of handlers: ApiError from the services, FastAPI's validation errors (400, never 422),
and the router's 404 and 405 (with `Allow`). The OpenAPI document served at
/api/v1/openapi.json is generated from `rbsw_desktop.protocol.models` and the routes.
"""

from __future__ import annotations

import logging
import os
import re
from functools import cache
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException

from rbsw_desktop.gateway import CLIENT_TIMEOUT_ENV, DATABASE_ENV, validate
from rbsw_desktop.gateway.admission import PushesFirst
from rbsw_desktop.gateway.deps import Gateway
from rbsw_desktop.gateway.edge import Edge, error_body
from rbsw_desktop.gateway.errors import ApiError
from rbsw_desktop.gateway.repository import GatewayRepository
from rbsw_desktop.gateway.routes import blobs, devices, json_answer, pod, sync
from rbsw_desktop.protocol import API_PREFIX, ERROR_HEADER, PROTOCOL_VERSION, ErrorCode
from rbsw_desktop.protocol.models import ErrorBody, PushRequest

log = logging.getLogger(__name__)

OPENAPI_PATH = f"{API_PREFIX}/openapi.json"


def _api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    body, headers = error_body(exc)
    return Response(body, exc.status, headers={k.decode(): v.decode() for k, v in headers})


def _invalid(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    err = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
    kind = str(err.get("type", ""))
    if kind in ("json_invalid", "missing") and tuple(err.get("loc", ())) == ("body",):
        message = "The request should be a JSON object."
    else:
        message = f"`{where}`: {err.get('msg', 'is not valid')}" if where else \
            "The request is not valid."
    return _api_error(_request, ApiError(400, ErrorCode.BAD_REQUEST.value,
                                         message.removeprefix("Value error, ")))


def _allowed(request: Request) -> str:
    """Every method the document gives this path (the `Allow` of a 405)."""
    path = request.scope.get("path", "")
    for template, methods in _methods_by_path():
        if template.fullmatch(path):
            return ", ".join(methods)
    return ""


@cache
def _methods_by_path() -> list[tuple[re.Pattern[str], list[str]]]:
    return [(re.compile(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path))),
             sorted(m.upper() for m in item))
            for path, item in openapi_document()["paths"].items()]


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        error = ApiError(405, ErrorCode.METHOD_NOT_ALLOWED.value,
                         "The council system does not take that kind of request here.",
                         {"Allow": _allowed(request), "Connection": "close"})
    elif exc.status_code == 404:
        error = ApiError(404, ErrorCode.NOT_FOUND.value,
                         "There is no such address on the council system.")
    else:
        error = ApiError(exc.status_code, ErrorCode.BAD_REQUEST.value,
                         "The council system could not take that request.")
    return _api_error(request, error)


def _unexpected(request: Request, exc: Exception) -> Response:
    """The last line of defence, in the protocol's shape (logged by type and route only)."""
    log.error("gateway: unexpected %s on %s %s", type(exc).__name__, request.method,
              request.url.path[:80])
    return _api_error(request, ApiError(
        500, ErrorCode.INTERNAL.value, "The council system had a problem. Your work is safe "
        "on your laptop; sync will try again."))


def _fastapi() -> FastAPI:
    api = FastAPI(title="rbsw-gateway", version=str(PROTOCOL_VERSION), openapi_url=None,
                  docs_url=None, redoc_url=None,
                  description="The council system that rbsw-desktop laptops sync to (protocol "
                  "v1). Every call but enrolment needs `Authorization: Bearer <device token>`.")
    for router in (devices.router, sync.router, blobs.router, pod.router):
        api.include_router(router, prefix=API_PREFIX)
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(RequestValidationError, _invalid)
    api.add_exception_handler(HTTPException, _http)
    api.add_exception_handler(Exception, _unexpected)

    @api.head(OPENAPI_PATH, include_in_schema=False)
    @api.get(OPENAPI_PATH, summary="This document", responses={200: {
        "description": "The OpenAPI 3 document of protocol v1",
        "content": {"application/json": {"schema": {"type": "object"}}}}})
    async def openapi() -> Response:
        return json_answer(openapi_document())

    return api


def create_app(repo: GatewayRepository, *, client_timeout: float = 15.0) -> PushesFirst:
    validate.load()
    api = _fastapi()
    gw = api.state.gateway = Gateway(repo)
    return PushesFirst(Edge(api, repo, gw.run, client_timeout=client_timeout))


def app_from_env() -> PushesFirst:
    """The uvicorn factory each worker process calls: the database from the environment."""
    from rbsw_desktop.gateway.db import open_repository
    from rbsw_desktop.gateway.server import watch_supervisor

    watch_supervisor()
    repo = open_repository(os.environ[DATABASE_ENV])
    return create_app(repo, client_timeout=float(os.environ.get(CLIENT_TIMEOUT_ENV, "15")))


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document, from the routes and the protocol models. Every operation also
    documents 404 and 405 (with `Allow`); FastAPI's 422 is never sent (bad input is a 400)."""
    api = _fastapi()
    doc = get_openapi(title=api.title, version=api.version, description=api.description,
                      routes=api.routes)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    push = PushRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(push.pop("$defs", {}))
    schemas["PushRequest"] = push
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.setdefault("ErrorBody", ErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}"))
    doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    error_header = {ERROR_HEADER: {"description": "The answer's `error` code",
                                   "schema": {"type": "string"}}}
    error_json = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            responses.pop("422", None)
            responses.setdefault("400", {"description": "Malformed request",
                                         "content": error_json, "headers": error_header})
            responses.setdefault("404", {"description": "Not found", "content": error_json,
                                         "headers": error_header})
            responses["405"] = {"description": "Method not allowed here", "content": error_json,
                                "headers": {**error_header, "Allow": {
                                    "description": "The methods this address takes",
                                    "schema": {"type": "string"}}}}
            if path not in (f"{API_PREFIX}/devices", OPENAPI_PATH):
                operation["security"] = [{"bearer": []}]
            if method == "head":
                for answer in responses.values():
                    answer.pop("content", None)
    return doc
