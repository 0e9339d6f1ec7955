import re
from datetime import date

import pytest

from appointments import services
from appointments.models import Appointment, Slot
from offices.models import Office, OfficeClosure
from tests.appointments.conftest import chicago
from tests.auth import sign_in
from tests.factories import CustomerFactory, StaffFactory, UserFactory, represent
from tests.html import assert_accessible_outline


def book(customer, start=None):
    return services.appointment_book(actor=customer, office_code="CHI", start=start or chicago(1, 9),
                                     reason_code="information")


def test_booking_starts_with_the_days_and_tells_the_limits_first(frozen, maria, client):
    sign_in(client, maria)
    response = client.get("/appointments/book/")
    html = response.content.decode()
    assert response.status_code == 200 and "Chicago Field Office" in html
    assert "You have 0 upcoming appointments of the 2 allowed at a time." in html
    assert "up to 2 times" in html and "from 2 hours ahead up to 14 days ahead" in html
    assert 'href="?day=2026-12-01"' in html and "Tuesday 1 December 2026" in html
    assert 'name="start"' not in html  # a day first: no times on this step
    assert_accessible_outline(html)


def test_the_time_step_shows_that_days_times_in_12_hours_and_the_zone_in_words(frozen, maria, client):
    sign_in(client, maria)
    html = client.get("/appointments/book/?day=2026-12-01").content.decode()
    assert "Choose a time on Tuesday 1 December 2026" in html and "Times are Central Time" in html
    assert 'value="2026-12-01T09:00:00-06:00"' in html and "3 places left" in html
    labels = [label.strip() for label in re.findall(r'<label class="usa-radio__label" for="slot-\d+">([^<]+)<', html)]
    assert labels[:3] == ["8:00 a.m.", "8:30 a.m.", "9:00 a.m."] and labels[-1] == "2:30 p.m."
    assert 'value="2026-12-02T' not in html  # only the chosen day
    assert "America/Chicago" not in html
    assert_accessible_outline(html)


def test_the_time_step_in_spanish_uses_24_hours_and_the_zone_in_spanish(frozen, maria, client):
    sign_in(client, maria)
    client.cookies["django_language"] = "es"
    html = client.get("/appointments/book/?day=2026-12-01").content.decode()
    labels = [label.strip() for label in re.findall(r'<label class="usa-radio__label" for="slot-\d+">([^<]+)<', html)]
    assert labels[0] == "08:00" and labels[-1] == "14:30"
    assert "hora del Centro" in html and "martes 1 de diciembre de 2026" in html


def test_book_on_the_web_checks_the_answers_then_confirms(frozen, maria, client):
    sign_in(client, maria)
    answers = {"reason": "information", "start": "2026-12-01T09:00:00-06:00", "notes": "Interpreter, please"}
    check = client.post("/appointments/book/?day=2026-12-01", answers)
    html = check.content.decode()
    assert check.status_code == 200 and not Appointment.objects.exists() and not Slot.objects.exists()
    assert "Check your answers before booking" in html and "Tuesday 1 December 2026" in html
    assert "9:00 a.m. Central Time" in html and "Information desk" in html and "Interpreter, please" in html
    assert 'name="confirm" value="yes"' in html
    assert_accessible_outline(html)
    response = client.post("/appointments/book/?day=2026-12-01", {**answers, "confirm": "yes"})
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appointments/{appointment.pk}/booked/"
    html = client.get(response["Location"]).content.decode()
    assert "Appointment booked" in html and appointment.confirmation_code in html and "What happens next" in html
    assert "Tuesday 1 December 2026, 9:00 a.m. Central Time" in html and "government-issued photo ID" in html
    assert "maria@example.com" in html and "reminder 24 hours before" in html
    assert_accessible_outline(html)
    notice = client.get(f"/appointments/{appointment.pk}/").content.decode()
    assert "101 West Congress Parkway" in notice and "Tuesday 1 December 2026, 9:00 a.m. Central Time" in notice
    assert "Print this notice" in notice and f"/appointments/{appointment.pk}/calendar.ics" in notice


