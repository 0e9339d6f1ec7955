"""What operators see: a request id and the user id on every log line, one structured line per
request, Prometheus metrics for the outbox and the escalation sweep (Sentry: core.sentry).

Logs never carry personal data: a person is their numeric user id, a page is its URL pattern
(`service-requests/<str:reference_number>/`), never the address itself (it may hold a reset token)
nor the query string (it may hold a ZIP code or a receipt number).
"""

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

from .cache import cache_call
from .logcontext import request_id_var, user_id_var

request_log = logging.getLogger("portal.request")
REQUEST_ID_HEADER = "X-Request-ID"
# A request id from our own proxy (nginx's $request_id) is kept if it looks like one; else a new one.
REQUEST_ID_SHAPE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


class RequestLogMiddleware:
    """Gives each request its id (X-Request-ID in and out), logs with it and the user id, and
    writes one line per request: method, URL pattern, status, duration.

    Placed after the authentication middleware; an API request signed with a token is known once
    its view has authenticated it (DRF sets the user on the request), so its line carries the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if REQUEST_ID_SHAPE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        id_token, user_token = request_id_var.set(request_id), user_id_var.set(_user_id(request))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            user_id_var.set(_user_id(request))
            match = request.resolver_match
            request_log.info("request", extra={
                "method": request.method, "route": match.route if match else "(unresolved)",
                "status": response.status_code, "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            })
            response.headers[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            request_id_var.reset(id_token)
            user_id_var.reset(user_token)


# --- Metrics --------------------------------------------------------------------------------------
# Request latency and counts come from django-prometheus' middleware. The outbox and the sweep are
# read when Prometheus scrapes, from the database and the shared cache, so every web process
# answers the same whichever worker or beat did the work.
SWEEP_METRICS_KEY = "portal:metrics:escalation-sweep"


def sweep_record(*, duration: float, window1_opened: int, window2_opened: int, notifications_owed: int) -> None:
    """The last sweep's figures, for /metrics (kept a day on the shared cache, or its fallback)."""
    figures = {"duration": duration, "finished_at": time.time(), "window1_opened": window1_opened,
               "window2_opened": window2_opened, "notifications_owed": notifications_owed}
    cache_call(lambda cache: cache.set(SWEEP_METRICS_KEY, figures, 86400))


class PortalCollector(Collector):
    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The names, for the registry (without it, registering would query the database)."""
        for name in ("portal_outbox_backlog", "portal_outbox_oldest_owed_age_seconds",
                     "portal_escalation_sweep_duration_seconds", "portal_escalation_sweep_finished_timestamp_seconds",
                     "portal_escalation_sweep_moved"):
            yield GaugeMetricFamily(name, name)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from .models import Notification, NotificationStatus

        owed = Q(status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING])
        figures = Notification.objects.aggregate(
            owed=Count("pk", filter=owed), held=Count("pk", filter=Q(status=NotificationStatus.HELD)),
            failed=Count("pk", filter=Q(status=NotificationStatus.FAILED)), oldest=Min("created_at", filter=owed),
        )
        backlog = GaugeMetricFamily("portal_outbox_backlog", "E-mails in the outbox by state (owed: not sent yet)",
                                    labels=["state"])
        for state in ("owed", "held", "failed"):
            backlog.add_metric([state], figures[state])
        yield backlog
        oldest = figures["oldest"]
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily("portal_outbox_oldest_owed_age_seconds",
                                "Age of the oldest e-mail not sent yet (0 when none is owed)", value=age)
        sweep: dict[str, Any] | None = cache_call(lambda cache: cache.get(SWEEP_METRICS_KEY))
        if sweep:
            yield GaugeMetricFamily("portal_escalation_sweep_duration_seconds",
                                    "How long the last escalation sweep took", value=sweep["duration"])
            yield GaugeMetricFamily("portal_escalation_sweep_finished_timestamp_seconds",
                                    "When the last escalation sweep finished (Unix time)", value=sweep["finished_at"])
            moved = GaugeMetricFamily("portal_escalation_sweep_moved", "Requests the last sweep moved, by window",
                                      labels=["window"])
            moved.add_metric(["1"], sweep["window1_opened"])
            moved.add_metric(["2"], sweep["window2_opened"])
            yield moved


_collector: PortalCollector | None = None


def metrics_register() -> None:
    """Once per process (core.apps.CoreConfig.ready)."""
    global _collector
    if _collector is None:
        _collector = PortalCollector()
        REGISTRY.register(_collector)
