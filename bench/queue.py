"""Benchmark the office-staff queue (GET /api/v1/service-requests/) over real HTTP against Postgres.

Loads 1,000,000 service requests (case-holding offices, log-skewed so a few are big; 75 % open, 10 %
answered, 15 % closed; 120 days of ages; 20,000 customers) with INSERT … SELECT generate_series, and their
escalation rows (service_requests_escalation) with INSERT … SELECT from them, window 1 computed in SQL as
service_requests.windows does (checked on a sample). Then, as
the biggest office's staff (token), from one client thread (http.client) against gunicorn with ONE sync
worker, DURATION_S each after a warm-up: requests/s of the queue (?page_size=20, ?type=card_not_received&page=5)
and of two floors, /bench/plain (HttpResponse("ok")) and /bench/rows-json (the same 20 rows from a bare
view: same token lookup, filter, order, escalation join and LIMIT; .values() + JsonResponse; no DRF, no COUNT), with CPU ms
per request of the worker and of its Postgres backend. The floors live in a WSGI module written to a temp
directory that wraps the project's application (same middleware); the project is not edited. Then the
queue's SQL, captured in-process, goes through EXPLAIN (ANALYZE, BUFFERS) and is timed RUNS times.
Then the staff HTML queue page (/staff/service-requests/, 25 rows, signed in with a session that passed the
second factor) against the API answering the same 25 rows (?page_size=25), in the same run.
Targets: queue ≥ 100 requests/s per core (one sync worker = one core); database ≤ 2 ms per request; the HTML
page ≥ 100 requests/s per worker and ≥ 0.8 × the API's requests/s (issue 16 item 2). A target is claimed only
when the machine's load average was at most 1.0 at the start; otherwise the figures are printed and marked
"not claimed".
A non-200 answer, bench rows that differ from the API's, or a window that differs from service_requests.windows
exits non-zero.

Run from the project root:  .venv/bin/python bench/queue.py
(BENCH_QUEUE_ROWS and BENCH_SECONDS shrink the data and the time per endpoint for short runs while developing.)
With --profile it only profiles, in-process through Django's handler (pyinstrument), 500 requests of the HTML page
and 500 of the API for the same rows, prints where the time goes and the CPU ms per request of each, and stops.
DATABASE_URL selects the database (Postgres only; default postgres://postgres@127.0.0.1:5432/portal_bench_queue),
created if missing, migrated, given the directory and schedules. Reruns reuse the rows when the table holds
the 1,000,000 bench rows, each with its escalation row; otherwise its service requests (and their escalation
rows and events) are truncated and all reloaded.
"""

import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

# This file shadows the standard library's `queue` (psycopg imports it): the project root first, bench/ off the path.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(_BENCH.parent), *(p for p in sys.path if Path(p or ".").resolve() != _BENCH)]

