"""The gateway's error answers: an HTTP status, a protocol error code and words for a person."""

from __future__ import annotations

from rbsw_desktop.protocol import ErrorCode


class ApiError(Exception):
    """An HTTP error answer: status, protocol error code, and words for a person."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, ErrorCode.BAD_REQUEST.value, message)


def not_found(message: str = "There is no such address on the council system.") -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND.value, message)


def too_large(message: str) -> ApiError:
    return ApiError(413, ErrorCode.TOO_LARGE.value, message)
