"""/readyz with django-health-check: the database answers, every migration is applied, and the
shared cache and the broker are reported.

Kubernetes takes a web pod out of the Service while /readyz answers 503. Only the database and the
migrations decide that: with Redis down the portal still serves (throttles count in the database,
e-mails wait in the outbox), so a cache or broker failure answers 200 "degraded" with the failing
part named, instead of taking every pod out at once. /healthz (core.views) says only that the
process answers.
"""

import asyncio
import dataclasses
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views import View
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable

RETRY_AFTER_SECONDS = "5"


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration on disk is applied (a pod of a new release waits for the migration Job)."""

    alias: str = "default"

    def run(self) -> None:
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        finally:
            connection.close()
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied")


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection."""

    def run(self) -> None:
        from uscis_portal.celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=0, timeout=2)
        except Exception as exc:  # noqa: BLE001 - any failure to connect is "unavailable"
            raise ServiceUnavailable("broker unavailable") from exc


@dataclasses.dataclass
class ClosingDatabase(Database):
    """django-health-check's SELECT 1, closing the connection its worker thread opened."""

    def run(self) -> None:
        try:
            super().run()
        finally:
            connections[self.alias].close()


CRITICAL = (ClosingDatabase, MigrationsApplied)
CHECKS = (ClosingDatabase, MigrationsApplied, Cache, Broker)


async def _results() -> list[Any]:
    return await asyncio.gather(*(check().get_result(None) for check in CHECKS))


class ReadinessView(View):
    """A plain (synchronous) view, as the WSGI workers serve: django-health-check's checks, which are
    async, run concurrently on a private event loop in a helper thread, so the answer never depends
    on whether the calling thread already has a loop of its own."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        with ThreadPoolExecutor(max_workers=1) as pool:
            results = pool.submit(asyncio.run, _results()).result()
        checks = {result.check.__class__.__name__: "OK" if not result.error else str(result.error)
                  for result in results}
        unavailable = any(result.error for result in results if isinstance(result.check, CRITICAL))
        degraded = any(result.error for result in results)
        status = "unavailable" if unavailable else "degraded" if degraded else "ok"
        response = JsonResponse({"status": status, "checks": checks}, status=503 if unavailable else 200)
        if unavailable:
            response.headers["Retry-After"] = RETRY_AFTER_SECONDS
        return response
