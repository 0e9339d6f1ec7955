"""Two staff acting on one request at once: one wins, the other gets 409, never a lost update."""

import threading
from collections import Counter

import pytest
from django.db import connections

from core.errors import ApplicationError
from service_requests import services
from service_requests.models import EventKind, ServiceRequest
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def race(work) -> Counter:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(work))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(job) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            job()
            outcome = "ok"
        except ApplicationError as exc:
            outcome = f"{exc.status_code} {exc.code}"
        except Exception as exc:  # noqa: BLE001
            outcome = f"error {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("with_version", [True, False])
def test_racing_transfers_exactly_one_wins(file_request, vsc_staff, with_version):
    request = file_request()
    colleagues = [vsc_staff, *StaffFactory.create_batch(5, office=vsc_staff.office)]
    targets = ["NSC", "CSC", "TSC", "PSC", "NBC", "CHI"]
    version = request.version if with_version else None
    outcomes = race([
        (lambda who=who, to=to: services.service_request_transfer(
            actor=who, reference_number=request.reference_number, to_office=to, reason="race",
            expected_version=version))
        for who, to in zip(colleagues, targets, strict=True)
    ])
    assert outcomes["ok"] == 1 and outcomes["409 stale"] == 5, outcomes
    request.refresh_from_db()
    transfers = request.events.filter(kind=EventKind.TRANSFER)
    assert transfers.count() == 1 and request.current_office == transfers.get().to_office
    assert request.version == 2


def test_respond_and_transfer_at_once_never_lose_an_update(file_request, vsc_staff):
    request = file_request()
    colleague = StaffFactory(office=vsc_staff.office)
    outcomes = race([
        lambda: services.service_request_respond(actor=vsc_staff, reference_number=request.reference_number,
                                                 body="Answer", expected_version=1),
        lambda: services.service_request_transfer(actor=colleague, reference_number=request.reference_number,
                                                  to_office="NSC", reason="x", expected_version=1),
    ])
    assert outcomes == Counter({"ok": 1, "409 stale": 1}), outcomes
    request.refresh_from_db()
    assert request.version == 2 and request.events.count() == 2


@pytest.mark.timeout(60)
def test_racing_duplicate_filings_make_one_request(file_request, maria):
    outcomes = race([lambda: file_request() for _ in range(8)])
    assert outcomes["ok"] == 1 and outcomes["409 duplicate"] == 7, outcomes
    assert ServiceRequest.objects.filter(customer=maria).count() == 1
