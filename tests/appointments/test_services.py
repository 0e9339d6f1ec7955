from datetime import date

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q

from appointments import rules, selectors, services
from appointments.models import Appointment, AppointmentPolicy, AppointmentStatus, Slot
from core.errors import ApplicationError, Conflict, Forbidden, NotFound
from core.models import AuditEvent, Notification
from offices.models import Office, OfficeClosure
from tests.appointments.conftest import NOW, chicago
from tests.factories import CustomerFactory, StaffFactory, UserFactory, represent


def book(actor, start=None, **kwargs):
    values = {"office_code": "CHI", "start": start or chicago(1, 9), "reason_code": "information", **kwargs}
    return services.appointment_book(actor=actor, **values)


def slot_consistent(slot: Slot) -> bool:
    holding = slot.appointments.exclude(status=AppointmentStatus.CANCELLED).count()
    slot.refresh_from_db()
    return slot.booked == holding <= slot.capacity


def test_book_takes_a_place_and_sends_the_confirmation_after_commit(frozen, maria, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(maria)
    assert appointment.status == AppointmentStatus.BOOKED
    assert len(appointment.confirmation_code) == 10 and set(appointment.confirmation_code) <= set(rules.CODE_ALPHABET)
    assert (appointment.slot.booked, appointment.slot.capacity) == (1, 3)
    assert AuditEvent.objects.filter(action="appointment.booked", target_id=str(appointment.pk)).exists()
    (email,) = [m for m in mail.outbox if "booked" in m.subject]
    assert appointment.confirmation_code in email.subject and "101 West Congress Parkway" in email.body
    assert "Tuesday 1 December 2026, 9:00 a.m. Central Time" in email.body
    portal = settings.PORTAL_BASE_URL
    for link in (f"/appointments/{appointment.pk}/", f"/appointments/{appointment.pk}/reschedule/",
                 f"/appointments/{appointment.pk}/cancel/", f"/appointments/{appointment.pk}/calendar.ics"):
        assert f"{portal}{link}\n" in email.body
    assert "Sign in to use these links." in email.body
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in email.body
    assert "dates=20261201T150000Z%2F20261201T153000Z" in email.body and "outlook.live.com" in email.body


def test_the_cancellation_email_says_so_and_offers_no_calendar(frozen, maria, django_capture_on_commit_callbacks):
    appointment = book(maria)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(actor=maria, appointment_id=appointment.pk)
    (email,) = mail.outbox
    assert "cancelled" in email.subject and "This appointment is cancelled" in email.body
    assert "calendar" not in email.body.lower() and "/reschedule/" not in email.body


def test_naive_start_means_office_local_time(frozen, maria):
    from datetime import datetime

    appointment = book(maria, start=datetime(2026, 12, 1, 9, 0))
    assert appointment.starts_at == chicago(1, 9)


def test_start_in_another_zone_is_the_same_instant(frozen, maria):
    from zoneinfo import ZoneInfo

    appointment = book(maria, start=chicago(1, 9).astimezone(ZoneInfo("UTC")))
    assert appointment.starts_at == chicago(1, 9)


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"office_code": "NOPE"}, "office", "unknown_office"),
        ({"office_code": "HOU"}, "office", "wrong_office"),
        ({"reason_code": "nope"}, "reason", "unknown_reason"),
        ({"start": chicago(1, 9, 10)}, "start", "off_grid"),
        ({"start": chicago(30, 7, month=11)}, "start", "start_in_past"),
        ({"start": chicago(5, 9)}, "start", "off_grid"),  # Saturday
        ({"start": chicago(25, 9)}, "start", "too_far_ahead"),
    ],
)
def test_book_refuses_bad_input(frozen, maria, kwargs, field, code):
    with pytest.raises((ApplicationError, Conflict)) as caught:
        book(maria, **kwargs)
    assert caught.value.code == code
    if caught.value.status_code == 400:
        assert field in caught.value.fields
    assert not Appointment.objects.exists() and not Slot.objects.filter(booked__gt=0).exists()


def test_wrong_office_names_the_right_one(frozen, maria):
    with pytest.raises(ApplicationError, match="Chicago Field Office \\(CHI\\)"):
        book(maria, office_code="HOU")


