"""The scale-out drill: deploy/kubernetes' shape as processes on this machine.

Two gunicorn instances behind Debian's nginx (round robin), both on Postgres through Debian's
PgBouncer in transaction mode (DATABASE_BEHIND_PGBOUNCER), two Celery workers and two beats on one
private Redis, e-mail to an SMTP sink.

- 200 customers race for one appointment slot through nginx, so across both instances: the slot is
  booked exactly to its capacity, every other client gets 409, none a 500.
- Requests are filed, their first window is made due, and both beats run the escalation sweep
  (every 5 s each): every e-mail of the sweep arrives once, as does every other e-mail.
It prints its figures (pytest's "production figures" section).
"""

import json
import re
import threading
import time
from collections import Counter

import pytest

from tests.servers import Nginx, PgBouncer, wait_until

from .api_client import Api
from .stack import Stack, elapsed
from .test_smoke import _first_free_slot

pytestmark = [pytest.mark.production, pytest.mark.postgres]

CLIENTS = 200
FILERS = 30
# Customers with an API token each, made in one step (a password hash per account would take minutes
# on two cores). customer_register makes confirmed accounts (as the demo data does; the public sign-up
# is core.signup, which needs the e-mailed link): each gets the welcome e-mail.
MAKE_CUSTOMERS = """
import json
import re
from django.test.utils import override_settings
from knox.models import AuthToken
from core import services
tokens = []
with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
    for n in range({count}):
        user = services.customer_register(email=f"racer{{n}}@example.com", password="drill-password-2026",
                                          first_name="Racer", last_name=str(n), zip_code="60605")
        tokens.append(AuthToken.objects.create(user)[1])
print(json.dumps(tokens))
"""