from bench._common import (  # noqa: E402
    ESCALATION,
    ROOT,
    SR,
    cpu_seconds,
    customers_load,
    django_setup,
    ensure_database,
    escalations_load,
    gunicorn,
    machine_cpu,
    one,
    print_header,
    print_load_at_end,
    reference_data,
    windows_mismatches,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_queue"
ROWS, CUSTOMERS, BATCH, DAYS = int(os.environ.get("BENCH_QUEUE_ROWS", 1_000_000)), 20_000, 100_000, 120
DURATION_S, WARMUP, RUNS, RPS_TARGET, DB_TARGET_MS, SAMPLE = float(os.environ.get("BENCH_SECONDS", 10)), 50, 200, \
    100.0, 2.0, 2_000
HTML_RATIO_TARGET, QUIET_LOAD = 0.8, 1.0
DOMAIN, STAFF = "@queue.bench.test", "bench-queue-staff"  # customers are bench-N@queue.bench.test
TABLES = (SR, ESCALATION)  # the queue joins each request's escalation row (its stage)
# Escalation stage of the loaded rows: a closed or answered request's status; an open one waits until window 1.
STAGE = "CASE WHEN status <> 'open' THEN status WHEN now() < w1 THEN 'waiting' ELSE 'window1_open' END"
QUEUE, VARIANT = "/api/v1/service-requests/?page_size=20", "/api/v1/service-requests/?type=card_not_received&page=5"
PLAIN, ROWS_JSON = "/bench/plain", "/bench/rows-json"
HTML, API_SAME = "/staff/service-requests/", "/api/v1/service-requests/?page_size=25"  # the same 25 rows
# Most frequent first: drawn log-uniformly, the first is ~30 % of requests and the last ~5 %.
TYPES = ["outside_processing_time", "notice_not_received", "card_not_received", "document_not_received",
         "typographic_error", "expedite", "change_of_address", "accommodation", "other"]
WRAPPER = '''"""bench/queue.py's WSGI entry: the project's application plus /bench/plain and /bench/rows-json."""
from uscis_portal.wsgi import application  # noqa: F401  (sets Django up first)

from django.db.models import F
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from service_requests.api.serializers import ServiceRequestListSerializer
from service_requests.models import OPEN_STATUSES, ServiceRequest
from uscis_portal import urls

# The columns the API's list serializer returns; current_office, escalation_stage and age_days are added below.
COLUMNS = {f.name for f in ServiceRequest._meta.concrete_fields} - {"current_office"}
FIELDS = [name for name in ServiceRequestListSerializer.Meta.fields if name in COLUMNS]


def rows_json(request):
    key = request.headers.get("Authorization", "").removeprefix("Token ")
    try:
        user, _token = TokenAuthentication().authenticate_credentials(key.encode())
    except AuthenticationFailed:
        return JsonResponse({"detail": "not authenticated"}, status=401)
    if user.office_id is None:
        return JsonResponse({"detail": "not authenticated"}, status=401)
    rows = list(ServiceRequest.objects.filter(current_office_id=user.office_id, status__in=OPEN_STATUSES)
                .order_by("current_office_id", "request_type", "created_at", "id")
                .values(*FIELDS, office_code=F("current_office__code"), office_name=F("current_office__name"),
                        escalation_stage=F("escalation__stage"), answer_due_at=F("escalation__answer_due_at"),
                        holder_first=F("assigned_to__first_name"), holder_last=F("assigned_to__last_name"),
                        holder_username=F("assigned_to__username"))[:20])
    now = timezone.now()
    for row in rows:
        row["current_office"] = {"code": row.pop("office_code"), "name": row.pop("office_name")}
        row["age_days"] = (now - row["created_at"]).days
        due = row["answer_due_at"]
        row["answer_overdue"] = due is not None and row["status"] == "open" and now >= due
        first, last, username = row.pop("holder_first"), row.pop("holder_last"), row.pop("holder_username")
        row["held_by"] = (f"{first} {last}".strip() or username) if username is not None else None
    return JsonResponse({"results": rows})


urls.urlpatterns[:0] = [path("bench/plain", lambda request: HttpResponse("ok")), path("bench/rows-json", rows_json)]
'''


def load(cursor) -> None:
    """Replace the bench customers, requests and their escalation rows, in one transaction: the two tables'
    indexes (except those behind constraints) are dropped during the load and rebuilt after it, which is much faster."""
    from offices.models import CASE_HOLDING_TYPES

    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN (%(sr)s, %(e)s) AND indexname NOT IN"
                   " (SELECT conname FROM pg_constraint WHERE conrelid IN (%(sr)s::regclass, %(e)s::regclass))",
                   {"sr": SR, "e": ESCALATION})
    indexes = cursor.fetchall()
    cursor.execute(f"TRUNCATE {SR} CASCADE")  # and the escalation rows and events
    for name, _ddl in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    customers = customers_load(cursor, DOMAIN, CUSTOMERS)
    order = ["service_center", "national_benefits_center", "field_office", "asylum_office"]  # the first is biggest
    offices = one(cursor, "SELECT array_agg(id ORDER BY array_position(%s, office_type::text), code) FROM offices_office"
                          " WHERE office_type = ANY(%s) AND (closed_on IS NULL OR closed_on > now())",
                  [order, sorted(CASE_HOLDING_TYPES)])
    cursor.execute("SELECT setseed(0.20240601)")
    for first in range(1, ROWS + 1, BATCH):
        cursor.execute(f"""
            WITH g AS MATERIALIZED (
                SELECT n, now() - random() * interval '{DAYS} days' AS c, random() AS r,
                       (%(types)s::text[])[floor(exp(random() * ln(10)))::int] AS tp,
                       (%(offices)s::bigint[])[floor(exp(random() * ln(%(noff)s + 1)))::int] AS o
                FROM generate_series(%(first)s::bigint, %(last)s::bigint) n),
            s AS (SELECT *, CASE WHEN r < 0.75 THEN 'open' WHEN r < 0.85 THEN 'answered' ELSE 'closed' END AS st FROM g)
            INSERT INTO {SR} (created_at, updated_at, reference_number, customer_id, contact_name, contact_email,
                language, receipt_number, request_type, case_class, channel, description, priority, current_office_id,
                status, version, first_response_at, closed_at, a_number)
            SELECT c, c, 'SRB' || lpad(n::text, 9, '0'), (%(customers)s::bigint[])[1 + (n::bigint * 7919) %% %(ncust)s],
                '', '', 'en', 'IOE' || lpad(n::text, 10, '0'), tp, 'standard',
                (ARRAY['phone', 'online', 'mail', 'in_person'])[1 + n %% 4], 'Bench request ' || n,
                tp IN ('expedite', 'accommodation'), o, st, 1, CASE WHEN st <> 'open' THEN c + (now() - c) / 3 END,
                CASE WHEN st = 'closed' THEN c + (now() - c) / 2 END, ''
            FROM s ORDER BY n""", {"customers": customers, "ncust": len(customers), "types": TYPES, "offices": offices,
                                   "noff": len(offices), "first": first, "last": min(first + BATCH - 1, ROWS)})
    escalations_load(cursor, STAGE)
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the deferred foreign keys now: CREATE INDEX needs it
    for _name, ddl in indexes:
        cursor.execute(ddl)


