"""Benchmark the escalation sweep (service_requests.sweep.escalation_sweep) on 1,000,000 open requests, Postgres.

Loads 1,000,000 OPEN service requests (ages over 90 days, the case-holding offices, 20,000 customers; ~8 % in
stage `sc_inquiry_sent` with window 2 computed, the rest `waiting`) with INSERT … SELECT generate_series, the
windows computed in SQL exactly as service_requests.windows does (checked on a sample), then:
  A. "all due": one escalation_sweep with `now` after every window, inside CaptureQueriesContext. Prints its
     wall time (target ≤ 60 s), split into the transaction (two UPDATEs, the INSERT … SELECT into
     core_notification, COMMIT) and the after-commit enqueue (SELECT of the batch's ids, Celery publishes to
     kombu's in-memory broker: tasks are enqueued, never run, no e-mail is sent); each statement's first line
     and duration; rows moved per second; notifications owed; WAL written. Checks every row moved, one
     notification per moved request (by kind, no duplicate dedupe_key) and every id enqueued once.
  D. idempotence: the same sweep again must move 0 and owe 0.
  C. "nothing due": 20 sweeps before A (all rows waiting, `now` before any window) and 20 after A (all rows
     moved): median and max (target ≤ 50 ms), and EXPLAIN ANALYZE of the UPDATEs (Index Scan on the partial
     indexes sr_window1_due_idx / sr_window2_due_idx expected, not a Seq Scan).
  B. baseline: after a reset, ONE hand-written UPDATE of the same window-1 rows in a transaction; rows/s and
     the ratio sweep rows/s ÷ UPDATE rows/s (the sweep also writes one outbox row per moved request).
Between phases one UPDATE puts every row back in its first stage and a DELETE removes the sweep's
notifications (then VACUUM ANALYZE), so reruns reuse the rows. A failed check exits non-zero.

Run from the project root:  .venv/bin/python bench/sweep.py
DATABASE_URL selects the database (Postgres only; default postgres://postgres@127.0.0.1:5432/portal_bench_sweep),
created if missing, migrated, given the directory and schedules. CELERY_BROKER_URL is forced to memory://.
"""

import os
import statistics
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_sweep"
ROOT = Path(__file__).resolve().parent.parent
ROWS, CUSTOMERS, BATCH, DAYS, SC_SHARE = 1_000_000, 20_000, 250_000, 90, 0.10
ALL_DUE_TARGET_S, NOTHING_DUE_TARGET_MS, NOTHING_DUE_RUNS, SAMPLE = 60.0, 50.0, 20, 2_000
DOMAIN, PREFIX, ET = "@sweep.bench.test", "SWB", "America/New_York"
SR, OUTBOX = "service_requests_servicerequest", "core_notification"
KINDS = ("service_request.window1_open", "service_request.window2_open")
FIRST_STAGE = "CASE WHEN service_center_inquiry_at IS NULL THEN 'waiting' ELSE 'sc_inquiry_sent' END"


