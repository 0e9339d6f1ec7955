"""Benchmark appointment booking over real HTTP against Postgres: statements, the race, throughput, a stampede.

Starts gunicorn (sync workers, 2 × cores + 1, as in production) on a free port on 127.0.0.1 and drives it with
token-authenticated clients (one customer each; a thread each with stdlib http.client, the stampede one asyncio loop):
  0. statements: one warm booking in this process through Django's handler with a real token, every SQL
     statement captured and listed (BEGIN and COMMIT included; the query-count test pins the same list).
  1. race: 200 clients, released together by a barrier, POST /api/v1/appointments/ for the same
     slot of capacity 1. Exactly one must get 201 and the rest 409; the slot's `booked` must equal
     the appointments in it. Wall time from release to the last answer (target ≤ 2 s on 2 cores).
  2. throughput: 32 clients, each with its own customer and its own slots (no contention but the
     database's), book for 10 s: bookings/s. Then the same clients GET /api/v1/auth/me/ for 10 s:
     requests/s, and the ratio bookings/s ÷ authenticated GET/s (target ≥ 0.5).
  3. stampede: 1,000 clients (a connection each, all driven by one asyncio loop), released together, POST for
     one slot of 10 places: exactly 10 get 201, every other answer is 409, every client is answered; p50/p95/p99 from release to each answer (target p99 ≤ 3 s).
Finally every slot must have booked == appointments holding a place, and booked ≤ capacity.
Over-booking, a broken slot, or an unexpected answer (race and stampede: not 201/409; throughput: not
201/200; warm-up: not 200/400) exits non-zero, printing the first few response bodies and the server log.
Targets are judged only when the machine's load was ≤ 1.0 at start (bench._common.verdict).

Run from the project root:  .venv/bin/python bench/appointments.py   [--stampede 1000] [--seconds 10] [--profile]
--profile only profiles, in-process through Django's handler (pyinstrument), 200 bookings (each its own customer
and slot) and 200 answers of a full slot (the stampede's 409), prints where the time goes and the CPU ms of each.
DATABASE_URL selects the database (Postgres only; default
postgres://postgres@127.0.0.1:5432/portal_bench_appointments). It is created if missing, migrated and
loaded with the directory and schedules; appointments, slots, outbox, audit rows and bench customers
of earlier runs are deleted first, so reruns are fine. The default appointment policy in that database
gets a one-year horizon and a high per-customer limit. The Celery filesystem queue (booking e-mails)
goes to a temporary PORTAL_VAR_DIR, never the project's var/.
"""

import argparse
import asyncio
import http.client
import itertools
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

# bench/queue.py shadows the standard library's `queue` (psycopg imports it): the project root first, bench/ off the path.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(_BENCH.parent), *(p for p in sys.path if Path(p or ".").resolve() != _BENCH)]

