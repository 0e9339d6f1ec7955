"""A task travels through the real Redis broker to a real worker (needs REDIS_URL; .ci/run sets it)."""

import os
import time
import uuid

import pytest
from django.core import mail

from core import services
from core.models import Notification, NotificationStatus

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def _forget_connections(app) -> None:
    """Drop pooled connections so the next message goes to the broker now configured."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_worker():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: this test sends tasks through a real Redis broker (.ci/run sets it)")
    from celery.contrib.testing.worker import start_worker

    from uscis_portal.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "broker_transport_options", "task_default_queue")}
    app.conf.update(
        broker_url=url, task_always_eager=False, broker_transport_options={},
        task_default_queue=f"test-{uuid.uuid4().hex}",  # never steal work from a developer's worker
    )
    _forget_connections(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(saved)
        _forget_connections(app)


def test_welcome_email_is_delivered_by_a_worker_through_redis(directory, redis_worker):
    user = services.customer_register(
        email="ana@example.com", password="correct-horse-battery", first_name="Ana", last_name="Diaz", zip_code="60605"
    )
    row = Notification.objects.get(user=user, kind="account.welcome")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.status == NotificationStatus.SENT:
            break
        time.sleep(0.2)
    assert row.status == NotificationStatus.SENT, f"worker did not deliver: {row.status} {row.last_error}"
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
