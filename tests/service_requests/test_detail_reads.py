"""A request's page reads: the timeline's compiled statements give what the ORM gives, and the detail reads the
escalation row in the same statement as the request (no lazy query per detail)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from service_requests import selectors
from service_requests.models import EventKind, ServiceRequest, ServiceRequestEvent
from tests.auth import api_for

FILE = {"request_type": "outside_processing_time", "receipt_number": "EAC-22-901-23456",
        "description": "Past the posted processing time."}


@pytest.fixture
def worked(maria, vsc_staff) -> ServiceRequest:
    """Maria's request with a note, a response and a transfer; the note is dated before the response but written
    after it, so creation order and the timeline's order (created_at, then id) differ."""
    reference = api_for(maria).post("/api/v1/service-requests/", FILE, format="json").json()["reference_number"]
    staff, base = api_for(vsc_staff), f"/api/v1/service-requests/{reference}"
    assert staff.post(f"{base}/responses/", {"body": "We are reviewing your case."}, format="json").status_code == 200
    assert staff.post(f"{base}/notes/", {"body": "Internal: check the A-file."}, format="json").status_code == 200
    events = ServiceRequestEvent.objects.filter(request__reference_number=reference)
    answered = events.get(kind=EventKind.RESPONSE).created_at
    events.filter(kind=EventKind.CREATED).update(created_at=answered - timedelta(seconds=2))
    events.filter(kind=EventKind.NOTE).update(created_at=answered - timedelta(seconds=1))
    assert staff.post(f"{base}/transfer/", {"to_office": "NSC", "reason": "File is in Lincoln"},
                      format="json").status_code == 200
    return ServiceRequest.objects.get(reference_number=reference)


def _orm(request: ServiceRequest, **only) -> list[ServiceRequestEvent]:
    return list(request.events.select_related("actor", "from_office", "to_office", "agency").filter(**only))


def _shape(events: list[ServiceRequestEvent]) -> list[tuple]:
    return [(e.pk, e.kind, e.body, e.created_at, e.actor_id, e.actor and e.actor.username, e.from_office_id,
             e.to_office and e.to_office.code, e.agency_id) for e in events]


def test_staff_timeline_is_the_orm_s_every_event_in_order(worked, nsc_staff):
    expected = _orm(worked)
    assert [e.kind for e in expected] == ["created", "note", "response", "transfer"]  # the note's date puts it second
    with CaptureQueriesContext(connection) as ctx:
        events = selectors.timeline_for_user(nsc_staff, worked)
        assert _shape(events) == _shape(expected)
        assert all(e.request is worked for e in events)  # as request.events gives them: no query to reach it
    assert len(ctx.captured_queries) == 1
    assert next(e for e in events if e.kind == EventKind.TRANSFER).body == "File is in Lincoln"


def test_customer_timeline_is_the_visible_events_and_no_transfer_reason(worked, maria, nsc_staff):
    expected = _orm(worked, visible_to_customer=True)
    events = selectors.timeline_for_user(maria, worked)
    assert [e.kind for e in events] == ["created", "response", "transfer"]
    assert [e.pk for e in events] == [e.pk for e in expected]
    assert [e.body for e in events] == [e.body for e in expected[:2]] + [""]
    # The staff view read afterwards in the same process still has the reason (nothing is shared between reads).
    assert selectors.timeline_for_user(nsc_staff, worked)[-1].body == "File is in Lincoln"


def test_detail_reads_the_escalation_with_the_request(worked, maria):
    """Customer detail (signed in by the test client, so no token statement): the request joined to its
    escalation row, the scope check and the timeline. Without the join, reading the stage made a fourth
    statement of its own."""
    client = api_for(maria)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/service-requests/{worked.reference_number}/")
    assert response.status_code == 200
    body = response.json()
    assert body["escalation_stage"] == worked.escalation.stage and body["escalation"]["stage"] == worked.escalation.stage
    statements = [q["sql"] for q in ctx.captured_queries]
    alone = [s for s in statements if 'FROM "service_requests_escalation"' in s]
    assert alone == [], alone
    assert len(statements) == 3, statements


def test_timeline_of_a_request_with_no_events_is_empty(maria, vsc_staff):
    request = ServiceRequest.objects.get(
        reference_number=api_for(maria).post("/api/v1/service-requests/", FILE, format="json").json()["reference_number"])
    request.events.all().delete()
    assert selectors.timeline_for_user(maria, request) == []
    assert selectors.timeline_for_user(vsc_staff, request) == []


def test_a_staff_answer_reads_each_row_once(maria, vsc_staff):
    """A staff response through the API: the token, the row lock, the scope check, the compare-and-swap UPDATE,
    the request read back with its office and customer, the escalation's stage, the event, the audit row, the
    e-mail owed, then the answer's detail (its timeline and the escalation row as it is now). The office and the
    customer are never read on their own (they were: the office twice, for a refusal message built in advance and
    after the read-back, and the customer once)."""
    reference = api_for(maria).post("/api/v1/service-requests/", FILE, format="json").json()["reference_number"]
    client = api_for(vsc_staff)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/api/v1/service-requests/{reference}/responses/", {"body": "We are reviewing it."},
                               format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "answered" and body["current_office"]["code"] == "VSC"
    assert body["customer"] == "maria@example.com" and body["escalation_stage"] == "answered"
    statements = [q["sql"] for q in ctx.captured_queries]
    for table in ("offices_office", "core_user"):
        reads = [s for s in statements if s.startswith("SELECT") and f'FROM "{table}"' in s]
        assert reads == [], (table, reads)
    assert len(statements) == 13, statements  # the token, the savepoint and its release among them