def backends_cpu() -> dict[int, float]:
    """CPU seconds so far of each client backend of the bench database but this process's own. The worker's
    connection is replaced every CONN_MAX_AGE seconds (as in production), so its backend is looked up each time."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                       " AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
        return {pid: cpu_seconds(pid) for (pid,) in cursor.fetchall()}


def measure(conn: http.client.HTTPConnection, path: str, headers: dict, worker: int | None, failures: list) -> dict:
    """WARMUP requests, then as many as fit in DURATION_S, one at a time on `conn`. The Postgres CPU counts the
    backends alive at the end (a backend that ended meanwhile is not counted, so the figure is a floor)."""
    def get() -> tuple[int, bytes, bool]:
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return response.status, response.read(), response.will_close
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            return 0, repr(exc).encode(), True

    for _ in range(WARMUP):
        get()
    worker0, backends0, started, count, closed = cpu_seconds(worker), backends_cpu(), time.perf_counter(), 0, 0
    while time.perf_counter() - started < DURATION_S:
        status, body, will_close = get()
        count, closed = count + 1, closed + will_close
        if status != 200:
            failures.append((path, status, body[:300]))
    elapsed = time.perf_counter() - started
    worker_ms = (cpu_seconds(worker) - worker0) * 1000 / count
    pg_ms = sum(cpu - backends0.get(pid, 0.0) for pid, cpu in backends_cpu().items()) * 1000 / count
    return {"rps": count / elapsed, "count": count, "closed": closed, "worker_ms": worker_ms, "pg_ms": pg_ms}


def database_time(cursor, label: str, statements: list[str]) -> tuple[float, bool]:
    """EXPLAIN (ANALYZE, BUFFERS) each statement, then time them all RUNS times. Returns (mean ms, all indexed)."""
    names = ["count" if "COUNT(*)" in s else "token" if "knox_authtoken" in s else "page" for s in statements]
    indexed, executions = True, []
    print(f"  {label}: {len(statements)} statements")
    for name, statement in zip(names, statements, strict=True):
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement)
        plan = [row[0] for row in cursor.fetchall()]
        executions.append(float(next(line for line in plan if line.startswith("Execution Time:")).split()[2]))
        on_table = any(f"on {table}" in line for line in plan for table in TABLES)
        seq_scan = any(f"Seq Scan on {table}" in line for line in plan for table in TABLES)
        indexed &= not seq_scan
        print(f"    [{name}] execution {executions[-1]:.3f} ms, top node {plan[0].split(' (actual')[0]}; index on the "
              f"service-request and escalation tables: {'n/a' if not on_table else 'NO (Seq Scan)' if seq_scan else 'yes'}")
        print(f"      SQL: {statement[:240]}{' …' if len(statement) > 240 else ''}")
        print("\n".join(f"        {line}" for line in plan))
    runs = [[0.0] * len(statements) for _ in range(RUNS)]
    for run in runs:
        for i, statement in enumerate(statements):
            started = time.perf_counter()
            cursor.execute(statement)
            cursor.fetchall()
            run[i] = (time.perf_counter() - started) * 1000
    means = [statistics.fmean(run[i] for run in runs) for i in range(len(statements))]
    print(f"    {RUNS} runs, client-observed (round trips included), mean "
          + ", ".join(f"{n} {m:.3f} ms" for n, m in zip(names, means, strict=True))
          + f"; per request: mean {sum(means):.3f} ms, median {statistics.median(map(sum, runs)):.3f} ms"
          + f" (server execution in EXPLAIN: {sum(executions):.3f} ms)")
    if "count" in names:
        share = means[names.index("count")] / sum(means)
        print(f"    the pagination COUNT(*) is {share:.0%} of the database time{': the expensive part' if share > 0.5 else ''}")
    return sum(means), indexed


def web_session(staff) -> str:  # type: ignore[no-untyped-def]
    """A Cookie header for `staff`, signed in through the real pages: password session, then the second step
    with a single-use recovery code (django-otp's static device)."""
    from django.conf import settings
    from django.test import Client
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = StaticDevice.objects.get_or_create(user=staff, name="Bench codes", defaults={"confirmed": True})[0]
    code = StaticToken.random_token()
    device.token_set.create(token=code)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff)
    response = client.post("/accounts/two-factor/", {"code": code, "next": "/"})
    if response.status_code != 302:
        sys.exit(f"bench/queue.py: the second step answered {response.status_code}")
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def profile(staff, token: str, cookie: str) -> int:  # type: ignore[no-untyped-def]
    """Profile PROFILE_REQUESTS of the HTML page and of the API for the same rows, in-process (Django's test
    handler: the same middleware as under gunicorn), and print the CPU ms per request of each."""
    from django.test import Client
    from pyinstrument import Profiler

    count = int(os.environ.get("PROFILE_REQUESTS", 500))
    web = Client(HTTP_HOST="127.0.0.1", HTTP_COOKIE=cookie)
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    print(f"profile: {count} requests each, in-process, load average at start {os.getloadavg()[0]:.2f}")
    for label, client, path in (("HTML", web, HTML), ("API", api, API_SAME)):
        for _ in range(WARMUP):
            client.get(path)
        profiler, cpu0 = Profiler(interval=0.0005), time.process_time()
        with profiler:
            for _ in range(count):
                response = client.get(path)
                if response.status_code != 200:
                    sys.exit(f"bench/queue.py: {path} answered {response.status_code}")
        print(f"\n{label} {path}: {(time.process_time() - cpu0) * 1000 / count:.2f} ms CPU per request (profiled)")
        print(profiler.output_text(unicode=True, show_all=False, color=False))
    print_load_at_end()
    return 0