def test_holidays_are_closed_with_the_holiday_named(frozen, maria):
    AppointmentPolicy.objects.update(booking_horizon_days=40)
    with pytest.raises(ApplicationError, match="Christmas Day") as caught:
        book(maria, start=chicago(25, 9))
    assert caught.value.code == "office_closed"


def test_closures_are_closed(frozen, maria):
    OfficeClosure.objects.create(office=Office.objects.get(code="CHI"), date=date(2026, 12, 1), reason="Snow")
    with pytest.raises(ApplicationError) as caught:
        book(maria)
    assert caught.value.code == "office_closed"


def test_too_soon_is_a_conflict(frozen, maria):
    with pytest.raises(Conflict) as caught:
        book(maria, start=chicago(30, 9, month=11))
    assert caught.value.code == "too_soon"


def test_a_full_slot_is_a_conflict_that_says_so(frozen, directory):
    customers = CustomerFactory.create_batch(4)
    for customer in customers[:3]:
        book(customer)
    with pytest.raises(Conflict, match="fully booked") as caught:
        book(customers[3])
    assert caught.value.code == "slot_full"
    slot = Slot.objects.get(starts_at=chicago(1, 9))
    assert slot.booked == 3 and slot_consistent(slot)


def test_active_appointment_limit(frozen, maria):
    book(maria, start=chicago(1, 9))
    book(maria, start=chicago(2, 9))
    with pytest.raises(Conflict, match="2 upcoming appointments") as caught:
        book(maria, start=chicago(3, 9))
    assert caught.value.code == "active_limit"
    assert not Slot.objects.filter(starts_at=chicago(3, 9), booked__gt=0).exists()


def test_customers_abroad_book_at_their_international_office(frozen, directory):
    jean = CustomerFactory(profile__country="CA", profile__zip_code="")
    mexico = Office.objects.get(code="MEX")
    start = chicago(1, 9).replace(tzinfo=mexico.time_zone)  # 09:00 Mexico City time
    appointment = services.appointment_book(actor=jean, office_code="MEX", start=start, reason_code="information")
    assert appointment.office.code == "MEX"
    with pytest.raises(ApplicationError) as caught:  # ADIT stamps are domestic only
        services.appointment_book(actor=jean, office_code="MEX", start=start, reason_code="adit-stamp")
    assert caught.value.code == "unknown_reason"


@pytest.mark.parametrize(("country", "code"), [("QA", "no_appointments"), ("FR", "no_office_abroad")])
def test_customers_where_no_office_takes_appointments_are_told_where_to_go(frozen, directory, country, code):
    customer = CustomerFactory(profile__country=country, profile__zip_code="")
    with pytest.raises(Conflict) as caught:
        services.office_for_booking(customer)
    assert caught.value.code == code


def test_a_representative_and_staff_book_for_a_named_customer(frozen, maria):
    counsel = UserFactory(role="representative")
    represent(maria, counsel)  # changed deliberately: a representative books only under a representation
    agent = UserFactory(role="ncsc_tier1", username="agent1")
    by_counsel = book(counsel, customer_email="MARIA@example.com")
    by_agent = book(agent, customer_email="maria@example.com", start=chicago(2, 9))
    assert by_counsel.customer == by_agent.customer == maria
    assert (by_counsel.booked_by, by_agent.booked_by) == (counsel, agent)
    assert set(selectors.appointment_list_for_user(counsel)) == {by_counsel}


@pytest.mark.parametrize("email", [None, "nobody@example.com"])
def test_booking_for_someone_needs_a_real_customer(frozen, maria, email):
    counsel = UserFactory(role="representative")
    with pytest.raises(ApplicationError) as caught:
        book(counsel, customer_email=email)
    assert "customer" in caught.value.fields


def test_customers_cannot_book_for_others_and_hq_cannot_book(frozen, maria, other_customer):
    with pytest.raises(ApplicationError) as caught:
        book(maria, customer_email=other_customer.email)
    assert "customer" in caught.value.fields
    with pytest.raises(Forbidden):
        book(UserFactory(role="hq_osco", username="hq1"), customer_email=maria.email)


