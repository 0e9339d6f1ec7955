"""The statements of one booking, pinned: a change that adds a read or a write to the booking fails here.

A booking through the API with a real token, on a warm process (the jurisdiction index, the office's
policy and schedule and the reasons already in memory), runs exactly these statements: the token, the
early full-slot read, the customer's lock, their upcoming appointments, the one INSERT … ON CONFLICT DO
UPDATE … WHERE booked < capacity that creates the slot's row or takes a place in it, the appointment, the audit row and
the e-mail owed (the token and the full-slot read come before the transaction). Policy, schedule blocks, closures, the reason and the office are read from memory, and
an edit of any of them (through save/delete, as the admin does) is seen by the next booking.
"""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from appointments import rules, services
from appointments.models import Appointment, AppointmentPolicy, AppointmentReason, ScheduleTemplate, Slot
from offices import jurisdiction
from offices.models import Office, OfficeClosure
from tests.auth import api_token

pytestmark = pytest.mark.postgres  # Postgres's statements (SQLite books by the ORM: appointments.services._take_place)

BOOK = "/api/v1/appointments/"
FIRST, SECOND, THIRD = "2026-12-01T09:00:00-06:00", "2026-12-01T10:00:00-06:00", "2026-12-02T09:00:00-06:00"

# (statement, table) of one booking, in order, whether or not the slot's row exists yet. The test
# transaction turns BEGIN/COMMIT into a savepoint and its release.
BOOKING = [
    ("SELECT", "knox_authtoken"),  # the token, its user and their profile (core.api.authentication)
    ("SELECT", "appointments_slot"),  # full already? (and does the row exist) — before the transaction
    ("SAVEPOINT", ""),
    ("SELECT", "core_user"),  # FOR UPDATE: one booking at a time per customer
    ("SELECT", "appointments_appointment"),  # their upcoming appointments
    ("INSERT", "appointments_slot"),  # ON CONFLICT DO UPDATE booked + 1 WHERE booked < capacity RETURNING
    ("INSERT", "appointments_appointment"),  # ON CONFLICT DO NOTHING RETURNING
    ("INSERT", "core_auditevent"),
    ("INSERT", "core_notification"),  # the outbox row; sent after commit
    ("RELEASE", ""),
]

MEMORY_TABLES = ("appointments_appointmentpolicy", "appointments_scheduletemplate", "appointments_appointmentreason",
                 "offices_officeclosure", "offices_agencyclosure", "offices_office", "core_customerprofile")


def shape(sql: str) -> tuple[str, str]:
    verb = sql.split(None, 1)[0].upper()
    outer = sql
    while (inner := re.sub(r"\([^()]*\)", "", outer)) != outer:  # subqueries out: the statement's own table
        outer = inner
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', outer)
    return verb, table.group(1) if table and verb in {"SELECT", "INSERT", "UPDATE"} else ""


