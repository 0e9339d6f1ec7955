"""The e-mail outbox: owe a notification inside a transaction, deliver it after commit.

    notification_queue(...)     call inside the atomic block of the change; returns the row, or None
                                when a notification with the same dedupe_key is already owed.
    notification_deliver(id)    what the Celery task runs; claims the row with a conditional update,
                                so a redelivered task or a second worker sends nothing twice.
    notifications_requeue(...)  beat job: re-sends rows whose task was lost (broker restart, crash).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification, NotificationStatus, User

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A row claimed ("sending") for longer than this is assumed lost with its worker and retried.
STALE_CLAIM = timedelta(minutes=10)


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
    subject, body = notification_render(template=template, context=context, language=language)
    row = Notification(
        kind=kind, user=user, to_email=to_email, language=language, subject=subject, body=body, dedupe_key=dedupe_key
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None  # already owed: exactly once
        raise
    notifications_dispatch_on_commit([row.pk])
    return row


def notifications_dispatch_on_commit(ids: list[int]) -> None:
    """Enqueue delivery tasks after the surrounding transaction commits (never inside it)."""
    from .tasks import notification_send

    def dispatch() -> None:
        for pk in ids:
            notification_send.delay(pk)

    transaction.on_commit(dispatch)


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
        send_mail(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.to_email], fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded and retried
        logger.warning("notification %s failed: %s", notification_id, exc)
        status = NotificationStatus.FAILED if row.attempts >= MAX_ATTEMPTS else NotificationStatus.PENDING
        Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
            status=status, last_error=str(exc)[:300], updated_at=timezone.now()
        )
        raise
    Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), last_error="", updated_at=timezone.now()
    )
    return True


def notifications_requeue(*, now: datetime | None = None, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Enqueue again what is still owed: pending rows older than `older_than`, and stale claims."""
    now = now or timezone.now()
    Notification.objects.filter(status=NotificationStatus.SENDING, updated_at__lt=now - STALE_CLAIM).update(
        status=NotificationStatus.PENDING, updated_at=now
    )
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING, created_at__lt=now - older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )
    from .tasks import notification_send

    for pk in ids:
        notification_send.delay(pk)
    return len(ids)
