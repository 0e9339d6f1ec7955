from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from appointments import services
from appointments.models import Appointment, AppointmentPolicy, Slot
from offices.models import Office, OfficeClosure
from tests.appointments.conftest import chicago
from tests.auth import api_for
from tests.factories import CustomerFactory, StaffFactory, UserFactory


def client_for(user) -> APIClient:
    return api_for(user)


BOOK = {"office": "CHI", "start": "2026-12-01T09:00:00-06:00", "reason": "information"}


def test_availability_lists_slots_in_office_time(frozen, api_client):
    body = api_client.get("/api/v1/offices/CHI/availability/?start=2026-12-01&end=2026-12-01").json()
    assert body["time_zone"] == "America/Chicago"
    assert body["slots"][0] == {"start": "2026-12-01T08:00:00-06:00", "end": "2026-12-01T08:30:00-06:00",
                                "capacity": 3, "remaining": 3}
    assert len(body["slots"]) == 14


def test_availability_in_honolulu(frozen, api_client):
    body = api_client.get("/api/v1/offices/hhw/availability/?start=2026-12-01&end=2026-12-01").json()
    assert body["slots"][0]["start"] == "2026-12-01T08:00:00-10:00"


def test_availability_has_no_slots_on_thanksgiving(frozen, api_client):
    body = api_client.get("/api/v1/offices/CHI/availability/?start=2026-11-26&end=2026-11-26").json()
    assert body["slots"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [("start=2026-12-01", "end"), ("start=2026-12-31&end=2026-12-01", "end"), ("start=2026-12-01&end=2027-03-01", "end"),
     ("start=tomorrow&end=2026-12-01", "start"),
     ("start=9999-12-31&end=9999-12-31", "start"), ("start=0001-01-01&end=0001-01-01", "end")],
)
def test_availability_bad_dates_are_400(frozen, api_client, query, field):
    response = api_client.get(f"/api/v1/offices/CHI/availability/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_availability_unknown_office_is_404(frozen, api_client):
    assert api_client.get("/api/v1/offices/NOPE/availability/?start=2026-12-01&end=2026-12-01").status_code == 404


def test_book_returns_201_with_id_and_code(frozen, maria):
    response = client_for(maria).post("/api/v1/appointments/", BOOK, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] and len(body["confirmation_code"]) == 10
    assert body["start"] == "2026-12-01T09:00:00-06:00" and body["office"]["code"] == "CHI"
    assert body["reschedules_left"] == 2


def test_booking_needs_sign_in(frozen, api_client):
    assert api_client.post("/api/v1/appointments/", BOOK, format="json").status_code == 401


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"office": "ZZZ"}, 400, "office"),
        ({"start": "not a date"}, 400, "start"),
        ({"start": "2026-13-45T09:00"}, 400, "start"),
        ({"start": "2026-11-01T09:00:00-06:00"}, 400, "start"),
        ({"start": "2026-12-01T09:10:00-06:00"}, 400, "start"),
        ({"start": "2026-11-30T09:30:00-06:00"}, 409, None),
        ({"start": "2027-02-01T09:00:00-06:00"}, 409, None),
        ({"reason": "tea"}, 400, "reason"),
        ({"office": None}, 400, "office"),
        ({"start": "9999-12-31T23:59"}, 400, "start"),  # past the calendar's end once in UTC
    ],
)
def test_bad_bookings_are_400_or_409_never_500(frozen, maria, payload, status, field):
    response = client_for(maria).post("/api/v1/appointments/", {**BOOK, **payload}, format="json")
    assert response.status_code == status, response.content
    if field:
        assert field in response.json()
    else:
        assert response.json()["detail"]
    assert not Appointment.objects.exists()


def test_a_full_slot_is_409(frozen, directory):
    for customer in CustomerFactory.create_batch(3):
        assert client_for(customer).post("/api/v1/appointments/", BOOK, format="json").status_code == 201
    response = client_for(CustomerFactory()).post("/api/v1/appointments/", BOOK, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "That time is fully booked. Choose another time.", "code": "slot_full"}


