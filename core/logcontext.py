"""The request id and user id that every log line carries (set by core.observability's middleware).

No Django imports: settings modules load this (LOGGING's filter, core.sentry) before apps are ready.
"""

import logging
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
user_id_var: ContextVar[int | None] = ContextVar("user_id", default=None)


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `user_id` (or None) to every record (settings.LOGGING's filters)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        return True
