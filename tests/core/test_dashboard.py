"""A signed-in customer's dashboard: upcoming appointments, open requests with the next date that
matters (read from the stored escalation row), and the latest answers from USCIS."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils.formats import date_format
from django.utils.timezone import localtime

from appointments import services as appointment_services
from appointments.selectors import bookable_availability
from offices.models import Office
from service_requests import services
from service_requests.models import Escalation
from tests.auth import sign_in
from tests.factories import CustomerFactory, StaffFactory
from tests.html import assert_accessible_outline

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=CHICAGO)


@pytest.fixture
def frozen(directory):
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def maria(directory):
    return CustomerFactory(username="maria@example.com", first_name="Maria", profile__zip_code="60605")


def file(maria, receipt="EAC2290123456", kind="outside_processing_time"):  # type: ignore[no-untyped-def]
    return services.service_request_file(actor=maria, request_type=kind, receipt_number=receipt,
                                         description="My I-130 is past the posted processing time.")


def test_customers_land_on_the_dashboard_with_nothing_yet(frozen, maria, client):
    sign_in(client, maria)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome, Maria." in html
    assert "You have no upcoming appointments." in html and "You have no open service requests." in html
    assert 'href="/appointments/book/"' in html and 'href="/service-requests/new/"' in html
    assert_accessible_outline(html)


def test_upcoming_appointments_in_office_time(frozen, maria, client):
    chi = Office.objects.get(code="CHI")
    first = next(s for s in bookable_availability(chi, now=NOW) if s.remaining)
    booked = appointment_services.appointment_book(actor=maria, office_code="CHI", start=first.start,
                                                   reason_code=appointment_services_reason(), now=NOW)
    sign_in(client, maria)
    html = client.get("/dashboard/").content.decode()
    assert f'href="/appointments/{booked.pk}/"' in html and booked.confirmation_code in html
    assert "Chicago Field Office" in html
    assert "Monday 30 November 2026, 10:00" in html  # the first bookable time, 2 hours' notice, office time


def appointment_services_reason():  # type: ignore[no-untyped-def]
    from appointments.models import AppointmentReason

    return AppointmentReason.objects.order_by("pk").values_list("code", flat=True).first()


def test_open_requests_show_the_next_date_read_from_the_stored_escalation(frozen, maria, client):
    filed = file(maria)
    stored = Escalation.objects.get(request=filed)
    assert (stored.window1_opens_at - NOW).days in (14, 15)  # day 15, from the start of that day
    # The dashboard reads the stored date: move it, and the dashboard follows (nothing recomputed).
    Escalation.objects.filter(request=filed).update(window1_opens_at=datetime(2026, 12, 21, 9, tzinfo=CHICAGO))
    sign_in(client, maria)

    html = client.get("/dashboard/").content.decode()

    assert f'href="/service-requests/{filed.reference_number}/"' in html
    assert "Write to the service center from 21 December 2026" in html
    due = Escalation.objects.get(request=filed).answer_due_on
    assert f"Answer due by {date_format(due, 'DATE_FORMAT')}" in html
    frozen.move_to(datetime(2026, 12, 22, 9, tzinfo=CHICAGO))
    sign_in(client, maria)  # the session of 30 November has expired
    html = client.get("/dashboard/").content.decode()
    assert "Write to the service center: open now" in html


def test_after_the_service_center_inquiry_the_next_date_is_hqs(frozen, maria, client):
    filed = file(maria)
    frozen.move_to(NOW + timedelta(days=16))
    services.service_request_service_center_inquiry(actor=maria, reference_number=filed.reference_number)
    window2 = Escalation.objects.get(request=filed).window2_opens_at
    sign_in(client, maria)
    html = client.get("/dashboard/").content.decode()
    assert f"Contact HQ Office of Service Center Operations from {date_format(localtime(window2), 'DATE_FORMAT')}" in html


def test_recent_messages_are_staff_answers_never_internal_notes(frozen, maria, client):
    filed = file(maria)
    staff = StaffFactory(office=filed.current_office)
    services.service_request_note(actor=staff, reference_number=filed.reference_number, body="Staff only: check A-file.")
    services.service_request_respond(actor=staff, reference_number=filed.reference_number,
                                     body="We have reopened your case for review.")
    sign_in(client, maria)
    html = client.get("/dashboard/").content.decode()
    assert "We have reopened your case for review." in html
    assert "check A-file" not in html
    assert f"Answer on {filed.reference_number}" in html


def test_another_customers_requests_are_not_shown(frozen, maria, client):
    file(maria)
    other = CustomerFactory(username="other@example.com")
    sign_in(client, other)
    assert "SR" not in client.get("/dashboard/").content.decode().split("Open service requests")[1].split("</table>")[0]


def test_staff_are_sent_to_their_start_page_and_visitors_to_sign_in(directory, client):
    sign_in(client, StaffFactory(office=Office.objects.get(code="VSC")))
    assert client.get("/dashboard/")["Location"] == "/staff/service-requests/"
    client.logout()
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/?next=/dashboard/")


def test_the_dashboard_takes_a_fixed_number_of_queries(frozen, maria, client, django_assert_max_num_queries):
    for n in range(3):
        file(maria, receipt=f"EAC22901234{n}0")
    sign_in(client, maria)
    with django_assert_max_num_queries(8):
        client.get("/dashboard/")


def test_home_reaches_booking_and_filing_in_one_click(directory, client):
    html = client.get("/").content.decode()
    main = html[html.index('<main'):html.index('</main>')]
    for href in ("/appointments/book/", "/service-requests/new/", "/service-requests/", "/offices/find/",
                 "/contact/guide/"):
        assert f'href="{href}"' in main, href
    assert main.index("/appointments/book/") < main.index("Find by ZIP code"), "the top tasks lead the page"