def test_too_far_ahead_says_when_booking_opens(frozen, maria):
    response = client_for(maria).post("/api/v1/appointments/", {**BOOK, "start": "2026-12-21T09:00"}, format="json")
    assert response.status_code == 409 and response.json()["bookable_from"] == "2026-12-07"


def test_idempotency_key_returns_the_first_result(frozen, maria):
    client = client_for(maria)
    first = client.post("/api/v1/appointments/", BOOK, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/appointments/", BOOK, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert Appointment.objects.count() == 1 and Slot.objects.get().booked == 1
    other = client.post("/api/v1/appointments/", {**BOOK, "start": "2026-12-02T09:00"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_a_failed_request_does_not_burn_its_idempotency_key(frozen, maria):
    client = client_for(maria)
    bad = client.post("/api/v1/appointments/", {**BOOK, "start": "2026-12-01T09:10"}, format="json",
                      HTTP_IDEMPOTENCY_KEY="k-2")
    assert bad.status_code == 400
    good = client.post("/api/v1/appointments/", {**BOOK, "start": "2026-12-01T09:10"}, format="json",
                       HTTP_IDEMPOTENCY_KEY="k-3")
    assert good.status_code == 400
    fixed = client.post("/api/v1/appointments/", BOOK, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert fixed.status_code == 201


def test_cancel_reschedule_and_ics(frozen, maria):
    client = client_for(maria)
    appointment_id = client.post("/api/v1/appointments/", BOOK, format="json").json()["id"]
    moved = client.post(f"/api/v1/appointments/{appointment_id}/reschedule/", {"start": "2026-12-02T10:00"}, format="json")
    assert moved.status_code == 200 and moved.json()["start"] == "2026-12-02T10:00:00-06:00"
    ics = client.get(f"/api/v1/appointments/{appointment_id}/ics/")
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    text = ics.content.decode()
    assert "DTSTART;TZID=America/Chicago:20261202T100000" in text and "BEGIN:VTIMEZONE" in text
    cancelled = client.post(f"/api/v1/appointments/{appointment_id}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/appointments/{appointment_id}/cancel/").status_code == 409


def test_ics_can_be_asked_for_as_text_calendar(frozen, maria):
    client = client_for(maria)
    appointment_id = client.post("/api/v1/appointments/", BOOK, format="json").json()["id"]
    assert client.get(f"/api/v1/appointments/{appointment_id}/ics/", HTTP_ACCEPT="text/calendar").status_code == 200


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [("get", "", None), ("post", "cancel/", None), ("post", "reschedule/", {"start": "2026-12-02T10:00"}),
     ("get", "ics/", None), ("post", "check-in/", None)],
)
def test_another_customers_appointment_is_404_on_every_door(frozen, maria, other_customer, method, suffix, data):
    appointment_id = client_for(maria).post("/api/v1/appointments/", BOOK, format="json").json()["id"]
    response = getattr(client_for(other_customer), method)(f"/api/v1/appointments/{appointment_id}/{suffix}", data,
                                                          format="json")
    assert response.status_code == 404
    assert Appointment.objects.get().status == "booked"


def test_missing_appointment_is_the_same_404(frozen, maria):
    assert client_for(maria).get("/api/v1/appointments/999999/").json() == client_for(maria).get(
        "/api/v1/appointments/999998/").json()


def test_lists_are_scoped(frozen, maria, other_customer):
    client_for(maria).post("/api/v1/appointments/", BOOK, format="json")
    assert client_for(other_customer).get("/api/v1/appointments/").json()["count"] == 0
    assert client_for(maria).get("/api/v1/appointments/").json()["count"] == 1
    chicago_staff = StaffFactory(office=Office.objects.get(code="CHI"))
    houston_staff = StaffFactory(office=Office.objects.get(code="HOU"))
    assert client_for(chicago_staff).get("/api/v1/appointments/").json()["count"] == 1
    assert client_for(houston_staff).get("/api/v1/appointments/").json()["count"] == 0
    assert client_for(UserFactory(role="hq_osco", username="hq")).get("/api/v1/appointments/").json()["count"] == 0


def test_staff_books_for_a_caller_and_runs_the_day(frozen, maria):
    staff = StaffFactory(office=Office.objects.get(code="CHI"))
    client = client_for(staff)
    response = client.post("/api/v1/appointments/", {**BOOK, "customer": "maria@example.com"}, format="json")
    assert response.status_code == 201 and response.json()["customer"] == "maria@example.com"
    frozen.move_to("2026-12-01T08:55:00-06:00")
    client = client_for(staff)  # staff tokens last 8 hours: the next day's shift signs in again
    appointment_id = response.json()["id"]
    assert client.post(f"/api/v1/appointments/{appointment_id}/check-in/").json()["status"] == "checked_in"
    assert client.post(f"/api/v1/appointments/{appointment_id}/check-in/").status_code == 409
    assert client.post(f"/api/v1/appointments/{appointment_id}/complete/").json()["status"] == "completed"


def test_customers_cannot_use_staff_actions(frozen, maria):
    client = client_for(maria)
    appointment_id = client.post("/api/v1/appointments/", BOOK, format="json").json()["id"]
    assert client.post(f"/api/v1/appointments/{appointment_id}/check-in/").status_code == 404


def test_list_query_count_does_not_grow_with_page_size(frozen, directory):
    customers = CustomerFactory.create_batch(6)
    for i, customer in enumerate(customers):
        client_for(customer).post("/api/v1/appointments/", {**BOOK, "start": f"2026-12-0{1 + i % 3}T09:00"},
                                  format="json")
    staff_client = client_for(StaffFactory(office=Office.objects.get(code="CHI")))
    counts = []
    for size in (1, 3, 6):
        with CaptureQueriesContext(connection) as ctx:
            assert len(staff_client.get(f"/api/v1/appointments/?page_size={size}").json()["results"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] == counts[2]


def book(customer, start=None):
    return services.appointment_book(actor=customer, office_code="CHI", start=start or chicago(1, 9),
                                     reason_code="information")


def state():
    """Every appointment and slot as it stands, to show a refused request changed nothing."""
    return (list(Appointment.objects.order_by("pk").values_list("pk", "status", "starts_at", "reschedule_count")),
            list(Slot.objects.order_by("pk").values_list("starts_at", "booked")))


def slot_days(body) -> set[str]:
    return {slot["start"][:10] for slot in body["slots"]}


def test_availability_has_no_slots_on_a_future_federal_holiday(frozen, api_client):
    AppointmentPolicy.objects.create(office=Office.objects.get(code="CHI"), booking_horizon_days=40)
    body = api_client.get("/api/v1/offices/CHI/availability/?start=2026-12-23&end=2026-12-28").json()
    assert slot_days(body) == {"2026-12-23", "2026-12-24", "2026-12-28"}  # Christmas Day (Fri) and the weekend: none


def test_availability_has_no_slots_on_an_office_closure(frozen, api_client):
    OfficeClosure.objects.create(office=Office.objects.get(code="CHI"), date=date(2026, 12, 2), reason="Snow")
    body = api_client.get("/api/v1/offices/CHI/availability/?start=2026-12-01&end=2026-12-03").json()
    assert slot_days(body) == {"2026-12-01", "2026-12-03"}


def test_reschedule_into_a_full_slot_is_409_and_keeps_the_original(frozen, maria):
    appointment = book(maria)
    for customer in CustomerFactory.create_batch(3):
        book(customer, start=chicago(2, 10))
    before = state()
    response = client_for(maria).post(f"/api/v1/appointments/{appointment.pk}/reschedule/",
                                      {"start": "2026-12-02T10:00"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "slot_full"
    assert state() == before
    assert Slot.objects.get(starts_at=chicago(1, 9)).booked == 1 and Slot.objects.get(starts_at=chicago(2, 10)).booked == 3


def third_booking(maria, frozen):
    book(maria, chicago(1, 9))
    book(maria, chicago(2, 9))
    return "/api/v1/appointments/", {**BOOK, "start": "2026-12-03T09:00"}


def third_reschedule(maria, frozen):
    appointment = book(maria)
    for day in (2, 3):
        services.appointment_reschedule(actor=maria, appointment_id=appointment.pk, start=chicago(day, 9))
    return f"/api/v1/appointments/{appointment.pk}/reschedule/", {"start": "2026-12-04T09:00"}


def reschedule_within_12_hours(maria, frozen):
    appointment = book(maria)
    frozen.move_to(chicago(30, 21, 1, month=11))
    return f"/api/v1/appointments/{appointment.pk}/reschedule/", {"start": "2026-12-03T09:00"}


def cancel_within_1_hour(maria, frozen):
    appointment = book(maria)
    frozen.move_to(chicago(1, 8, 30))
    return f"/api/v1/appointments/{appointment.pk}/cancel/", None


@pytest.mark.parametrize(
    ("setup", "code", "detail"),
    [
        (third_booking, "active_limit", "You already have 2 upcoming appointments"),
        (third_reschedule, "reschedule_limit", "rescheduled at most 2 times"),
        (reschedule_within_12_hours, "reschedule_too_late", "cannot be rescheduled within 12 hours"),
        (cancel_within_1_hour, "cancel_too_late", "cannot be cancelled online within 1 hour"),
    ],
)
def test_policy_limits_are_409_with_the_reason(frozen, maria, setup, code, detail):
    path, data = setup(maria, frozen)
    before = state()
    response = client_for(maria).post(path, data, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == code and detail in response.json()["detail"]
    assert state() == before


@pytest.mark.parametrize(
    "start", ["not a date", "2026-11-01T09:00:00-06:00", "2026-12-02T09:10", "9999-12-31T23:59"],
    ids=["malformed", "past", "off-grid", "beyond-calendar"],
)
def test_bad_reschedule_start_is_400_and_changes_nothing(frozen, maria, start):
    appointment = book(maria)
    before = state()
    response = client_for(maria).post(f"/api/v1/appointments/{appointment.pk}/reschedule/", {"start": start},
                                      format="json")
    assert response.status_code == 400, response.content
    assert "start" in response.json()
    assert state() == before


def test_staff_who_book_at_another_office_get_the_appointment_through_the_api(frozen, maria):
    houston = client_for(StaffFactory(office=Office.objects.get(code="HOU")))
    response = houston.post("/api/v1/appointments/", {**BOOK, "customer": "maria@example.com"}, format="json")
    assert response.status_code == 201, response.content
    assert houston.get(f"/api/v1/appointments/{response.json()['id']}/").status_code == 200
    assert houston.post(f"/api/v1/appointments/{response.json()['id']}/check-in/").status_code == 404


def test_the_answer_is_what_a_plain_model_serializer_gives_and_each_answer_has_its_own_fields(frozen, maria):
    """AppointmentSerializer builds its model fields once per class (core.api.serializers): its answers
    must be those of a ModelSerializer that builds them every time, and two serializers never share a
    bound field (each has its own context)."""
    from rest_framework import serializers

    from appointments.api.serializers import AppointmentSerializer

    class PlainReason(serializers.ModelSerializer):
        class Meta(AppointmentSerializer._declared_fields["reason"].Meta):
            pass

    plain_fields = {"reason": PlainReason(), **{k: v for k, v in AppointmentSerializer._declared_fields.items()
                                                if k != "reason"}}
    Plain = type("Plain", (serializers.ModelSerializer,), {
        **plain_fields, "Meta": AppointmentSerializer.Meta, **{
            name: getattr(AppointmentSerializer, name) for name in vars(AppointmentSerializer) if name.startswith("get_")}})
    first = client_for(maria).post("/api/v1/appointments/", BOOK, format="json").json()
    second = client_for(maria).post("/api/v1/appointments/", {**BOOK, "start": "2026-12-01T09:30:00-06:00"},
                                    format="json").json()
    for body in (first, second):
        appointment = Appointment.objects.get(pk=body["id"])
        assert body == Plain(appointment, context={}).data == AppointmentSerializer(appointment, context={}).data
    one, two = AppointmentSerializer(context={"n": 1}), AppointmentSerializer(context={"n": 2})
    assert all(one.fields[name] is not two.fields[name] for name in one.fields)
    assert {name: f.context["n"] for name, f in one.fields.items()} == dict.fromkeys(one.fields, 1)
    assert {name: f.context["n"] for name, f in two.fields.items()} == dict.fromkeys(two.fields, 2)
    assert one.fields["reason"].fields["code"] is not two.fields["reason"].fields["code"]
