"""Celery tasks of the bottom layer: thin, take ids, safe to run twice."""

from celery import shared_task

from . import mail


@shared_task
def mail_send_task(mail_id: int) -> bool:
    """Send one outbox mail once; a failure is recorded on the row and left to the sweep."""
    return mail.mail_send(mail_id=mail_id)


@shared_task
def mail_retry_unsent() -> int:
    """Celery beat, every five minutes: send every mail an outage held back."""
    return mail.mail_retry_unsent()
