"""Celery tasks for projects: thin, safe to run twice."""

from celery import shared_task

from .reminders import progress_report_reminders_send


@shared_task
def send_progress_report_reminders() -> int:
    """Daily: remind the party admins of reports due within 14 days and of overdue ones; returns mails sent."""
    return progress_report_reminders_send()
