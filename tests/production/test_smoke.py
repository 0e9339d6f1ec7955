"""The production smoke: the install the Dockerfile makes, run as production runs it.

A fresh venv from requirements.txt alone, production settings, Postgres, Redis as broker and cache,
gunicorn, a real Celery worker and beat, e-mail to a local SMTP sink. A customer signs up,
confirms through the link in the e-mail at the sink, books, files a request; `run_escalations --as-of` opens the request's window; each e-mail arrives at the
sink exactly once. It prints what it did. (On the requirements.txt before issue 11 it fails at
the first request that owes an e-mail: kombu's Redis transport cannot import `packaging`.)
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.servers import wait_until

from .api_client import Api
from .stack import Stack, elapsed

pytestmark = [pytest.mark.production, pytest.mark.postgres]

CUSTOMER = {"email": "smoke.customer@example.com", "password": "smoke-password-2026", "first_name": "Sam",
            "last_name": "Okafor", "zip_code": "60605"}


def _first_free_slot(api: Api, office: str) -> str:
    today = timezone.localdate()
    answer = api.get(f"/api/v1/offices/{office}/availability/?start={today}&end={today + timedelta(days=14)}")
    assert answer.status == 200, answer
    free = [slot["start"] for slot in answer.body["slots"] if slot["remaining"] > 0]
    assert free, f"no free slot at {office} in the next 14 days"
    # A slot at least a day ahead, so the booking-notice rule never refuses it.
    return free[min(len(free) - 1, 16)]


def test_production_smoke(tmp_path, production_python, postgres_for_drill, static_root, figures):
    started = time.monotonic()
    report = figures
    report.append(f"production smoke: venv {production_python.name} (requirements.txt alone)")
    with Stack(tmp_path, production_python, postgres=postgres_for_drill, template=postgres_for_drill.template,  # type: ignore[attr-defined]
               static_root=static_root, database="smoke") as stack:
        web = stack.web()
        stack.worker()
        stack.beat()
        report.append(f"  started gunicorn ({web.url}), a worker and beat on Redis :{stack.redis.port}, "
                      f"Postgres :{postgres_for_drill.port}, SMTP sink :{stack.sink.port} ({elapsed(started)})")
        api = Api(web.url)

        customer = api.signed_up(stack.sink, CUSTOMER)  # 202, the link in the e-mail at the sink, a token
        office = customer.get("/api/v1/auth/me/")
        assert office.status == 200 and office.body["email"] == CUSTOMER["email"]
        report.append(f"  sign-up 202, confirmed through the e-mailed link 200, token 200, /auth/me 200 "
                      f"({elapsed(started)})")

        start = _first_free_slot(customer, "CHI")
        booked = customer.post("/api/v1/appointments/", {"office": "CHI", "start": start, "reason": "information"})
        assert booked.status == 201, (booked, stack.logs())
        report.append(f"  booked {start} at CHI: 201, confirmation {booked.body['confirmation_code']}")

        filed = customer.post("/api/v1/service-requests/", {
            "request_type": "outside_processing_time", "receipt_number": "EAC-22-901-23456",
            "description": "Past the posted processing time."})
        assert filed.status == 201, (filed, stack.logs())
        report.append(f"  filed {filed.body['reference_number']}: 201, at {filed.body['current_office']['code']}")

        as_of = (timezone.now() + timedelta(days=22)).isoformat()
        sweep = stack.manage("run_escalations", "--as-of", as_of)
        assert "waiting -> window1_open: moved 1" in sweep and "notifications owed: 1" in sweep, sweep
        report.append(f"  run_escalations --as-of {as_of[:10]}: window 1 opened for 1 request, 1 e-mail owed")

        expected = 4  # sign-up confirmation (the welcome), appointment confirmation, request filed, window 1 open
        messages = stack.sink.wait_for(expected, timeout=60, to=CUSTOMER["email"])
        report.append(f"  {len(messages)} e-mails at the sink ({elapsed(started)}):")
        report += [f"    {m.message_id}  {m.subject}" for m in messages]
        # Wait for the requeue job to have run a few times: nothing may arrive a second time.
        wait_until(lambda: stack.processes[2].log_text().count("notifications-requeue") >= 3, timeout=60,
                   what="three requeue runs")
        final = stack.sink.received()
        assert len(final) == expected, [m.subject for m in final]
        assert stack.sink.duplicates() == {}
        assert len({m.subject for m in final}) == expected
        assert all("https://portal.example.gov" in m.body for m in final), "e-mails link to PORTAL_BASE_URL"
        report.append(f"  after 3 requeue runs: {len(final)} e-mails, 0 duplicates; total {elapsed(started)}")
