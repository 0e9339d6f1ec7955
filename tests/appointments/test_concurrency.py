"""Real concurrency: threads, each with its own database connection, released together.

On Postgres (DATABASE_URL) rows are locked and conditional UPDATEs re-check under READ COMMITTED;
on SQLite the writers queue on the database lock (IMMEDIATE transactions). Either way a slot
never holds more people than its places.
"""

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.db.models import Count, F, Q

from appointments import services
from appointments.models import Appointment, Slot
from core.errors import ApplicationError
from core.models import Notification
from tests.appointments.conftest import chicago
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def race(workers: int, work: Callable[[int], object]) -> Counter:
    """Run `work(i)` in `workers` threads started at the same instant; count outcomes."""
    barrier = threading.Barrier(workers)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
            outcome = "ok"
        except ApplicationError as exc:
            outcome = f"{exc.status_code} {exc.code}"
        except Exception as exc:  # noqa: BLE001 - anything else is a failure the test reports
            outcome = f"error {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def assert_slots_consistent() -> None:
    mismatched = Slot.objects.annotate(
        holding=Count("appointments", filter=~Q(appointments__status="cancelled"))
    ).filter(~Q(booked=F("holding")) | Q(booked__gt=F("capacity")))
    assert list(mismatched) == []


@pytest.mark.timeout(180)
def test_fifty_threads_race_for_a_slot_with_three_places(frozen):
    customers = CustomerFactory.create_batch(50)
    outcomes = race(50, lambda i: services.appointment_book(
        actor=customers[i], office_code="CHI", start=chicago(1, 9), reason_code="information"))
    assert outcomes == Counter({"ok": 3, "409 slot_full": 47}), outcomes
    slot = Slot.objects.get(starts_at=chicago(1, 9))
    assert slot.booked == 3 == Appointment.objects.filter(slot=slot).count()
    assert_slots_consistent()


@pytest.mark.timeout(180)
def test_fifty_threads_race_to_reschedule_into_one_slot(frozen):
    customers = CustomerFactory.create_batch(50)
    starts = [chicago(2 + i % 3, 8, 0) for i in range(50)]  # spread over many slots first
    starts = [s.replace(hour=8 + (i // 3) % 7, minute=30 * ((i // 21) % 2)) for i, s in enumerate(starts)]
    appointments = [
        services.appointment_book(actor=c, office_code="CHI", start=s, reason_code="information")
        for c, s in zip(customers, starts, strict=True)
    ]
    before = {a.pk: a.starts_at for a in appointments}
    outcomes = race(50, lambda i: services.appointment_reschedule(
        actor=customers[i], appointment_id=appointments[i].pk, start=chicago(1, 10)))
    assert outcomes == Counter({"ok": 3, "409 slot_full": 47}), outcomes
    target = Slot.objects.get(starts_at=chicago(1, 10))
    assert target.booked == 3
    moved = Appointment.objects.filter(slot=target)
    assert moved.count() == 3 and all(a.reschedule_count == 1 for a in moved)
    for appointment in Appointment.objects.exclude(slot=target):
        assert appointment.starts_at == before[appointment.pk] and appointment.reschedule_count == 0
    assert_slots_consistent()


@pytest.mark.timeout(120)
def test_reminder_sweeps_at_once_send_each_reminder_once(frozen):
    customers = CustomerFactory.create_batch(12)
    for i, customer in enumerate(customers):
        services.appointment_book(actor=customer, office_code="CHI", start=chicago(1, 8 + i % 4),
                                  reason_code="information")
    sent: list[int] = []
    lock = threading.Lock()

    def sweep(_i: int) -> None:
        count = services.appointment_reminders_send()
        with lock:
            sent.append(count)

    outcomes = race(4, sweep)
    assert outcomes == Counter({"ok": 4}), outcomes
    due = Appointment.objects.filter(starts_at__lte=chicago(1, 8)).count()
    assert sum(sent) == due == 3
    assert Notification.objects.filter(kind="appointment.reminder").count() == due
    assert services.appointment_reminders_send() == 0


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_opposite_reschedules_do_not_deadlock(frozen):
    """Two customers swap slots at the same instant: locks are taken in one order, so at worst one
    waits; neither fails with a deadlock."""
    first, second = CustomerFactory.create_batch(2)
    a = services.appointment_book(actor=first, office_code="CHI", start=chicago(1, 9), reason_code="information")
    b = services.appointment_book(actor=second, office_code="CHI", start=chicago(2, 9), reason_code="information")
    pairs = [(first, a, chicago(2, 9)), (second, b, chicago(1, 9))]
    outcomes = race(2, lambda i: services.appointment_reschedule(
        actor=pairs[i][0], appointment_id=pairs[i][1].pk, start=pairs[i][2]))
    assert outcomes == Counter({"ok": 2}), outcomes
    assert connection.vendor == "postgresql"
    assert_slots_consistent()
