"""The Redis drill: the broker and cache (a private redis-server) stop and start mid-test under the
production install (gunicorn, a real worker and beat, an SMTP sink).

- A worker holding an unacknowledged message (acks_late, its send held open by a slow SMTP server)
  when Redis drops stays up: before issue 11's settings it exited with `AttributeError: 'NoneType'
  object has no attribute 'hostname'` and delivery stopped until something restarted it.
- While Redis is down, sign-up answers 202, confirming through the e-mailed link 200, booking and
  filing 201, the token endpoint 200 (and 400 for a wrong password), never 500.
- Within a minute of Redis's return every e-mail owed arrives, each once, counted at the sink; the
  same worker delivers what is asked after the outage.
"""

import time

import pytest

from tests.servers import wait_until

from .api_client import Api
from .stack import Stack, elapsed
from .test_smoke import _first_free_slot

pytestmark = [pytest.mark.production, pytest.mark.postgres]


def customer(name: str) -> dict[str, str]:
    return {"email": f"{name}@example.com", "password": "outage-password-2026", "first_name": name.title(),
            "last_name": "Drill", "zip_code": "60605"}


def test_redis_outage_loses_nothing_and_the_worker_survives(tmp_path, production_python, postgres_for_drill,
                                                            static_root, figures):
    started = time.monotonic()
    report = figures
    with Stack(tmp_path, production_python, postgres=postgres_for_drill, template=postgres_for_drill.template,  # type: ignore[attr-defined]
               static_root=static_root, database="outage", requeue_seconds=10) as stack:
        web = stack.web()
        worker = stack.worker("worker-1")
        assert worker.process is not None
        worker_pid = worker.process.pid
        stack.beat()
        api = Api(web.url)
        report.append(f"redis outage drill: gunicorn, 1 worker, 1 beat on Redis :{stack.redis.port} ({elapsed(started)})")

        # 1. A send in flight (unacknowledged) when Redis goes away.
        stack.sink.delay = 6
        first = customer("inflight")
        assert api.post("/api/v1/auth/register/", first).status == 202
        wait_until(lambda: "notification_send" in worker.log_text() and "received" in worker.log_text(), timeout=30,
                   what="the worker to take the sign-up confirmation e-mail")
        stack.redis.stop()
        dropped = time.monotonic()
        stack.sink.wait_for(1, timeout=30, to=first["email"])
        stack.sink.delay = 0
        report.append(f"  Redis stopped while the worker held the confirmation e-mail unacknowledged; it arrived "
                      f"{time.monotonic() - dropped:.1f} s later")

        # 2. Writes while Redis is down: committed, answered as success. The first customer confirms
        # through the link that arrived (the limits' counters fall back to the database cache).
        second = customer("outage")
        signed_up = api.post("/api/v1/auth/register/", second)
        assert signed_up.status == 202, (signed_up, stack.logs())
        confirmed = api.confirm_sign_up(stack.sink, first["email"])
        assert confirmed.status == 200, (confirmed, stack.logs())
        wrong = api.post("/api/v1/auth/token/", {"username": first["email"], "password": "not-the-password"})
        assert wrong.status == 400, wrong
        person = api.signed_in(first["email"], first["password"])
        booked = person.post("/api/v1/appointments/", {"office": "CHI", "start": _first_free_slot(person, "CHI"),
                                                       "reason": "information"})
        assert booked.status == 201, (booked, stack.logs())
        filed = person.post("/api/v1/service-requests/", {
            "request_type": "outside_processing_time", "receipt_number": "EAC-22-901-23457",
            "description": "Past the posted processing time."})
        assert filed.status == 201, (filed, stack.logs())
        report.append("  with Redis down: sign-up 202, confirmation 200, wrong password 400, token 200, booking 201, "
                      "filing 201")
        time.sleep(8)  # long enough for the worker to find its connection gone and start reconnecting
        assert worker.running, f"the worker exited during the outage:\n{worker.log_tail()}"
        assert not [m for m in stack.sink.received() if second["email"] in m.to], "no dispatch without a broker"
        assert len([m for m in stack.sink.received() if first["email"] in m.to]) == 1, "no dispatch without a broker"

        # 3. Redis back: what was owed goes out, once each, within a minute; the worker delivers anew.
        stack.redis.start()
        returned = time.monotonic()
        owed = (stack.sink.wait_for(1, timeout=60, to=second["email"])
                + stack.sink.wait_for(3, timeout=60, to=first["email"])[1:])
        report.append(f"  Redis back: the 3 e-mails owed arrived within {time.monotonic() - returned:.1f} s")
        assert api.confirm_sign_up(stack.sink, second["email"]).status == 200  # the link owed in the outage works
        api.signed_in(second["email"], second["password"])
        third = customer("after")
        assert api.post("/api/v1/auth/register/", third).status == 202
        stack.sink.wait_for(1, timeout=30, to=third["email"])
        assert worker.running and worker.process and worker.process.pid == worker_pid, worker.log_tail()
        assert "AttributeError" not in worker.log_text(), worker.log_tail()
        wait_until(lambda: stack.processes[2].log_text().count("notifications-requeue") >= 4, timeout=60,
                   what="the requeue job to run again after the return")

        received = stack.sink.received()
        assert stack.sink.duplicates() == {}, stack.sink.duplicates()
        assert len(received) == 5, [(m.to, m.subject) for m in received]
        assert len({m.subject for m in owed}) == 3
        report.append(f"  {len(received)} e-mails at the sink, 0 duplicates, worker pid {worker_pid} "
                      f"alive throughout; total {elapsed(started)}")
