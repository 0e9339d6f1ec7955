"""Benchmark ZIP → field-office jurisdiction against Postgres.

Measures, in one process and on one database connection:
  1. `offices.selectors.office_for_zip` lookups per second over 10,000 random valid U.S. ZIPs
     (fixed seed), with p50/p95 latency and the average number of SQL queries per lookup;
  2. GET /api/v1/jurisdiction/?zip=… requests per second through django.test.Client (no server);
  3. the floor the database imposes: `SELECT 1` round-trips per second on the same connection,
     and the ratio lookups/s ÷ SELECT 1/s.
Every lookup must find an office; failures are listed and the script exits non-zero.

Run from the project root:  .venv/bin/python bench/jurisdiction.py   (or `make bench`)
DATABASE_URL selects the database (Postgres only; default postgres://postgres@127.0.0.1:5432/portal_bench).
It is created if missing, migrated and loaded with the office directory (idempotent, so reruns are fine).
DEBUG is off unless DJANGO_DEBUG says otherwise, so query logging does not skew the numbers.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

# bench/queue.py shadows the standard library's `queue` (psycopg imports it): the project root first, bench/ off the path.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(_BENCH.parent), *(p for p in sys.path if Path(p or ".").resolve() != _BENCH)]

from bench._common import django_setup, ensure_database, print_header, print_load_at_end, reference_data  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
ZIP_COUNT, API_SUBSET, SEED = 10_000, 2_000, 20240601
API_FULL_BUDGET_S = 30.0  # use the 2,000-ZIP subset when all 10,000 requests would take longer


def random_zips(count: int, seed: int) -> list[str]:
    from offices.zipcodes import state_for_zip

    rng = random.Random(seed)
    prefixes = [f"{p:03d}" for p in range(1000) if state_for_zip(f"{p:03d}00")]
    zips: list[str] = []
    while len(zips) < count:
        zip5 = f"{rng.choice(prefixes)}{rng.randrange(100):02d}"
        if state_for_zip(zip5):
            zips.append(zip5)
    return zips


def main() -> int:
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    server, dbname = ensure_database(url, "jurisdiction.py")
    django_setup(url, force_debug_off=False)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from offices.selectors import office_for_zip

    created = reference_data(schedules=False)
    zips = random_zips(ZIP_COUNT, SEED)
    print_header("Jurisdiction benchmark", server, dbname, all_cpus=True)
    print(f"  directory_load: {created} rows created{' (already loaded)' if not created else ''}")
    print(f"  {len(zips):,} random valid ZIPs, seed {SEED}, {len(set(zips)):,} distinct\n")

    client = Client(headers={"host": "localhost"})

    def api_get(zip5: str):
        return client.get("/api/v1/jurisdiction/", {"zip": zip5})

    def queries_per_call(fn, items: list[str]) -> float:
        with CaptureQueriesContext(connection) as ctx:
            for item in items:
                fn(item)
        return len(ctx.captured_queries) / len(items)

    # Warm up the connection, query compilation, URL resolver and the request path.
    for zip5 in zips[:200]:
        office_for_zip(zip5)
    started = time.perf_counter()
    for zip5 in zips[:100]:
        api_get(zip5)
    api_warm_rate = 100 / (time.perf_counter() - started)

    # 1. Selector, with correctness and per-lookup latency.
    failures: list[tuple[str, str]] = []
    latencies: list[float] = []
    started = time.perf_counter()
    for zip5 in zips:
        t0 = time.perf_counter()
        try:
            if office_for_zip(zip5).office is None:
                failures.append((zip5, "no office"))
        except Exception as exc:
            failures.append((zip5, f"{type(exc).__name__}: {exc}"))
        latencies.append((time.perf_counter() - t0) * 1000)
    lookups_per_s = len(zips) / (time.perf_counter() - started)
    cuts = statistics.quantiles(latencies, n=100)
    queries_per_lookup = queries_per_call(office_for_zip, zips[:500])

    # 2. API through the test client; the 2,000-ZIP subset when all 10,000 would be slow.
    api_zips = zips if ZIP_COUNT / api_warm_rate <= API_FULL_BUDGET_S else zips[:API_SUBSET]
    api_failures: list[tuple[str, str]] = []
    started = time.perf_counter()
    for zip5 in api_zips:
        response = api_get(zip5)
        if response.status_code != 200:
            api_failures.append((zip5, f"API {response.status_code}: {response.content[:120]!r}"))
    api_per_s = len(api_zips) / (time.perf_counter() - started)
    queries_per_request = queries_per_call(api_get, api_zips[:100])

    # 3. Baseline: SELECT 1 round-trips on the same connection (the first 500 are warm-up).
    with connection.cursor() as cursor:
        for i in range(500 + ZIP_COUNT):
            if i == 500:
                started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
        select1_per_s = ZIP_COUNT / (time.perf_counter() - started)

    subset = "" if api_zips is zips else f" (subset: all {ZIP_COUNT:,} would take >{API_FULL_BUDGET_S:.0f}s)"
    print(f"selector office_for_zip:   {lookups_per_s:10,.0f} lookups/s over {len(zips):,} ZIPs")
    print(f"  latency per lookup:      p50 {cuts[49]:.3f} ms, p95 {cuts[94]:.3f} ms")
    print(f"  SQL queries per lookup:  {queries_per_lookup:.2f} (sample of 500)")
    print(f"API /api/v1/jurisdiction/: {api_per_s:10,.0f} requests/s over {len(api_zips):,} ZIPs{subset}")
    print(f"  SQL queries per request: {queries_per_request:.2f} (sample of 100)")
    print(f"baseline SELECT 1:         {select1_per_s:10,.0f} round-trips/s over {ZIP_COUNT:,}")
    print(f"ratio (lookups/s ÷ SELECT 1/s): {lookups_per_s / select1_per_s:.2f}")
    print(f"\ncorrectness: {len(zips) - len(failures):,}/{len(zips):,} lookups found an office; "
          f"{len(api_zips) - len(api_failures):,}/{len(api_zips):,} API requests returned 200")
    print_load_at_end()
    for zip5, reason in failures + api_failures:
        print(f"  FAIL {zip5}: {reason}")
    return 1 if failures or api_failures else 0


if __name__ == "__main__":
    sys.exit(main())
