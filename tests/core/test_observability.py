"""Operations (issue 11): JSON logs with a request id and the user id and never personal data; the
sweep and the re-send job log their counts; Prometheus metrics for request latency, the outbox
backlog and age, and the sweep; Sentry when SENTRY_DSN is set."""

import io
import json
import logging
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone
from pythonjsonlogger.json import JsonFormatter

from core import notifications
from core.logcontext import RequestContextFilter, user_id_var
from core.models import Notification, NotificationStatus
from service_requests.sweep import escalation_sweep
from tests.auth import api_for, sign_in
from tests.factories import CustomerFactory, StaffFactory
from uscis_portal.settings.base import logging_config


@pytest.fixture
def json_log():  # type: ignore[no-untyped-def]
    """The production log format (settings' logging_config("json")) on the root logger; yields the
    parsed lines."""
    config = logging_config("json")["formatters"]["json"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(config["format"], rename_fields=config["rename_fields"]))
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    lines: list[dict] = []

    def read() -> list[dict]:
        lines[:] = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
        return lines

    yield read
    root.removeHandler(handler)


def request_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "portal.request"]


@pytest.mark.django_db
def test_each_request_logs_one_json_line_with_its_id_and_the_user_id_and_no_personal_data(client, json_log):
    person = CustomerFactory(email="ines.personal@example.com", first_name="Inés", last_name="Privado",
                             profile__zip_code="60605")
    sign_in(client, person)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)

    [line] = [line for line in request_lines(json_log()) if line["route"] == "dashboard/"]
    assert line["request_id"] == request_id and line["user_id"] == person.pk
    assert (line["method"], line["status"], line["level"]) == ("GET", 200, "INFO")
    assert line["duration_ms"] >= 0 and "time" in line

    client.get("/offices/find/?zip_code=60605")
    everything = "\n".join(json.dumps(entry) for entry in json_log())
    for personal in ("ines.personal@example.com", "Inés", "Privado", "60605"):
        assert personal not in everything, personal


@pytest.mark.django_db
def test_our_proxys_request_id_is_kept_and_a_malformed_one_replaced(client, json_log):
    kept = client.get("/", headers={"X-Request-ID": "nginx-5f3a9c0e1b2d"})
    assert kept.headers["X-Request-ID"] == "nginx-5f3a9c0e1b2d"
    replaced = client.get("/", headers={"X-Request-ID": "bad id\nwith a newline"})
    assert replaced.headers["X-Request-ID"] != "bad id\nwith a newline"
    assert {line["request_id"] for line in request_lines(json_log())} == {
        "nginx-5f3a9c0e1b2d", replaced.headers["X-Request-ID"]}


@pytest.mark.django_db
def test_an_api_call_with_a_token_logs_the_user_id_and_the_route_not_the_address(directory, json_log):
    staff = StaffFactory()
    api = api_for(staff)
    assert api.get("/api/v1/auth/me/").status_code == 200
    [line] = [line for line in request_lines(json_log()) if line["route"].endswith("auth/me/")]
    assert line["user_id"] == staff.pk
    assert all(entry.get("user_id") in (None, staff.pk) for entry in json_log())


@pytest.mark.django_db
def test_the_requeue_job_and_the_sweep_log_their_counts(caplog):
    old = timezone.now() - timedelta(hours=1)
    row = Notification.objects.create(kind="x", to_email="a@example.com", subject="s", body="b")
    Notification.objects.filter(pk=row.pk).update(created_at=old)
    with caplog.at_level(logging.INFO):
        notifications.notifications_requeue()
        escalation_sweep()
    [requeue] = [r for r in caplog.records if r.getMessage().startswith("notifications requeue")]
    assert (requeue.enqueued, requeue.held) == (1, 0)  # type: ignore[attr-defined]
    [sweep] = [r for r in caplog.records if r.getMessage().startswith("escalation sweep")]
    assert (sweep.window1_opened, sweep.window2_opened, sweep.notifications_owed) == (0, 0, 0)  # type: ignore[attr-defined]
    assert sweep.duration_ms >= 0  # type: ignore[attr-defined]


def metric(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name + labels)} ([0-9.e+-]+)$", text, re.M)
    assert match, f"{name}{labels} not in /metrics"
    return float(match.group(1))


@pytest.mark.django_db
def test_metrics_show_request_latency_the_outbox_and_the_last_sweep(client):
    client.get("/about/")
    old = timezone.now() - timedelta(minutes=10)
    owed = [Notification.objects.create(kind="x", to_email=f"{n}@example.com", subject="s", body="b") for n in range(3)]
    Notification.objects.filter(pk=owed[0].pk).update(created_at=old)
    Notification.objects.create(kind="x", to_email="h@example.com", subject="s", body="b", status=NotificationStatus.HELD)
    Notification.objects.create(kind="x", to_email="s@example.com", subject="s", body="b", status=NotificationStatus.SENT,
                                sent_at=timezone.now())
    escalation_sweep()

    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert metric(text, "django_http_requests_latency_seconds_by_view_method_count",
                  '{method="GET",view="core:about"}') >= 1
    assert metric(text, "portal_outbox_backlog", '{state="owed"}') == 3
    assert metric(text, "portal_outbox_backlog", '{state="held"}') == 1
    assert 590 <= metric(text, "portal_outbox_oldest_owed_age_seconds") < 700
    assert metric(text, "portal_escalation_sweep_duration_seconds") > 0
    assert metric(text, "portal_escalation_sweep_moved", '{window="1"}') == 0


