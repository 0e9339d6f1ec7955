"""What the benchmark scripts share: the database, Django, the header, gunicorn, and the 1M-row loaders' pieces.

Import it only after the script's sys.path fix (the block at the top of each script): run as a script, bench/
stands first on sys.path and bench/queue.py shadows the standard library's `queue`, which psycopg imports.
"""

import http.client
import os
import socket
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SR, ESCALATION = "service_requests_servicerequest", "service_requests_escalation"
ET = "America/New_York"


def ensure_database(url: str, script_name: str) -> tuple[str, str]:
    """Refuse non-Postgres URLs; create the database if it does not exist. Returns (host:port, db name)."""
    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"} or not dbname:
        sys.exit(f"bench/{script_name} needs a Postgres DATABASE_URL with a database name, got scheme {parts.scheme!r}.")
    maintenance = parts._replace(scheme="postgresql", path="/postgres").geturl()
    try:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    except psycopg.OperationalError as exc:
        sys.exit(f"Cannot reach Postgres at {parts.hostname}:{parts.port or 5432}: {exc}")
    return f"{parts.hostname}:{parts.port or 5432}", dbname


def django_setup(url: str, *, force_debug_off: bool = True, **env: str) -> None:
    """Point Django at `url` (local settings, DEBUG off: forced, or unless DJANGO_DEBUG says otherwise; persistent
    connections for 60 s as in production), add `env` to the environment (gunicorn inherits it), and set Django up."""
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="uscis_portal.settings.local",
                      DATABASE_CONN_MAX_AGE=os.environ.get("DATABASE_CONN_MAX_AGE", "60"), **env)
    if force_debug_off:
        os.environ["DJANGO_DEBUG"] = "0"
    else:
        os.environ.setdefault("DJANGO_DEBUG", "0")
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: collectstatic not run
    import django

    django.setup()


def reference_data(*, schedules: bool = True) -> int:
    """Migrate, load the office directory (and the appointment schedules). Returns the directory rows created."""
    from django.core.management import call_command

    from appointments.services import schedules_load
    from offices.services import directory_load

    call_command("migrate", verbosity=0)
    created = sum(directory_load().values())
    if schedules:
        schedules_load()
    return created


# A figure is a claim only on a quiet machine: above this 1-minute load average at start, no target is claimed.
QUIET_LOAD = 1.0
_load_at_start: list[float] = []


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def note_load_at_start() -> float:
    """Record the 1-minute load average now as the run's start (print_header does it). Returns it."""
    load = os.getloadavg()[0]
    _load_at_start[:] = [load]
    return load


def settle(limit_s: float = 120.0, poll_s: float = 5.0) -> float:
    """Wait (at most `limit_s`) for the 1-minute load average to fall to QUIET_LOAD, so that a bench's own
    set-up (creating data, collecting static files) is not counted as other work at its start. Returns the
    seconds waited; the load when measuring starts is what print_header records."""
    started = time.monotonic()
    while os.getloadavg()[0] > QUIET_LOAD and time.monotonic() - started < limit_s:
        time.sleep(poll_s)
    return time.monotonic() - started


def quiet_at_start() -> bool:
    return bool(_load_at_start) and _load_at_start[0] <= QUIET_LOAD


def verdict(met: bool) -> str:
    """"met" or "short" for a target, on a machine that was quiet at start; otherwise the figure stands
    but no claim is made: "not claimed (… load …)" says which way it went."""
    if quiet_at_start():
        return "met" if met else "short"
    load = f"{_load_at_start[0]:.2f}" if _load_at_start else "unknown"
    return f"not claimed (load {load} at start > {QUIET_LOAD:.1f}; would be {'met' if met else 'short'})"


def one(cursor, query: str, params=None, row: bool = False):  # the first row, or its first value
    cursor.execute(query, params)
    return cursor.fetchone() if row else cursor.fetchone()[0]


