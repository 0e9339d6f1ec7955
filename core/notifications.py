"""The e-mail outbox: owe a notification inside a transaction, deliver it after commit.

    notification_queue(...)      call inside the atomic block of the change; returns the row, or None
                                 when a notification with the same dedupe_key is already owed.
    notification_deliver(id)     what the Celery task runs: claims the row with a conditional update
                                 (so a redelivered task or a second worker sends nothing twice),
                                 renders it in the recipient's language, sends it.
    notifications_dispatch_batch_on_commit(batch)
                                 after a set-based INSERT of many rows sharing `batch`, enqueue their
                                 delivery in chunks once the transaction commits.
    notifications_requeue(...)   beat job: re-sends rows whose task was lost (broker restart, crash).

Contexts are stored as JSON; model instances become references (`{"$model": label, "pk": n}`) and
are loaded fresh at delivery, so the e-mail shows the state when it is sent.
"""

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification, NotificationStatus, User

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A row claimed ("sending") for longer than this is assumed lost with its worker and retried.
STALE_CLAIM = timedelta(minutes=10)
DISPATCH_CHUNK = 500


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
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None  # already owed: exactly once
        raise
    from .tasks import notification_send

    pk = row.pk
    # After commit, never inside it; robust, so a broker outage leaves the row pending for the
    # re-send job instead of failing the request that owed it.
    transaction.on_commit(lambda: _enqueue_or_leave_pending(lambda: notification_send.delay(pk), 1), robust=True)
    return row


def _enqueue_or_leave_pending(enqueue: Any, count: int) -> None:
    """Run an enqueue after commit; with the broker down, say so in one line and leave the rows
    pending: the change is committed, and notifications_requeue hands them over later."""
    try:
        enqueue()
    except Exception as exc:  # noqa: BLE001 - kombu raises various connection errors when the broker is down
        logger.warning("broker unavailable (%s): %s notification(s) stay pending for the re-send job", exc, count)


def _enqueue_chunks(ids: list[int]) -> None:
    from .tasks import notifications_send

    for start in range(0, len(ids), DISPATCH_CHUNK):
        notifications_send.delay(ids[start:start + DISPATCH_CHUNK])


def notifications_dispatch_batch_on_commit(batch: str) -> None:
    """After commit, enqueue the delivery of every notification written with this `batch`."""
    def dispatch() -> None:
        ids = list(Notification.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
        _enqueue_or_leave_pending(lambda: _enqueue_chunks(ids), len(ids))

    # robust: a broker outage after commit must not turn the committed change into an error; the
    # rows stay pending and notifications_requeue hands them over when the broker is back.
    transaction.on_commit(dispatch, robust=True)


def notification_deliver(notification_id: int, *, now: datetime | None = None) -> bool:
    """Send one notification if it is still owed. Returns True when this call sent it."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return False  # sent already, claimed by another worker, gone, or given up
    row = Notification.objects.get(pk=notification_id)
    try:
        if not row.body:
            row.subject, row.body = notification_render(
                template=row.template, context=context_load(row.context), language=row.language
            )
        send_mail(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.to_email], fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded and retried
        logger.warning("notification %s failed: %s", notification_id, exc)
        status = NotificationStatus.FAILED if row.attempts >= MAX_ATTEMPTS else NotificationStatus.PENDING
        Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
            status=status, last_error=str(exc)[:300], updated_at=timezone.now()
        )
        raise
    Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), last_error="", updated_at=timezone.now(),
        subject=row.subject, body=row.body,
    )
    return True


# Pending rows older than this are handed to the workers again. Short, so that e-mails owed while the
# broker was down go out within a minute of its return (beat runs the job every REQUEUE_AFTER); a
# row enqueued twice is still sent once (notification_deliver claims it).
REQUEUE_AFTER = timedelta(seconds=30)


def notifications_requeue(*, now: datetime | None = None, older_than: timedelta = REQUEUE_AFTER) -> int:
    """Enqueue again what is still owed: pending rows older than `older_than`, and stale claims."""
    now = now or timezone.now()
    Notification.objects.filter(status=NotificationStatus.SENDING, updated_at__lt=now - STALE_CLAIM).update(
        status=NotificationStatus.PENDING, updated_at=now
    )
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING, created_at__lt=now - older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:10_000]
    )
    _enqueue_chunks(ids)
    return len(ids)
