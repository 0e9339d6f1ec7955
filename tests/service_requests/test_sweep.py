import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from core.models import Notification
from service_requests import services
from service_requests.models import Escalation
from service_requests.sweep import escalation_sweep
from tests.factories import CustomerFactory
from tests.service_requests.bulk import bulk_requests

ET = ZoneInfo("America/New_York")
FILED = datetime(2026, 11, 27, 10, tzinfo=ET)


def test_window1_opens_once_and_each_customer_is_emailed_once(maria, file_request, django_capture_on_commit_callbacks):
    with time_machine.travel(FILED, tick=False):
        request = file_request()
    mail.outbox.clear()
    with time_machine.travel(datetime(2026, 12, 11, 23, 59, tzinfo=ET), tick=False):
        assert escalation_sweep().window1_opened == 0  # day 14
    with time_machine.travel(datetime(2026, 12, 12, 0, 1, tzinfo=ET), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = escalation_sweep()
        with django_capture_on_commit_callbacks(execute=True):
            second = escalation_sweep()
    assert (first.window1_opened, first.notifications_owed) == (1, 1)
    assert (second.window1_opened, second.window2_opened, second.notifications_owed) == (0, 0, 0)
    assert Escalation.objects.get(request=request).stage == "window1_open"
    (email,) = mail.outbox
    assert request.reference_number in email.subject and "Vermont Service Center" in email.body
    assert Notification.objects.get(kind="service_request.window1_open").status == "sent"


def test_notifications_are_in_the_customers_language(directory, django_capture_on_commit_callbacks):
    ana = CustomerFactory(profile__preferred_language="es")
    with time_machine.travel(FILED, tick=False):
        services.service_request_file(actor=ana, request_type="card_not_received", receipt_number="EAC2290123456",
                                      description="x")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        escalation_sweep(now=datetime(2026, 12, 13, tzinfo=ET))
    (email,) = mail.outbox
    assert email.body.startswith("Hola") and "27 de noviembre de 2026" in email.body
    assert "solicitud de servicio" in email.subject


def test_answered_and_closed_requests_never_escalate(file_request, vsc_staff):
    with time_machine.travel(FILED, tick=False):
        answered, closed = file_request(), file_request(request_type="card_not_received")
        services.service_request_respond(actor=vsc_staff, reference_number=answered.reference_number, body="Done")
        services.service_request_close(actor=vsc_staff, reference_number=closed.reference_number)
    result = escalation_sweep(now=datetime(2027, 2, 1, tzinfo=ET))
    assert result.window1_opened == 0 and not Notification.objects.filter(kind__startswith="service_request.window")


def test_window2_after_the_service_center_inquiry(maria, file_request, django_capture_on_commit_callbacks):
    with time_machine.travel(FILED, tick=False):
        request = file_request()
    with time_machine.travel(datetime(2026, 12, 12, 9, tzinfo=ET), tick=False):
        services.service_request_service_center_inquiry(actor=maria, reference_number=request.reference_number)
    assert escalation_sweep(now=datetime(2027, 1, 1, 23, tzinfo=ET)).window2_opened == 0
    with django_capture_on_commit_callbacks(execute=True):
        result = escalation_sweep(now=datetime(2027, 1, 2, 0, 30, tzinfo=ET))
    assert result.window2_opened == 1
    assert Escalation.objects.get(request=request).stage == "window2_open"
    assert any("headquarters" in m.subject.lower() for m in mail.outbox)


def test_after_sixty_days_without_sweeps_one_run_brings_everything_to_its_stage(maria, file_request, vsc_staff):
    with time_machine.travel(FILED, tick=False):
        waiting_long = file_request()
        answered = file_request(request_type="card_not_received")
        services.service_request_respond(actor=vsc_staff, reference_number=answered.reference_number, body="ok")
        escalated = file_request(request_type="notice_not_received")
    with time_machine.travel(datetime(2026, 12, 12, 9, tzinfo=ET), tick=False):
        services.service_request_service_center_inquiry(actor=maria, reference_number=escalated.reference_number)
    with time_machine.travel(datetime(2027, 1, 20, tzinfo=ET), tick=False):
        recent = file_request(request_type="typographic_error")
    result = escalation_sweep(now=datetime(2027, 1, 26, tzinfo=ET))  # 60 days after filing, no sweep ever ran
    assert (result.window1_opened, result.window2_opened, result.notifications_owed) == (1, 1, 2)
    stages = {e.request.reference_number: e.stage for e in Escalation.objects.select_related("request")}
    assert stages == {waiting_long.reference_number: "window1_open", answered.reference_number: "answered",
                      escalated.reference_number: "window2_open", recent.reference_number: "waiting"}


def test_dry_run_writes_nothing(file_request):
    with time_machine.travel(FILED, tick=False):
        file_request()
    result = escalation_sweep(now=datetime(2026, 12, 20, tzinfo=ET), dry_run=True)
    assert result.window1_opened == 1 and result.dry_run
    assert Escalation.objects.get().stage == "waiting" and not Notification.objects.filter(
        kind__startswith="service_request.window").exists()


@pytest.mark.parametrize("count", [10, 10_000])
def test_the_sweep_issues_the_same_statements_for_10_and_10000_due(directory, count, django_capture_on_commit_callbacks):
    bulk_requests(count, created=FILED - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=False):
        with CaptureQueriesContext(connection) as ctx:
            result = escalation_sweep(now=FILED)
    assert result.window1_opened == result.notifications_owed == count
    statements = [q["sql"].split()[0].upper() for q in ctx.captured_queries]
    assert statements.count("UPDATE") == 2 and statements.count("INSERT") == 1
    assert len(ctx.captured_queries) <= 5, statements


def test_run_escalations_command(file_request, capsys):
    with time_machine.travel(FILED, tick=False):
        file_request()
    call_command("run_escalations", "--as-of", "2026-12-12T08:00:00-05:00", "--dry-run")
    out = capsys.readouterr().out
    assert "dry run" in out and "would move 1" in out
    assert Escalation.objects.get().stage == "waiting"
    call_command("run_escalations", "--as-of", "2026-12-12T08:00:00-05:00")
    assert "moved 1" in capsys.readouterr().out
    call_command("run_escalations", "--as-of", "2026-12-12T08:00:00-05:00")
    assert "moved 0" in capsys.readouterr().out


def test_run_escalations_refuses_a_bad_date(db):
    from django.core.management import CommandError

    with pytest.raises((CommandError, SystemExit)):
        call_command("run_escalations", "--as-of", "yesterday")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_four_sweeps_at_once_send_each_notification_exactly_once(directory):
    bulk_requests(400, created=FILED - timedelta(days=30))
    bulk_requests(100, created=FILED - timedelta(days=40), stage="sc_inquiry_sent", prefix="SRW",
                  service_center_inquiry_at=FILED - timedelta(days=25), window2_opens_at=FILED - timedelta(days=3))
    barrier = threading.Barrier(4)
    results, errors = [], []

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(escalation_sweep(now=FILED))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not errors, errors
    assert sum(r.window1_opened for r in results) == 400 and sum(r.window2_opened for r in results) == 100
    assert sum(r.notifications_owed for r in results) == 500
    assert Notification.objects.filter(kind="service_request.window1_open").count() == 400
    assert Notification.objects.filter(kind="service_request.window2_open").count() == 100
    sent = {n.to_email for n in Notification.objects.filter(status="sent")}
    assert len(mail.outbox) == 500 and sent


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_mass_move_refreshes_the_statistics(directory, monkeypatch):
    from service_requests import sweep

    monkeypatch.setattr(sweep, "LARGE_MOVE", 50)
    bulk_requests(60, created=FILED - timedelta(days=30))
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(analyze_count, 0), coalesce(vacuum_count, 0) FROM pg_stat_user_tables "
                       "WHERE relname = 'service_requests_escalation'")
        before = cursor.fetchone()
    assert escalation_sweep(now=FILED).window1_opened == 60
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT coalesce(analyze_count, 0), coalesce(vacuum_count, 0) FROM pg_stat_user_tables "
                       "WHERE relname = 'service_requests_escalation'")
        after = cursor.fetchone()
    assert after[0] > before[0] and after[1] > before[1]
