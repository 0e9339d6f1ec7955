"""Benchmark appointment booking over real HTTP against Postgres: the race for one place, and throughput.

Starts gunicorn (gthread, 2 workers per core) on a free port on 127.0.0.1 and drives it with
token-authenticated clients (one thread and one customer each, stdlib http.client):
  1. race: 200 clients, released together by a barrier, POST /api/v1/appointments/ for the same
     slot of capacity 1. Exactly one must get 201 and the rest 409; the slot's `booked` must equal
     the appointments in it. Wall time from release to the last answer (target ≤ 2 s on 2 cores).
  2. throughput: 32 clients, each with its own customer and its own slots (no contention but the
     database's), book for 10 s: bookings/s. Then the same clients GET /api/v1/auth/me/ for 10 s:
     requests/s, and the ratio bookings/s ÷ authenticated GET/s.
Finally every slot must have booked == appointments holding a place, and booked ≤ capacity.
Over-booking, a broken slot, or an unexpected answer (race: not 201/409; throughput: not 201/200)
exits non-zero, with the first few response bodies.

Run from the project root:  .venv/bin/python bench/appointments.py
DATABASE_URL selects the database (Postgres only; default
postgres://postgres@127.0.0.1:5432/portal_bench_appointments). It is created if missing, migrated and
loaded with the directory and schedules; appointments, slots, outbox, audit rows and bench customers
of earlier runs are deleted first, so reruns are fine. The default appointment policy in that database
gets a one-year horizon and a high per-customer limit. The Celery filesystem queue (booking e-mails)
goes to a temporary PORTAL_VAR_DIR, never the project's var/.
"""

import http.client
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_appointments"
ROOT = Path(__file__).resolve().parent.parent
RACERS, CLIENTS, DURATION_S, RACE_TARGET_S = 200, 32, 10.0, 2.0
THREADS, HORIZON_DAYS = 4, 365
OFFICE, ZIP, DOMAIN = "CHI", "60605", "@appointments.bench.test"
BOOK, ME = "/api/v1/appointments/", "/api/v1/auth/me/"


def ensure_database(url: str) -> tuple[str, str]:
    """Refuse non-Postgres URLs; create the database if it does not exist. Returns (host:port, db name)."""
    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"} or not dbname:
        sys.exit(f"bench/appointments.py needs a Postgres DATABASE_URL with a database name, got scheme {parts.scheme!r}.")
    maintenance = parts._replace(scheme="postgresql", path="/postgres").geturl()
    try:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    except psycopg.OperationalError as exc:
        sys.exit(f"Cannot reach Postgres at {parts.hostname}:{parts.port or 5432}: {exc}")
    return f"{parts.hostname}:{parts.port or 5432}", dbname


class Client:
    """One keep-alive connection to the server, authenticated as one customer."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        try:
            self.conn.request(method, path, json.dumps(body) if body is not None else None, self.headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            return 0, repr(exc).encode()


def drive(port: int, tokens: list[str], requests_of, duration: float | None) -> tuple[list[list[tuple]], float, int]:
    """One thread per token, released together; each sends `requests_of(i)` until it runs out or,
    with a duration, the time is up. Returns the answers per thread, the wall time from release to
    the last answer, and how many threads ran out of requests before the time was up."""
    answers: list[list[tuple]] = [[] for _ in tokens]
    finished = [0.0] * len(tokens)
    released: list[float] = []
    barrier = threading.Barrier(len(tokens), action=lambda: released.append(time.perf_counter()))
    ran_out = []

    def run(i: int) -> None:
        client, requests = Client(port, tokens[i]), iter(requests_of(i))
        barrier.wait()
        deadline = released[0] + duration if duration else float("inf")
        for method, path, body in requests:
            if time.perf_counter() >= deadline:
                break
            answers[i].append(client.call(method, path, body))
        else:
            ran_out.append(i)
        finished[i] = time.perf_counter()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, max(finished) - released[0], 0 if duration is None else len(ran_out)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, server: subprocess.Popen, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def prepare(count: int) -> tuple[list[str], list]:
    """Reset earlier runs; create `count` customers in ZIP_CODE with tokens; widen the default policy.
    Returns the tokens and the bookable slots at OFFICE from tomorrow (Chicago time)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from appointments.models import Appointment, AppointmentPolicy, Slot
    from appointments.selectors import availability, bookable_range
    from core.models import AuditEvent, CustomerProfile, IdempotencyRecord, Notification, Role, User
    from offices.models import Office

    with transaction.atomic():
        for model in (Appointment, Slot, Notification, AuditEvent, IdempotencyRecord):
            model.objects.all().delete()
        User.objects.filter(email__endswith=DOMAIN).delete()
        users = User.objects.bulk_create([
            User(username=f"bench-{i}{DOMAIN}", email=f"bench-{i}{DOMAIN}", first_name="Bench", last_name=f"Customer {i}",
                 role=Role.CUSTOMER, password=make_password(None))  # unusable password: no hashing cost
            for i in range(count)
        ])
        CustomerProfile.objects.bulk_create([CustomerProfile(user=u, country="US", zip_code=ZIP) for u in users])
        tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users])
        AppointmentPolicy.objects.filter(office__isnull=True).update(
            booking_horizon_days=HORIZON_DAYS, max_active_per_customer=10_000)
    office = Office.objects.get(code=OFFICE)
    now = timezone.now()
    _today, last = bookable_range(office, now=now)
    tomorrow = now.astimezone(office.time_zone).date() + timedelta(days=1)
    return [t.key for t in tokens], availability(office, first=tomorrow, last=last, now=now)