def print_header(title: str, server: str, dbname: str, *, all_cpus: bool = False, database: str | None = None,
                 settings_note: str = "") -> None:
    """The title, the machine (cores this process may use, or with all_cpus every CPU the OS has), Python and
    Django versions, and the database (default: "Postgres <server_version>"), DEBUG and `settings_note`."""
    import django
    from django.conf import settings
    from django.db import connection

    if database is None:
        with connection.cursor() as cursor:
            database = f"Postgres {one(cursor, 'SHOW server_version')}"
    cpus = f"{os.cpu_count()} CPUs" if all_cpus else f"{len(os.sched_getaffinity(0))} cores"
    load = note_load_at_start()
    print(title)
    print(f"  machine: {cpus} (load average at start {load_average()}), Python {sys.version.split()[0]}, "
          f"Django {django.get_version()}")
    if load > QUIET_LOAD:
        print(f"  NOTE: load {load:.2f} > {QUIET_LOAD:.1f} at start: the figures are printed, no target is claimed.")
    print(f"  database: {database} at {server}/{dbname} (DEBUG={settings.DEBUG}){settings_note}")


def print_load_at_end(what: str = "rates") -> None:
    print(f"load average at end: {load_average()} (other work on the machine skews the {what})")
    if not quiet_at_start():
        start = f"{_load_at_start[0]:.2f}" if _load_at_start else "not recorded"
        print(f"load at start was {start} (> {QUIET_LOAD:.1f}): no target is claimed from this run; rerun on a quiet "
              f"machine.")


def cpu_seconds(pid: int | None) -> float:
    """utime + stime of a process on this machine, from /proc; 0 for None or a process that is gone."""
    stat = Path(f"/proc/{pid}/stat")
    if pid is None or not stat.exists():
        return 0.0
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_ticks() -> list[int]:
    """The jiffies of all CPUs by state (user, nice, system, idle, iowait, irq, softirq, steal, …), from /proc/stat."""
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs (busy: all but idle and iowait)."""
    ticks = _cpu_ticks()
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


class CpuShares:
    """Where the machine's CPU went between start() and stop(): busy and stolen (by the hypervisor) shares of all
    cores, the CPU-seconds of the given server processes, of this process's finished children (the load tool),
    and the rest (Postgres, Redis, anything else)."""

    def __init__(self, server_pids: list[int]) -> None:
        self.pids = server_pids

    @staticmethod
    def _snapshot(pids: list[int]) -> tuple[list[int], float, float]:
        import resource

        ticks = _cpu_ticks()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ticks, sum(cpu_seconds(p) for p in pids), children.ru_utime + children.ru_stime

    def start(self) -> "CpuShares":
        self.before = self._snapshot(self.pids)
        return self

    def stop(self) -> str:
        (t0, server0, tool0), (t1, server1, tool1) = self.before, self._snapshot(self.pids)
        delta = [b - a for a, b in zip(t0, t1, strict=False)]
        total, hz = sum(delta) or 1, os.sysconf("SC_CLK_TCK")
        busy, steal = sum(delta) - delta[3] - delta[4], delta[7] if len(delta) > 7 else 0
        busy_s, server, tool = (busy - steal) / hz, server1 - server0, tool1 - tool0
        return (f"machine CPU busy {busy / total:.0%} of {len(os.sched_getaffinity(0))} cores (stolen by the "
                f"hypervisor {steal / total:.0%}); server workers {server:.1f} CPU-s, load tool {tool:.1f} CPU-s, "
                f"the rest (Postgres, Redis, other) {max(0.0, busy_s - server - tool):.1f} CPU-s")


@contextmanager
def gunicorn(app: str, options: list[str], log_path: Path, env: dict[str, str] | None = None):
    """Serve `app` (cwd: the project root; env: this process's, or `env`) on a free port of 127.0.0.1; once
    /healthz answers 200, yield (port, pids of the workers running then); always stop the server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with log_path.open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", *options],
                                  cwd=ROOT, env=env or os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while server.poll() is None and time.monotonic() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.2)
        else:
            sys.exit(f"gunicorn did not answer /healthz:\n{log_path.read_text(errors='replace')[-3000:]}")
        workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        yield port, [int(pid) for pid in workers]
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _production_workers() -> tuple[int, int]:
    cores = len(os.sched_getaffinity(0))
    return cores, 2 * cores + 1


def production_server_note() -> str:
    """How `production_gunicorn` serves, for a benchmark's header."""
    cores, workers = _production_workers()
    return f"gunicorn --workers {workers} (2 × {cores} cores + 1), --worker-class sync, --backlog 2048"


