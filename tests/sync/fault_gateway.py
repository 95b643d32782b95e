"""The real gateway with a test-only fault hook in front of it: `python -m tests.sync.fault_gateway
ARGS...` is `rbsw-gateway ARGS...`, except that its app first looks at a fault plan file
(`DATA_DIR/test-faults.json`, written by the `gateway` fixture's `fail_next`): once the plan's
`after` API requests have passed, while it has requests left, API requests are answered with its
status (and `Retry-After`), in the protocol's error shape. openapi.json is never failed. The
production gateway has no such hook."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

from rbsw_desktop.gateway import server
from rbsw_desktop.gateway.app import app_from_env
from rbsw_desktop.gateway.edge import error_body
from rbsw_desktop.gateway.errors import ApiError
from rbsw_desktop.protocol import API_PREFIX, ErrorCode

PLAN_ENV = "RBSW_TEST_FAULT_PLAN"
#: What a planned fault's answer says.
BUSY = "The council system is busy (test)."
_lock = threading.Lock()


def _take(plan: Path) -> dict[str, Any] | None:
    with _lock:
        try:
            fault = json.loads(plan.read_text())
        except (OSError, ValueError):
            return None
        if fault.get("remaining", 0) <= 0:
            return None
        if fault.get("after", 0) > 0:
            fault["after"] -= 1
            plan.write_text(json.dumps(fault))
            return None
        fault["remaining"] -= 1
        plan.write_text(json.dumps(fault))
        return fault


def faulty_app() -> Any:
    real = app_from_env()
    plan = Path(os.environ[PLAN_ENV])

    async def app(scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        fault = (_take(plan) if path.startswith(API_PREFIX)
                 and path != f"{API_PREFIX}/openapi.json" else None)
        if fault is None:
            await real(scope, receive, send)
            return
        code = ErrorCode.RATE_LIMITED if fault["status"] == 429 else ErrorCode.UNAVAILABLE
        headers = {} if fault.get("retry_after") is None else {
            "Retry-After": f"{fault['retry_after']:g}"}
        body, raw_headers = error_body(ApiError(fault["status"], code.value,
                                                BUSY, headers))
        raw_headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": fault["status"],
                    "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})

    return app


if __name__ == "__main__":
    from rbsw_desktop.gateway import cli

    server.APP_FACTORY = "tests.sync.fault_gateway:faulty_app"
    sys.exit(cli.main())
