"""Errors raised by services and selectors; the API and the web pages translate them.

Services never return HTTP responses. They raise one of these, and the DRF exception handler
(`core.api.exceptions`) or a web view turns it into 400/404/409 with the message.
"""

from typing import Any


class ApplicationError(Exception):
    """Bad input that a service refused. 400 unless a subclass says otherwise.

    `fields` maps input field names to messages, so the API can answer with field errors and a
    form can attach each message to its field.
    """

    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}
        self.extra = extra or {}

    @classmethod
    def for_field(cls, field: str, message: str, *, code: str | None = None) -> "ApplicationError":
        return cls(message, code=code, fields={field: [message]})


class NotFound(ApplicationError):
    """What does not exist, or is not the caller's to see: the same answer for both."""

    status_code = 404
    default_code = "not_found"


class Conflict(ApplicationError):
    """The request is well formed but conflicts with current state (full slot, window not open)."""

    status_code = 409
    default_code = "conflict"


class Forbidden(ApplicationError):
    status_code = 403
    default_code = "forbidden"