from bench._common import (  # noqa: E402
    django_setup,
    ensure_database,
    print_header,
    print_load_at_end,
    production_gunicorn,
    production_server_note,
    reference_data,
    verdict,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_appointments"
RACERS, CLIENTS, DURATION_S, RACE_TARGET_S = 200, 32, 10.0, 2.0
STAMPEDE, STAMPEDE_PLACES, STAMPEDE_P99_S, RATIO_TARGET = 1_000, 10, 3.0, 0.5
HORIZON_DAYS = 365
OFFICE, ZIP, DOMAIN = "CHI", "60605", "@appointments.bench.test"
BOOK, ME = "/api/v1/appointments/", "/api/v1/auth/me/"


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


def drive(port: int, tokens: list[str], requests_of, duration: float | None = None) -> tuple[list, float, int]:
    """One thread per token, released together by a barrier; thread i sends `requests_of(i)` until
    they run out or, with a duration, time is up. Returns all answers (status, body, seconds from the
    release to this answer), the wall time from release to the last answer, and how many threads ran
    out of requests before time was up."""
    answers: list[list[tuple[int, bytes, float]]] = [[] for _ in tokens]
    finished, released, ran_out = [0.0] * len(tokens), [], []
    barrier = threading.Barrier(len(tokens), action=lambda: released.append(time.perf_counter()))

    def run(i: int) -> None:
        client, requests = Client(port, tokens[i]), iter(requests_of(i))
        barrier.wait()
        deadline = released[0] + duration if duration else float("inf")
        for method, path, body in requests:
            if time.perf_counter() >= deadline:
                break
            status, content = client.call(method, path, body)
            answers[i].append((status, content, time.perf_counter() - released[0]))
        else:
            ran_out.append(i)
        finished[i] = time.perf_counter()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return list(itertools.chain(*answers)), max(finished) - released[0], len(ran_out) if duration else 0


def rush_clients(port: int, tokens: list[str], body: dict) -> tuple[list, float]:
    """The stampede's clients: one connection and one POST of `body` each, all released together, driven by one
    asyncio loop. 1,000 threads spent from 0.9 to 4 CPU-seconds of the 2 cores the server uses (the GIL passed
    among them), and the stampede's p99 followed that; one loop spends about 0.9 every time. Each request is built
    before the release. Returns the answers (status, body, seconds from the release to this answer; status 0 for a
    failed connection) and the wall time from the release to the last answer."""
    payload = json.dumps(body).encode()
    requests = [(f"POST {BOOK} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Token {token}\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
                 ).encode() + payload for token in tokens]

    async def one(request: bytes, go: asyncio.Event, released: list[float]) -> tuple[int, bytes, float]:
        await go.wait()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 60)
            writer.write(request)
            answer = await asyncio.wait_for(reader.read(-1), 60)  # the server closes the connection after it
            writer.close()
            head, _sep, content = answer.partition(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.") else 0
        except (TimeoutError, OSError, ValueError, IndexError) as exc:
            status, content = 0, repr(exc).encode()
        return status, content, time.perf_counter() - released[0]

    async def main() -> list[tuple[int, bytes, float]]:
        go, released = asyncio.Event(), list[float]()
        clients = [asyncio.ensure_future(one(request, go, released)) for request in requests]
        await asyncio.sleep(0.1)  # every client is waiting on `go`
        released.append(time.perf_counter())
        go.set()
        return list(await asyncio.gather(*clients))

    answers = asyncio.run(main())
    return answers, max((a[2] for a in answers), default=0.0)


def statement_shape(sql: str) -> str:
    verb = sql.split(None, 1)[0].upper()
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
    return f"{verb} {table.group(1)}" if table and verb in {"SELECT", "INSERT", "UPDATE"} else verb


def booking_statements(token: str, starts: list) -> list[str]:
    """Book `starts[0]` (warm-up: the process reads what it keeps), then `starts[1]` with every statement
    captured, in this process through Django's handler with a real token. Returns the statements' shapes."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    shapes: list[str] = []
    for n, slot in enumerate(starts[:2]):
        body = json.dumps({"office": OFFICE, "start": slot.start.isoformat()})
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(BOOK, body, content_type="application/json")
        if response.status_code != 201:
            sys.exit(f"statements phase: booking answered {response.status_code}: {response.content[:300]!r}")
        if n == 1:
            shapes = [statement_shape(q["sql"]) for q in ctx.captured_queries]
    return shapes


def profile(tokens: list[str], free: list, count: int = 200) -> int:
    """`count` bookings (a customer and a slot each), then `count` POSTs for a slot already full, in-process."""
    from django.test import Client as DjangoClient
    from pyinstrument import Profiler

    clients = [DjangoClient(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {t}") for t in tokens[:2 * count + 1]]
    full = json.dumps({"office": OFFICE, "start": free[0].start.isoformat()})
    clients[-1].post(BOOK, full, content_type="application/json")  # capacity 1: now full
    print(f"profile: {count} requests each, in-process, load average at start {os.getloadavg()[0]:.2f}")
    for label, status, bodies in (
            ("booking (201)", 201, [json.dumps({"office": OFFICE, "start": s.start.isoformat()}) for s in free[1:count + 1]]),
            ("full slot (409)", 409, [full] * count)):
        offset = 0 if status == 201 else count
        profiler, cpu0 = Profiler(interval=0.0005), time.process_time()
        with profiler:
            for i, body in enumerate(bodies):
                response = clients[offset + i].post(BOOK, body, content_type="application/json")
                if response.status_code != status:
                    sys.exit(f"profile: {label} answered {response.status_code}: {response.content[:300]!r}")
        print(f"\n{label}: {(time.process_time() - cpu0) * 1000 / count:.2f} ms CPU per request (profiled)")
        print(profiler.output_text(unicode=True, show_all=False, color=False))
    print_load_at_end()
    return 0


def percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1] if len(values) > 1 else (values or [0.0])[0]


def prepare(count: int) -> tuple[list[str], list]:
    """Reset earlier runs; create `count` customers in ZIP with tokens; widen the default policy.
    Returns the tokens and the free slots at OFFICE from tomorrow (office time), the first of them
    given a Slot row of capacity 1 for the race, the second one of STAMPEDE_PLACES for the stampede."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from knox.models import AuthToken

    from appointments.models import Appointment, AppointmentPolicy, Slot
    from appointments.selectors import bookable_availability
    from core.models import AuditEvent, CustomerProfile, IdempotencyRecord, Notification, Role, User
    from offices.models import Office
    from offices.selectors import place_answer

    if getattr(place_answer(zip_code=ZIP).office, "code", None) != OFFICE:
        sys.exit(f"ZIP {ZIP} is not served by {OFFICE}; the bench customers would be refused.")
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
        tokens = [AuthToken.objects.create(user=u)[1] for u in users]  # the secrets (stored hashed)
        AppointmentPolicy.objects.filter(office__isnull=True).update(
            booking_horizon_days=HORIZON_DAYS, max_active_per_customer=10_000)
    office = Office.objects.get(code=OFFICE)
    now = timezone.now()
    tomorrow = now.astimezone(office.time_zone).date() + timedelta(days=1)
    free = [s for s in bookable_availability(office, now=now) if s.start.astimezone(office.time_zone).date() >= tomorrow]
    Slot.objects.create(office=office, starts_at=free[0].start, ends_at=free[0].end, capacity=1)
    Slot.objects.create(office=office, starts_at=free[1].start, ends_at=free[1].end, capacity=STAMPEDE_PLACES)
    return tokens, free


def slot_check() -> tuple[int, list]:
    """(slots checked, violations): booked must equal the appointments holding a place, and ≤ capacity."""
    from django.db.models import Count, Q

    from appointments.models import HOLDS_PLACE, Slot

    slots = Slot.objects.annotate(holding=Count("appointments", filter=Q(appointments__status__in=HOLDS_PLACE)))
    rows = list(slots.values_list("starts_at", "capacity", "booked", "holding"))
    return len(rows), [r for r in rows if r[2] != r[3] or r[2] > r[1]]


def phases(port: int, tokens: list[str], race_slot, stampede_slot, spare: list, *, stampede: int,
           seconds: float) -> dict:
    """Warm-up, the race (first RACERS tokens), bookings and GETs (the next CLIENTS tokens), then the
    stampede (the next `stampede` tokens)."""
    racers, clients = tokens[:RACERS], tokens[RACERS:RACERS + CLIENTS]
    crowd = tokens[RACERS + CLIENTS:RACERS + CLIENTS + stampede]
    # Warm-up: the server threads' DB connections, and the booking path up to the grid check (an
    # off-grid start is a 400 with no side effect).
    off_grid = {"office": OFFICE, "start": (race_slot.start + timedelta(minutes=7)).isoformat()}
    warm, _s, _n = drive(port, clients, lambda i: [("GET", ME, None), ("POST", BOOK, off_grid)] * 4)
    race_body = {"office": OFFICE, "start": race_slot.start.isoformat(), "reason": "information"}
    race, race_s, _n = drive(port, racers, lambda i: [("POST", BOOK, race_body)])

    def own_slots(i: int) -> list:
        return [("POST", BOOK, {"office": OFFICE, "start": s.start.isoformat()}) for s in spare[i::CLIENTS]]

    books, book_s, ran_out = drive(port, clients, own_slots, seconds)
    gets, get_s, _n = drive(port, clients, lambda i: itertools.repeat(("GET", ME, None)), seconds)
    crowd_body = {"office": OFFICE, "start": stampede_slot.start.isoformat(), "reason": "information"}
    cpu_before = time.process_time()  # this (client) process's CPU, all its threads
    rush, rush_s = rush_clients(port, crowd, crowd_body) if crowd else ([], 0.0)
    rush_cpu = time.process_time() - cpu_before
    return {"odd": [a for a in warm if a[0] not in (200, 400)] + [a for a in race if a[0] not in (201, 409)]
            + [a for a in books if a[0] != 201] + [a for a in gets if a[0] != 200]
            + [a for a in rush if a[0] not in (201, 409)],
            "won": sum(a[0] == 201 for a in race), "full": sum(a[0] == 409 for a in race), "race_s": race_s,
            "booked": sum(a[0] == 201 for a in books), "book_s": book_s, "ran_out": ran_out,
            "gets": sum(a[0] == 200 for a in gets), "get_s": get_s,
            "rush": rush, "rush_s": rush_s, "rush_cpu": rush_cpu, "rush_won": sum(a[0] == 201 for a in rush),
            "rush_full": sum(a[0] == 409 for a in rush)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stampede", type=int, default=STAMPEDE, help=f"clients in the stampede (default {STAMPEDE:,})")
    parser.add_argument("--seconds", type=float, default=DURATION_S,
                        help=f"length of each throughput phase (default {DURATION_S:.0f})")
    parser.add_argument("--profile", action="store_true", help="only profile bookings and 409s in-process")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    server_addr, dbname = ensure_database(url, "appointments.py")
    var_dir = Path(tempfile.mkdtemp(prefix="bench-appointments-"))
    django_setup(url, DJANGO_ALLOWED_HOSTS="127.0.0.1", PORTAL_VAR_DIR=str(var_dir))
    from appointments.models import HOLDS_PLACE, Appointment, Slot

    reference_data()
    started = time.perf_counter()
    tokens, free = prepare(RACERS + CLIENTS + args.stampede + 1)
    setup_s, race_slot, stampede_slot = time.perf_counter() - started, free[0], free[1]
    print_header("Appointment booking benchmark (HTTP through gunicorn)", server_addr, dbname)
    print(f"  server: {production_server_note()}")
    print(f"  data: {len(tokens)} customers in ZIP {ZIP} ({OFFICE}) with tokens, made in {setup_s:.2f} s; "
          f"{len(free):,} free slots over {HORIZON_DAYS} days from {race_slot.start:%Y-%m-%d}\n")

    if args.profile:
        return profile(tokens, free)
    shapes = booking_statements(tokens[-1], free[-2:])
    print(f"0. statements of one booking (warm process, real token, a new slot): {len(shapes)}, BEGIN and COMMIT included")
    print("  " + "; ".join(shapes))

    log_path, access_path = var_dir / "gunicorn.log", var_dir / "access.log"
    with production_gunicorn(log_path, access_log=access_path) as (port, workers):
        r = phases(port, tokens, race_slot, stampede_slot, free[2:-2], stampede=args.stampede, seconds=args.seconds)
    slot = Slot.objects.get(office__code=OFFICE, starts_at=race_slot.start)
    holding = Appointment.objects.filter(slot=slot, status__in=HOLDS_PLACE).count()
    over = max(0, r["won"] - 1)
    crowd_slot = Slot.objects.get(office__code=OFFICE, starts_at=stampede_slot.start)
    crowd_holding = Appointment.objects.filter(slot=crowd_slot, status__in=HOLDS_PLACE).count()
    crowd_over = max(0, r["rush_won"] - STAMPEDE_PLACES)
    checked, violations = slot_check()
    bookings_per_s, gets_per_s = r["booked"] / r["book_s"], r["gets"] / r["get_s"]
    ratio = bookings_per_s / gets_per_s if gets_per_s else 0.0
    print(f"1. race: {RACERS} clients, one slot of capacity 1 at {race_slot.start:%Y-%m-%d %H:%M %Z}")
    print(f"  successes (201): {r['won']}   409 full: {r['full']}   other statuses: {RACERS - r['won'] - r['full']}")
    print(f"  over-bookings: {over}   slot booked: {slot.booked}/{slot.capacity}, appointments in slot: {holding}")
    print(f"  wall time release → last answer: {r['race_s']:.2f} s   target ≤ {RACE_TARGET_S:.1f} s: "
          f"{verdict(r['race_s'] <= RACE_TARGET_S)}")
    print(f"2. throughput: {CLIENTS} clients, each its own customer and own slots, {args.seconds:.0f} s per phase")
    print(f"  bookings:          {bookings_per_s:7.1f} bookings/s ({r['booked']:,} in {r['book_s']:.2f} s)"
          + (f"; {r['ran_out']} clients ran out of slots" if r["ran_out"] else ""))
    print(f"  authenticated GET: {gets_per_s:7.1f} requests/s ({r['gets']:,} in {r['get_s']:.2f} s, GET {ME})")
    print(f"  ratio (bookings/s ÷ authenticated GET/s): {ratio:.2f}   target ≥ {RATIO_TARGET}: {verdict(ratio >= RATIO_TARGET)}")
    rush_ok = True
    if args.stampede:
        times = [a[2] for a in r["rush"]]
        answered = sum(a[0] != 0 for a in r["rush"])
        p99 = percentile(times, 99)
        rush_ok = (r["rush_won"] == STAMPEDE_PLACES and r["rush_won"] + r["rush_full"] == args.stampede
                   and answered == args.stampede and crowd_slot.booked == crowd_holding)
        print(f"3. stampede: {args.stampede:,} clients, one slot of {STAMPEDE_PLACES} places at "
              f"{stampede_slot.start:%Y-%m-%d %H:%M %Z}")
        print(f"  201: {r['rush_won']}   409: {r['rush_full']}   other: {args.stampede - r['rush_won'] - r['rush_full']}"
              f"   answered: {answered:,}/{args.stampede:,}")
        print(f"  over-bookings: {crowd_over}   slot booked: {crowd_slot.booked}/{crowd_slot.capacity}, "
              f"appointments in slot: {crowd_holding}")
        print(f"  release → answer: p50 {percentile(times, 50):.2f} s, p95 {percentile(times, 95):.2f} s, "
              f"p99 {p99:.2f} s, last {r['rush_s']:.2f} s   target p99 ≤ {STAMPEDE_P99_S:.0f} s: "
              f"{verdict(p99 <= STAMPEDE_P99_S)}; correctness: {'held' if rush_ok else 'BROKEN'}")
        # Server side, from gunicorn's access log: the stampede is the last phase, so its answers are the
        # log's last POSTs of BOOK. A worker's time on a request excludes the wait in the listen backlog.
        posts = [line.split() for line in access_path.read_text(errors="replace").splitlines()
                 if line.startswith(f"POST {BOOK} ")]
        server = [int(fields[3]) / 1e6 for fields in posts[-args.stampede:]]
        busy = sum(server)
        print(f"  server side ({len(server):,} answers in gunicorn's access log): worker time per answer p50 "
              f"{percentile(server, 50) * 1000:.1f} ms, p99 {percentile(server, 99) * 1000:.1f} ms, "
              f"max {max(server) * 1000:.1f} ms; {busy:.2f} worker-s in all = {busy / len(workers):.2f} s "
              f"for {len(workers)} workers (the least the server needs to answer all)")
        print(f"  client side: this process used {r['rush_cpu']:.2f} CPU-s for {args.stampede:,} clients (one asyncio loop) in "
              f"{r['rush_s']:.2f} s; the rest of release → answer ({r['rush_s'] - busy / len(workers):.2f} s of "
              f"the last) is waiting: in the backlog for a worker, or for the cores the client shares")
    print(f"\ncorrectness: {checked:,} slots checked, {len(violations)} with booked ≠ appointments or over capacity; "
          f"over-bookings {over + crowd_over}; unexpected answers {len(r['odd'])}")
    print_load_at_end()
    for starts_at, capacity, booked, held in violations[:5]:
        print(f"  BAD SLOT {starts_at:%Y-%m-%d %H:%M}: booked {booked}, capacity {capacity}, appointments {held}")
    for status, content, _at in r["odd"][:5]:
        print(f"  UNEXPECTED {status}: {content[:300]!r}")
    if r["won"] != 1 or over or slot.booked != holding or violations or r["odd"] or not rush_ok:
        print(f"server log, tail of {log_path}:\n{log_path.read_text(errors='replace')[-2000:]}")
        return 1
    shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