def ensure_database(url: str) -> tuple[str, str]:
    """Refuse non-Postgres URLs; create the database if it does not exist. Returns (host:port, db name)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"} or not dbname:
        sys.exit(f"bench/sweep.py needs a Postgres DATABASE_URL with a database name, got scheme {parts.scheme!r}.")
    maintenance = parts._replace(scheme="postgresql", path="/postgres").geturl()
    try:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    except psycopg.OperationalError as exc:
        sys.exit(f"Cannot reach Postgres at {parts.hostname}:{parts.port or 5432}: {exc}")
    return f"{parts.hostname}:{parts.port or 5432}", dbname


def load(cursor) -> float | None:
    """Customers and ROWS open requests, unless they are there already. Returns the seconds taken, or None."""
    from offices.models import CASE_HOLDING_TYPES

    cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE reference_number LIKE %s AND status = 'open') FROM {SR}",
                   [f"{PREFIX}%"])
    if cursor.fetchone() == (ROWS, ROWS):
        return None
    started, like = time.perf_counter(), f"%{DOMAIN}"
    cursor.execute(f"TRUNCATE {SR}, {OUTBOX} CASCADE")
    cursor.execute("DELETE FROM core_customerprofile WHERE user_id IN (SELECT id FROM core_user WHERE email LIKE %s)", [like])
    cursor.execute("DELETE FROM core_user WHERE email LIKE %s", [like])
    cursor.execute("INSERT INTO core_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
                   " is_active, date_joined, role) SELECT '!', false, 'bench-' || n || %(d)s, 'Bench', 'Customer ' || n,"
                   " 'bench-' || n || %(d)s, false, true, now(), 'customer' FROM generate_series(1, %(n)s) n",
                   {"d": DOMAIN, "n": CUSTOMERS})
    cursor.execute("INSERT INTO core_customerprofile (created_at, updated_at, user_id, country, zip_code, preferred_language,"
                   " phone) SELECT now(), now(), id, 'US', (10001 + id %% 89000)::text, CASE WHEN id %% 10 = 0 THEN 'es'"
                   " ELSE 'en' END, '' FROM core_user WHERE email LIKE %s", [like])
    cursor.execute("SELECT array_agg(id ORDER BY id) FROM core_user WHERE email LIKE %s", [like])
    customers = cursor.fetchone()[0]
    cursor.execute("SELECT array_agg(id ORDER BY code) FROM offices_office WHERE office_type = ANY(%s)"
                   " AND (closed_on IS NULL OR closed_on > now())", [sorted(CASE_HOLDING_TYPES)])
    offices = cursor.fetchone()[0]
    cursor.execute("SELECT setseed(0.20240601)")
    for first in range(1, ROWS + 1, BATCH):  # one transaction per batch (autocommit)
        cursor.execute(f"""
            WITH g AS MATERIALIZED (
                SELECT n, now() - random() * interval '{DAYS} days' AS c, random() AS r, random() AS q FROM generate_series(%(first)s, %(last)s) n),
            w AS (SELECT *, (date_trunc('day', c AT TIME ZONE '{ET}') + interval '15 days') AT TIME ZONE '{ET}' AS w1 FROM g),
            i AS (SELECT *, CASE WHEN w1 < now() AND r < %(sc)s THEN w1 + q * (now() - w1) END AS sci FROM w)
            INSERT INTO {SR} (created_at, updated_at, reference_number, customer_id, contact_name, contact_email, language,
                receipt_number, request_type, case_class, channel, description, priority, current_office_id, status, version,
                service_center_inquiry_at, window1_opens_at, window2_opens_at, escalation_stage)
            SELECT c, c, '{PREFIX}' || lpad(n::text, 9, '0'), (%(customers)s::bigint[])[1 + (n::bigint * 7919) %% %(ncust)s], '', '',
                CASE WHEN n %% 10 = 0 THEN 'es' ELSE 'en' END,
                (ARRAY['IOE', 'EAC', 'WAC', 'LIN', 'SRC', 'MSC', 'NBC'])[1 + n %% 7] || lpad(n::text, 10, '0'),
                (ARRAY['outside_processing_time', 'notice_not_received', 'card_not_received', 'expedite', 'other'])[1 + n %% 5],
                'standard', (ARRAY['phone', 'online', 'mail', 'in_person'])[1 + n %% 4], 'Bench request ' || n, n %% 5 = 3,
                (%(offices)s::bigint[])[1 + (n * 31) %% %(noff)s], 'open', 1, sci, w1,
                (date_trunc('day', sci AT TIME ZONE '{ET}') + interval '21 days') AT TIME ZONE '{ET}',
                CASE WHEN sci IS NULL THEN 'waiting' ELSE 'sc_inquiry_sent' END
            FROM i ORDER BY n""", {"first": first, "last": min(first + BATCH - 1, ROWS), "customers": customers,
                                   "ncust": len(customers), "offices": offices, "noff": len(offices), "sc": SC_SHARE})
    cursor.execute(f"VACUUM (ANALYZE) {SR}")
    cursor.execute("ANALYZE core_user, core_customerprofile")
    return time.perf_counter() - started


def reset(cursor) -> tuple[int, int, float]:
    """Every request back in its first stage, the sweep's notifications gone, then VACUUM ANALYZE.
    Returns (requests reset, notifications deleted, seconds)."""
    started = time.perf_counter()
    cursor.execute(f"UPDATE {SR} SET escalation_stage = {FIRST_STAGE}, sweep_batch = NULL"
                   f" WHERE escalation_stage <> {FIRST_STAGE} OR sweep_batch IS NOT NULL")
    moved_back = cursor.rowcount
    cursor.execute(f"DELETE FROM {OUTBOX} WHERE kind = ANY(%s)", [list(KINDS)])
    deleted = cursor.rowcount
    if moved_back or deleted:
        cursor.execute(f"VACUUM (ANALYZE) {SR}, {OUTBOX}")
    return moved_back, deleted, time.perf_counter() - started


def windows_check(cursor) -> int:
    """Compare the SQL-computed windows of SAMPLE random rows with service_requests.windows. Returns mismatches."""
    from service_requests.windows import Facts, WindowPolicy, window1_opens_at, window2_opens_at

    cursor.execute(f"SELECT created_at, service_center_inquiry_at, window1_opens_at, window2_opens_at FROM {SR}"
                   f" TABLESAMPLE SYSTEM (1) REPEATABLE (7) LIMIT {SAMPLE}")
    bad = 0
    for created, inquiry, w1, w2 in cursor.fetchall():
        facts = Facts(created_at=created, service_center_inquiry_at=inquiry)
        bad += window1_opens_at(facts, WindowPolicy()) != w1 or window2_opens_at(facts, WindowPolicy()) != w2
    return bad


def stage_counts(cursor) -> dict[str, int]:
    cursor.execute(f"SELECT escalation_stage, count(*) FROM {SR} GROUP BY 1")
    return dict(cursor.fetchall())


def scalar(cursor, query: str, params=None):
    cursor.execute(query, params)
    return cursor.fetchone()[0]


def timed_sweep(now):
    """escalation_sweep(now=now) in CaptureQueriesContext (which logs BEGIN and COMMIT too). Returns (result, wall s,
    statements as (first line, s), seconds up to the end of COMMIT: the transaction, without the after-commit work)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from service_requests.sweep import escalation_sweep

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = escalation_sweep(now=now)
        wall = time.perf_counter() - started
    statements = [(q["sql"].strip().splitlines()[0].strip(), float(q["time"])) for q in ctx.captured_queries]
    lines = [line for line, _t in statements]
    transaction_s = sum(t for _l, t in statements[:lines.index("COMMIT") + 1]) if "COMMIT" in lines else wall
    return result, wall, statements, transaction_s