def race(clients: list[Api], path: str, body: dict) -> list[int]:
    """Every client POSTs at once (a barrier releases them together); their statuses."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = [0] * len(clients)

    def go(index: int, api: Api) -> None:
        barrier.wait()
        statuses[index] = api.post(path, body).status

    threads = [threading.Thread(target=go, args=(i, api)) for i, api in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return statuses


def test_two_instances_behind_nginx_and_pgbouncer_with_two_workers_and_two_beats(
        tmp_path, production_python, postgres_for_drill, static_root, figures):
    started = time.monotonic()
    report = figures
    cluster = postgres_for_drill
    with Stack(tmp_path, production_python, postgres=cluster, template=cluster.template,  # type: ignore[attr-defined]
               static_root=static_root, database="scaleout", requeue_seconds=10,
               ESCALATION_SWEEP_SECONDS="5", DATABASE_BEHIND_PGBOUNCER="true", PORTAL_TRUSTED_PROXY_COUNT="1") as stack, \
            PgBouncer(cluster, pool_size=20) as bouncer:
        through_bouncer = {"DATABASE_URL": bouncer.url(stack.database)}
        # One threaded process per instance, as deploy/kubernetes runs web (and quicker to start here).
        webs = [stack.web(f"web-{name}", workers=1, threads=4, **through_bouncer) for name in ("a", "b")]
        for name in ("a", "b"):
            stack.worker(f"worker-{name}", **through_bouncer)
        beats = [stack.beat(f"beat-{name}", **through_bouncer) for name in ("a", "b")]
        with Nginx(tmp_path / "nginx", [web.url.removeprefix("http://") for web in webs]) as nginx:
            report.append(f"scale-out drill: nginx :{nginx.port} -> gunicorn :{webs[0].port} and :{webs[1].port}; "
                          f"pgbouncer :{bouncer.port} (transaction mode) -> Postgres :{cluster.port}; "
                          f"2 workers, 2 beats, Redis :{stack.redis.port} ({elapsed(started)})")

            tokens = json.loads(stack.manage("shell", "-c", MAKE_CUSTOMERS.format(count=CLIENTS)).strip().splitlines()[-1])
            clients = [Api(nginx.url, token) for token in tokens]
            report.append(f"  {len(clients)} customers with tokens ({elapsed(started)})")

            # 1. The booking race, across both instances.
            start = _first_free_slot(clients[0], "CHI")
            slot = [s for s in clients[0].get(f"/api/v1/offices/CHI/availability/?start={start[:10]}&end={start[:10]}")
                    .body["slots"] if s["start"] == start][0]
            raced = time.monotonic()
            statuses = race(clients, "/api/v1/appointments/", {"office": "CHI", "start": start, "reason": "information"})
            took = time.monotonic() - raced
            counts = Counter(statuses)
            booked = int(cluster.sql(
                "SELECT count(*) FROM appointments_appointment a JOIN offices_office o ON o.id = a.office_id "
                f"WHERE o.code = 'CHI' AND a.starts_at = '{start}' AND a.status = 'booked'", stack.database))
            slot_booked = int(cluster.sql(
                "SELECT s.booked FROM appointments_slot s JOIN offices_office o ON o.id = s.office_id "
                f"WHERE o.code = 'CHI' AND s.starts_at = '{start}'", stack.database))
            per_instance = [web.log_text().count('"POST /api/v1/appointments/') for web in webs]
            report.append(f"  race for {start} at CHI (capacity {slot['capacity']}, {slot['remaining']} free): "
                          f"{dict(sorted(counts.items()))} in {took:.1f} s; booked in the database: {booked} "
                          f"(slot counter {slot_booked}); "
                          f"requests per instance {per_instance}")
            assert set(counts) <= {201, 409}, (counts, stack.logs())
            assert counts[201] == slot["remaining"] == booked - (slot["capacity"] - slot["remaining"]), \
                "booked exactly to capacity, never over"
            assert slot_booked == slot["capacity"]
            assert all(per_instance), "both instances took part"

            # 2. Requests filed, made due, swept by two beats at once.
            filed = [clients[n].post("/api/v1/service-requests/", {
                "request_type": "outside_processing_time", "receipt_number": f"EAC-22-901-{23000 + n:05d}",
                "description": "Past the posted processing time."}) for n in range(FILERS)]
            assert all(answer.status == 201 for answer in filed), [a for a in filed if a.status != 201][:3]
            cluster.sql("UPDATE service_requests_escalation SET window1_opens_at = now() - interval '1 minute'",
                        stack.database)
            swept = time.monotonic()
            expected = CLIENTS + counts[201] + 2 * FILERS  # welcome, booking confirmation, filed, window 1 open
            stack.sink.wait_for(expected, timeout=90)
            sweeps = [beat.log_text().count("escalation-sweep") for beat in beats]
            report.append(f"  {FILERS} requests due: window-1 e-mails all in within {time.monotonic() - swept:.1f} s; "
                          f"sweeps sent by beat-a {sweeps[0]}, beat-b {sweeps[1]}")
            wait_until(lambda: all(beat.log_text().count("escalation-sweep") >= 2 for beat in beats), timeout=30,
                       what="each beat to send the sweep twice")
            time.sleep(6)  # one more sweep round by each beat: nothing more may be owed
            received = stack.sink.received()
            subjects = Counter(re.sub(r"\b(SR)?[A-Z0-9]{10,13}\b", "…", m.subject) for m in received)
            pools = [line for line in bouncer.show("POOLS").splitlines() if line.startswith(f"{stack.database}|")]
            assert stack.sink.duplicates() == {}, stack.sink.duplicates()
            assert len(received) == expected, (len(received), expected)
            by_person_subject = Counter((m.to, m.subject) for m in received)
            assert max(by_person_subject.values()) == 1, by_person_subject.most_common(3)
            moved = int(cluster.sql("SELECT count(*) FROM service_requests_escalation WHERE stage = 'window1_open'",
                                    stack.database))
            assert moved == FILERS
            assert pools and pools[0].endswith("|transaction"), pools
            report.append(f"  {len(received)} e-mails at the sink (expected {expected}), 0 duplicates, each person "
                          f"and subject once: {dict(subjects.most_common())}")
            report.append(f"  pgbouncer pool {pools[0]}; total {elapsed(started)}")
