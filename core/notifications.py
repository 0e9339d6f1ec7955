"""The e-mail outbox: owe a notification inside a transaction, deliver it after commit.

    notification_queue(...)      call inside the atomic block of the change; returns the row, or None
                                 when a notification with the same dedupe_key is already owed.
    notification_deliver(id)     what the Celery task runs: claims the row with a conditional update
                                 (so a redelivered task or a second worker sends nothing twice),
                                 renders it in the recipient's language, sends it.
    notifications_dispatch_batch_on_commit(batch)
                                 after a set-based INSERT of many rows sharing `batch`, enqueue their
                                 delivery in chunks once the transaction commits.
    notifications_requeue(...)   beat job (every 30 s): enqueues again what is owed and due (the broker
                                 was down at commit, a task was lost, a retry's time has come) and holds
                                 claims that went stale.

Faults. Handing a row to the broker after commit never fails the request: if the broker is down the
row stays owed and the requeue job sends it once the broker is back. Each row gets a stable
Message-ID when it is first claimed, and every send of that row carries it. A failed SMTP send is
retried later (backoff, `next_attempt_at`). A send that succeeded while the database could not
record it is recorded as soon as the database answers again, never sent again. A claim left behind
by a worker that died mid-send is ambiguous (sent or not?): it is held (`held`) and reported in the
log, not re-sent blindly; an admin can send it again with the same Message-ID.

Contexts are stored as JSON; model instances become references (`{"$model": label, "pk": n}`) and
are loaded fresh at delivery, so the e-mail shows the state when it is sent.
"""

import json
import logging
import time
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, IntegrityError, close_old_connections, models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .db import insert_unless_conflict
from .models import Notification, NotificationStatus, User

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A failed send is tried again after 30 s, 1, 2, 4 … minutes (at most an hour apart).
RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
# A row nobody has handed to a worker yet (its after-commit dispatch may still be on its way) is left
# to that dispatch for this long before the requeue job (every 30 s) enqueues it: e-mails owed while
# the broker was down go out within a minute of its return. Enqueued twice, a row is still sent once.
REQUEUE_AFTER = timedelta(seconds=15)
# A row claimed ("sending") for longer than this lost its worker mid-send: held, not re-sent blindly.
STALE_CLAIM = timedelta(minutes=10)
# How long a worker that sent an e-mail keeps trying to record it while the database is away.
RECORD_SENT_FOR = timedelta(minutes=5)
DISPATCH_CHUNK = 500
REQUEUE_LIMIT = 10_000


def model_ref(obj: models.Model) -> dict[str, Any]:
    return {"$model": obj._meta.label_lower, "pk": obj.pk}


def context_dump(context: dict[str, Any]) -> str:
    return json.dumps({k: model_ref(v) if isinstance(v, models.Model) else v for k, v in context.items()})


def context_load(text: str) -> dict[str, Any]:
    """Turn stored references back into fresh instances; a missing object becomes None."""
    context: dict[str, Any] = {}
    for key, value in json.loads(text or "{}").items():
        if isinstance(value, dict) and "$model" in value:
            model = apps.get_model(value["$model"])
            value = model._default_manager.filter(pk=value["pk"]).first()
        context[key] = value
    return context


def notification_render(*, template: str, context: dict, language: str) -> tuple[str, str]:
    """Subject and body from `<template>_subject.txt` and `<template>_body.txt`, in `language`."""
    context = {**context, "portal_url": settings.PORTAL_BASE_URL}
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip().replace("\n", " ")
        body = render_to_string(f"{template}_body.txt", context).strip() + "\n"
    return subject[:200], body


def _after_commit(dispatch: Any, what: str) -> None:
    """Hand work to the broker after commit. A broker that is down must not turn the committed change
    into an error: the rows stay owed, and notifications_requeue enqueues them when it is back."""
    def safely() -> None:
        try:
            dispatch()
        except Exception as exc:  # noqa: BLE001 - any broker failure; the outbox keeps the row
            logger.warning("broker unavailable, %s left owed for the requeue job: %s", what, exc)

    transaction.on_commit(safely)


