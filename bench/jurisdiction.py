"""Benchmark jurisdiction: ZIP → county → field office, served from the in-process index.

Measures, in one process (one "worker"), on Postgres:
  1. `offices.jurisdiction.for_zip` lookups per second over 10,000 random ZIPs of the 50 states, DC and the
     territories (fixed seed, drawn from the ZIP database), with p50/p95 latency and SQL queries per lookup
     (target: >= 5,000 lookups/s, 0 queries once the index is built);
  2. GET /api/v1/jurisdiction/?zip=… requests per second through Django's WSGI handler (the code a gunicorn
     worker runs, without the network) on a warm cache (an untimed pass over the same ZIPs first), and queries
     per request (targets: >= 1,000 requests/s per worker, 0 queries);
  3. the same requests to a bare view that returns the same JSON bytes through the same middleware, timed in
     alternating blocks with the API, and the ratio API ÷ bare (what jurisdiction itself costs per request);
  4. an If-None-Match request: 304 with no body;
  5. orjson against DRF's JSONRenderer: the API again with DRF's renderer (before) and orjson (after).
Every answer must be an office, a stated ambiguity with candidates, or a stated reason; failures exit non-zero.
Targets (met/short, claimed only when the load was ≤ 1.0 at start): lookups ≥ 5,000/s, API ≥ 1,000 req/s,
0 queries per request, API ÷ bare ≥ 0.75 ("near a bare view").

Run from the project root:  .venv/bin/python bench/jurisdiction.py   (or `make bench`)
  --requests N   API requests per measurement (default 3,000)
  --profile      also profile 1,000 API requests (pyinstrument) and print where the time goes
DATABASE_URL selects the database (Postgres only; default postgres://postgres@127.0.0.1:5432/portal_bench).
CACHE_URL (redis://…) makes the version check go to a shared Redis, as in production; default: local memory.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

# bench/queue.py shadows the standard library's `queue` (psycopg imports it): the project root first, bench/ off the path.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(_BENCH.parent), *(p for p in sys.path if Path(p or ".").resolve() != _BENCH)]

from bench._common import (  # noqa: E402
    django_setup,
    ensure_database,
    print_header,
    print_load_at_end,
    reference_data,
    verdict,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
ZIP_COUNT, API_COUNT, SEED = 10_000, 3_000, 20240601
LOOKUP_TARGET, API_TARGET, RATIO_TARGET = 5_000, 1_000, 0.75
API = "/api/v1/jurisdiction/"


def random_zips(count: int, seed: int) -> list[str]:
    from offices import zipdata

    domestic = sorted(z for z, p in zipdata.zip_places().items() if p.state in zipdata.US_STATES_AND_TERRITORIES)
    rng = random.Random(seed)
    return [rng.choice(domestic) for _ in range(count)]


def wsgi_get(handler, path: str, query: str, headers: dict[str, str] | None = None) -> tuple[str, bytes]:
    """One GET through the WSGI handler, as gunicorn would call it: (status line, body)."""
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "localhost",
        "SERVER_PORT": "80", "HTTP_HOST": "localhost", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "SERVER_PROTOCOL": "HTTP/1.1", **(headers or {}),
    }
    captured: list[str] = []
    body = b"".join(handler(environ, lambda status, _headers, exc_info=None: captured.append(status)))
    return captured[0], body


class _Rollback(Exception):
    pass


def directory_reload_seconds() -> float:
    """Time `directory_load` into emptied directory tables inside a transaction, then roll it back."""
    from django.db import transaction
    from django.db.models import ProtectedError

    from offices.models import Agency, ContactChannel, CountyRule, Office, ReceiptPrefix
    from offices.services import directory_load

    elapsed = 0.0
    try:
        with transaction.atomic():
            for model in (ReceiptPrefix, CountyRule, ContactChannel, Agency, Office):
                model.objects.all().delete()
            started = time.perf_counter()
            directory_load()
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    except ProtectedError:  # the database holds appointments or requests: not a bench database
        elapsed = float("nan")
    from offices import jurisdiction

    jurisdiction.forget()
    return elapsed


def api_rate(handler, zips: list[str]) -> float:
    """API requests per second over `zips` (after 200 warm-up requests)."""
    for zip5 in zips[:200]:
        wsgi_get(handler, API, f"zip={zip5}")
    started = time.perf_counter()
    for zip5 in zips:
        wsgi_get(handler, API, f"zip={zip5}")
    return len(zips) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description="Jurisdiction lookups and GET /api/v1/jurisdiction/ per worker.")
    parser.add_argument("--requests", type=int, default=API_COUNT, help=f"API requests per measurement ({API_COUNT:,})")
    parser.add_argument("--profile", action="store_true", help="profile 1,000 API requests with pyinstrument")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    server, dbname = ensure_database(url, "jurisdiction.py")
    django_setup(url)
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.http import HttpResponse
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches, include, path

    from offices import jurisdiction

    created = reference_data(schedules=False)
    started = time.perf_counter()
    zips = random_zips(ZIP_COUNT, SEED)
    zip_load_s = time.perf_counter() - started
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print_header("Jurisdiction benchmark", server, dbname, all_cpus=True, settings_note=f", cache {cache_backend}")
    print(f"  directory_load: {created} rows created{' (already loaded)' if not created else ''}")
    print(f"  ZIP database read in {zip_load_s:.2f} s; {len(zips):,} random ZIPs, seed {SEED}, "
          f"{len(set(zips)):,} distinct\n")

    # The bare view: the same JSON bytes, through the same middleware, with no jurisdiction work.
    bare_bodies: dict[str, bytes] = {}

    def bare(request):
        return HttpResponse(bare_bodies[request.GET["zip"]], content_type="application/json")

    urlconf = type(sys)("bench_jurisdiction_urls")
    urlconf.urlpatterns = [path("bare/", bare), path("", include(settings.ROOT_URLCONF))]  # type: ignore[attr-defined]
    sys.modules["bench_jurisdiction_urls"] = urlconf
    settings.ROOT_URLCONF = "bench_jurisdiction_urls"
    clear_url_caches()
    handler = WSGIHandler()

    # 1. Selector: build the index once, then lookups.
    started = time.perf_counter()
    jurisdiction.forget()
    jurisdiction.index()
    build_ms = (time.perf_counter() - started) * 1000
    failures: list[tuple[str, str]] = []
    latencies: list[float] = []
    kinds: dict[str, int] = {}
    started = time.perf_counter()
    for zip5 in zips:
        t0 = time.perf_counter()
        answer = jurisdiction.for_zip(zip5)
        latencies.append((time.perf_counter() - t0) * 1000)
        if answer is None or (answer.status != "office" and not answer.message):
            failures.append((zip5, "no answer" if answer is None else f"{answer.status} without a reason"))
            continue
        kinds[answer.status] = kinds.get(answer.status, 0) + 1
    lookups_per_s = len(zips) / (time.perf_counter() - started)
    cuts = statistics.quantiles(latencies, n=100)
    with CaptureQueriesContext(connection) as ctx:
        for zip5 in zips[:1000]:
            jurisdiction.for_zip(zip5)
    queries_per_lookup = len(ctx.captured_queries) / 1000

    # 2 and 3. The API on a warm cache, and the bare view with the same bodies. An untimed first pass over the
    #    same ZIPs builds the index and the offices' serialized parts (each answer's own fields are still built
    #    per request; nothing is kept per ZIP) and records each body for the bare view. Then both are timed in
    #    alternating blocks of 100 requests, so that other work on the machine weighs on both alike.
    api_zips = zips[:args.requests]
    api_failures: list[tuple[str, str]] = []
    for zip5 in api_zips:
        status, body = wsgi_get(handler, API, f"zip={zip5}")
        if not status.startswith("200"):
            api_failures.append((zip5, f"API {status}: {body[:120]!r}"))
        bare_bodies[zip5] = body
    for zip5 in api_zips[:200]:
        wsgi_get(handler, "/bare/", f"zip={zip5}")
    api_s = bare_s = 0.0
    for start in range(0, len(api_zips), 100):
        block = api_zips[start:start + 100]
        started = time.perf_counter()
        for zip5 in block:
            status, body = wsgi_get(handler, API, f"zip={zip5}")
            if not status.startswith("200"):
                api_failures.append((zip5, f"API {status}: {body[:120]!r}"))
        api_s += time.perf_counter() - started
        started = time.perf_counter()
        for zip5 in block:
            wsgi_get(handler, "/bare/", f"zip={zip5}")
        bare_s += time.perf_counter() - started
    api_per_s, bare_per_s = len(api_zips) / api_s, len(api_zips) / bare_s
    with CaptureQueriesContext(connection) as ctx:
        for zip5 in api_zips[:200]:
            wsgi_get(handler, API, f"zip={zip5}")
    queries_per_request = len(ctx.captured_queries) / 200

    # orjson (what the API uses) against DRF's JSONRenderer, in the same run.
    from rest_framework.renderers import JSONRenderer

    from offices.api.views import JurisdictionApi

    orjson_renderers = JurisdictionApi.renderer_classes
    JurisdictionApi.renderer_classes = [JSONRenderer]
    drf_json_per_s = api_rate(handler, api_zips)
    JurisdictionApi.renderer_classes = orjson_renderers
    orjson_per_s = api_rate(handler, api_zips)

    profile_text = ""
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        with profiler:
            for zip5 in api_zips[:1000]:
                wsgi_get(handler, API, f"zip={zip5}")
        profile_text = profiler.output_text(unicode=True, show_all=False, color=False)

    # 5 (below). A full directory load into empty tables, as a transactional test does after each flush.
    reload_s = directory_reload_seconds()

    # 4. Conditional GET.
    status, body = wsgi_get(handler, "/api/v1/jurisdiction/", f"zip={api_zips[0]}")
    from hashlib import md5

    etag = f'"{md5(body, usedforsecurity=False).hexdigest()}"'
    not_modified, empty = wsgi_get(handler, "/api/v1/jurisdiction/", f"zip={api_zips[0]}", {"HTTP_IF_NONE_MATCH": etag})

    print(f"index build:                 {build_ms:10,.0f} ms (offices, ~2,000 county rules, channels)")
    ratio = api_per_s / bare_per_s
    print(f"selector for_zip:            {lookups_per_s:10,.0f} lookups/s over {len(zips):,} ZIPs "
          f"(target >= {LOOKUP_TARGET:,}: {verdict(lookups_per_s >= LOOKUP_TARGET)})")
    print(f"  latency per lookup:        p50 {cuts[49]:.4f} ms, p95 {cuts[94]:.4f} ms")
    print(f"  SQL queries per lookup:    {queries_per_lookup:.2f} (sample of 1,000; target 0: {verdict(queries_per_lookup == 0)})")
    print(f"  answers:                   {', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))}")
    print(f"API {API}:   {api_per_s:10,.0f} requests/s per worker over {len(api_zips):,} ZIPs "
          f"(target >= {API_TARGET:,}: {verdict(api_per_s >= API_TARGET)})")
    print(f"  SQL queries per request:   {queries_per_request:.2f} (sample of 200; target 0: {verdict(queries_per_request == 0)})")
    print(f"bare view, same JSON:        {bare_per_s:10,.0f} requests/s")
    print(f"ratio (API ÷ bare view):     {ratio:.2f} (target >= {RATIO_TARGET}: {verdict(ratio >= RATIO_TARGET)})")
    print(f"If-None-Match:               {not_modified} ({len(empty)} bytes)")
    print(f"JSON rendering:              DRF JSONRenderer {drf_json_per_s:,.0f} req/s, orjson {orjson_per_s:,.0f} req/s "
          f"(× {orjson_per_s / drf_json_per_s:.2f})")
    print(f"directory load, empty tables: {reload_s:9.2f} s (what a browser test pays after each flush; rolled back)")
    print(f"\ncorrectness: {len(zips) - len(failures):,}/{len(zips):,} lookups answered; "
          f"{len(api_zips) - len(api_failures):,}/{len(api_zips):,} API requests returned 200")
    if profile_text:
        print("\nprofile of 1,000 API requests (pyinstrument):\n" + profile_text)
    print_load_at_end()
    for zip5, reason in failures + api_failures:
        print(f"  FAIL {zip5}: {reason}")
    return 1 if failures or api_failures or not not_modified.startswith("304") else 0


if __name__ == "__main__":
    sys.exit(main())