def main() -> int:
    load_at_start = os.getloadavg()[0]
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    server_addr, dbname = ensure_database(url, "queue.py")
    django_setup(url, DJANGO_ALLOWED_HOSTS="127.0.0.1")
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from knox.models import AuthToken

    from core.models import Role, User
    from offices.models import Office

    reference_data()
    with connection.cursor() as cursor:
        load_s = None
        if one(cursor, f"SELECT count(*) FROM {SR} sr JOIN {ESCALATION} e ON e.request_id = sr.id"
                       " WHERE sr.reference_number LIKE %s", ["SRB%"]) != ROWS:
            started = time.perf_counter()
            with transaction.atomic():
                load(cursor)
            # ANALYZE, and the visibility map autovacuum would set
            cursor.execute(f"VACUUM (ANALYZE) {SR}, {ESCALATION}")
            cursor.execute("ANALYZE core_user, core_customerprofile")
            load_s = time.perf_counter() - started
        cursor.execute(f"SELECT current_office_id, count(*) FILTER (WHERE status IN ('open', 'answered')), count(*)"
                       f" FROM {SR} GROUP BY 1 ORDER BY 2 DESC")
        per_office = cursor.fetchall()
        mismatches = windows_mismatches(cursor, SAMPLE)
    office = Office.objects.get(pk=per_office[0][0])
    staff = User.objects.update_or_create(username=STAFF, defaults={
        "role": Role.OFFICE_STAFF, "office": office, "email": f"{STAFF}@staff.bench.test"})[0]
    token = AuthToken.objects.create(user=staff)[1]  # the bench signs in once (second factor aside)
    headers, cores = {"Authorization": f"Token {token}"}, len(os.sched_getaffinity(0))
    web_headers = {"Cookie": web_session(staff)}
    quiet = load_at_start <= QUIET_LOAD
    if "--profile" in sys.argv[1:]:
        return profile(staff, token, web_headers["Cookie"])
    print_header("Staff queue benchmark (HTTP through gunicorn)", server_addr, dbname)
    print(f"  server: gunicorn --workers 1 --worker-class sync; client: 1 thread, http.client with keep-alive; "
          f"{WARMUP} warm-up requests, then {DURATION_S:.0f} s per endpoint")
    print(f"  data: {sum(r[2] for r in per_office):,} service requests at {len(per_office)} offices "
          f"({f'loaded in {load_s:.1f} s' if load_s is not None else 'already loaded, reused'}), {CUSTOMERS:,} customers; "
          f"biggest {office.code}: {per_office[0][1]:,} open of {per_office[0][2]:,}; median office "
          f"{per_office[len(per_office) // 2][1]:,} open; smallest {per_office[-1][1]:,} open")
    print(f"  escalation rows: windows computed in SQL = service_requests.windows on {SAMPLE:,} sampled requests: "
          f"{'yes' if not mismatches else f'NO, {mismatches} mismatches'}")
    print(f"  staff user {STAFF} at {office.code}, with a DRF token (API) and a signed-in session (HTML page)")
    print(f"  load average at start {load_at_start:.2f}: "
          + ("targets may be claimed\n" if quiet else f"above {QUIET_LOAD}, so no target is claimed (figures only)\n"))

    failures: list = []
    module_dir = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    (module_dir / "bench_queue_wsgi.py").write_text(WRAPPER)
    log_path, results = module_dir / "gunicorn.log", {}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(module_dir), str(ROOT)])}
    with gunicorn("bench_queue_wsgi:application", ["--workers", "1", "--worker-class", "sync"], log_path, env) as (
            port, workers):
        conn, pages = http.client.HTTPConnection("127.0.0.1", port, timeout=60), []
        for path in (QUEUE, ROWS_JSON):  # fairness: the bare view must answer the same 20 rows with the same keys
            conn.request("GET", path, headers=headers)
            pages.append(json.loads(conn.getresponse().read())["results"])
        refs = [[row["reference_number"] for row in page] for page in pages]
        if refs[0] != refs[1] or len(refs[0]) != 20:
            failures.append((ROWS_JSON, "rows differ from the API's", repr([r[:3] for r in refs]).encode()))
        missing = set(pages[0][0]) ^ set(pages[1][0]) if pages[0] and pages[1] else set()
        if missing:
            failures.append((ROWS_JSON, "keys differ from the API's", repr(sorted(missing)).encode()))
        worker = workers[0] if len(workers) == 1 else None
        busy0 = machine_cpu()
        for path in (QUEUE, VARIANT, PLAIN, ROWS_JSON):
            results[path] = measure(conn, path, headers, worker, failures)
        # The HTML page and the API for the same rows, alternated twice so drift in the machine's load hits both.
        pair: dict[str, list[dict]] = {HTML: [], API_SAME: []}
        for _round in range(2):
            pair[HTML].append(measure(conn, HTML, web_headers, worker, failures))
            pair[API_SAME].append(measure(conn, API_SAME, headers, worker, failures))
        for path, runs in pair.items():
            results[path] = {key: statistics.fmean(r[key] for r in runs) for key in runs[0]}
        busy = [b - a for a, b in zip(busy0, machine_cpu(), strict=True)]
        conn.close()

    print("1. requests per second (sequential, one connection); CPU ms per request of the gunicorn worker and of its "
          "Postgres backend (parallel query workers not included)")
    for path, r in results.items():
        print(f"  {path:58} {r['rps']:7.1f} req/s  ({r['count']:,} requests; worker {r['worker_ms']:5.2f} ms CPU = "
              f"{1000 / r['worker_ms'] if r['worker_ms'] else 0:4.0f} per CPU-second; postgres {r['pg_ms']:5.2f} ms CPU)")
    print(f"  bare JSON view: same 20 rows as the API: {'yes' if refs[0] == refs[1] else 'NO'}; same keys: "
          f"{'yes' if not missing else 'NO, differing: ' + ', '.join(sorted(missing))}")
    print(f"  machine CPU busy during the measurements: {busy[0] / busy[1]:.0%} of {cores} cores (all processes); "
          f"connections closed by the server: {sum(r['closed'] for r in results.values()):,} of "
          f"{sum(r['count'] for r in results.values()):,} (sync workers do no keep-alive; http.client reconnects)")
    queue = results[QUEUE]["rps"]
    print(f"  ratios: queue ÷ plain HttpResponse {queue / results[PLAIN]['rps']:.3f}; queue ÷ bare JSON view "
          f"{queue / results[ROWS_JSON]['rps']:.3f} (variant ÷ bare JSON view "
          f"{results[VARIANT]['rps'] / results[ROWS_JSON]['rps']:.3f})")
    print(f"  per core (1 sync worker = 1 core of {cores}), target ≥ {RPS_TARGET:.0f}: " + "; ".join(
        f"{label} {results[p]['rps']:.1f} {'met' if results[p]['rps'] >= RPS_TARGET else 'missed'}"
        for label, p in (("queue", QUEUE), ("variant", VARIANT))))
    html, api = results[HTML]["rps"], results[API_SAME]["rps"]
    html_ok, ratio_ok = html >= RPS_TARGET, html >= HTML_RATIO_TARGET * api
    claim = "" if quiet else " (not claimed: load above 1.0 at start)"
    print(f"\n  staff HTML queue {HTML}: {html:.1f} req/s; the API for the same 25 rows {API_SAME}: {api:.1f} req/s; "
          f"ratio HTML ÷ API {html / api:.3f}")
    print(f"  HTML ≥ {RPS_TARGET:.0f} req/s per worker: {'met' if html_ok else 'short'}{claim}; HTML ≥ "
          f"{HTML_RATIO_TARGET} × API: {'met' if ratio_ok else 'short'}{claim}")

    print(f"\n2. database time per request (the queue's SQL captured in-process, EXPLAIN, {RUNS} timed runs; not "
          "counted: the SELECT 1 that CONN_HEALTH_CHECKS sends before each request's first query)")
    client, db_ok = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}"), True
    for path in (QUEUE, VARIANT):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        if response.status_code != 200:
            failures.append((path, response.status_code, response.content[:300]))
        with connection.cursor() as cursor:
            mean_ms, indexed = database_time(cursor, path, [q["sql"] for q in ctx.captured_queries])
        db_ok &= mean_ms <= DB_TARGET_MS
        print(f"    database time per request: {mean_ms:.3f} ms   target ≤ {DB_TARGET_MS:.0f} ms: "
              f"{'met' if mean_ms <= DB_TARGET_MS else 'missed'}; no Seq Scan on {' or '.join(TABLES)}: {'yes' if indexed else 'NO'}")

    rps_ok = all(results[p]["rps"] >= RPS_TARGET for p in (QUEUE, VARIANT))
    print(f"\ntargets{'' if quiet else ' (NOT claimed: load average ' + format(load_at_start, '.2f') + ' > 1.0 at start)'}:"
          f" queue ≥ {RPS_TARGET:.0f} req/s per core {'met' if rps_ok else 'missed'}; database ≤ "
          f"{DB_TARGET_MS:.0f} ms per request {'met' if db_ok else 'missed'}; HTML queue ≥ {RPS_TARGET:.0f} req/s "
          f"{'met' if html_ok else 'short'}; HTML ÷ API ≥ {HTML_RATIO_TARGET} {'met' if ratio_ok else 'short'} "
          f"({html / api:.3f}); failed requests {len(failures)}")
    print_load_at_end()
    if mismatches:
        print(f"  FAIL escalation windows: {mismatches} of {SAMPLE:,} sampled rows differ from service_requests.windows")
    for path, status, body in failures[:5]:
        print(f"  FAIL {path}: {status} {body!r}")
    if failures or mismatches:
        print(f"server log, tail of {log_path}:\n{log_path.read_text(errors='replace')[-2000:]}")
        return 1
    shutil.rmtree(module_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
