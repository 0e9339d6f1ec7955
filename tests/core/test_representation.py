"""Representation on record: a representative acts for a customer only under one, in the cases it
covers; without one the answer does not tell whether the customer exists (USCIS: Form G-28 on file)."""

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from appointments import selectors as appointment_selectors
from appointments import services as appointment_services
from core.errors import ApplicationError, Conflict, Forbidden, NotFound
from core.models import AuditEvent, Representation
from core.representation import (
    representation_confirm,
    representation_record_g28,
    representation_request,
    representation_withdraw,
)
from offices.models import Office
from service_requests import selectors, services
from tests.auth import api_for, sign_in
from tests.factories import CustomerFactory, StaffFactory, UserFactory, represent

pytestmark = pytest.mark.django_db
RECEIPT, OTHER_RECEIPT = "WAC2290123456", "EAC2290654321"


@pytest.fixture
def maria(directory):
    return CustomerFactory(username="maria@example.com", first_name="Maria", last_name="Lopez", profile__zip_code="60605")


@pytest.fixture
def counsel(directory):
    return UserFactory(username="counsel@example.com", first_name="Ana", last_name="Abogada", role="representative")


def file_for(actor, customer_email, receipt=RECEIPT, client=None):  # type: ignore[no-untyped-def]
    client = client or api_for(actor)
    return client.post("/api/v1/service-requests/", {
        "request_type": "typographic_error", "receipt_number": receipt, "description": "Name misspelled.",
        "customer": customer_email}, format="json")


def test_without_a_representation_unknown_and_unrepresented_customers_get_the_same_answer(maria, counsel, client):
    unknown, unrepresented = file_for(counsel, "nobody@example.com"), file_for(counsel, maria.email)
    assert unknown.status_code == unrepresented.status_code == 400
    assert unknown.json() == unrepresented.json()
    assert "No customer you represent" in str(unknown.json())
    sign_in(client, counsel)
    pages = [client.post("/service-requests/new/", {"customer": email, "request_type": "typographic_error",
                                                     "receipt_number": RECEIPT, "description": "x",
                                                     "case_class": "standard"})
             for email in ("nobody@example.com", maria.email)]
    assert [page.status_code for page in pages] == [400, 400]
    texts = [page.content.decode() for page in pages]
    assert "No customer you represent" in texts[0] and "No customer you represent" in texts[1]
    assert not maria.service_requests.exists()
    booking = [api_for(counsel).post("/api/v1/appointments/", {"office": "CHI", "reason": "information",
                                                               "start": "2030-01-07T09:00:00-06:00",
                                                               "customer": email}, format="json")
               for email in ("nobody@example.com", maria.email)]
    assert booking[0].status_code == booking[1].status_code == 400 and booking[0].json() == booking[1].json()


def test_the_customer_names_a_representative_who_then_files_reads_and_is_named(maria, counsel):
    response = api_for(maria).post("/api/v1/representations/", {"email": counsel.email, "all_cases": True},
                                   format="json")
    assert response.status_code == 201 and response.json()["status"] == "active"
    number = response.json()["id"]
    filed = file_for(counsel, maria.email)
    assert filed.status_code == 201, filed.content
    reference = filed.json()["reference_number"]
    request = maria.service_requests.get()
    assert request.representation_id == number and request.representative == counsel
    assert AuditEvent.objects.get(action="service_request.filed").data["representation"] == number
    timeline = api_for(maria).get(f"/api/v1/service-requests/{reference}/").json()
    assert f"representation no. {number}" in str(timeline)
    assert api_for(counsel).get(f"/api/v1/service-requests/{reference}/").status_code == 200
    read = AuditEvent.objects.get(action="representative.read")
    assert read.data["representation"] == number and read.data["reference_number"] == reference


def test_a_representation_for_named_cases_covers_only_those(maria, counsel):
    represent(maria, counsel, receipts=(RECEIPT,))
    own = services.service_request_file(actor=maria, request_type="typographic_error", receipt_number=OTHER_RECEIPT,
                                        description="Mine alone.")
    refused = file_for(counsel, maria.email, receipt=OTHER_RECEIPT)
    assert refused.status_code == 400 and "does not cover" in refused.json()["receipt_number"][0]
    assert file_for(counsel, maria.email).status_code == 201
    visible = set(selectors.service_request_list_for_user(counsel).values_list("receipt_number", flat=True))
    assert visible == {RECEIPT}
    assert api_for(counsel).get(f"/api/v1/service-requests/{own.reference_number}/").status_code == 404


