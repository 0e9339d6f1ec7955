from django.conf import settings
from django.core import mail

from appointments import services, tasks
from core.models import Notification
from tests.appointments.conftest import chicago
from tests.factories import CustomerFactory


def test_reminders_run_on_the_beat_schedule():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.appointment_reminders_send.name]
    assert len(entries) == 1 and entries[0]["schedule"] > 0


def test_the_reminder_task_sends_the_due_reminder_once(frozen, maria, django_capture_on_commit_callbacks):
    services.appointment_book(actor=maria, office_code="CHI", start=chicago(1, 8), reason_code="information")
    services.appointment_book(actor=maria, office_code="CHI", start=chicago(3, 9), reason_code="information")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.appointment_reminders_send() == 1
        assert tasks.appointment_reminders_send() == 0
    assert [m.subject for m in mail.outbox] == ["Reminder: your USCIS appointment on Tuesday 1 December 2026, 8:00 a.m. Central Time"]
    assert Notification.objects.filter(kind="appointment.reminder").count() == 1


def test_the_reminder_subject_tells_the_time_as_the_customer_reads_it_in_spanish(frozen, django_capture_on_commit_callbacks):
    ana = CustomerFactory(username="ana@example.com", profile__zip_code="60605", profile__preferred_language="es")
    services.appointment_book(actor=ana, office_code="CHI", start=chicago(1, 8), reason_code="information")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.appointment_reminders_send() == 1
    assert [m.subject for m in mail.outbox] == [
        "Recordatorio: su cita con USCIS el martes 1 de diciembre de 2026, 08:00 hora del Centro"]