def test_cancel_frees_the_place_once(frozen, maria):
    appointment = book(maria)
    services.appointment_cancel(actor=maria, appointment_id=appointment.pk)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED and appointment.cancelled_at
    with pytest.raises(Conflict) as caught:
        services.appointment_cancel(actor=maria, appointment_id=appointment.pk)
    assert caught.value.code == "not_active"
    assert slot_consistent(appointment.slot) and appointment.slot.booked == 0


def test_customers_cannot_cancel_online_within_the_cutoff_but_staff_can(frozen, maria):
    appointment = book(maria)
    frozen.move_to(chicago(1, 8, 30))
    with pytest.raises(Conflict) as caught:
        services.appointment_cancel(actor=maria, appointment_id=appointment.pk)
    assert caught.value.code == "cancel_too_late"
    staff = StaffFactory(office=Office.objects.get(code="CHI"))
    assert services.appointment_cancel(actor=staff, appointment_id=appointment.pk).status == "cancelled"


def test_reschedule_moves_the_place_in_one_step(frozen, maria, django_capture_on_commit_callbacks):
    appointment = book(maria)
    old_slot = appointment.slot
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.appointment_reschedule(actor=maria, appointment_id=appointment.pk, start=chicago(2, 10))
    assert moved.starts_at == chicago(2, 10) and moved.reschedule_count == 1
    old_slot.refresh_from_db()
    assert old_slot.booked == 0 and moved.slot.booked == 1
    assert any("new time" in m.subject for m in mail.outbox)


def test_the_upsert_refuses_a_slot_that_filled_after_the_early_read(frozen, maria):
    """The early read is only a shortcut: past it (a slot filled in between), the booking's one
    INSERT … ON CONFLICT DO UPDATE … WHERE booked < capacity is what refuses the place."""
    slot = Slot.objects.create(office=Office.objects.get(code="CHI"), starts_at=chicago(1, 9),
                               ends_at=chicago(1, 9, 30), capacity=3, booked=3)
    with pytest.raises(Conflict) as caught:
        services._book(actor=maria, customer=maria, office=slot.office, start=chicago(1, 9), reason_code="information",
                       notes="", other_office_reason="", now=NOW)
    assert caught.value.code == "slot_full"
    slot.refresh_from_db()
    assert slot.booked == 3 and not Appointment.objects.filter(customer=maria).exists()


def test_reschedule_into_a_full_slot_leaves_the_original_untouched(frozen, maria):
    appointment = book(maria)
    for customer in CustomerFactory.create_batch(3):
        book(customer, start=chicago(2, 10))
    with pytest.raises(Conflict) as caught:
        services.appointment_reschedule(actor=maria, appointment_id=appointment.pk, start=chicago(2, 10))
    assert caught.value.code == "slot_full"
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.reschedule_count, appointment.status) == (chicago(1, 9), 0, "booked")
    assert Slot.objects.get(starts_at=chicago(1, 9)).booked == 1
    assert Slot.objects.get(starts_at=chicago(2, 10)).booked == 3


def test_reschedule_that_fails_after_taking_the_new_place_changes_nothing(frozen, maria, monkeypatch):
    appointment = book(maria)

    def audit_store_down(**kwargs):
        assert Slot.objects.get(starts_at=chicago(2, 10)).booked == 1  # the new place was taken
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_record", audit_store_down)
    with pytest.raises(RuntimeError):
        services.appointment_reschedule(actor=maria, appointment_id=appointment.pk, start=chicago(2, 10))
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.reschedule_count, appointment.slot.starts_at) == (
        chicago(1, 9), 0, chicago(1, 9))
    assert Slot.objects.get(starts_at=chicago(1, 9)).booked == 1
    assert not Slot.objects.filter(starts_at=chicago(2, 10), booked__gt=0).exists()


def test_at_most_two_reschedules(frozen, maria):
    appointment = book(maria)
    services.appointment_reschedule(actor=maria, appointment_id=appointment.pk, start=chicago(2, 9))
    services.appointment_reschedule(actor=maria, appointment_id=appointment.pk, start=chicago(3, 9))
    with pytest.raises(Conflict, match="at most 2 times") as caught:
        services.appointment_reschedule(actor=maria, appointment_id=appointment.pk, start=chicago(4, 9))
    assert caught.value.code == "reschedule_limit"


