"""Thin Celery tasks: take an id, call a service."""

from celery import shared_task

from . import notifications


@shared_task(bind=True, max_retries=notifications.MAX_ATTEMPTS, default_retry_delay=60, acks_late=True)
def notification_send(self, notification_id: int) -> bool:  # type: ignore[no-untyped-def]
    try:
        return notifications.notification_deliver(notification_id)
    except Exception as exc:  # delivery failed; the row is pending again, try later
        raise self.retry(exc=exc) from exc


@shared_task
def notifications_requeue() -> int:
    return notifications.notifications_requeue()