def test_the_third_active_booking_is_refused_before_a_day_or_time_is_chosen(frozen, maria, client):
    book(maria, chicago(1, 9))
    book(maria, chicago(2, 9))
    sign_in(client, maria)
    for path in ("/appointments/book/", "/appointments/book/?day=2026-12-03"):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 409, path
        assert "You already have 2 upcoming appointments, the most allowed." in html
        assert "data-day=" not in html and 'name="start"' not in html
    cancelled = maria.appointments.first()
    services.appointment_cancel(actor=maria, appointment_id=cancelled.pk)
    assert "data-day=" in client.get("/appointments/book/").content.decode()


def test_a_day_without_free_times_or_not_a_day_sends_back_to_the_days(frozen, maria, client):
    sign_in(client, maria)
    saturday = client.get("/appointments/book/?day=2026-12-05")
    assert saturday.status_code == 409 and "There are no free times on Saturday 5 December 2026" in saturday.content.decode()
    assert 'href="?day=2026-12-01"' in saturday.content.decode()
    bad = client.get("/appointments/book/?day=tomorrow")
    assert bad.status_code == 400 and "Choose one of the listed days." in bad.content.decode()


def test_a_cancelled_notice_says_so_and_offers_no_print_or_calendar(frozen, maria, client):
    appointment = book(maria)
    services.appointment_cancel(actor=maria, appointment_id=appointment.pk)
    sign_in(client, maria)
    html = client.get(f"/appointments/{appointment.pk}/").content.decode()
    assert "This appointment is cancelled" in html
    assert "Print this notice" not in html and "calendar.ics" not in html and "/reschedule/" not in html
    assert client.get(f"/appointments/{appointment.pk}/booked/")["Location"] == f"/appointments/{appointment.pk}/"


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
    assert "Choose a time on Tuesday 1 December 2026" in response.content.decode()  # back to that day's times


def test_customers_abroad_without_an_office_are_told_where_to_go(frozen, directory, client):
    sign_in(client, CustomerFactory(profile__country="FR", profile__zip_code=""))
    response = client.get("/appointments/book/")
    assert response.status_code == 409 and "embassy or consulate" in response.content.decode()


