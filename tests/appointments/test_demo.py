import pytest
from django.core.management import CommandError, call_command

from appointments.models import Appointment, Slot
from tests.appointments.conftest import chicago

pytestmark = pytest.mark.django_db


def test_demo_appointment_is_the_next_free_one_and_booked_once(frozen, demo_accounts, capsys):
    call_command("seed_demo_appointments")
    call_command("seed_demo_appointments")

    appointment = Appointment.objects.select_related("office", "slot").get()
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
