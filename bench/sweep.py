"""Benchmark the escalation sweep (service_requests.sweep.escalation_sweep) on 1,000,000 open requests, Postgres.

Loads 1,000,000 OPEN requests (ages over 90 days, the case-holding offices, 20,000 customers; ~8 % `sc_inquiry_sent`
with window 2 set, the rest `waiting`) with INSERT … SELECT generate_series, and their escalation rows
(service_requests_escalation, where the sweep works) with INSERT … SELECT from them, windows computed in SQL as
service_requests.windows does (checked on a sample). Every sweep runs in CaptureQueriesContext, with
CELERY_BROKER_URL=memory:// (delivery tasks are enqueued in memory and never run: no e-mail is sent).
  C. nothing due, before A (all rows waiting, `now` before any window): 20 sweeps, median/max (target ≤ 50 ms),
     EXPLAIN ANALYZE of the UPDATEs (Index Scan on sr_window1_due_idx / sr_window2_due_idx expected).
  A. all due (`now` after every window; target ≤ 60 s): wall time = transaction (BEGIN … COMMIT) + after-commit
     enqueue (SELECT of the batch's ids, Celery publishes); each statement's first line and duration; rows/s;
     notifications owed; Postgres backend CPU, WAL, checkpoints. Checks: every row moved, one notification per
     moved request (by kind, no duplicate dedupe_key), every id enqueued once.
  D. idempotence: the same sweep again moves 0 and owes 0.
  C. nothing due after A (every row moved): with the statistics A left, then after VACUUM ANALYZE of the escalation rows.
  B. baseline: reset, ONE hand-written UPDATE of the window-1 escalation rows in a transaction; ratio sweep rows/s ÷ UPDATE
     rows/s (the sweep also sets sweep_batch and writes one outbox row per moved request).
A reset is one UPDATE of the escalation rows (first stage back, sweep_batch cleared), one DELETE of the sweep's notifications and VACUUM
ANALYZE, so reruns reuse the rows. A failed check exits non-zero.

Run from the project root:  .venv/bin/python bench/sweep.py      (15-25 minutes on 2 busy cores)
DATABASE_URL selects the database (Postgres only; default postgres://postgres@127.0.0.1:5432/portal_bench_sweep);
it is created if missing, migrated, given the directory and schedules.
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

# bench/queue.py shadows the standard library's `queue` (psycopg and kombu import it): the project root first,
# bench/ off the path.
_BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(_BENCH.parent), *(p for p in sys.path if Path(p or ".").resolve() != _BENCH)]

from bench._common import (  # noqa: E402
    ESCALATION,
    SR,
    cpu_seconds,
    customers_load,
    django_setup,
    ensure_database,
    escalations_load,
    one,
    print_header,
    print_load_at_end,
    reference_data,
    verdict,
    window_sql,
    windows_mismatches,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_sweep"
ROWS, CUSTOMERS, BATCH, DAYS, SC_SHARE = 1_000_000, 20_000, 250_000, 90, 0.10
ALL_DUE_TARGET_S, NOTHING_DUE_TARGET_MS, RUNS, SAMPLE = 60.0, 50.0, 20, 2_000
DOMAIN, PREFIX = "@sweep.bench.test", "SWB"
OUTBOX = "core_notification"
KINDS = ["service_request.window1_open", "service_request.window2_open"]
FIRST_STAGE = "CASE WHEN service_center_inquiry_at IS NULL THEN 'waiting' ELSE 'sc_inquiry_sent' END"
WAL_STATS = ("SELECT pg_current_wal_lsn() - '0/0', (SELECT wal_fpi FROM pg_stat_wal),"
             " (SELECT checkpoints_req FROM pg_stat_bgwriter)")  # server-wide
FAILURES: list[str] = []


def load(cursor) -> float | None:
    """Customers, ROWS open requests and their escalation rows, unless they are there already. Returns the seconds
    taken, or None."""
    from offices.models import CASE_HOLDING_TYPES

    if one(cursor, f"SELECT count(*), count(*) FILTER (WHERE reference_number LIKE %s), count(e.request_id) FROM {SR} sr"
                   f" LEFT JOIN {ESCALATION} e ON e.request_id = sr.id", [f"{PREFIX}%"], row=True) == (ROWS, ROWS, ROWS):
        return None
    started = time.perf_counter()
    cursor.execute(f"TRUNCATE {SR}, {OUTBOX} CASCADE")  # and the escalation rows
    customers = customers_load(cursor, DOMAIN, CUSTOMERS, spanish_every=10)
    offices = one(cursor, "SELECT array_agg(id ORDER BY code) FROM offices_office WHERE office_type = ANY(%s)"
                  " AND (closed_on IS NULL OR closed_on > now())", [sorted(CASE_HOLDING_TYPES)])
    cursor.execute("SELECT setseed(0.20240601)")
    for first in range(1, ROWS + 1, BATCH):  # one transaction per batch (autocommit)
        cursor.execute(f"""
            WITH g AS MATERIALIZED (SELECT n, now() - random() * interval '{DAYS} days' AS c, random() AS r, random() AS q
                                    FROM generate_series(%(first)s, %(last)s) n),
            w AS (SELECT *, {window_sql('c', 15)} AS w1 FROM g),
            i AS (SELECT *, CASE WHEN w1 < now() AND r < %(sc)s THEN w1 + q * (now() - w1) END AS sci FROM w)
            INSERT INTO {SR} (created_at, updated_at, reference_number, customer_id, contact_name, contact_email, language,
                receipt_number, request_type, case_class, channel, description, priority, current_office_id, status, version,
                service_center_inquiry_at)
            SELECT c, c, '{PREFIX}' || lpad(n::text, 9, '0'), (%(customers)s::bigint[])[1 + (n::bigint * 7919) %% %(ncust)s],
                '', '', CASE WHEN n %% 10 = 0 THEN 'es' ELSE 'en' END,
                (ARRAY['IOE', 'EAC', 'WAC', 'LIN', 'SRC', 'MSC', 'NBC'])[1 + n %% 7] || lpad(n::text, 10, '0'),
                (ARRAY['outside_processing_time', 'notice_not_received', 'card_not_received', 'expedite', 'other'])[1 + n %% 5],
                'standard', (ARRAY['phone', 'online', 'mail', 'in_person'])[1 + n %% 4], 'Bench request ' || n, n %% 5 = 3,
                (%(offices)s::bigint[])[1 + (n * 31) %% %(noff)s], 'open', 1, sci
            FROM i ORDER BY n""", {"first": first, "last": min(first + BATCH - 1, ROWS), "customers": customers,
                                   "ncust": len(customers), "offices": offices, "noff": len(offices), "sc": SC_SHARE})
    escalations_load(cursor, FIRST_STAGE)  # windows from created_at and service_center_inquiry_at, as before
    cursor.execute(f"VACUUM (ANALYZE) {SR}, {ESCALATION}")
    cursor.execute("ANALYZE core_user, core_customerprofile")
    return time.perf_counter() - started


def stage_counts(cursor) -> dict[str, int]:
    cursor.execute(f"SELECT e.stage, count(*) FROM {SR} sr JOIN {ESCALATION} e ON e.request_id = sr.id GROUP BY 1")
    return dict(cursor.fetchall())


def reset(cursor) -> str:
    """Every escalation row back to its request's first stage, the sweep's notifications deleted, VACUUM ANALYZE."""
    started = time.perf_counter()
    cursor.execute(f"UPDATE {ESCALATION} e SET stage = {FIRST_STAGE}, sweep_batch = NULL FROM {SR} sr"
                   f" WHERE sr.id = e.request_id AND (e.stage <> {FIRST_STAGE} OR e.sweep_batch IS NOT NULL)")
    moved_back = cursor.rowcount
    cursor.execute(f"DELETE FROM {OUTBOX} WHERE kind = ANY(%s)", [KINDS])
    deleted = cursor.rowcount
    if moved_back or deleted:
        cursor.execute(f"VACUUM (ANALYZE) {ESCALATION}, {OUTBOX}")
    return f"reset {moved_back:,} rows, deleted {deleted:,} notifications in {time.perf_counter() - started:.1f} s"


def timed_sweep(now, pid: int | None) -> dict:
    """escalation_sweep(now=now) inside CaptureQueriesContext (which also logs BEGIN and COMMIT)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from service_requests.sweep import escalation_sweep

    with CaptureQueriesContext(connection) as ctx:
        cpu, started = cpu_seconds(pid), time.perf_counter()
        result = escalation_sweep(now=now)
        wall, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu
    queries = [(q["sql"], float(q["time"])) for q in ctx.captured_queries]
    ends = [i for i, (s, _t) in enumerate(queries) if s == "COMMIT"]
    in_tx = sum(t for _s, t in queries[:ends[0] + 1]) if ends else wall
    return {"result": result, "wall": wall, "queries": queries, "tx": in_tx, "cpu": cpu,
            "moved": result.window1_opened + result.window2_opened}


