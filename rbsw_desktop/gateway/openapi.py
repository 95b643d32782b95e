"""The OpenAPI 3 description of the gateway's v1 API, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from rbsw_desktop.sync.protocol import (
    API_PREFIX,
    ERROR_HEADER,
    MAX_BATCH_OPS,
    MAX_BLOB_CHUNK,
    MAX_BODY_BYTES,
    MAX_PULL_LIMIT,
    PROTOCOL_VERSION,
    PUSHABLE,
    ErrorCode,
    Outcome,
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    """An error answer: the Error body, and its `error` code in a header too (a HEAD answer
    has no body)."""
    return {**_json(_ref("Error"), description), "headers": {ERROR_HEADER: {
        "description": "The answer's `error` code", "schema": {"type": "string"}}}}


_ERRORS = {
    "400": _error("Malformed request: bad JSON, wrong types, missing fields"),
    "401": _error("No, unknown, expired or forged token; or `device_revoked`"),
    "413": _error(f"Body over {MAX_BODY_BYTES} bytes (also after gunzip)"),
    "429": _error("Slow down; honour Retry-After"),
    "503": _error("Busy; honour Retry-After"),
}
_BEARER = [{"bearer": []}]
_SUPPORT = ("Business support officers only (role `business_support`); others get 403. "
            "Scoped to the caller's pod.")
_LIMIT = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}}
_SHA = {"name": "sha256", "in": "path", "required": True,
        "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}


def _op(summary: str, ok: dict[str, Any], *, body: dict[str, Any] | None = None,
        params: list[dict[str, Any]] | None = None, auth: bool = True,
        status: str = "200", extra: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"summary": summary, "responses": {status: ok, **_ERRORS,
                                                               **(extra or {})}}
    if auth:
        out["security"] = _BEARER
        out["responses"]["403"] = _json(_ref("Error"), "Not allowed for this role")
    if body is not None:
        out["requestBody"] = {"required": True, "content": body}
    if params:
        out["parameters"] = params
    return out


def _schemas() -> dict[str, Any]:
    obj, s, i, b = "object", {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
    nullable_int = {"type": "integer", "nullable": True}
    return {
        "Error": {"type": obj, "required": ["error", "message"], "properties": {
            "error": {"type": "string", "enum": [e.value for e in ErrorCode] + ["internal"]},
            "message": s}},
        "Op": {"type": obj, "required": ["op_id", "entity", "id", "base_rev", "fields"],
               "properties": {"op_id": s, "entity": {"type": "string",
                                                     "enum": sorted(PUSHABLE)},
                              "id": s, "base_rev": nullable_int, "fields": {"type": obj},
                              "deleted": b, "at": s}},
        "OpResult": {"type": obj, "required": ["op_id", "outcome"], "properties": {
            "op_id": s, "outcome": {"type": "string", "enum": [o.value for o in Outcome]},
            "rev": nullable_int, "reason": s,
            "theirs": {"type": obj, "nullable": True, "description": "On conflict: the "
                       "server's version {rev, fields, deleted, filed, case_system_ref}"}}},
        "Change": {"type": obj, "required": ["entity", "id", "rev", "fields"], "properties": {
            "entity": s, "id": s, "rev": i, "fields": {"type": obj}, "deleted": b,
            "filed": b, "case_system_ref": s}},
        "Device": {"type": obj, "properties": {
            "device_id": s, "device_name": s, "worker_id": s, "worker_name": s, "role": s,
            "enrolled_at": s, "last_seen_at": s, "last_push_at": s, "last_pull_at": s,
            "last_sync": s, "pending": nullable_int, "revoked": b}},
        "WorkerQueue": {"type": obj, "properties": {
            "worker_id": s, "name": s, "role": s, "devices": i, "pending": nullable_int,
            "unfiled": i, "last_sync": s}},
        "UnfiledRecord": {"type": obj, "properties": {
            "entity": s, "id": s, "rev": i, "case_id": s, "child_name": s, "worker_id": s,
            "worker_name": s, "updated_at": s, "received_at": s, "origin_device": s,
            "fields": {"type": obj}}},
    }


def openapi_document() -> dict[str, Any]:
    p = API_PREFIX
    arr = "array"
    pending_header = {"name": "X-Pending-Ops", "in": "header", "required": False,
                      "schema": {"type": "integer"},
                      "description": "Optional: how many changes wait on the laptop (shown to "
                                     "business support)."}
    return {
        "openapi": "3.0.3",
        "info": {"title": "rbsw council gateway", "version": str(PROTOCOL_VERSION),
                 "description": "Sync protocol v1 for rbsw-desktop. JSON bodies, gzip accepted "
                 "(Content-Encoding) and offered (Accept-Encoding). Request bodies are bounded "
                 f"to {MAX_BODY_BYTES} bytes after decompression."},
        "components": {"schemas": _schemas(), "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "The device token returned by enrolment."}}},
        "paths": {
            f"{p}/openapi.json": {"get": _op("This document", _json({"type": "object"}),
                                             auth=False)},
            f"{p}/devices": {"post": _op(
                "Enrol a laptop with a one-time code (a used or expired code is refused)",
                _json({"type": "object", "properties": {
                    "device_id": {"type": "string"}, "token": {"type": "string"},
                    "worker": {"type": "object"}, "pod": {"type": "object"}}}, "Enrolled"),
                body={"application/json": {"schema": {"type": "object", "required": ["code"],
                      "properties": {"code": {"type": "string"},
                                     "device_name": {"type": "string"}}}}},
                auth=False, status="201")},
            f"{p}/sync/push": {"post": _op(
                f"Push up to {MAX_BATCH_OPS} ops; each is answered applied, duplicate "
                "(same op_id: the rev it got first), conflict (stale base_rev: `theirs`) or "
                "rejected (with a reason)",
                _json({"type": "object", "properties": {
                    "results": {"type": arr, "items": _ref("OpResult")},
                    "server_time": {"type": "string"}}}),
                body={"application/json": {"schema": {"type": "object", "required": ["ops"],
                      "properties": {"ops": {"type": arr, "items": _ref("Op"),
                                             "maxItems": MAX_BATCH_OPS}}}}},
                params=[pending_header])},
            f"{p}/sync/changes": {"get": _op(
                "Changes in the caller's scope after a cursor, in the gateway's order",
                _json({"type": "object", "properties": {
                    "changes": {"type": arr, "items": _ref("Change")},
                    "cursor": {"type": "string"}, "more": {"type": "boolean"},
                    "server_time": {"type": "string"}}}),
                params=[{"name": "since", "in": "query", "schema": {"type": "string"}},
                        {**_LIMIT, "schema": {"type": "integer", "minimum": 1,
                                              "maximum": MAX_PULL_LIMIT}},
                        pending_header])},
            f"{p}/blobs/{{sha256}}": {
                "put": _op(f"Upload a piece (at most {MAX_BLOB_CHUNK} bytes) at `offset`; "
                           "complete when the SHA-256 of what arrived matches",
                           _json({"type": "object", "properties": {
                               "received": {"type": "integer"},
                               "complete": {"type": "boolean"}}}),
                           body={"application/octet-stream": {"schema": {
                               "type": "string", "format": "binary"}}},
                           params=[_SHA, {"name": "offset", "in": "query",
                                          "schema": {"type": "integer", "minimum": 0}}],
                           extra={"409": _json(_ref("Error"), "Offset beyond what has "
                                               "arrived; see X-Received")}),
                "head": _op("Upload progress: X-Received header (404: nothing yet)",
                            {"description": "Some bytes held", "headers": {"X-Received": {
                                "schema": {"type": "integer"}}}}, params=[_SHA]),
                "get": _op("Download, only if an attachment in the caller's scope cites it",
                           {"description": "The bytes", "content": {
                               "application/octet-stream": {"schema": {
                                   "type": "string", "format": "binary"}}}}, params=[_SHA]),
            },
            f"{p}/pod/devices": {"get": _op(
                "The pod's laptops, when each last synced, what each has waiting. " + _SUPPORT,
                _json({"type": "object", "properties": {"devices": {
                    "type": arr, "items": _ref("Device")}}}))},
            f"{p}/pod/workers": {"get": _op(
                "Per worker: laptops, changes waiting on them, records not yet filed. "
                + _SUPPORT,
                _json({"type": "object", "properties": {"workers": {
                    "type": arr, "items": _ref("WorkerQueue")}}}))},
            f"{p}/pod/unfiled": {"get": _op(
                "Records received from laptops and not yet filed in the case system. "
                + _SUPPORT,
                _json({"type": "object", "properties": {"records": {
                    "type": arr, "items": _ref("UnfiledRecord")}}}), params=[_LIMIT])},
            f"{p}/pod/problems": {"get": _op(
                "Conflicts and failures (rejected ops), newest first. " + _SUPPORT,
                _json({"type": "object", "properties": {
                    "conflicts": {"type": arr, "items": {"type": "object"}},
                    "failures": {"type": arr, "items": {"type": "object"}}}}),
                params=[_LIMIT])},
            f"{p}/pod/records/{{id}}/filed": {"post": _op(
                "Mark a record filed with its case-system reference; its rev moves on and "
                "laptops pull it with filed=true. " + _SUPPORT,
                _json({"type": "object", "properties": {
                    "id": {"type": "string"}, "rev": {"type": "integer"},
                    "filed": {"type": "boolean"}, "case_system_ref": {"type": "string"}}}),
                body={"application/json": {"schema": {
                    "type": "object", "required": ["case_system_ref"],
                    "properties": {"case_system_ref": {"type": "string", "maxLength": 100}}}}},
                params=[{"name": "id", "in": "path", "required": True,
                         "schema": {"type": "string"}}],
                extra={"404": _json(_ref("Error"), "Not a record of this pod"),
                       "409": _json(_ref("Error"), "Already filed")})},
        },
    }