def test_no_reschedule_within_twelve_hours(frozen, maria):
    appointment = book(maria)
    frozen.move_to(chicago(30, 21, 1, month=11))
    with pytest.raises(Conflict) as caught:
        services.appointment_reschedule(actor=maria, appointment_id=appointment.pk, start=chicago(3, 9))
    assert caught.value.code == "reschedule_too_late"


def test_reschedule_to_the_same_time_or_off_grid(frozen, maria):
    appointment = book(maria)
    with pytest.raises(Conflict):
        services.appointment_reschedule(actor=maria, appointment_id=appointment.pk, start=chicago(1, 9))
    with pytest.raises(ApplicationError) as caught:
        services.appointment_reschedule(actor=maria, appointment_id=appointment.pk, start=chicago(1, 9, 5))
    assert caught.value.code == "off_grid"


def test_someone_elses_appointment_is_not_found_for_every_action(frozen, maria, other_customer):
    appointment = book(maria)
    with pytest.raises(NotFound):
        services.appointment_cancel(actor=other_customer, appointment_id=appointment.pk)
    with pytest.raises(NotFound):
        services.appointment_reschedule(actor=other_customer, appointment_id=appointment.pk, start=chicago(2, 9))
    with pytest.raises(NotFound):
        selectors.appointment_get_for_user(other_customer, appointment.pk)
    houston_staff = StaffFactory(office=Office.objects.get(code="HOU"))
    with pytest.raises(NotFound):
        services.appointment_check_in(actor=houston_staff, appointment_id=appointment.pk)


def test_staff_run_the_day(frozen, maria):
    staff = StaffFactory(office=Office.objects.get(code="CHI"))
    first, second = book(maria), book(maria, start=chicago(1, 10))
    with pytest.raises(Conflict) as caught:
        services.appointment_check_in(actor=staff, appointment_id=first.pk)  # not the day yet
    assert caught.value.code == "not_today"
    frozen.move_to(chicago(1, 8, 50))
    services.appointment_check_in(actor=staff, appointment_id=first.pk)
    with pytest.raises(Conflict) as caught:
        services.appointment_check_in(actor=staff, appointment_id=first.pk)
    assert caught.value.code == "stale"
    assert services.appointment_complete(actor=staff, appointment_id=first.pk).status == "completed"
    with pytest.raises(Conflict):
        services.appointment_mark_no_show(actor=staff, appointment_id=second.pk)  # not started yet
    frozen.move_to(chicago(1, 10, 20))
    assert services.appointment_mark_no_show(actor=staff, appointment_id=second.pk).status == "no_show"
    assert list(selectors.office_day(staff.office, date(2026, 12, 1))) == [first, second]


def test_reminders_go_once_and_again_after_a_reschedule(frozen, maria, django_capture_on_commit_callbacks):
    appointment = book(maria, start=chicago(1, 8))
    book(maria, start=chicago(3, 9))  # too far for a reminder now
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.appointment_reminders_send() == 1
        assert services.appointment_reminders_send() == 0
    assert [m.subject for m in mail.outbox] == ["Reminder: your USCIS appointment on Tuesday 1 December 2026, 8:00 a.m. Central Time"]
    services.appointment_reschedule(actor=maria, appointment_id=appointment.pk, start=chicago(1, 10))
    assert services.appointment_reminders_send() == 0  # 26 hours away now
    frozen.move_to(chicago(30, 11, month=11))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.appointment_reminders_send() == 1
    assert Notification.objects.filter(kind="appointment.reminder").count() == 2


def test_cancelled_appointments_get_no_reminder(frozen, maria):
    appointment = book(maria, start=chicago(1, 8))
    services.appointment_cancel(actor=maria, appointment_id=appointment.pk)
    assert services.appointment_reminders_send() == 0


def test_reminder_catch_up_after_downtime_skips_what_already_started(frozen, maria):
    book(maria, start=chicago(1, 8))
    frozen.move_to(chicago(1, 9))
    assert services.appointment_reminders_send() == 0


