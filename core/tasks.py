"""Celery tasks of the bottom layer: thin, take ids, safe to run twice; and the one guarded way to queue one."""

import logging
from collections.abc import Callable

from celery import shared_task
from django.db import transaction

from . import mail

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> bool:
    """Queue `task(*args)` now; False (logged) if the broker cannot take it.

    The caller's work is already committed and a beat sweep finds what was not queued
    (core.mail.mail_retry_unsent for the outbox), so a broker outage only delays the task:
    the request that caused it must not answer an error or hang.
    """
    try:
        task.delay(*args)
    except Exception:  # noqa: BLE001 - any broker failure (refused, timeout, Redis loading)
        logger.warning("Could not queue %s%r: the broker is unreachable; the retry sweep will do it",
                       task.name, args, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args, otherwise: Callable[[], object] | None = None) -> None:
    """Queue `task(*args)` once the current transaction commits, guarded as `enqueue` is.

    `otherwise` runs (after the commit, in the caller's process) when the broker cannot take the
    task: work that has no beat sweep to pick it up later can be done there and then instead.
    """

    def queue() -> None:
        if not enqueue(task, *args) and otherwise is not None:
            otherwise()

    transaction.on_commit(queue)


@shared_task
def mail_send_task(mail_id: int) -> bool:
    """Send one outbox mail once; a failure is recorded on the row and left to the sweep."""
    return mail.mail_send(mail_id=mail_id)


@shared_task
def mail_retry_unsent() -> int:
    """Celery beat, every five minutes: send every mail an outage held back."""
    return mail.mail_retry_unsent()