def slot_check() -> tuple[int, list]:
    """(slots checked, violations): booked must equal the appointments holding a place, and ≤ capacity."""
    from django.db.models import Count, Q

    from appointments.models import HOLDS_PLACE, Slot

    rows = Slot.objects.annotate(holding=Count("appointments", filter=Q(appointments__status__in=HOLDS_PLACE)))
    rows = list(rows.values_list("starts_at", "capacity", "booked", "holding"))
    return len(rows), [r for r in rows if r[2] != r[3] or r[2] > r[1]]


def main() -> int:
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    server_addr, dbname = ensure_database(url)
    var_dir = tempfile.mkdtemp(prefix="bench-appointments-")
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="uscis_portal.settings.local", DJANGO_DEBUG="0",
                      DJANGO_ALLOWED_HOSTS="127.0.0.1", PORTAL_VAR_DIR=var_dir)
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: collectstatic not run
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import gunicorn
    from django.core.management import call_command
    from django.db import connection

    from appointments.models import Appointment, Slot
    from appointments.services import schedules_load
    from offices.models import Office
    from offices.selectors import office_for_zip
    from offices.services import directory_load

    call_command("migrate", verbosity=0)
    directory_load()
    schedules_load()
    if office_for_zip(ZIP).office.code != OFFICE:
        sys.exit(f"ZIP {ZIP} is not served by {OFFICE}; the bench customers would be refused.")
    started = time.perf_counter()
    tokens, free = prepare(RACERS + CLIENTS)
    setup_s = time.perf_counter() - started
    race_slot, spare = free[0], free[1:]
    office = Office.objects.get(code=OFFICE)
    Slot.objects.create(office=office, starts_at=race_slot.start, ends_at=race_slot.end, capacity=1)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    cores = len(os.sched_getaffinity(0))
    workers, port = 2 * cores, free_port()
    print("Appointment booking benchmark (HTTP, gunicorn)")
    print(f"  machine: {cores} cores (load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}), "
          f"Python {sys.version.split()[0]}, Django {django.get_version()}, gunicorn {gunicorn.__version__}")
    print(f"  database: Postgres {pg_version} at {server_addr}/{dbname} (DEBUG=False)")
    print(f"  server: 127.0.0.1:{port}, --workers {workers} (2 × {cores} cores), gthread × {THREADS} threads")
    print(f"  data: {len(tokens)} customers in ZIP {ZIP} ({OFFICE}) with tokens, made in {setup_s:.2f} s; "
          f"{len(free):,} free slots over {HORIZON_DAYS} days from {race_slot.start:%Y-%m-%d}\n")

    log_path = Path(var_dir) / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "uscis_portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--worker-class", "gthread", "--threads", str(THREADS)],
            cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        if not wait_healthy(port, server):
            print(log_path.read_text(errors="replace")[-3000:])
            sys.exit("gunicorn did not answer /healthz.")
        # Warm-up: every thread's DB connection, and the booking path up to the grid check (an
        # off-grid start is a 400 with no side effect).
        off_grid = {"office": OFFICE, "start": (race_slot.start + timedelta(minutes=7)).isoformat()}
        warm, _wall, _n = drive(port, tokens[RACERS:], lambda i: [("GET", ME, None), ("POST", BOOK, off_grid)] * 4, None)
        bad_warm = [a for a in itertools.chain(*warm) if a[0] not in (200, 400)]

        body = {"office": OFFICE, "start": race_slot.start.isoformat(), "reason": "information"}
        race, race_s, _n = drive(port, tokens[:RACERS], lambda i: [("POST", BOOK, body)], None)
        race = [a[0] for a in race]
        won, full = sum(a[0] == 201 for a in race), sum(a[0] == 409 for a in race)
        odd_race = [a for a in race if a[0] not in (201, 409)]
        slot = Slot.objects.get(office=office, starts_at=race_slot.start)
        holding = Appointment.objects.filter(slot=slot).exclude(status="cancelled").count()

        def own_slots(i: int):
            return [("POST", BOOK, {"office": OFFICE, "start": s.start.isoformat()}) for s in spare[i::CLIENTS]]

        booked, book_s, ran_out = drive(port, tokens[RACERS:], own_slots, DURATION_S)
        booked = list(itertools.chain(*booked))
        gets, get_s, _n = drive(port, tokens[RACERS:], lambda i: itertools.repeat(("GET", ME, None)), DURATION_S)
        gets = list(itertools.chain(*gets))
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    over = max(0, won - 1)
    odd_booked = [a for a in booked if a[0] != 201]
    odd_gets = [a for a in gets if a[0] != 200]
    bookings_per_s, gets_per_s = (len(booked) - len(odd_booked)) / book_s, (len(gets) - len(odd_gets)) / get_s
    checked, violations = slot_check()
    print(f"1. race: {RACERS} clients, one slot of capacity 1 at {race_slot.start:%Y-%m-%d %H:%M %Z}")
    print(f"  successes (201): {won}   409 full: {full}   other statuses: {len(odd_race)}")
    print(f"  over-bookings: {over}   slot booked: {slot.booked}/{slot.capacity}, appointments in slot: {holding}")
    print(f"  wall time release → last answer: {race_s:.2f} s   target ≤ {RACE_TARGET_S:.1f} s: "
          f"{'met' if race_s <= RACE_TARGET_S else 'missed'}")
    print(f"2. throughput: {CLIENTS} clients, own customer and own slots each, {DURATION_S:.0f} s per phase")
    print(f"  bookings:          {bookings_per_s:8.1f} bookings/s ({len(booked) - len(odd_booked):,} in {book_s:.2f} s)"
          + (f"; {ran_out} clients ran out of slots" if ran_out else ""))
    print(f"  authenticated GET: {gets_per_s:8.1f} requests/s ({len(gets) - len(odd_gets):,} in {get_s:.2f} s, {ME})")
    print(f"  ratio (bookings/s ÷ authenticated GET/s): {bookings_per_s / gets_per_s if gets_per_s else 0:.2f}")
    print(f"\ncorrectness: {checked:,} slots checked, {len(violations)} with booked ≠ appointments or over capacity; "
          f"over-bookings {over}; unexpected answers: warm-up {len(bad_warm)}, race {len(odd_race)}, "
          f"bookings {len(odd_booked)}, GETs {len(odd_gets)}")
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine skews the rates)")
    for starts_at, capacity, booked_count, held in violations[:5]:
        print(f"  BAD SLOT {starts_at:%Y-%m-%d %H:%M}: booked {booked_count}, capacity {capacity}, holding {held}")
    for status, content in (bad_warm + odd_race + odd_booked + odd_gets)[:5]:
        print(f"  UNEXPECTED {status}: {content[:300]!r}")
    failed = won != 1 or over or slot.booked != holding or violations or bad_warm or odd_race or odd_booked or odd_gets
    if failed:
        print(f"server log (tail of {log_path}):\n{log_path.read_text(errors='replace')[-2000:]}")
        return 1
    shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
