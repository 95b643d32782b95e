"""One router per resource of the v1 API: devices (enrolment), sync (push and pull), blobs,
pod (business support). Each route validates with `rbsw_desktop.protocol.models`, calls a
service, and answers JSON; the edge (`gateway.edge`) does bodies, gzip and the audit row."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response

from rbsw_desktop.protocol import ERROR_HEADER
from rbsw_desktop.protocol.models import ErrorBody

_ERROR_HEADERS = {ERROR_HEADER: {"description": "The answer's `error` code (also on a HEAD "
                                 "answer, which has no body)", "schema": {"type": "string"}}}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route documents: the ErrorBody and the X-Rbsw-Error header."""
    words = {400: "Malformed request: bad JSON, wrong types, missing fields",
             401: "No, unknown, expired or forged token; or `device_revoked`",
             403: "Not allowed for this role", 404: "Not found (or not in the caller's scope)",
             409: "Out of order or already done",
             413: "Too large (also after gunzip); for a file, also: this laptop or pod holds "
                  "too many uploads no record cites yet (try again later)",
             429: "Slow down; honour Retry-After", 503: "Busy; honour Retry-After"}
    return {s: {"model": ErrorBody, "description": words[s], "headers": _ERROR_HEADERS}
            for s in statuses}


AUTH_ERRORS = errors(400, 401, 403, 413, 429, 503)


def json_answer(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """`obj` as compact JSON (text as it is, never ASCII-escaped), with any stored JSON it holds
    (`orjson.Fragment`, a change page's fields) spliced in as it is."""
    body = orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)   # a row's keys: str subclasses
    return Response(body, status, headers=headers, media_type="application/json")
