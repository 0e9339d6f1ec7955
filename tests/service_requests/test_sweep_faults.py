"""The sweep under faults, with a real Redis broker, a real worker, Postgres and an SMTP sink.

- The broker is down while a sweep runs: the command commits and exits 0; once the broker is back
  the re-send job (beat runs it every 30 seconds) hands the owed e-mails over and each arrives once.
- Four sweeps at once, and two beats at once: every due request moves once and every owed e-mail
  arrives at the SMTP sink exactly once.
"""

import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone

from core.models import Notification, NotificationStatus
from core.notifications import REQUEUE_AFTER, notifications_requeue
from service_requests.models import Escalation
from service_requests.sweep import escalation_sweep
from tests.servers import RedisServer, SmtpSink
from tests.service_requests.bulk import bulk_requests

pytestmark = [pytest.mark.postgres, pytest.mark.broker, pytest.mark.django_db(transaction=True),
              pytest.mark.timeout(240)]

ROOT = Path(__file__).resolve().parents[2]


def _forget_connections(app) -> None:  # type: ignore[no-untyped-def]
    """Drop pooled connections and the queue and routing tables celery cached from an earlier test's
    configuration (another test's worker may have used a queue of its own)."""
    app._pool = None
    app.amqp._producer_pool = None
    for cached in ("default_queue", "queues", "router", "default_exchange"):
        app.amqp.__dict__.pop(cached, None)


@pytest.fixture
def broker(private_redis):
    """The private redis-server (issue 11's fixture) as the Celery broker."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    from uscis_portal.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "broker_transport_options",
                                      "task_default_queue")}
    # The default queue, as the beat processes of the last test publish to it; the broker is private.
    app.conf.update(broker_url=private_redis.url(), task_always_eager=False, broker_transport_options={},
                    task_default_queue="celery")
    _forget_connections(app)
    try:
        yield private_redis
    finally:
        app.conf.update(saved)
        _forget_connections(app)


@pytest.fixture
def sink(settings, smtp_sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_sink.host, smtp_sink.port
    settings.EMAIL_USE_TLS = False
    return smtp_sink


def _worker():  # type: ignore[no-untyped-def]
    from celery.contrib.testing.worker import start_worker

    from uscis_portal.celery import app

    _forget_connections(app)
    return start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10)


def _wait_for(sink: SmtpSink, count: int, *, within: float) -> float:
    start = time.monotonic()
    sink.wait_for(count, timeout=within)
    return time.monotonic() - start


def _settle(sink: SmtpSink, quiet: float = 2.0) -> None:
    """Wait until no more mail arrives for `quiet` seconds (a duplicate would show up by then)."""
    last, seen = time.monotonic(), len(sink.received())
    while time.monotonic() - last < quiet:
        time.sleep(0.2)
        if len(sink.received()) != seen:
            last, seen = time.monotonic(), len(sink.received())


def _subjects(sink: SmtpSink) -> list[str]:
    return [m.subject for m in sink.received()]


def _due(count: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
    bulk_requests(count, created=timezone.now() - timedelta(days=20), **kwargs)


def _env(broker: RedisServer, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "uscis_portal.settings.local", "DATABASE_URL": url,
            "CELERY_BROKER_URL": broker.url(), "DJANGO_DEBUG": "false", **extra}


def test_broker_down_the_sweep_commits_exits_0_and_mail_goes_out_once_when_it_is_back(directory, broker, sink):
    _due(12)
    broker.stop()
    run = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "run_escalations"], cwd=ROOT, env=_env(broker), capture_output=True, text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "moved 12" in run.stdout and "notifications owed: 12" in run.stdout
    assert Escalation.objects.filter(stage="window1_open").count() == 12
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 12
    broker.start()
    back = time.monotonic()
    with _worker():
        # Beat runs the re-send job every REQUEUE_AFTER; its first run after the broker's return is at
        # most that long after it, and picks up rows older than REQUEUE_AFTER (these are).
        handed = notifications_requeue(now=timezone.now() + REQUEUE_AFTER)
        waited = _wait_for(sink, 12, within=30)
        _settle(sink)
        notifications_requeue(now=timezone.now() + REQUEUE_AFTER)  # a second run sends nothing again
        _settle(sink)
    assert handed == 12
    assert REQUEUE_AFTER.total_seconds() + waited < 60 and time.monotonic() - back < 60 + 5
    assert len(sink.received()) == 12
    assert Counter(_subjects(sink)).most_common(1)[0][1] == 1  # one e-mail per request (reference in subject)
    assert sink.duplicates() == {}
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()


def test_four_sweeps_at_once_move_each_request_once_and_each_email_arrives_once(directory, broker, sink):
    _due(40, vary=False)
    results, errors = [], []
    barrier = threading.Barrier(4)

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(escalation_sweep())
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    with _worker():
        threads = [threading.Thread(target=sweep) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        _wait_for(sink, 40, within=60)
        _settle(sink)
    assert errors == []
    assert sum(r.window1_opened for r in results) == 40 and sum(r.notifications_owed for r in results) == 40
    assert len(sink.received()) == 40 and len(set(_subjects(sink))) == 40


def test_two_beats_at_once_deliver_each_owed_email_once(directory, broker, sink, tmp_path):
    """Two real `celery beat` processes each schedule the sweep every second; one worker runs them all."""
    _due(25)
    beats = [
        subprocess.Popen(  # noqa: S603 - our own celery app
            [sys.executable, "-m", "celery", "-A", "uscis_portal", "beat", "--loglevel=WARNING",
             "-S", "celery.beat:PersistentScheduler", f"--schedule={tmp_path / f'beat-{i}'}"],
            cwd=ROOT, env=_env(broker, ESCALATION_SWEEP_SECONDS="1"), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(2)
    ]
    try:
        with _worker():
            _wait_for(sink, 25, within=90)
            _settle(sink, quiet=4.0)  # several more sweeps from both beats run meanwhile
    finally:
        for beat in beats:
            beat.terminate()
        for beat in beats:
            beat.wait(20)
    assert Escalation.objects.filter(stage="window1_open").count() == 25
    assert len(sink.received()) == 25 and len(set(_subjects(sink))) == 25
    assert Notification.objects.filter(kind="service_request.window1_open").count() == 25