@contextmanager
def production_gunicorn(log_path: Path, env: dict[str, str] | None = None, access_log: Path | None = None):
    """The portal served as in production (sync workers, 2 × cores + 1, backlog 2,048) by `gunicorn`;
    yields (port, worker pids). appointments.py and soak.py measure through it. With `access_log`, each
    answer is logged there as "METHOD PATH STATUS MICROSECONDS" (the worker's time on the request, not
    its wait in the listen backlog)."""
    _cores, workers = _production_workers()
    options = ["--workers", str(workers), "--worker-class", "sync", "--backlog", "2048"]
    if access_log is not None:
        options += ["--access-logfile", str(access_log), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]
    with gunicorn("uscis_portal.wsgi:application", options, log_path, env=env) as served:
        yield served


# The 1M-row loaders (queue.py, sweep.py): bench customers, and one escalation row per service request.

def customers_load(cursor, domain: str, count: int, *, spanish_every: int = 0) -> list[int]:
    """Replace the customers bench-N<domain> (profile ZIPs spread over the country; every `spanish_every`-th
    prefers Spanish). Returns their ids, in order."""
    like = f"%{domain}"
    language = f"CASE WHEN id %% {spanish_every} = 0 THEN 'es' ELSE 'en' END" if spanish_every else "'en'"
    cursor.execute("DELETE FROM core_customerprofile WHERE user_id IN (SELECT id FROM core_user WHERE email LIKE %s)", [like])
    cursor.execute("DELETE FROM core_user WHERE email LIKE %s", [like])
    cursor.execute("INSERT INTO core_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
                   " is_active, date_joined, role, signup_pending) SELECT '!', false, 'bench-' || n || %(d)s, 'Bench',"
                   " 'Customer ' || n, 'bench-' || n || %(d)s, false, true, now(), 'customer', false FROM generate_series(1, %(n)s) n",
                   {"d": domain, "n": count})
    cursor.execute("INSERT INTO core_customerprofile (created_at, updated_at, user_id, country, zip_code, preferred_language,"
                   f" phone) SELECT now(), now(), id, 'US', (10001 + id %% 89000)::text, {language}, '' FROM core_user"
                   " WHERE email LIKE %s", [like])
    return one(cursor, "SELECT array_agg(id ORDER BY id) FROM core_user WHERE email LIKE %s", [like])


def window_sql(start: str, days: int) -> str:
    """SQL for service_requests.windows.opens_at(start, days, calendar): the start of the day `days` calendar days
    after `start`'s date, Eastern time (NULL when `start` is NULL)."""
    return f"(date_trunc('day', {start} AT TIME ZONE '{ET}') + interval '{days} days') AT TIME ZONE '{ET}'"


def escalations_load(cursor, stage_sql: str) -> int:
    """One escalation row per service request, by INSERT … SELECT from the request rows: window 1 from created_at,
    window 2 from service_center_inquiry_at (default policy: 15 and 21 calendar days), no sweep batch. `stage_sql`
    may use the request's columns and w1 (window 1). Returns the rows inserted."""
    cursor.execute(f"""
        INSERT INTO {ESCALATION} (request_id, stage, window1_opens_at, window2_opens_at, sweep_batch)
        SELECT id, {stage_sql}, w1, w2, NULL
        FROM (SELECT sr.*, {window_sql('created_at', 15)} AS w1, {window_sql('service_center_inquiry_at', 21)} AS w2
              FROM {SR} sr) s""")
    return cursor.rowcount


def windows_mismatches(cursor, sample: int) -> int:
    """Compare the escalation windows of `sample` requests (a repeatable 1 % block sample) with
    service_requests.windows under the default policy. Returns the rows that differ."""
    from service_requests.windows import WindowPolicy, window1_opening, window2_opening

    cursor.execute(f"SELECT sr.created_at, sr.service_center_inquiry_at, e.window1_opens_at, e.window2_opens_at"
                   f" FROM {SR} sr TABLESAMPLE SYSTEM (1) REPEATABLE (7) JOIN {ESCALATION} e ON e.request_id = sr.id"
                   f" LIMIT {sample}")
    policy, bad = WindowPolicy(), 0
    for created, inquiry, w1, w2 in cursor.fetchall():
        second = window2_opening(inquiry, policy) if inquiry is not None else None
        bad += window1_opening(created, policy) != w1 or second != w2
    return bad