def nothing_due(cursor, now, label: str, pid: int | None) -> float:
    """RUNS sweeps that must move nothing, then EXPLAIN ANALYZE of their UPDATEs (rolled back). Returns the max ms."""
    from django.db import transaction

    runs = [timed_sweep(now, pid) for _ in range(RUNS)]
    times = [r["wall"] * 1000 for r in runs]
    print(f"  {label}: {RUNS} sweeps, median {statistics.median(times):.1f} ms, max {max(times):.1f} ms; target ≤ "
          f"{NOTHING_DUE_TARGET_MS:.0f} ms: {verdict(max(times) <= NOTHING_DUE_TARGET_MS)}")
    check(all(r["moved"] == r["result"].notifications_owed == 0 for r in runs), f"{label}: nothing moved, nothing owed")
    for statement in [s for s, _t in runs[-1]["queries"] if s.startswith("UPDATE")]:
        with transaction.atomic():
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
            plan = [row[0] for row in cursor.fetchall()]
            transaction.set_rollback(True)
        index = "sr_window1_due_idx" if "'waiting'" in statement else "sr_window2_due_idx"
        seq, indexed = any("Seq Scan" in line for line in plan), any(f" {index} " in f"{line} " for line in plan)
        print(f"    {statement[:100]} … {statement[-55:]}\n      scans the partial index {index}: "
              f"{'yes' if indexed and not seq else 'NO (Seq Scan)' if seq else 'NO'}")
        print("\n".join(f"        {line}" for line in plan if "Buffers" not in line and "Planning" not in line))
    return max(times)