def notification_queue(
    *,
    kind: str,
    to_email: str,
    template: str,
    context: dict,
    user: User | None = None,
    language: str | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Owe one e-mail. Call inside the transaction that made the change; it is sent after commit."""
    if language is None:
        profile = getattr(user, "profile", None) if user is not None else None
        language = profile.preferred_language if profile is not None else settings.LANGUAGE_CODE
    row = Notification(kind=kind, user=user, to_email=to_email, language=language, template=template,
                       context=context_dump(context), dedupe_key=dedupe_key)
    if not insert_unless_conflict(row):  # one statement, no savepoint; the only unique rule is the dedupe key
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None  # already owed: exactly once
        raise IntegrityError(f"notification {kind} to {to_email} refused by a unique rule")
    from .tasks import notification_send

    pk = row.pk
    _after_commit(lambda: notification_send.delay(pk), f"notification {pk}")  # after commit, never inside it
    return row


def _enqueue_chunks(ids: list[int]) -> None:
    from .tasks import notifications_send

    for start in range(0, len(ids), DISPATCH_CHUNK):
        notifications_send.delay(ids[start:start + DISPATCH_CHUNK])


def notifications_dispatch_batch_on_commit(batch: str) -> None:
    """After commit, enqueue the delivery of every notification written with this `batch`."""
    def dispatch() -> None:
        _enqueue_chunks(list(Notification.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True)))

    _after_commit(dispatch, f"notification batch {batch}")


def _message_id_domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "portal.invalid"


def email_send(row: Notification) -> None:
    """One SMTP send of the row, with its Message-ID (a retry carries the same one)."""
    message = EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.to_email],
                           headers={"Message-ID": row.message_id or make_msgid(domain=_message_id_domain())})
    message.send(fail_silently=False)


def _retry_at(attempts: int, now: datetime) -> datetime:
    return now + min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


def _record_sent(row: Notification) -> bool:
    """Mark the row sent. The e-mail is out: if the database is away (a restart), keep trying for a
    while rather than leave the row to be sent again; False if it never answered."""
    deadline = time.monotonic() + RECORD_SENT_FOR.total_seconds()
    pause = 0.5
    while True:
        try:
            now = timezone.now()
            Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENDING).update(
                status=NotificationStatus.SENT, sent_at=now, last_error="", updated_at=now, next_attempt_at=None,
                subject=row.subject, body=row.body,
            )
            return True
        except DatabaseError as exc:
            if time.monotonic() > deadline:
                logger.error("notification %s was sent (%s) but could not be recorded: %s; it will be held",
                             row.pk, row.message_id, exc)
                return False
            logger.warning("notification %s sent; recording it waits for the database: %s", row.pk, exc)
            close_old_connections()
            time.sleep(pause)
            pause = min(pause * 2, 10)


def notification_deliver(notification_id: int, *, now: datetime | None = None) -> bool:
    """Send one notification if it is still owed. Returns True when this call sent it.

    Raises when the send failed (the row is pending again, with its next attempt scheduled)."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SENDING, attempts=F("attempts") + 1, updated_at=now,
        # Set once, at the first claim: every later send of this row carries the same Message-ID.
        message_id=Coalesce(F("message_id"), Value(make_msgid(f"n{notification_id}", domain=_message_id_domain()))),
    )
    if not claimed:
        return False  # sent already, claimed by another worker, held, gone, or given up
    row = Notification.objects.get(pk=notification_id)
    try:
        if not row.body:
            row.subject, row.body = notification_render(
                template=row.template, context=context_load(row.context), language=row.language
            )
        email_send(row)
    except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded and retried
        logger.warning("notification %s failed (attempt %s): %s", notification_id, row.attempts, exc)
        give_up = row.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
            status=NotificationStatus.FAILED if give_up else NotificationStatus.PENDING,
            last_error=str(exc)[:300], updated_at=timezone.now(),
            next_attempt_at=None if give_up else _retry_at(row.attempts, timezone.now()),
        )
        if give_up:
            logger.error("notification %s failed %s times and is given up: %s", notification_id, row.attempts, exc)
        raise
    return _record_sent(row)


def notifications_hold_stale(*, now: datetime) -> int:
    """Hold claims older than STALE_CLAIM: their worker stopped mid-send, so they may have gone out."""
    held_ids = list(
        Notification.objects.filter(status=NotificationStatus.SENDING, updated_at__lt=now - STALE_CLAIM)
        .values_list("pk", flat=True)[:REQUEUE_LIMIT]
    )
    held = Notification.objects.filter(pk__in=held_ids, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.HELD, updated_at=now,
        last_error="Held: its worker stopped mid-send, so it may have gone out. Not re-sent; send again from the admin.",
    )
    if held:
        logger.error("notifications held (claimed over %s ago, outcome unknown, not re-sent): %s ids=%s",
                     STALE_CLAIM, held, held_ids[:50])
    return held


def notifications_requeue(*, now: datetime | None = None) -> int:
    """Hold stale claims, then enqueue again what is owed and due; returns how many it enqueued and
    logs both counts (the operators' view of what the outbox is doing)."""
    now = now or timezone.now()
    held = notifications_hold_stale(now=now)
    due = Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lt=now - REQUEUE_AFTER)
    ids = list(
        Notification.objects.filter(due, status=NotificationStatus.PENDING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:REQUEUE_LIMIT]
    )
    _enqueue_chunks(ids)
    logger.info("notifications requeue: enqueued=%s held=%s", len(ids), held,
                extra={"enqueued": len(ids), "held": held})
    return len(ids)


def notifications_release_held(ids: list[int]) -> int:
    """An admin's decision to send held rows again: they go back to pending with their Message-ID,
    so a provider that keeps Message-IDs drops a copy the customer already has."""
    return Notification.objects.filter(pk__in=ids, status=NotificationStatus.HELD).update(
        status=NotificationStatus.PENDING, next_attempt_at=timezone.now(), updated_at=timezone.now(),
    )
