"""Soak: a bounded mixed load at half of the capacity first measured, against gunicorn with production settings.

Starts gunicorn (sync workers, 2 × cores + 1) with uscis_portal.settings.production on Postgres and Redis (cache
and broker; no Celery worker runs, so owed e-mails stay owed), static files collected once into var/bench-soak-static.
Then locust, headless (bench/_soak_users.py), drives the portal's day with --users users, one customer each and
one office-staff token (Vermont Service Center, where the customers' EAC requests land):
  public find page and jurisdiction API, directory page, availability, booking (each customer its own free
  slots), a customer's request list and detail, filing, the staff queue and a request's detail, a staff response.
  1. capacity: the users as fast as answers come for --probe-seconds: requests/s;
  2. soak: the same mix at half that rate (each user's arrivals a Poisson stream, locust FastHttpUser) for --minutes;
prints p50/p95/p99 and errors per endpoint. Before measuring it waits (at most 120 s) for the load its own set-up left
to fall to ≤ 1.0. Targets (claimed only when the load was ≤ 1.0 at start): 0 errors,
p95 ≤ 60 ms and p99 ≤ 100 ms for every endpoint. Afterwards every slot's booked count must equal its appointments.

Run from the project root:  .venv/bin/python bench/soak.py   [--minutes 5] [--users 20] [--probe-seconds 30]
DATABASE_URL selects the database (Postgres only; default postgres://postgres@127.0.0.1:5432/portal_bench_soak);
it is created, migrated and given the directory and schedules; the appointments, slots, service requests, outbox
and audit rows of earlier runs are deleted first. REDIS_URL (default redis://127.0.0.1:6379/13) is the cache and
broker; the broker's queue is left as it is.
"""

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

# bench/queue.py shadows the standard library's `queue` (psycopg imports it): the project root first, bench/ off the path.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(_BENCH.parent), *(p for p in sys.path if Path(p or ".").resolve() != _BENCH)]

