import re
from datetime import date

import pytest

from appointments import services
from appointments.models import Appointment, Slot
from offices.models import Office, OfficeClosure
from tests.appointments.conftest import chicago
from tests.auth import sign_in
from tests.factories import CustomerFactory, StaffFactory, UserFactory
from tests.html import assert_accessible_outline


def book(customer, start=None):
    return services.appointment_book(actor=customer, office_code="CHI", start=start or chicago(1, 9),
                                     reason_code="information")


def test_booking_page_shows_the_office_and_a_grouped_slot_picker(frozen, maria, client):
    sign_in(client, maria)
    response = client.get("/appointments/book/")
    html = response.content.decode()
    assert response.status_code == 200 and "Chicago Field Office" in html
    assert "<legend class=\"usa-legend\">Tuesday, 1 December 2026</legend>" in html
    assert 'value="2026-12-01T09:00:00-06:00"' in html and "3 places left" in html
    assert_accessible_outline(html)


def test_book_on_the_web_then_see_the_notice(frozen, maria, client):
    sign_in(client, maria)
    response = client.post("/appointments/book/", {"reason": "information", "start": "2026-12-01T09:00:00-06:00"})
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appointments/{appointment.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert appointment.confirmation_code in html and "101 West Congress Parkway" in html
    assert "Tuesday 1 December 2026, 09:00" in html and "government-issued photo ID" in html
    assert_accessible_outline(html)


def test_booking_without_a_time_is_400_with_the_error_by_the_picker(frozen, maria, client):
    sign_in(client, maria)
    response = client.post("/appointments/book/", {"reason": "information", "start": ""})
    assert response.status_code == 400
    assert "Choose a time." in response.content.decode() and not Appointment.objects.exists()


def test_booking_a_full_slot_on_the_web_is_409_and_says_so(frozen, directory, client):
    for customer in CustomerFactory.create_batch(3):
        book(customer)
    late = CustomerFactory()
    sign_in(client, late)
    response = client.post("/appointments/book/", {"reason": "information", "start": "2026-12-01T09:00:00-06:00"})
    assert response.status_code == 409 and "fully booked" in response.content.decode()


def test_customers_abroad_without_an_office_are_told_where_to_go(frozen, directory, client):
    sign_in(client, CustomerFactory(profile__country="FR", profile__zip_code=""))
    response = client.get("/appointments/book/")
    assert response.status_code == 409 and "embassy or consulate" in response.content.decode()


def test_reschedule_and_cancel_on_the_web(frozen, maria, client):
    appointment = book(maria)
    sign_in(client, maria)
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
    sign_in(client, maria)
    response = client.get(f"/appointments/{appointment.pk}/calendar.ics")
    assert response.status_code == 200 and b"BEGIN:VCALENDAR" in response.content


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("get", "cancel/"), ("post", "cancel/"), ("get", "reschedule/"), ("post", "reschedule/"),
     ("get", "calendar.ics")],
)
def test_another_customers_appointment_is_404_on_the_web(frozen, maria, other_customer, client, method, suffix):
    appointment = book(maria)
    sign_in(client, other_customer)
    response = getattr(client, method)(f"/appointments/{appointment.pk}/{suffix}",
                                       {"start": "2026-12-02T10:00:00-06:00"} if method == "post" else None)
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert (appointment.status, appointment.starts_at) == ("booked", chicago(1, 9))


def test_pages_need_sign_in(frozen, client):
    assert client.get("/appointments/book/").status_code == 302


def test_my_appointments_lists_upcoming(frozen, maria, client):
    book(maria)
    sign_in(client, maria)
    html = client.get("/appointments/").content.decode()
    assert "Tuesday 1 December 2026, 09:00" in html
    assert_accessible_outline(html)


def test_representative_books_for_a_named_customer_on_the_web(frozen, maria, client):
    sign_in(client, UserFactory(role="representative"))
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
    frozen.move_to(chicago(1, 10, 15))
    sign_in(client, staff)  # staff sessions end after 15 idle minutes: sign in on the day
    html = client.get("/staff/appointments/?date=2026-12-01").content.decode()
    assert first.confirmation_code in html and second.confirmation_code in html
    assert_accessible_outline(html)
    response = client.post(f"/staff/appointments/{first.pk}/check-in/")
    assert response.status_code == 302 and response["Location"] == "/staff/appointments/?date=2026-12-01"
    client.post(f"/staff/appointments/{second.pk}/no-show/", {"confirm": "yes"})  # after its confirmation page
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("checked_in", "no_show")


def test_staff_day_far_from_today_shows_the_field_error_and_today(frozen, maria, client):
    book(maria, start=chicago(30, 10, month=11))
    sign_in(client, StaffFactory(office=Office.objects.get(code="CHI")))
    response = client.get("/staff/appointments/?date=9999-12-31")
    html = response.content.decode()
    assert response.status_code == 400 and "Choose a date within 10 years of today." in html
    assert maria.appointments.get().confirmation_code in html  # today's list instead


def test_staff_of_another_office_get_404_and_customers_get_403(frozen, maria, client):
    appointment = book(maria)
    sign_in(client, StaffFactory(office=Office.objects.get(code="HOU")))
    assert client.post(f"/staff/appointments/{appointment.pk}/check-in/").status_code == 404
    sign_in(client, maria)
    assert client.get("/staff/appointments/").status_code == 403


