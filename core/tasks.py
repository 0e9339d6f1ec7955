"""Thin Celery tasks: take ids, call a service."""

import logging

from celery import shared_task

from . import notifications

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=notifications.MAX_ATTEMPTS, default_retry_delay=60, acks_late=True)
def notification_send(self, notification_id: int) -> bool:  # type: ignore[no-untyped-def]
    try:
        return notifications.notification_deliver(notification_id)
    except Exception as exc:  # delivery failed; the row is pending again, try later
        raise self.retry(exc=exc) from exc


@shared_task(acks_late=True)
def notifications_send(notification_ids: list[int]) -> int:
    """Deliver a chunk; a failure leaves that row pending for the requeue job and goes on."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += notifications.notification_deliver(notification_id)
        except Exception:  # noqa: BLE001 - recorded on the row; notifications_requeue retries it
            logger.warning("notification %s will be retried by the requeue job", notification_id)
    return sent


@shared_task
def notifications_requeue() -> int:
    return notifications.notifications_requeue()