def test_a_representatives_request_answers_the_same_and_waits_for_the_customer(maria, counsel):
    answers = [api_for(counsel).post("/api/v1/representations/", {"email": email, "all_cases": True}, format="json")
               for email in ("nobody@example.com", maria.email)]
    assert [a.status_code for a in answers] == [202, 202] and answers[0].json() == answers[1].json()
    row = Representation.objects.get()
    assert row.status == "pending" and file_for(counsel, maria.email).status_code == 400
    with pytest.raises(Forbidden):
        representation_confirm(actor=counsel, representation_id=row.pk)
    with pytest.raises(NotFound):
        representation_confirm(actor=CustomerFactory(), representation_id=row.pk)
    confirmed = api_for(maria).post(f"/api/v1/representations/{row.pk}/confirm/")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "active"
    assert api_for(maria).post(f"/api/v1/representations/{row.pk}/confirm/").status_code == 409
    assert file_for(counsel, maria.email).status_code == 201


@pytest.mark.parametrize("side", ["customer", "representative"])
def test_either_side_withdraws_and_the_representative_stops_acting(maria, counsel, side):
    row = represent(maria, counsel)
    reference = file_for(counsel, maria.email).json()["reference_number"]
    actor = maria if side == "customer" else counsel
    response = api_for(actor).post(f"/api/v1/representations/{row.pk}/withdraw/")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert api_for(counsel).get(f"/api/v1/service-requests/{reference}/").status_code == 404
    assert file_for(counsel, maria.email).status_code == 400
    assert api_for(maria).get(f"/api/v1/service-requests/{reference}/").status_code == 200
    assert AuditEvent.objects.filter(action="representation.withdrawn", actor=actor).exists()
    again = represent(maria, counsel)  # a new one may follow a withdrawn one
    assert again.pk != row.pk


def test_staff_record_a_g28_for_a_receipt_number(maria, counsel, directory):
    staff = StaffFactory()
    response = api_for(staff).post("/api/v1/representations/g28/", {
        "receipt_number": "wac-22-901-23456", "customer_email": maria.email, "representative_email": counsel.email},
        format="json")
    assert response.status_code == 201, response.content
    assert response.json()["receipt_numbers"] == [RECEIPT] and response.json()["source"] == "g28"
    assert file_for(counsel, maria.email).status_code == 201
    assert file_for(counsel, maria.email, receipt=OTHER_RECEIPT).status_code == 400
    row = representation_record_g28(actor=staff, receipt_number=OTHER_RECEIPT, customer_email=maria.email,
                                    representative_email=counsel.email)
    assert row.receipt_numbers == [RECEIPT, OTHER_RECEIPT] and Representation.objects.count() == 1
    assert api_for(maria).post("/api/v1/representations/g28/", {
        "receipt_number": RECEIPT, "customer_email": maria.email, "representative_email": counsel.email},
        format="json").status_code == 403
    with pytest.raises(ApplicationError) as caught:
        representation_record_g28(actor=staff, receipt_number="nonsense", customer_email=maria.email,
                                  representative_email=counsel.email)
    assert "receipt_numbers" in caught.value.fields or "receipt_number" in caught.value.fields


def test_one_open_representation_per_pair(maria, counsel):
    represent(maria, counsel)
    with pytest.raises(Conflict):
        represent(maria, counsel)
    assert representation_request(representative=counsel, customer_email=maria.email, all_cases=True) is None