from bench._common import (  # noqa: E402
    ROOT,
    CpuShares,
    django_setup,
    ensure_database,
    print_header,
    print_load_at_end,
    production_gunicorn,
    production_server_note,
    reference_data,
    settle,
    verdict,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_soak"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
OFFICE, ZIP, STAFF_OFFICE, DOMAIN = "CHI", "60605", "VSC", "@soak.bench.test"
P95_MS, P99_MS, REQUESTS_PER_CUSTOMER, ZIPS = 60.0, 100.0, 3, 2_000
STATIC = ROOT / "var" / "bench-soak-static"


def prepare(users: int) -> dict:
    """Reset earlier runs; customers in ZIP (CHI) with tokens and filed requests; an office-staff token at
    STAFF_OFFICE; each customer's own free slots; random domestic ZIPs. Returns what the locust users read."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from knox.models import AuthToken

    from appointments.models import Appointment, AppointmentPolicy, Slot
    from appointments.selectors import bookable_availability
    from core.models import AuditEvent, CustomerProfile, IdempotencyRecord, Notification, Role, User
    from offices import zipdata
    from offices.models import Office
    from service_requests.models import ServiceRequest
    from service_requests.services import service_request_file

    with transaction.atomic():
        for model in (Appointment, Slot, ServiceRequest, Notification, AuditEvent, IdempotencyRecord):
            model.objects.all().delete()
        User.objects.filter(email__endswith=DOMAIN).delete()
        AppointmentPolicy.objects.filter(office__isnull=True).update(booking_horizon_days=365,
                                                                     max_active_per_customer=10_000)
    customers = User.objects.bulk_create([
        User(username=f"soak-{i}{DOMAIN}", email=f"soak-{i}{DOMAIN}", first_name="Soak", last_name=f"Customer {i}",
             role=Role.CUSTOMER, password=make_password(None)) for i in range(users)])
    CustomerProfile.objects.bulk_create([CustomerProfile(user=u, country="US", zip_code=ZIP) for u in customers])
    staff = User.objects.create(username=f"soak-staff{DOMAIN}", email=f"soak-staff{DOMAIN}", role=Role.OFFICE_STAFF,
                                office=Office.objects.get(code=STAFF_OFFICE), password=make_password(None))
    rng = random.Random(7)
    office = Office.objects.get(code=OFFICE)
    now = timezone.now()
    tomorrow = now.astimezone(office.time_zone).date() + timedelta(days=1)
    free = [s.start.isoformat() for s in bookable_availability(office, now=now)
            if s.start.astimezone(office.time_zone).date() >= tomorrow]
    people = []
    for i, customer in enumerate(customers):
        refs = [service_request_file(actor=customer, request_type="outside_processing_time",
                                     receipt_number=f"EAC{rng.randrange(10**9, 9 * 10**9):010d}",
                                     description="Past the posted processing time (soak set-up).").reference_number
                for _ in range(REQUESTS_PER_CUSTOMER)]
        people.append({"token": AuthToken.objects.create(user=customer)[1], "refs": refs, "slots": free[i::users]})
    domestic = sorted(z for z, p in zipdata.zip_places().items() if p.state in zipdata.US_STATES_AND_TERRITORIES)
    return {"customers": people, "staff_token": AuthToken.objects.create(user=staff)[1],
            "all_refs": [r for p in people for r in p["refs"]], "office": OFFICE, "first_day": tomorrow.isoformat(),
            "zips": rng.sample(domestic, ZIPS)}


def production_env(url: str, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="uscis_portal.settings.production", DATABASE_URL=url, CACHE_URL=redis_url,
               CELERY_BROKER_URL=redis_url, DJANGO_SECRET_KEY="soak-" + "0123456789abcdefghijklmnopqrstuvwxyz" * 2,
               DJANGO_ALLOWED_HOSTS="127.0.0.1", EMAIL_URL="smtp://127.0.0.1:25",
               PORTAL_BASE_URL="https://portal.example.gov", DJANGO_SECURE_SSL_REDIRECT="0",
               DJANGO_STATIC_ROOT=str(STATIC), DATABASE_CONN_MAX_AGE="60")
    return env


def collect_static(env: dict[str, str]) -> None:
    """collectstatic into STATIC, unless its manifest is newer than every static file of the project."""
    manifest = STATIC / "staticfiles.json"
    sources = [f for app in ROOT.iterdir() if (app / "static").is_dir() for f in (app / "static").rglob("*") if f.is_file()]
    if manifest.exists() and all(f.stat().st_mtime <= manifest.stat().st_mtime for f in sources):
        return
    print("  collecting static files into var/bench-soak-static …", flush=True)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def locust(port: int, data_path: Path, users: int, seconds: float, rate: float, out: Path) -> dict[str, dict]:
    """Run locust headless; returns its statistics per endpoint name (and "Aggregated")."""
    env = {**os.environ, "SOAK_DATA": str(data_path), "SOAK_RATE": str(rate), "SOAK_PHASE": "1" if rate else "0"}
    command = [sys.executable, "-m", "locust", "-f", str(_BENCH / "_soak_users.py"), "--headless", "--only-summary",
               "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{max(1, round(seconds))}s",
               "--host", f"http://127.0.0.1:{port}", "--csv", str(out), "--loglevel", "WARNING", "--stop-timeout", "10"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    stats_file = Path(f"{out}_stats.csv")
    if not stats_file.exists():
        sys.exit(f"locust failed ({result.returncode}):\n{result.stderr[-3000:]}")
    with stats_file.open(newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def main() -> int:
    parser = argparse.ArgumentParser(description="A bounded mixed load at half the measured capacity.")
    parser.add_argument("--minutes", type=float, default=5.0, help="length of the soak (default 5)")
    parser.add_argument("--users", type=int, default=20, help="simulated users, one customer each (default 20)")
    parser.add_argument("--probe-seconds", type=float, default=30.0, help="length of the capacity probe (default 30)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS)
    server, dbname = ensure_database(url, "soak.py")
    work = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    django_setup(url, DJANGO_ALLOWED_HOSTS="127.0.0.1", PORTAL_VAR_DIR=str(work))
    reference_data()
    started = time.perf_counter()
    data = prepare(args.users)
    data_path = work / "data.json"
    data_path.write_text(json.dumps(data))
    env = production_env(url, redis_url)
    collect_static(env)
    setup_s, waited = time.perf_counter() - started, settle()
    print_header("Soak: the portal's mixed day at half capacity (locust, headless)", server, dbname)
    print(f"  server: {production_server_note()}, production settings, "
          f"cache and broker {redis_url}")
    print(f"  data: {args.users} customers with {REQUESTS_PER_CUSTOMER} requests each and their own free slots at "
          f"{OFFICE}, one staff token at {STAFF_OFFICE}; made in {setup_s:.1f} s, then {waited:.0f} s waiting "
          f"(≤ 120 s) for the load its making left to fall to ≤ 1.0\n", flush=True)

    with production_gunicorn(work / "gunicorn.log", env=env) as (port, pids):
        shares = CpuShares(pids).start()
        probe = locust(port, data_path, args.users, args.probe_seconds, 0.0, work / "probe")
        probe_cpu = shares.stop()
        capacity = float(probe["Aggregated"]["Requests/s"])
        rate = capacity / 2 / args.users
        print(f"1. capacity: {capacity:.1f} requests/s with {args.users} users as fast as answered "
              f"({probe['Aggregated']['Request Count']} requests in {args.probe_seconds:.0f} s, "
              f"{probe['Aggregated']['Failure Count']} failures)\n  {probe_cpu}")
        print(f"2. soak: {capacity / 2:.1f} requests/s ({rate:.2f} per user) for {args.minutes:g} minutes …", flush=True)
        shares.start()
        soak = locust(port, data_path, args.users, args.minutes * 60, rate, work / "soak")
        print(f"  {shares.stop()}")

    from django.db.models import Count, Q

    from appointments.models import HOLDS_PLACE, Slot

    slots = Slot.objects.annotate(holding=Count("appointments", filter=Q(appointments__status__in=HOLDS_PLACE)))
    broken = [s for s in slots if s.booked != s.holding or s.booked > s.capacity]
    print(f"  {'endpoint':26} {'requests':>9} {'errors':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  p95 ≤ {P95_MS:.0f}, "
          f"p99 ≤ {P99_MS:.0f}, 0 errors")
    worst: list[str] = []
    for name, row in sorted(soak.items(), key=lambda item: (item[0] == "Aggregated", item[0])):
        p50, p95, p99 = (float(row[k]) for k in ("50%", "95%", "99%"))
        errors = int(row["Failure Count"])
        ok = p95 <= P95_MS and p99 <= P99_MS and errors == 0
        if not ok and name != "Aggregated":
            worst.append(name)
        print(f"  {name:26} {int(row['Request Count']):9,} {errors:7,} {p50:7.0f} {p95:7.0f} {p99:7.0f}  {verdict(ok)}")
    total = soak["Aggregated"]
    print(f"\ntargets: every endpoint p95 ≤ {P95_MS:.0f} ms, p99 ≤ {P99_MS:.0f} ms, 0 errors: {verdict(not worst)}"
          + (f" (missed by: {', '.join(worst)})" if worst else "")
          + f"; {int(total['Failure Count'])} errors in {int(total['Request Count']):,} requests at "
          f"{float(total['Requests/s']):.1f} requests/s")
    print(f"correctness: {len(broken)} slots with booked ≠ appointments or over capacity")
    failures = Path(f"{work / 'soak'}_failures.csv")
    if failures.exists() and int(total["Failure Count"]):
        print("failures (locust):\n" + failures.read_text()[:2000])
    print_load_at_end("latencies")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
