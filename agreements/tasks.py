"""Celery tasks for agreements: thin, call a service, safe to run twice (each row is marked when queued)."""

from celery import shared_task

from . import services


@shared_task
def send_meeting_reminders() -> int:
    """Daily: remind the parties' admins of meetings in the coming week; returns mails queued."""
    return services.meeting_reminders_send()


@shared_task
def send_overdue_action_reminders() -> int:
    """Daily: remind owners of overdue action items; returns mails queued."""
    return services.overdue_action_reminders_send()