def nothing_due(cursor, now, label: str) -> tuple[float, float, bool]:
    """NOTHING_DUE_RUNS sweeps that must move nothing; EXPLAIN ANALYZE of their UPDATEs (rolled back).
    Returns (median ms, max ms, every UPDATE used its partial index)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from service_requests.sweep import escalation_sweep

    times, moved = [], 0
    for _ in range(NOTHING_DUE_RUNS):
        result, wall, statements, _c = timed_sweep(now)
        times.append(wall * 1000)
        moved += result.window1_opened + result.window2_opened + result.notifications_owed
    median, worst = statistics.median(times), max(times)
    print(f"  {label}: {NOTHING_DUE_RUNS} sweeps, median {median:.1f} ms, max {worst:.1f} ms, moved/owed {moved}; "
          f"target ≤ {NOTHING_DUE_TARGET_MS:.0f} ms: {'met' if worst <= NOTHING_DUE_TARGET_MS else 'missed'} (max)")
    with CaptureQueriesContext(connection) as ctx:
        escalation_sweep(now=now)
    indexed = True
    for query in [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]:
        with transaction.atomic():
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = [row[0] for row in cursor.fetchall()]
            transaction.set_rollback(True)
        index = "sr_window1_due_idx" if "'waiting'" in query["sql"] else "sr_window2_due_idx"
        indexed &= any(f"Index Scan using {index}" in line for line in plan) and not any("Seq Scan" in line for line in plan)
        print(f"    {query['sql'][:150]}…")
        print("\n".join(f"      {line}" for line in plan))
    if moved:
        FAILURES.append(f"{label}: a nothing-due sweep moved or owed {moved}")
    return median, worst, indexed


FAILURES: list[str] = []


def check(ok: bool, message: str) -> None:
    print(f"    {'ok  ' if ok else 'FAIL'} {message}")
    if not ok:
        FAILURES.append(message)


def main() -> int:
    # bench/queue.py shadows the standard library's `queue` (psycopg and kombu import it): take bench/ off the path.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    server, dbname = ensure_database(url)
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="uscis_portal.settings.local", DJANGO_DEBUG="0",
                      CELERY_BROKER_URL="memory://")  # kombu's in-memory transport: tasks are enqueued, never run
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: collectstatic not run
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from celery.signals import before_task_publish
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from appointments.services import schedules_load
    from offices.services import directory_load

    call_command("migrate", verbosity=0)
    directory_load()
    schedules_load()
    enqueued: list[int] = []
    before_task_publish.connect(lambda body=None, **_kw: enqueued.extend(body[0][0]), weak=False)
    cursor = connection.cursor()
    load_s = load(cursor)
    back, deleted, reset_s = reset(cursor)
    cursor.execute("SELECT version(), current_setting('shared_buffers'), current_setting('max_wal_size'),"
                   " current_setting('synchronous_commit'), current_setting('work_mem')")
    version, shared_buffers, max_wal, sync_commit, work_mem = cursor.fetchone()
    print("Escalation sweep benchmark")
    print(f"  machine: {len(os.sched_getaffinity(0))} cores (load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}), "
          f"Python {sys.version.split()[0]}, Django {django.get_version()}")
    print(f"  database: {version.split(' on ')[0]} at {server}/{dbname} (DEBUG={settings.DEBUG}); shared_buffers "
          f"{shared_buffers}, max_wal_size {max_wal}, synchronous_commit {sync_commit}, work_mem {work_mem}")
    print(f"  celery broker: {settings.CELERY_BROKER_URL} (enqueued, not run; no e-mail is sent)")
    initial = stage_counts(cursor)
    print(f"  data: {sum(initial.values()):,} open requests ({f'loaded in {load_s:.1f} s' if load_s else 'reused'}; "
          f"reset {back:,} rows and deleted {deleted:,} notifications in {reset_s:.1f} s), stages "
          + ", ".join(f"{k} {v:,}" for k, v in sorted(initial.items())) + f"; {CUSTOMERS:,} customers")
    mismatches = windows_check(cursor)
    print(f"  windows computed in SQL vs service_requests.windows on {SAMPLE:,} sampled rows: {mismatches} mismatches\n")
    if mismatches:
        FAILURES.append(f"{mismatches} sampled rows have windows that differ from service_requests.windows")
    cursor.execute(f"SELECT min(window1_opens_at), greatest(max(window1_opens_at), max(window2_opens_at)) FROM {SR}")
    first_window, last_window = cursor.fetchone()
    all_due, none_due = last_window + timedelta(seconds=1), first_window - timedelta(seconds=1)

    print("C. nothing due (1/2): every row waiting, now = 1 s before the first window")
    c_before = nothing_due(cursor, none_due, f"before A, now={none_due:%Y-%m-%d %H:%M}")

    print(f"\nA. all due: now = {all_due:%Y-%m-%d %H:%M %Z} (1 s after the last window)")
    lsn = scalar(cursor, "SELECT pg_current_wal_lsn()")
    enqueued.clear()
    result, wall, statements, tx_s = timed_sweep(all_due)
    wal = scalar(cursor, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [lsn])
    moved = result.window1_opened + result.window2_opened
    commit_s = dict(statements).get("COMMIT", 0.0)
    print(f"  escalation_sweep wall time: {wall:.2f} s   target ≤ {ALL_DUE_TARGET_S:.0f} s: "
          f"{'met' if wall <= ALL_DUE_TARGET_S else 'missed'}")
    print(f"    transaction (BEGIN … COMMIT): {tx_s:.2f} s, of which COMMIT (deferred FK checks, WAL flush) {commit_s:.2f} s")
    print(f"    after-commit enqueue (SELECT ids, {len(enqueued):,} ids in Celery tasks to memory://): {wall - tx_s:.2f} s")
    print(f"  SQL statements: {len(statements)}")
    for line, seconds in statements:
        print(f"    {seconds:8.3f} s  {line[:130]}{' …' if len(line) > 130 else ''}")
    print(f"  moved: window 1 {result.window1_opened:,}, window 2 {result.window2_opened:,}; {moved / wall:,.0f} rows/s "
          f"({moved / tx_s:,.0f} rows/s in the transaction); notifications owed {result.notifications_owed:,}; "
          f"WAL written {wal / 2**20:,.0f} MiB")
    after = stage_counts(cursor)
    cursor.execute(f"SELECT kind, count(*), count(DISTINCT dedupe_key) FROM {OUTBOX} WHERE kind = ANY(%s) GROUP BY 1",
                   [list(KINDS)])
    by_kind = {k: (n, d) for k, n, d in cursor.fetchall()}
    orphans = scalar(cursor, f"SELECT count(*) FROM {SR} sr WHERE sweep_batch IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
                             f" {OUTBOX} n WHERE n.dedupe_key = 'service_request.' || sr.escalation_stage || ':' || sr.id)")
    w1, w2 = initial.get("waiting", 0), initial.get("sc_inquiry_sent", 0)
    print("  checks:")
    check(after.get("waiting", 0) == 0 and after.get("sc_inquiry_sent", 0) == 0, f"no row left behind: {after}")
    check((result.window1_opened, result.window2_opened) == (w1, w2) and after.get("window1_open") == w1
          and after.get("window2_open") == w2, f"every row moved: window 1 {result.window1_opened:,}/{w1:,}, window 2 "
          f"{result.window2_opened:,}/{w2:,}")
    check(by_kind.get(KINDS[0], (0, 0)) == (w1, w1) and by_kind.get(KINDS[1], (0, 0)) == (w2, w2)
          and result.notifications_owed == moved, "one notification per moved request, by kind (count, distinct "
          f"dedupe_key): {by_kind}; owed {result.notifications_owed:,}")
    check(orphans == 0, f"moved requests without their notification: {orphans}")
    check(len(enqueued) == len(set(enqueued)) == moved, f"ids enqueued after commit: {len(enqueued):,}, distinct "
          f"{len(set(enqueued)):,}")

    print("\nD. idempotence: the same sweep again, right after A")
    enqueued.clear()
    again, again_s, again_statements, _c = timed_sweep(all_due)
    check(again.window1_opened + again.window2_opened + again.notifications_owed == 0 and not enqueued,
          f"moved {again.window1_opened + again.window2_opened}, owed {again.notifications_owed}, enqueued {len(enqueued)} "
          f"({again_s * 1000:.1f} ms, {len(again_statements)} statements)")
    check(scalar(cursor, f"SELECT count(*) FROM {OUTBOX} WHERE kind = ANY(%s)", [list(KINDS)]) == moved,
          "no notification added")

    print("\nC. nothing due (2/2): every row moved by A")
    c_after = nothing_due(cursor, all_due, f"after A, now={all_due:%Y-%m-%d %H:%M}")

    print("\nB. baseline: reset, then ONE hand-written UPDATE of the window-1 rows in a transaction")
    back, deleted, reset_s = reset(cursor)
    print(f"  reset {back:,} rows, deleted {deleted:,} notifications, VACUUM ANALYZE: {reset_s:.1f} s")
    started = time.perf_counter()
    with transaction.atomic():
        cursor.execute(f"UPDATE {SR} SET escalation_stage = 'window1_open' WHERE status = 'open'"
                       " AND escalation_stage = 'waiting' AND window1_opens_at <= %s", [all_due])
        updated = cursor.rowcount
    update_s = time.perf_counter() - started
    check(updated == w1, f"hand-written UPDATE moved {updated:,} of {w1:,}")
    sweep_rate, update_rate = moved / wall, updated / update_s
    print(f"  hand-written UPDATE + COMMIT: {update_s:.2f} s, {update_rate:,.0f} rows/s; sweep {sweep_rate:,.0f} rows/s")
    print(f"  ratio sweep rows/s ÷ UPDATE rows/s: {sweep_rate / update_rate:.2f} (the sweep also sets sweep_batch, "
          f"writes {result.notifications_owed:,} outbox rows and enqueues their delivery)")

    c_ok = max(c_before[1], c_after[1]) <= NOTHING_DUE_TARGET_MS
    print(f"\ntargets: all due ≤ {ALL_DUE_TARGET_S:.0f} s {'met' if wall <= ALL_DUE_TARGET_S else 'missed'} ({wall:.1f} s); "
          f"nothing due ≤ {NOTHING_DUE_TARGET_MS:.0f} ms {'met' if c_ok else 'missed'} (max {c_before[1]:.1f} / "
          f"{c_after[1]:.1f} ms); partial indexes used {'yes' if c_before[2] and c_after[2] else 'NO'}")
    print(f"correctness: {len(FAILURES)} failed checks")
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine skews the times)")
    for failure in FAILURES:
        print(f"  FAIL {failure}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