def test_database_refuses_overbooking_even_without_the_service(frozen, maria):
    appointment = book(maria)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=appointment.slot_id).update(booked=4)


def test_office_policy_overrides_the_default(frozen, maria):
    chi = Office.objects.get(code="CHI")
    AppointmentPolicy.objects.create(office=chi, max_active_per_customer=1)
    assert selectors.policy_for(chi).max_active_per_customer == 1
    assert selectors.policy_for(Office.objects.get(code="HOU")).max_active_per_customer == 2
    book(maria)
    with pytest.raises(Conflict):
        book(maria, start=chicago(2, 9))


def test_only_one_default_policy(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentPolicy.objects.create(office=None)


def test_every_slot_count_matches_its_appointments(frozen, directory):
    customers = CustomerFactory.create_batch(5)
    appointments = [book(c, start=chicago(1 + i % 2, 9)) for i, c in enumerate(customers)]
    services.appointment_cancel(actor=customers[0], appointment_id=appointments[0].pk)
    services.appointment_reschedule(actor=customers[1], appointment_id=appointments[1].pk, start=chicago(3, 11))
    mismatched = Slot.objects.annotate(
        holding=Count("appointments", filter=~Q(appointments__status="cancelled"))
    ).exclude(booked=F("holding"))
    assert not mismatched.exists()


def test_availability_counts_remaining_and_offers_only_bookable_times(frozen, maria):
    book(maria, start=chicago(30, 10, 30, month=11))
    chi = Office.objects.get(code="CHI")
    slots = selectors.availability(chi, first=date(2026, 11, 30), last=date(2026, 12, 31), now=NOW)
    by_time = {s.start.strftime("%m-%d %H:%M"): s.remaining for s in slots}
    assert "11-30 08:00" not in by_time and "11-30 09:30" not in by_time  # past, or closer than 2 hours
    assert by_time["11-30 10:30"] == 2 and by_time["11-30 10:00"] == 3
    assert max(by_time) == "12-14 14:30"  # the 14-day horizon


def test_availability_has_no_slots_on_holidays_or_closures(frozen, directory):
    chi = Office.objects.get(code="CHI")
    OfficeClosure.objects.create(office=chi, date=date(2026, 12, 2), reason="Building works")
    slots = selectors.availability(chi, first=date(2026, 11, 26), last=date(2026, 12, 3), now=NOW)
    days = {s.start.date() for s in slots}
    assert date(2026, 11, 26) not in days  # Thanksgiving
    assert date(2026, 12, 2) not in days  # closure
    assert date(2026, 12, 1) in days and date(2026, 12, 3) in days


def test_availability_in_honolulu_is_in_honolulu_time(frozen, directory):
    honolulu = Office.objects.get(code="HHW")
    slots = selectors.availability(honolulu, first=date(2026, 12, 1), last=date(2026, 12, 1), now=NOW)
    assert slots[0].start.isoformat() == "2026-12-01T08:00:00-10:00"


def test_international_office_closed_on_host_country_holiday(frozen, directory):
    mexico = Office.objects.get(code="MEX")
    AppointmentPolicy.objects.update(booking_horizon_days=90)
    slots = selectors.availability(mexico, first=date(2027, 1, 1), last=date(2027, 2, 5), now=NOW)
    days = {s.start.date() for s in slots}
    assert date(2027, 2, 1) not in days  # Constitution Day (first Monday of February)
    assert date(2027, 1, 18) not in days  # Martin Luther King Jr. Day
    assert date(2027, 1, 19) in days and date(2027, 2, 2) in days


def test_the_same_customer_cannot_take_two_places_in_one_slot(frozen, maria):
    first = book(maria)
    with pytest.raises(Conflict) as caught:
        book(maria)
    assert caught.value.code == "already_booked"
    second = book(maria, start=chicago(2, 9))
    with pytest.raises(Conflict) as caught:
        services.appointment_reschedule(actor=maria, appointment_id=second.pk, start=chicago(1, 9))
    assert caught.value.code == "already_booked"
    first.slot.refresh_from_db()
    assert first.slot.booked == 1
