"""Errors the test server answers with, as Telegram words them, and the faults and flood limits a test injects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model import SEND_METHODS

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


# ------------------------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An error answer of the Bot API: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, error_code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(text: str, parameters: dict[str, Any] | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {text}", parameters)


def _forbidden(text: str) -> ApiError:
    return ApiError(403, f"Forbidden: {text}")


def _too_many_requests(retry_after: float) -> ApiError:
    shown = int(retry_after) if float(retry_after).is_integer() else retry_after
    return ApiError(429, f"Too Many Requests: retry after {shown}", {"retry_after": shown})


@dataclass
class Fault:
    """An injected failure; matches by method and/or chat, for ``remaining`` calls (None: until cleared)."""

    method: str | None
    chat_id: int | None
    remaining: int | None
    error_code: int | None
    description: str | None
    parameters: dict[str, Any] | None
    delay: float = 0.0
    hits: int = 0

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def error(self) -> ApiError | None:
        if self.error_code is None:
            return None
        if self.error_code == 429:
            retry_after = (self.parameters or {}).get("retry_after", 1)
            error = _too_many_requests(retry_after)
            if self.description:
                error.description = self.description
            return error
        return ApiError(
            self.error_code,
            self.description or _DEFAULT_DESCRIPTIONS.get(self.error_code, "Error"),
            self.parameters,
        )


@dataclass
class FloodLimits:
    """Opt-in flood control: more than these answers 429 with the seconds until the window frees."""

    per_second: int = 30
    per_group_per_minute: int = 20
    per_chat_per_second: int | None = None
    methods: frozenset[str] = SEND_METHODS
