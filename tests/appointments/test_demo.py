import pytest
from django.core.management import CommandError, call_command

from appointments.models import Appointment, Slot
from tests.appointments.conftest import chicago

pytestmark = pytest.mark.django_db


def test_demo_appointment_is_the_next_free_one_and_booked_once(frozen, demo_accounts, capsys):
    call_command("seed_demo_appointments")
    call_command("seed_demo_appointments")

    appointment = Appointment.objects.select_related("office", "slot").get(customer__username="maria@example.com")
    assert appointment.customer.username == "maria@example.com" and appointment.office.code == "CHI"
    # 08:00 Monday with 2 hours' notice: the first bookable slot is 10:00 the same day.
    assert appointment.starts_at == chicago(30, 10, month=11)
    assert Slot.objects.get(pk=appointment.slot_id).booked == 1
    assert capsys.readouterr().out.count(appointment.confirmation_code) == 2


def test_demo_appointment_needs_the_demo_accounts(frozen, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_appointments")
    assert not Appointment.objects.exists()


def test_demo_appointment_refused_without_debug(frozen, demo_accounts, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo_appointments")
    assert not Appointment.objects.exists()


def test_demo_gives_chi_staff_appointments_today_to_check_in(frozen, demo_accounts, client):
    """Issue 15 item 5: three appointments on the run's own day (Monday 30 November here), at 08:00, midday and
    the last slot, each once; chi.staff's office day lists them and can check one in."""
    from core.models import User
    from tests.auth import sign_in

    call_command("seed_demo_appointments")
    call_command("seed_demo_appointments")
    today = Appointment.objects.filter(starts_at__date="2026-11-30", office__code="CHI").exclude(
        customer__username="maria@example.com").order_by("starts_at")
    assert [a.starts_at for a in today] == [chicago(30, 8, month=11), chicago(30, 11, 30, month=11),
                                            chicago(30, 14, 30, month=11)]
    sign_in(client, User.objects.get(username="chi.staff"))
    html = client.get("/staff/appointments/").content.decode()
    assert all(a.confirmation_code in html for a in today) and "Check in" in html
    response = client.post(f"/staff/appointments/{today[0].pk}/check-in/")
    assert response.status_code == 302
    today[0].refresh_from_db()
    assert today[0].status == "checked_in"
