"""Thin Celery tasks for service requests."""

from celery import shared_task

from .sweep import escalation_sweep


@shared_task
def escalation_sweep_task() -> dict[str, int]:
    result = escalation_sweep()
    return {"window1_opened": result.window1_opened, "window2_opened": result.window2_opened,
            "notifications_owed": result.notifications_owed}
