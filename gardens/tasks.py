"""Celery tasks for gardens: thin, take ids, call a service, safe to run twice."""

import smtplib

from celery import shared_task

from .services import invitation_email_send


# A mail-server outage must not drop an invitation: retry with growing pauses
# (1 s, 2 s, 4 s … with jitter). sent_at stays empty until a send succeeds.
@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_invitation_task(invitation_id: int) -> bool:
    """E-mail the invitation link; does nothing if the invitation is closed or already sent."""
    return invitation_email_send(invitation_id=invitation_id)