class _SentryIntake(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            import gzip

            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.bodies.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def test_sentry_gets_errors_with_the_user_id_only(settings):
    """A local HTTP server stands in for Sentry (outside the project); the real SDK sends to it."""
    import sentry_sdk

    from core.sentry import sentry_init

    server = HTTPServer(("127.0.0.1", 0), _SentryIntake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    token = user_id_var.set(4242)
    try:
        sentry_init(f"http://publickey@127.0.0.1:{server.server_port}/7", environment="test")
        try:
            raise ValueError("a bug")  # noqa: TRY301 - the error Sentry must receive
        except ValueError:
            sentry_sdk.capture_exception()
        sentry_sdk.flush(timeout=5)
    finally:
        user_id_var.reset(token)
        sentry_sdk.get_client().close()
        sentry_sdk.init(dsn=None)
        server.shutdown()
    received = b"\n".join(_SentryIntake.bodies).decode(errors="replace")
    assert "ValueError" in received and '"environment":"test"' in received.replace(" ", "")
    assert '"user":{"id":"4242"}' in received.replace(" ", "")


# --- Probes: /healthz (alive) and /readyz (django-health-check) -------------------------------------

@pytest.fixture
def redis_settings(settings, private_redis):  # type: ignore[no-untyped-def]
    """The shared cache and the broker on a private redis-server this test can stop."""
    from uscis_portal.celery import app
    from uscis_portal.settings.base import broker_transport, cache_from_url

    settings.CACHES = {**settings.CACHES, "default": cache_from_url(private_redis.url(1))}  # Django resets caches
    app.conf.broker_url, app.conf.broker_transport = private_redis.url(0), broker_transport(private_redis.url(0))
    yield private_redis
    app.conf.broker_url, app.conf.broker_transport = settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT


@pytest.mark.django_db(transaction=True)
def test_readyz_checks_the_database_migrations_cache_and_broker_and_only_the_database_decides(client, redis_settings):
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.content
    assert ready.json() == {"status": "ok", "checks": {"ClosingDatabase": "OK", "MigrationsApplied": "OK",
                                                       "Cache": "OK", "Broker": "OK"}}
    redis_settings.stop()
    degraded = client.get("/readyz")
    assert degraded.status_code == 200, "Redis down: the portal still serves, so the pod stays in the Service"
    body = degraded.json()
    assert body["status"] == "degraded" and body["checks"]["ClosingDatabase"] == "OK"
    assert body["checks"]["Cache"] != "OK" and body["checks"]["Broker"] == "Unavailable: broker unavailable"
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.postgres  # stops and restarts a Postgres connection
def test_readyz_is_503_with_retry_after_while_the_database_is_away(client, django_db_blocker):
    from django.db import connections

    connection = connections["default"]
    with django_db_blocker.unblock():
        connection.close()
        port = connection.settings_dict["PORT"]
        connection.settings_dict["PORT"] = "1"  # nothing listens there: the database is away
        try:
            response = client.get("/readyz")
        finally:
            connection.close()
            connection.settings_dict["PORT"] = port
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["ClosingDatabase"] != "OK"
    assert client.get("/healthz").status_code == 200, "liveness never depends on the database"


@pytest.mark.postgres  # an empty Postgres database
def test_the_migrations_check_names_what_a_database_lacks(django_db_blocker):
    """A real database with no migrations applied (as before the migration Job has run)."""
    from django.db import connections
    from health_check.exceptions import ServiceUnavailable

    from core.health import MigrationsApplied

    name = f"{connections['default'].settings_dict['NAME']}_unmigrated"
    with django_db_blocker.unblock():
        admin = connections.create_connection("default")
        admin.connect()
        admin.connection.autocommit = True
        with admin.connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connections.settings["unmigrated"] = {**connections["default"].settings_dict, "NAME": name}
        try:
            with pytest.raises(ServiceUnavailable, match="not applied"):
                MigrationsApplied(alias="unmigrated").run()
        finally:
            connections["unmigrated"].close()
            del connections.settings["unmigrated"]
            with admin.connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.close()


@pytest.mark.parametrize("dsn", ["", "http://publickey@127.0.0.1:9/7"])
def test_production_settings_start_sentry_only_when_sentry_dsn_is_set(dsn):
    import subprocess
    import sys

    from tests.production.envs import production_env

    script = "import django, sentry_sdk; django.setup(); print(sentry_sdk.get_client().is_active())"
    result = subprocess.run([sys.executable, "-c", script], env=production_env(SENTRY_DSN=dsn), capture_output=True,
                            text=True, timeout=120, check=True)
    assert result.stdout.strip() == str(bool(dsn)), result.stderr
