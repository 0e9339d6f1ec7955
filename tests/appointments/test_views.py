import pytest

from appointments import services
from appointments.models import Appointment
from offices.models import Office
from tests.appointments.conftest import chicago
from tests.factories import CustomerFactory, StaffFactory, UserFactory
from tests.html import assert_accessible_outline


def book(customer, start=None):
    return services.appointment_book(actor=customer, office_code="CHI", start=start or chicago(1, 9),
                                     reason_code="information")


def test_booking_page_shows_the_office_and_a_grouped_slot_picker(frozen, maria, client):
    client.force_login(maria)
    response = client.get("/appointments/book/")
    html = response.content.decode()
    assert response.status_code == 200 and "Chicago Field Office" in html
    assert "<legend class=\"usa-legend\">Tuesday, 1 December 2026</legend>" in html
    assert 'value="2026-12-01T09:00:00-06:00"' in html and "3 places left" in html
    assert_accessible_outline(html)


def test_book_on_the_web_then_see_the_notice(frozen, maria, client):
    client.force_login(maria)
    response = client.post("/appointments/book/", {"reason": "information", "start": "2026-12-01T09:00:00-06:00"})
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appointments/{appointment.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert appointment.confirmation_code in html and "101 W Congress Pkwy" in html
    assert "Tuesday 1 December 2026, 09:00" in html and "government-issued photo ID" in html
    assert_accessible_outline(html)


def test_booking_without_a_time_is_400_with_the_error_by_the_picker(frozen, maria, client):
    client.force_login(maria)
    response = client.post("/appointments/book/", {"reason": "information", "start": ""})
    assert response.status_code == 400
    assert "Choose a time." in response.content.decode() and not Appointment.objects.exists()


def test_booking_a_full_slot_on_the_web_is_409_and_says_so(frozen, directory, client):
    for customer in CustomerFactory.create_batch(3):
        book(customer)
    late = CustomerFactory()
    client.force_login(late)
    response = client.post("/appointments/book/", {"reason": "information", "start": "2026-12-01T09:00:00-06:00"})
    assert response.status_code == 409 and "fully booked" in response.content.decode()


def test_customers_abroad_without_an_office_are_told_where_to_go(frozen, directory, client):
    client.force_login(CustomerFactory(profile__country="FR", profile__zip_code=""))
    response = client.get("/appointments/book/")
    assert response.status_code == 409 and "embassy or consulate" in response.content.decode()


def test_reschedule_and_cancel_on_the_web(frozen, maria, client):
    appointment = book(maria)
    client.force_login(maria)
    assert client.get(f"/appointments/{appointment.pk}/reschedule/").status_code == 200
    response = client.post(f"/appointments/{appointment.pk}/reschedule/", {"start": "2026-12-02T10:00:00-06:00"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == chicago(2, 10)
    assert client.post(f"/appointments/{appointment.pk}/cancel/").status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    again = client.post(f"/appointments/{appointment.pk}/cancel/")
    assert again.status_code == 409


def test_calendar_file_on_the_web(frozen, maria, client):
    appointment = book(maria)
    client.force_login(maria)
    response = client.get(f"/appointments/{appointment.pk}/calendar.ics")
    assert response.status_code == 200 and b"BEGIN:VCALENDAR" in response.content


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("get", "cancel/"), ("post", "cancel/"), ("get", "reschedule/"), ("post", "reschedule/"),
     ("get", "calendar.ics")],
)
def test_another_customers_appointment_is_404_on_the_web(frozen, maria, other_customer, client, method, suffix):
    appointment = book(maria)
    client.force_login(other_customer)
    response = getattr(client, method)(f"/appointments/{appointment.pk}/{suffix}",
                                       {"start": "2026-12-02T10:00:00-06:00"} if method == "post" else None)
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert (appointment.status, appointment.starts_at) == ("booked", chicago(1, 9))


def test_pages_need_sign_in(frozen, client):
    assert client.get("/appointments/book/").status_code == 302


def test_my_appointments_lists_upcoming(frozen, maria, client):
    book(maria)
    client.force_login(maria)
    html = client.get("/appointments/").content.decode()
    assert "Tuesday 1 December 2026, 09:00" in html
    assert_accessible_outline(html)


def test_representative_books_for_a_named_customer_on_the_web(frozen, maria, client):
    client.force_login(UserFactory(role="representative"))
    page = client.get("/appointments/book/?customer=maria@example.com")
    assert page.status_code == 200 and "Booking for Maria" in page.content.decode()
    response = client.post("/appointments/book/?customer=maria@example.com",
                           {"reason": "information", "start": "2026-12-01T09:00:00-06:00"})
    assert response.status_code == 302 and Appointment.objects.get().customer == maria
    unknown = client.get("/appointments/book/?customer=nobody@example.com")
    assert unknown.status_code == 400 and "No customer account" in unknown.content.decode()


def test_staff_day_check_in_and_no_show(frozen, maria, client):
    first, second = book(maria), book(maria, start=chicago(1, 10))
    staff = StaffFactory(office=Office.objects.get(code="CHI"))
    client.force_login(staff)
    frozen.move_to(chicago(1, 10, 15))
    html = client.get("/staff/appointments/?date=2026-12-01").content.decode()
    assert first.confirmation_code in html and second.confirmation_code in html
    assert_accessible_outline(html)
    response = client.post(f"/staff/appointments/{first.pk}/check-in/")
    assert response.status_code == 302 and response["Location"] == "/staff/appointments/?date=2026-12-01"
    client.post(f"/staff/appointments/{second.pk}/no-show/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("checked_in", "no_show")


def test_staff_day_far_from_today_shows_the_field_error_and_today(frozen, maria, client):
    book(maria, start=chicago(30, 10, month=11))
    client.force_login(StaffFactory(office=Office.objects.get(code="CHI")))
    response = client.get("/staff/appointments/?date=9999-12-31")
    html = response.content.decode()
    assert response.status_code == 200 and "Choose a date within 10 years of today." in html
    assert maria.appointments.get().confirmation_code in html  # today's list instead


def test_staff_of_another_office_get_404_and_customers_get_403(frozen, maria, client):
    appointment = book(maria)
    client.force_login(StaffFactory(office=Office.objects.get(code="HOU")))
    assert client.post(f"/staff/appointments/{appointment.pk}/check-in/").status_code == 404
    client.force_login(maria)
    assert client.get("/staff/appointments/").status_code == 403
