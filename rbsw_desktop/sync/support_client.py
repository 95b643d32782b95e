"""The business support officer's calls to the gateway (no Qt): what the pod's view shows, and
marking a record filed. Each call makes its own connection, so it can run on any thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from rbsw_desktop.errors import RbswError
from rbsw_desktop.protocol.models import (
    FileAnswer,
    FileRequest,
    PodDevices,
    PodNotApplied,
    PodUnfiled,
    PodWorkers,
)
from rbsw_desktop.sync import device
from rbsw_desktop.sync.transport import HttpTransport, Refused, read_answer


@dataclass
class PodOverview:
    devices: list[dict[str, Any]] = field(default_factory=list)
    workers: list[dict[str, Any]] = field(default_factory=list)
    unfiled: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    server_time: str = ""


class SupportClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url
        self.token = token
        self.timeout = timeout

    def _transport(self) -> HttpTransport:
        return device.transport(self.base_url, self.token, timeout=self.timeout)

    def overview(self) -> PodOverview:
        transport = self._transport()
        try:
            answer = transport.call("GET", "/pod/devices")
            devices = read_answer(PodDevices, answer).model_dump()["devices"]
            workers = read_answer(PodWorkers, transport.call("GET", "/pod/workers")).model_dump()
            unfiled = read_answer(PodUnfiled, transport.call("GET", "/pod/unfiled")).model_dump()
            not_applied = read_answer(PodNotApplied,
                                      transport.call("GET", "/pod/problems")).model_dump()
            return PodOverview(devices=devices, workers=workers["workers"],
                               unfiled=unfiled["records"], conflicts=not_applied["conflicts"],
                               refused=not_applied["failures"],
                               server_time=answer.headers.get("date", ""))
        except Refused as exc:
            if exc.status == 403:
                raise RbswError("This view is for the pod's business support officer. Sign in "
                                "with a business support laptop to use it.") from None
            raise
        finally:
            transport.close()

    def file_record(self, record_id: str, case_system_ref: str) -> dict[str, Any]:
        ref = case_system_ref.strip()
        if not ref:
            raise RbswError("Type the case-system reference before marking it filed.")
        transport = self._transport()
        try:
            answer = transport.call("POST", f"/pod/records/{quote(record_id, safe='')}/filed",
                                    FileRequest(case_system_ref=ref).model_dump())
            return read_answer(FileAnswer, answer).model_dump()
        finally:
            transport.close()
