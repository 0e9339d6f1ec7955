"""Thin Celery tasks: take ids, call a service."""

import logging

from celery import shared_task

from . import notifications

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def notification_send(notification_id: int) -> bool:
    """A failed send is recorded on the row with its next attempt; notifications_requeue retries it."""
    try:
        return notifications.notification_deliver(notification_id)
    except Exception:  # noqa: BLE001 - recorded on the row
        logger.warning("notification %s will be retried by the requeue job", notification_id)
        return False


@shared_task(acks_late=True)
def notifications_send(notification_ids: list[int]) -> int:
    """Deliver a chunk; a failure leaves that row pending for the requeue job and goes on."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += notifications.notification_deliver(notification_id)
        except Exception:  # noqa: BLE001 - recorded on the row; notifications_requeue retries it
            logger.warning("notification %s will be retried by the requeue job", notification_id)
    logger.info("notifications sent: %s of %s", sent, len(notification_ids),
                extra={"sent": sent, "asked": len(notification_ids)})
    return sent


@shared_task
def notifications_requeue() -> int:
    return notifications.notifications_requeue()


@shared_task
def signups_expired_purge() -> int:
    from core import signup

    return signup.signups_expired_purge()