def booking_statements(client: APIClient, start: str) -> list[tuple[str, str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(BOOK, {"office": "CHI", "start": start, "reason": "information"}, format="json")
    assert response.status_code == 201, response.content
    return [shape(q["sql"]) for q in ctx.captured_queries]


@pytest.fixture
def token_client(frozen, maria):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(maria)}")
    # Warm the process as a running worker is: a first booking reads what is then kept.
    response = client.post(BOOK, {"office": "CHI", "start": "2026-12-03T09:00:00-06:00"}, format="json")
    assert response.status_code == 201, response.content
    return client


def test_a_booking_runs_exactly_its_statements(token_client):
    assert booking_statements(token_client, FIRST) == BOOKING


def test_a_booking_into_an_existing_slot_runs_the_same_statements(token_client, other_customer):
    other = APIClient()
    other.force_authenticate(other_customer)
    assert other.post(BOOK, {"office": "CHI", "start": FIRST}, format="json").status_code == 201
    # other_customer lives in 60601 (CHI too), so the slot row exists now.
    assert booking_statements(token_client, FIRST) == BOOKING
    slot = Slot.objects.get(office__code="CHI", starts_at="2026-12-01T09:00:00-06:00")
    assert slot.booked == 2 == Appointment.objects.filter(slot=slot).count()


def test_policy_schedule_closures_reason_office_profile_are_not_read(token_client):
    statements = booking_statements(token_client, FIRST)
    assert not [s for s in statements if s[1] in MEMORY_TABLES]


def test_a_full_slot_is_answered_after_the_token_and_one_read(token_client):
    slot = Slot.objects.create(office=Office.objects.get(code="CHI"), starts_at=FIRST,
                               ends_at="2026-12-01T09:30:00-06:00", capacity=1, booked=1)
    with CaptureQueriesContext(connection) as ctx:
        response = token_client.post(BOOK, {"office": "CHI", "start": FIRST}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "slot_full"
    assert [shape(q["sql"]) for q in ctx.captured_queries] == [("SELECT", "knox_authtoken"), ("SELECT", "appointments_slot")]
    slot.refresh_from_db()
    assert slot.booked == 1


def test_a_policy_edit_is_seen_by_the_next_booking(token_client):
    policy = AppointmentPolicy.objects.get(office__isnull=True)
    policy.max_active_per_customer = 1  # maria already holds one appointment
    policy.save()
    response = token_client.post(BOOK, {"office": "CHI", "start": FIRST}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "active_limit"


def test_a_schedule_edit_is_seen_by_the_next_booking(token_client):
    ScheduleTemplate.objects.filter(office__code="CHI", weekday=1).delete()  # a queryset delete sends post_delete per row
    response = token_client.post(BOOK, {"office": "CHI", "start": FIRST}, format="json")  # a Tuesday
    assert response.status_code == 400 and response.json() == {"start": [str(rules.START_OFF_GRID)]}


def test_a_closure_is_seen_by_the_next_booking(token_client):
    OfficeClosure.objects.create(office=Office.objects.get(code="CHI"), date="2026-12-01", reason="Snow")
    response = token_client.post(BOOK, {"office": "CHI", "start": FIRST}, format="json")
    assert response.status_code == 400
    assert response.json() == {"start": [str(rules.OFFICE_CLOSED).format(day="2026-12-01")]}


def test_a_retired_reason_is_refused_by_the_next_booking(token_client):
    reason = AppointmentReason.objects.get(code="information")
    reason.is_active = False
    reason.save()
    response = token_client.post(BOOK, {"office": "CHI", "start": FIRST, "reason": "information"}, format="json")
    assert response.status_code == 400 and response.json() == {"reason": [str(services.UNKNOWN_REASON)]}


def test_an_edit_committed_by_another_process_is_seen(token_client):
    """Another worker's commit bumps the shared version; this process reads the policy again."""
    # The other process wrote the row (no signal in this one) …
    AppointmentPolicy.objects.filter(office__isnull=True).update(max_active_per_customer=1)
    response = token_client.post(BOOK, {"office": "CHI", "start": FIRST}, format="json")
    assert response.status_code == 201  # … and has not committed yet: this process keeps the policy it read
    caches["default"].set(jurisdiction.VERSION_KEY, "bumped by another process", timeout=None)  # its commit
    response = token_client.post(BOOK, {"office": "CHI", "start": SECOND}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "active_limit"


def test_an_edit_rolled_back_leaves_nothing_kept(token_client):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        AppointmentPolicy.objects.filter(office__isnull=True).update(max_active_per_customer=1)
        policy = AppointmentPolicy.objects.get(office__isnull=True)
        policy.save()  # the admin's edit: invalidates, and nothing read in this transaction is kept
        from appointments.selectors import policy_for

        assert policy_for(Office.objects.get(code="CHI")).max_active_per_customer == 1
        raise RuntimeError("rolled back")
    response = token_client.post(BOOK, {"office": "CHI", "start": THIRD}, format="json")
    assert response.status_code == 201, response.content
