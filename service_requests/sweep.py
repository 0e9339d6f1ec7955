"""The escalation sweep (R11): state-driven, set-based, idempotent, safe with several workers.

One run, whatever the number of due requests, is three statements in one transaction:
  1. move every open request whose window 1 has opened from `waiting` to `window1_open`;
  2. move every one whose window 2 has opened from `sc_inquiry_sent` to `window2_open`;
  3. owe one e-mail per moved request with a single INSERT … SELECT (each with a unique dedupe key).
Each UPDATE re-checks the stage it moves from, so a second run, or a second worker racing on the
same rows (it waits on their locks, then finds them moved), changes nothing and owes nothing. After
commit the owed e-mails are handed to the workers in chunks; if the broker is down then, the sweep
has still done its work (the rows are committed and owed), and the re-send job hands them over once
the broker is back. Deadlines are rows, never task ETAs, so a sweep after downtime catches up by itself.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from core.models import Notification, User
from core.notifications import notifications_dispatch_batch_on_commit
from core.observability import sweep_record

from .models import CONFIDENTIAL_CLASSES, Escalation, ServiceRequest
from .rules import PROTECTED_EMAIL
from .windows import Stage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    as_of: datetime
    dry_run: bool
    window1_opened: int
    window2_opened: int
    notifications_owed: int


def _due(now: datetime) -> tuple:  # (window-1 queryset, window-2 queryset)
    # `waiting` and `sc_inquiry_sent` mean "open and unanswered": the services keep the stage in step.
    return (
        Escalation.objects.filter(stage=Stage.WAITING, window1_opens_at__lte=now),
        Escalation.objects.filter(stage=Stage.SC_INQUIRY_SENT, window2_opens_at__lte=now),
    )


def _owe_window_emails(*, batch: str, now: datetime) -> int:  # now: when the rows are written
    """One INSERT … SELECT: an e-mail for each request this run moved. Portable SQL (Postgres and
    SQLite both take `ON CONFLICT … DO NOTHING` and `||`)."""
    sr, user, outbox = ServiceRequest._meta.db_table, User._meta.db_table, Notification._meta.db_table
    escalation = Escalation._meta.db_table
    sql = f"""
        INSERT INTO {outbox} (kind, user_id, to_email, language, template, context, batch, subject, body,
                              dedupe_key, status, attempts, last_error, created_at, updated_at)
        SELECT 'service_request.' || e.stage,
               sr.customer_id,
               COALESCE(u.email, sr.contact_email),
               sr.language,
               CASE WHEN sr.case_class IN (%s, %s, %s) THEN %s ELSE 'service_requests/email/' || e.stage END,
               '{{"request": {{"$model": "service_requests.servicerequest", "pk": ' || CAST(sr.id AS VARCHAR(20)) || '}}}}',
               %s, '', '',
               'service_request.' || e.stage || ':' || CAST(sr.id AS VARCHAR(20)),
               'pending', 0, '', %s, %s
        FROM {escalation} e JOIN {sr} sr ON sr.id = e.request_id LEFT JOIN {user} u ON u.id = sr.customer_id
        WHERE e.sweep_batch = %s AND e.stage IN (%s, %s)
        ON CONFLICT (dedupe_key) DO NOTHING
    """  # noqa: S608 - table names come from model metadata, values are parameters
    with connection.cursor() as cursor:
        # Protected (VAWA, T, U) requests get the e-mail that says only "sign in" (rules.email_template).
        protected = sorted(str(c) for c in CONFIDENTIAL_CLASSES)
        cursor.execute(sql, [*protected, PROTECTED_EMAIL, batch, now, now, batch, Stage.WINDOW1_OPEN, Stage.WINDOW2_OPEN])
        return max(cursor.rowcount, 0)


# After a mass move (a first run after long downtime, a backlog) the statistics no longer describe the
# table: refresh them so the INSERT … SELECT joins by hash, and the next sweeps find (no) due rows
# through the partial indexes. Ordinary runs stay at three statements.
LARGE_MOVE = 100_000


def _refresh_statistics_in_transaction() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Escalation._meta.db_table}")  # noqa: S608 - a model's table name


def _vacuum_after_commit() -> None:
    """Postgres: clear the dead row versions a large sweep leaves, once it has committed (VACUUM
    cannot run inside a transaction; autovacuum would get there too, later)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {Escalation._meta.db_table}")  # noqa: S608


def escalation_sweep(*, now: datetime | None = None, dry_run: bool = False) -> SweepResult:
    """Bring every open request to the stage its windows say, and owe each notification once."""
    now = now or timezone.now()
    window1, window2 = _due(now)
    if dry_run:
        return SweepResult(now, True, window1.count(), window2.count(), 0)
    batch = uuid.uuid4().hex
    started = time.perf_counter()
    with transaction.atomic():
        opened1 = window1.update(stage=Stage.WINDOW1_OPEN, sweep_batch=batch)
        opened2 = window2.update(stage=Stage.WINDOW2_OPEN, sweep_batch=batch)
        if opened1 + opened2 >= LARGE_MOVE:
            _refresh_statistics_in_transaction()
            transaction.on_commit(_vacuum_after_commit)
        # Outbox rows are dated when they are written, never by --as-of: the re-send job goes by
        # their age, and a row dated in the future would wait for that date if its task were lost.
        owed = _owe_window_emails(batch=batch, now=timezone.now()) if opened1 or opened2 else 0
        if owed:
            notifications_dispatch_batch_on_commit(batch)
    duration = time.perf_counter() - started
    logger.info("escalation sweep: window1_opened=%s window2_opened=%s notifications_owed=%s duration_ms=%.1f",
                opened1, opened2, owed, duration * 1000,
                extra={"window1_opened": opened1, "window2_opened": opened2, "notifications_owed": owed,
                       "duration_ms": round(duration * 1000, 1)})
    sweep_record(duration=duration, window1_opened=opened1, window2_opened=opened2, notifications_owed=owed)
    return SweepResult(now, False, opened1, opened2, owed)
