"""A staff response racing the customer's follow-up inquiry (Postgres, real row locks, threads).

Each round a third connection holds the request's row lock until both actions are waiting on it, so
they really queue behind each other; then whichever gets the lock first commits first. Whatever the
order, never an inquiry accepted after the answer, never a response dated before an inquiry it
followed: every transition reads the clock after taking its lock.
"""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from core.errors import ApplicationError
from service_requests import services
from service_requests.models import EventKind, ServiceRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 20


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def _one_round(reference: str, maria, vsc_staff) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                ServiceRequest.objects.select_for_update().get(reference_number=reference)
                held.set()
                release.wait(30)
        finally:
            connections.close_all()

    def act(name: str, job) -> None:  # type: ignore[no-untyped-def]
        held.wait(30)
        try:
            job()
            outcomes[name] = "ok"
        except ApplicationError as exc:
            outcomes[name] = exc.code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=hold),
        threading.Thread(target=act, args=("respond", lambda: services.service_request_respond(
            actor=vsc_staff, reference_number=reference, body="Your card was mailed today.")))
        , threading.Thread(target=act, args=("inquiry", lambda: services.service_request_service_center_inquiry(
            actor=maria, reference_number=reference, message="Any news?"))),
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while _waiting_on_locks() < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_a_response_and_an_inquiry_are_ordered_as_they_committed(file_request, maria, vsc_staff):
    seen: Counter = Counter()
    for i in range(ROUNDS):
        request = file_request(receipt_number=f"EAC22901{i:05d}", now=timezone.now() - timedelta(days=20))
        outcomes = _one_round(request.reference_number, maria, vsc_staff)
        assert outcomes["respond"] == "ok", outcomes
        assert outcomes["inquiry"] in ("ok", "already_answered"), outcomes
        request.refresh_from_db()
        events = {e.kind: e.created_at for e in request.events.all()}
        if outcomes["inquiry"] == "ok":
            # Both accepted: the inquiry committed first, so the response follows it in time.
            assert request.service_center_inquiry_at < request.first_response_at, (i, outcomes)
            assert events[EventKind.SERVICE_CENTER_INQUIRY] < events[EventKind.RESPONSE]
        else:
            assert request.service_center_inquiry_at is None and EventKind.SERVICE_CENTER_INQUIRY not in events
        seen[outcomes["inquiry"]] += 1
    assert sum(seen.values()) == ROUNDS