def test_the_pages_name_invite_confirm_and_withdraw(maria, counsel, client):
    sign_in(client, counsel)
    page = client.post("/accounts/representation/", {"email": maria.email, "all_cases": "on"})
    assert page.status_code == 302
    assert "If a customer account has that address" in client.get("/accounts/representation/").content.decode()
    bad = client.post("/accounts/representation/", {"email": maria.email})  # no scope
    assert bad.status_code == 400 and "Name the receipt numbers" in bad.content.decode()
    row = Representation.objects.get()
    client.logout()
    sign_in(client, maria)
    html = client.get("/accounts/representation/").content.decode()
    assert "Ana Abogada" in html and "Confirm" in html
    assert client.post(f"/accounts/representation/{row.pk}/confirm/").status_code == 302
    row.refresh_from_db()
    assert row.status == "active"
    assert client.post(f"/accounts/representation/{row.pk}/withdraw/").status_code == 302
    row.refresh_from_db()
    assert row.status == "withdrawn"
    assert client.post("/accounts/representation/9999/withdraw/").status_code == 404
    spanish = client.get("/accounts/representation/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Representación" in spanish and "Nombre a su representante" in spanish


def test_staff_g28_page(maria, counsel, client):
    sign_in(client, StaffFactory())
    assert client.get("/staff/g28/").status_code == 200
    response = client.post("/staff/g28/", {"receipt_number": RECEIPT, "customer_email": maria.email,
                                           "representative_email": counsel.email})
    assert response.status_code == 302 and Representation.objects.get().covers(RECEIPT)
    unknown = client.post("/staff/g28/", {"receipt_number": RECEIPT, "customer_email": "nobody@example.com",
                                          "representative_email": counsel.email})
    assert unknown.status_code == 400
    client.logout()
    sign_in(client, maria)
    assert client.get("/staff/g28/").status_code == 403


def test_existing_representative_links_become_pending_representations(maria, counsel):
    request = services.service_request_file(actor=maria, request_type="typographic_error", receipt_number=RECEIPT,
                                            description="Filed before representations existed.")
    type(request).objects.filter(pk=request.pk).update(representative=counsel)  # the old link
    migration = importlib.import_module(
        "service_requests.migrations.0010_representative_links_to_pending_representations")
    migration.forwards(apps, None)
    row = Representation.objects.get()
    assert (row.customer, row.representative, row.status, row.source) == (maria, counsel, "pending", "migrated")
    assert row.receipt_numbers == [RECEIPT] and not row.all_cases
    assert not selectors.service_request_list_for_user(counsel).exists()  # until the customer confirms
    representation_confirm(actor=maria, representation_id=row.pk)
    assert list(selectors.service_request_list_for_user(counsel)) == [request]
    representation_withdraw(actor=maria, representation_id=row.pk)
    assert not selectors.service_request_list_for_user(counsel).exists()


def test_a_representative_escalates_and_books_under_the_representation_and_names_it(maria, counsel):
    eastern = ZoneInfo("America/New_York")
    under = represent(maria, counsel, receipts=(RECEIPT,))
    with time_machine.travel(datetime(2026, 11, 27, 10, tzinfo=eastern), tick=False):
        filed = services.service_request_file(actor=maria, request_type="outside_processing_time",
                                              receipt_number=RECEIPT, description="Past the processing time.")
    url = f"/api/v1/service-requests/{filed.reference_number}/service-center-inquiry/"
    with time_machine.travel(datetime(2026, 12, 12, 8, tzinfo=eastern), tick=False):
        sent = api_for(counsel).post(url, {"message": "Counsel asks for news."}, format="json")
    assert sent.status_code == 200, sent.content
    audit = AuditEvent.objects.get(action="service_request.service_center_inquiry")
    assert (audit.actor, audit.data["representation"]) == (counsel, under.pk)
    chicago = Office.objects.get(code="CHI")
    start = next(s.start for s in appointment_selectors.bookable_availability(chicago, now=timezone.now())
                 if s.remaining > 0)
    booked = appointment_services.appointment_book(actor=counsel, customer_email=maria.email, office_code="CHI",
                                                   start=start, reason_code="information")
    assert AuditEvent.objects.get(action="appointment.booked").data["representation"] == under.pk
    representation_withdraw(actor=maria, representation_id=under.pk)
    assert api_for(counsel).get(f"/api/v1/appointments/{booked.pk}/").status_code == 404
    assert api_for(maria).get(f"/api/v1/appointments/{booked.pk}/").status_code == 200
