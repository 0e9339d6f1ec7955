"""Sentry, when SENTRY_DSN is set (production settings call `sentry_init`)."""

from typing import Any

from .logcontext import request_id_var, user_id_var


def scrub(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """No personal data leaves: the person is their user id, the request its id; no body, cookies
    or query string (they may hold names, addresses, receipt numbers)."""
    user_id = user_id_var.get()
    event["user"] = {"id": str(user_id)} if user_id is not None else {}
    request = event.get("request") or {}
    for key in ("data", "cookies", "query_string", "env"):
        request.pop(key, None)
    headers = request.get("headers") or {}
    for key in list(headers):
        if key.lower() in {"authorization", "cookie", "x-csrftoken"}:
            headers.pop(key)
    event.setdefault("tags", {})["request_id"] = request_id_var.get()
    return event


def sentry_init(dsn: str, *, environment: str = "production", traces_sample_rate: float = 0.0) -> None:
    """Errors (and, if sampled, traces) from web, workers and beat to Sentry."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn, environment=environment, traces_sample_rate=traces_sample_rate, send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()], before_send=scrub,  # type: ignore[arg-type]
    )
