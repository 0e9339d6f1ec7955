"""Thin Celery tasks for appointments."""

from celery import shared_task

from . import services


@shared_task
def appointment_reminders_send() -> int:
    return services.appointment_reminders_send()