def check(ok: bool, message: str) -> None:
    print(f"    {'ok  ' if ok else 'FAIL'} {message}")
    if not ok:
        FAILURES.append(message)


def main() -> int:
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    server, dbname = ensure_database(url, "sweep.py")
    django_setup(url, CELERY_BROKER_URL="memory://localhost//")  # kombu's in-memory transport: enqueued, never run
    from celery.signals import before_task_publish
    from django.conf import settings
    from django.db import connection, transaction

    reference_data()
    enqueued: list[int] = []
    before_task_publish.connect(lambda body=None, **_kw: enqueued.extend(body[0][0]), weak=False)  # body: (args, …)
    cursor = connection.cursor()
    load_s, reset_note = load(cursor), reset(cursor)
    local = urlsplit(url).hostname in (None, "", "localhost", "127.0.0.1", "::1")
    pid = one(cursor, "SELECT pg_backend_pid()") if local else None
    version, shared_buffers, max_wal, autovacuum = one(cursor, "SELECT split_part(version(), ' on ', 1), current_setting("
                                                       "'shared_buffers'), current_setting('max_wal_size'), current_setting('autovacuum')", row=True)
    stages = stage_counts(cursor)
    w1, w2 = stages.get("waiting", 0), stages.get("sc_inquiry_sent", 0)
    print_header("Escalation sweep benchmark", server, dbname, database=version, settings_note=(
        f"; shared_buffers {shared_buffers}, max_wal_size {max_wal}, autovacuum {autovacuum}; "
        f"Celery broker {settings.CELERY_BROKER_URL}"))
    print(f"  data: {w1 + w2:,} open requests ({f'loaded in {load_s:.1f} s' if load_s else 'reused'}; {reset_note}): "
          f"waiting {w1:,}, sc_inquiry_sent {w2:,}; {CUSTOMERS:,} customers")
    mismatches = windows_mismatches(cursor, SAMPLE)
    check(not mismatches and w1 + w2 == ROWS, f"windows computed in SQL = service_requests.windows on {SAMPLE:,} sampled "
          f"rows ({mismatches} mismatches); {w1 + w2:,} rows in their first stage")
    first_window, last_window = one(cursor, f"SELECT min(window1_opens_at), greatest(max(window1_opens_at), "
                                            f"max(window2_opens_at)) FROM {ESCALATION}", row=True)
    all_due, none_due = last_window + timedelta(seconds=1), first_window - timedelta(seconds=1)

    print(f"\nC. nothing due, before A: every row waiting, now = {none_due:%Y-%m-%d %H:%M %Z} (1 s before the first window)")
    c_max = [nothing_due(cursor, none_due, "before A", pid)]

    print(f"\nA. all due: now = {all_due:%Y-%m-%d %H:%M %Z} (1 s after the last window)")
    before = one(cursor, WAL_STATS, row=True)
    enqueued.clear()
    a = timed_sweep(all_due, pid)
    result, wall, moved = a["result"], a["wall"], a["moved"]
    wal, fpi, checkpoints = (x - y for x, y in zip(one(cursor, WAL_STATS, row=True), before, strict=True))
    print(f"  escalation_sweep wall time: {wall:.2f} s   target ≤ {ALL_DUE_TARGET_S:.0f} s: "
          f"{verdict(wall <= ALL_DUE_TARGET_S)}")
    print(f"    transaction (BEGIN … COMMIT): {a['tx']:.2f} s; after-commit enqueue (SELECT of the ids, {len(enqueued):,} "
          f"ids in Celery tasks to memory://): {wall - a['tx']:.2f} s")
    print(f"    Postgres backend CPU {a['cpu']:.1f} s of {wall:.1f} s; WAL {wal / 2**20:,.0f} MiB ({fpi:,} full-page images), "
          f"{checkpoints} requested checkpoints (WAL and checkpoints are server-wide)")
    print(f"  SQL statements: {len(a['queries'])} (BEGIN and COMMIT included)")
    for statement, seconds in a["queries"]:
        line = statement.strip().splitlines()[0].strip()
        print(f"    {seconds:8.3f} s  {line[:120]}{' …' if len(line) > 120 else ''}")
    print(f"  moved: window 1 {result.window1_opened:,}, window 2 {result.window2_opened:,}: {moved / wall:,.0f} rows/s; "
          f"notifications owed {result.notifications_owed:,}")
    after = stage_counts(cursor)
    cursor.execute(f"SELECT kind, count(*), count(DISTINCT dedupe_key) FROM {OUTBOX} WHERE kind = ANY(%s) GROUP BY 1", [KINDS])
    by_kind = {kind: (n, distinct) for kind, n, distinct in cursor.fetchall()}
    orphans = one(cursor, f"SELECT count(*) FROM {ESCALATION} e JOIN {SR} sr ON sr.id = e.request_id WHERE e.sweep_batch"
                          f" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {OUTBOX} n WHERE n.dedupe_key = 'service_request.'"
                          " || e.stage || ':' || sr.id)")
    print("  checks:")
    check(after == {"window1_open": w1, "window2_open": w2}, f"every row moved: stages now {after}")
    check(by_kind == {KINDS[0]: (w1, w1), KINDS[1]: (w2, w2)} and result.notifications_owed == moved,
          f"one notification per moved request, by kind (rows, distinct dedupe_key): {by_kind}")
    check(orphans == 0, f"moved requests without their notification: {orphans}")
    check(len(enqueued) == len(set(enqueued)) == moved, f"ids enqueued: {len(enqueued):,}, distinct {len(set(enqueued)):,}")

    print("\nD. idempotence: the same sweep again, right after A")
    enqueued.clear()
    d = timed_sweep(all_due, pid)
    check(d["moved"] == d["result"].notifications_owed == len(enqueued) == 0, f"moved {d['moved']}, owed "
          f"{d['result'].notifications_owed}, enqueued {len(enqueued)} ({d['wall'] * 1000:.0f} ms)")
    check(one(cursor, f"SELECT count(*) FROM {OUTBOX} WHERE kind = ANY(%s)", [KINDS]) == moved, "no notification added")

    print(f"\nC. nothing due, after A: every row moved, now = {all_due:%Y-%m-%d %H:%M %Z}")
    c_max.append(nothing_due(cursor, all_due, f"right after A (statistics from before A; autovacuum {autovacuum})", pid))
    started = time.perf_counter()
    cursor.execute(f"VACUUM (ANALYZE) {ESCALATION}")
    c_max.append(nothing_due(cursor, all_due, f"after VACUUM ANALYZE ({time.perf_counter() - started:.1f} s)", pid))

    print("\nB. baseline: reset, then ONE hand-written UPDATE of the window-1 rows in a transaction")
    print(f"  {reset(cursor)}")
    started = time.perf_counter()
    with transaction.atomic():
        cursor.execute(f"UPDATE {ESCALATION} SET stage = 'window1_open' WHERE stage = 'waiting'"
                       " AND window1_opens_at <= %s", [all_due])
        updated = cursor.rowcount
    update_s = time.perf_counter() - started
    check(updated == w1, f"hand-written UPDATE moved {updated:,} of {w1:,}")
    sweep_rate, update_rate = moved / wall, updated / update_s
    print(f"  UPDATE + COMMIT: {update_s:.2f} s, {update_rate:,.0f} rows/s; sweep: {sweep_rate:,.0f} rows/s; ratio sweep "
          f"÷ UPDATE: {sweep_rate / update_rate:.2f} (the sweep also sets sweep_batch, writes {result.notifications_owed:,} "
          "outbox rows and enqueues their delivery)")

    c_ok = [verdict(ms <= NOTHING_DUE_TARGET_MS) for ms in c_max]
    print(f"\ntargets: all due ≤ {ALL_DUE_TARGET_S:.0f} s {verdict(wall <= ALL_DUE_TARGET_S)} ({wall:.1f} s); "
          f"nothing due ≤ {NOTHING_DUE_TARGET_MS:.0f} ms: before A {c_ok[0]} ({c_max[0]:.1f} ms), right after A {c_ok[1]} "
          f"({c_max[1]:.1f} ms), after VACUUM ANALYZE {c_ok[2]} ({c_max[2]:.1f} ms)")
    print(f"correctness: {len(FAILURES)} failed checks; ", end="")
    print_load_at_end("times")
    for failure in FAILURES:
        print(f"  FAIL {failure}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