def test_reschedule_and_cancel_on_the_web(frozen, maria, client):
    appointment = book(maria)
    sign_in(client, maria)
    days = client.get(f"/appointments/{appointment.pk}/reschedule/")
    assert days.status_code == 200 and "This appointment can be moved 2 more times." in days.content.decode()
    assert 'href="?day=2026-12-02"' in days.content.decode() and 'name="start"' not in days.content.decode()
    times = client.get(f"/appointments/{appointment.pk}/reschedule/?day=2026-12-02")
    assert times.status_code == 200 and "10:00 a.m." in times.content.decode()
    path = f"/appointments/{appointment.pk}/reschedule/?day=2026-12-02"
    check = client.post(path, {"start": "2026-12-02T10:00:00-06:00"})
    assert check.status_code == 200 and "Wednesday 2 December 2026, 10:00 a.m. Central Time" in check.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == chicago(1, 9)  # nothing moves before the confirmation
    response = client.post(path, {"start": "2026-12-02T10:00:00-06:00", "confirm": "yes"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == chicago(2, 10)
    assert "This appointment can be moved 1 more time." in client.get(f"/appointments/{appointment.pk}/reschedule/").content.decode()
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
     ("get", "calendar.ics"), ("get", "booked/")],
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
    assert "Tuesday 1 December 2026, 9:00 a.m. Central Time" in html
    assert_accessible_outline(html)


def test_representative_books_for_a_named_customer_on_the_web(frozen, maria, client):
    counsel = UserFactory(role="representative")
    represent(maria, counsel)  # changed deliberately: a representative books only under a representation
    sign_in(client, counsel)
    page = client.get("/appointments/book/?customer=maria@example.com")
    assert page.status_code == 200 and "Booking for Maria" in page.content.decode()
    answers = {"reason": "information", "start": "2026-12-01T09:00:00-06:00"}
    check = client.post("/appointments/book/?customer=maria@example.com&day=2026-12-01", answers)
    assert check.status_code == 200 and "maria@example.com" in check.content.decode()
    response = client.post("/appointments/book/?customer=maria@example.com&day=2026-12-01", {**answers, "confirm": "yes"})
    assert response.status_code == 302 and Appointment.objects.get().customer == maria
    unknown = client.get("/appointments/book/?customer=nobody@example.com")
    assert unknown.status_code == 400 and "No customer you represent" in unknown.content.decode()


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
    assert 'data-day="2026-12-01"' in html and 'data-day="2026-12-03"' in html
    assert 'data-day="2026-12-02"' not in html and "Wednesday 2 December 2026" not in html
    closed = client.get("/appointments/book/?day=2026-12-02")
    assert closed.status_code == 409 and 'value="2026-12-02T' not in closed.content.decode()


def test_booking_page_in_honolulu_shows_honolulu_times(frozen, directory, client):
    sign_in(client, CustomerFactory(profile__zip_code="96813"))
    days = client.get("/appointments/book/").content.decode()
    # 08:00 in Chicago is 04:00 in Honolulu: the whole Monday there is still bookable.
    assert "Honolulu Field Office" in days and re.search(r'data-day="([^"]+)"', days).group(1) == "2026-11-30"
    html = client.get("/appointments/book/?day=2026-11-30").content.decode()
    assert "Times are Hawaii Time" in html and "Choose a time on Monday 30 November 2026" in html
    first_value, first_label = re.search(r'name="start" value="([^"]+)">\s*<label[^>]*>([^<]+)<', html).groups()
    assert (first_value, first_label.strip()) == ("2026-11-30T08:00:00-10:00", "8:00 a.m.")


def test_reschedule_into_a_full_slot_on_the_web_is_409_and_keeps_the_time(frozen, maria, client):
    appointment = book(maria)
    for customer in CustomerFactory.create_batch(3):
        book(customer, start=chicago(2, 10))
    before = state()
    sign_in(client, maria)
    response = client.post(f"/appointments/{appointment.pk}/reschedule/",
                           {"start": "2026-12-02T10:00:00-06:00", "confirm": "yes"})
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
    response = client.post("/appointments/book/?day=2026-12-01", {"reason": "information", "start": start})
    assert response.status_code == 400 and 'id="id_start_error"' in response.content.decode()
    assert not Appointment.objects.exists() and not Slot.objects.exists()


@BAD_STARTS
def test_rescheduling_to_a_bad_start_on_the_web_is_400(frozen, maria, client, start):
    appointment = book(maria)
    before = state()
    sign_in(client, maria)
    response = client.post(f"/appointments/{appointment.pk}/reschedule/?day=2026-12-02", {"start": start})
    assert response.status_code == 400 and 'id="id_start_error"' in response.content.decode()
    assert state() == before


def test_staff_who_book_at_another_office_see_what_they_booked(frozen, maria, client):
    """Houston staff booking for a Chicago customer land on the appointment (not a 404); the day's
    check-in stays with Chicago's staff."""
    houston = StaffFactory(office=Office.objects.get(code="HOU"))
    sign_in(client, houston)
    page = client.get("/appointments/book/?customer=maria@example.com")
    start = page.context["days"][0].slots[0].start.isoformat()
    answers = {"start": start, "reason": "information", "confirm": "yes"}
    response = client.post("/appointments/book/?customer=maria@example.com", answers)
    assert response.status_code == 302, response.content[:500]
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and "Chicago" in detail.content.decode()
    appointment = maria.appointments.get()
    assert client.post(f"/staff/appointments/{appointment.pk}/check-in/").status_code == 404


def test_admins_edit_a_reasons_english_and_spanish_side_by_side(directory, client):
    from django.utils import translation

    from appointments.models import AppointmentReason

    sign_in(client, UserFactory(username="root", role="admin", is_staff=True, is_superuser=True))
    reason = AppointmentReason.objects.get(code="other")
    path = f"/admin/appointments/appointmentreason/{reason.pk}/change/"
    page = client.get(path).content.decode()
    assert 'name="label_en"' in page and 'name="label_es"' in page and 'name="what_to_bring_es"' in page
    response = client.post(path, {
        "code": "other", "label_en": "Other in-person service", "label_es": "Otro trámite en persona",
        "description": "", "what_to_bring_en": "This notice.", "what_to_bring_es": "Este aviso.",
        "international": "on", "is_active": "on", "display_order": "90",
    })
    assert response.status_code == 302, response.content[:800]
    reason.refresh_from_db()
    with translation.override("es"):
        assert (reason.label, reason.what_to_bring) == ("Otro trámite en persona", "Este aviso.")
    with translation.override("en"):
        assert reason.label == "Other in-person service"
    from appointments.services import schedules_load

    schedules_load()  # a later load leaves the admin's Spanish alone
    reason.refresh_from_db()
    assert reason.label_es == "Otro trámite en persona"
