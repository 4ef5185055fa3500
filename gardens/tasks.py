"""Celery tasks for gardens: thin, take ids, call a service, safe to run twice."""

import logging
import smtplib

from celery import shared_task

from .services import invitation_email_send

logger = logging.getLogger(__name__)


# A mail-server outage must not drop an invitation: retry with growing pauses
# (1 s, 2 s, 4 s … with jitter). sent_at stays empty until a send succeeds.
@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_invitation_task(invitation_id: int) -> bool:
    """E-mail the invitation link; does nothing if the invitation is closed or already sent."""
    return invitation_email_send(invitation_id=invitation_id)


# Help requests: a mail-server outage is logged, not retried here; notified_at/emailed_at stay
# empty and retry_unsent_help_requests (Celery beat, every five minutes) sends them later.
_MAIL_ERRORS = (smtplib.SMTPException, OSError)


@shared_task
def notify_help_request_task(request_id: int) -> bool:
    """E-mail the garden about a new help request; does nothing if it was already sent."""
    from .help_services import help_request_notify

    try:
        return help_request_notify(help_request_id=request_id)
    except _MAIL_ERRORS:
        logger.warning("Mail server unavailable; help request %s left for the periodic retry", request_id)
        return False


@shared_task
def send_help_answer_task(message_id: int) -> bool:
    """E-mail an answer to the requester; does nothing if it was already sent."""
    from .help_services import help_answer_email_send

    try:
        return help_answer_email_send(message_id=message_id)
    except _MAIL_ERRORS:
        logger.warning("Mail server unavailable; help answer %s left for the periodic retry", message_id)
        return False


@shared_task
def retry_unsent_help_requests() -> int:
    """Send what an outage held back: notifications and answers older than a minute. Safe to run twice."""
    from .help_services import unsent_answer_ids, unsent_help_request_ids

    sent = sum(notify_help_request_task(pk) for pk in unsent_help_request_ids())
    return sent + sum(send_help_answer_task(pk) for pk in unsent_answer_ids())