def state():
    """Every appointment and slot as it stands, to show a refused request changed nothing."""
    return (list(Appointment.objects.order_by("pk").values_list("pk", "status", "starts_at", "reschedule_count")),
            list(Slot.objects.order_by("pk").values_list("starts_at", "booked")))


def test_booking_page_offers_nothing_on_a_closure_day(frozen, maria, client):
    OfficeClosure.objects.create(office=Office.objects.get(code="CHI"), date=date(2026, 12, 2), reason="Snow")
    sign_in(client, maria)
    html = client.get("/appointments/book/").content.decode()
    assert "Tuesday, 1 December 2026</legend>" in html and 'value="2026-12-01T09:00:00-06:00"' in html
    assert "Thursday, 3 December 2026</legend>" in html
    assert "Wednesday, 2 December 2026" not in html and 'value="2026-12-02T' not in html


def test_booking_page_in_honolulu_shows_honolulu_times(frozen, directory, client):
    sign_in(client, CustomerFactory(profile__zip_code="96813"))
    html = client.get("/appointments/book/").content.decode()
    assert "Honolulu Field Office" in html and "Times are local to the office (Pacific/Honolulu)" in html
    # 08:00 in Chicago is 04:00 in Honolulu: the whole Monday there is still bookable.
    first_value, first_label = re.search(r'name="start" value="([^"]+)">\s*<label[^>]*>([^<]+)<', html).groups()
    assert (first_value, first_label.strip()) == ("2026-11-30T08:00:00-10:00", "08:00")
    assert "Monday, 30 November 2026</legend>" in html


def test_reschedule_into_a_full_slot_on_the_web_is_409_and_keeps_the_time(frozen, maria, client):
    appointment = book(maria)
    for customer in CustomerFactory.create_batch(3):
        book(customer, start=chicago(2, 10))
    before = state()
    sign_in(client, maria)
    response = client.post(f"/appointments/{appointment.pk}/reschedule/", {"start": "2026-12-02T10:00:00-06:00"})
    assert response.status_code == 409 and "fully booked" in response.content.decode()
    assert state() == before
    assert Slot.objects.get(starts_at=chicago(1, 9)).booked == 1


def third_booking(maria, frozen):
    book(maria, chicago(1, 9))
    book(maria, chicago(2, 9))
    return "/appointments/book/", {"reason": "information", "start": "2026-12-03T09:00:00-06:00"}


def third_reschedule(maria, frozen):
    appointment = book(maria)
    for day in (2, 3):
        services.appointment_reschedule(actor=maria, appointment_id=appointment.pk, start=chicago(day, 9))
    return f"/appointments/{appointment.pk}/reschedule/", {"start": "2026-12-04T09:00:00-06:00"}


def reschedule_within_12_hours(maria, frozen):
    appointment = book(maria)
    frozen.move_to(chicago(30, 21, 1, month=11))
    return f"/appointments/{appointment.pk}/reschedule/", {"start": "2026-12-03T09:00:00-06:00"}


def cancel_within_1_hour(maria, frozen):
    appointment = book(maria)
    frozen.move_to(chicago(1, 8, 30))
    return f"/appointments/{appointment.pk}/cancel/", {}


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (third_booking, "You already have 2 upcoming appointments"),
        (third_reschedule, "rescheduled at most 2 times"),
        (reschedule_within_12_hours, "cannot be rescheduled within 12 hours"),
        (cancel_within_1_hour, "cannot be cancelled online within 1 hour"),
    ],
)
def test_policy_limits_on_the_web_are_409_with_the_reason(frozen, maria, client, setup, message):
    path, data = setup(maria, frozen)
    before = state()
    sign_in(client, maria)
    response = client.post(path, data)
    assert response.status_code == 409 and message in response.content.decode()
    assert state() == before


BAD_STARTS = pytest.mark.parametrize(
    "start", ["not a date", "2026-11-01T09:00:00-06:00", "2026-12-02T09:10:00-06:00", "9999-12-31T23:59"],
    ids=["malformed", "past", "off-grid", "beyond-calendar"],
)


@BAD_STARTS
def test_booking_a_bad_start_on_the_web_is_400(frozen, maria, client, start):
    sign_in(client, maria)
    response = client.post("/appointments/book/", {"reason": "information", "start": start})
    assert response.status_code == 400 and 'id="id_start_error"' in response.content.decode()
    assert not Appointment.objects.exists() and not Slot.objects.exists()


@BAD_STARTS
def test_rescheduling_to_a_bad_start_on_the_web_is_400(frozen, maria, client, start):
    appointment = book(maria)
    before = state()
    sign_in(client, maria)
    response = client.post(f"/appointments/{appointment.pk}/reschedule/", {"start": start})
    assert response.status_code == 400 and 'id="id_start_error"' in response.content.decode()
    assert state() == before


def test_staff_who_book_at_another_office_see_what_they_booked(frozen, maria, client):
    """Houston staff booking for a Chicago customer land on the appointment (not a 404); the day's
    check-in stays with Chicago's staff."""
    houston = StaffFactory(office=Office.objects.get(code="HOU"))
    sign_in(client, houston)
    page = client.get("/appointments/book/?customer=maria@example.com")
    start = page.context["days"][0]["slots"][0].start.isoformat()
    response = client.post("/appointments/book/?customer=maria@example.com", {"start": start, "reason": "information"})
    assert response.status_code == 302, response.content[:500]
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and "Chicago" in detail.content.decode()
    appointment = maria.appointments.get()
    assert client.post(f"/staff/appointments/{appointment.pk}/check-in/").status_code == 404
