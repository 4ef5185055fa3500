"""The one mail path: every e-mail is a subject / text / HTML template set, queued in the outbox.

    mail_queue(template="gardens/email/invitation", to=[...], context={...}, key="gardens.invitation:7:1")

renders the three templates in the portal's language with absolute links (`absolute_url`),
stores the result as a `Mail` row inside the caller's transaction and, once that commits,
asks Celery to send it. `mail_send` sends a row at most once (row lock + `sent_at`), and
`mail_retry_unsent` (Celery beat) sends whatever an outage held back, with growing pauses.
"""

import datetime
import html as html_lib
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Mail

logger = logging.getLogger(__name__)

# A fresh mail is left to the task queued on commit for this long before the sweep takes it.
SWEEP_GRACE = datetime.timedelta(minutes=1)
# Pauses between attempts grow 2, 4, 8 … minutes up to six hours; a mail is never given up.
MAX_PAUSE = datetime.timedelta(hours=6)
SWEEP_BATCH = 200


def absolute_url(path: str) -> str:
    """`path` on the portal's public address (tasks have no request: settings.PORTAL_BASE_URL)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def mail_subject(template: str, context: dict) -> str:
    """The subject line of `template`: plain text, so the template's HTML autoescaping is undone."""
    return _subject(html_lib.unescape(render_to_string(f"{template}_subject.txt", context)))


def _subject(text: str) -> str:
    prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
    return (prefix + " ".join(text.split()))[:300]


def mail_render(template: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of `template` (`<template>_subject.txt`, `.txt`, `.html`) in bokmål."""
    # The recipients' language is unknown; the portal's default language (bokmål) it is.
    with translation.override(settings.LANGUAGE_CODE):
        subject = mail_subject(template, context)
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    return subject, text, html


def mail_queue(
    *, template: str, to: Iterable[str], context: dict, key: str | None = None, reply_to: Iterable[str] = ()
) -> Mail | None:
    """Queue one e-mail in the caller's transaction; sent after commit. None if nobody to send to.

    With `key`, a second call for the same event returns the first mail instead of a new one.
    """
    if not any(to):
        return None
    if key is not None and (existing := Mail.objects.filter(key=key).first()) is not None:
        return existing
    subject, text, html = mail_render(template, context)
    return mail_queue_rendered(template=template, to=to, subject=subject, text=text, html=html, key=key,
                               reply_to=reply_to)


def mail_queue_rendered(
    *, template: str, to: Iterable[str], subject: str, text: str, html: str, key: str | None = None,
    reply_to: Iterable[str] = (),
) -> Mail | None:
    """Queue a mail rendered elsewhere (allauth's account mails) on the same path; None if nobody to send to."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    mail = Mail.objects.create(
        key=key, template=template[:120], to=recipients, reply_to=[a for a in reply_to if a],
        subject=subject[:300], text=text, html=html,
    )
    # If the broker is down the row is safe in the outbox and the retry sweep sends it later.
    from .tasks import enqueue_on_commit, mail_send_task

    enqueue_on_commit(mail_send_task, mail.pk)
    return mail


def mail_cancel(mail: Mail | None) -> bool:
    """Keep a mail that has not gone out yet from being sent (what it said no longer holds)."""
    if mail is None:
        return False
    return bool(Mail.objects.filter(pk=mail.pk, sent_at__isnull=True, cancelled_at__isnull=True)
                .update(cancelled_at=timezone.now()))


def _pause(attempts: int) -> datetime.timedelta:
    return min(datetime.timedelta(minutes=2 ** max(attempts, 1)), MAX_PAUSE)


def mail_message_id(mail: Mail) -> str:
    """The same Message-ID every time this outbox row is sent.

    The row stays locked while the mail server is talked to, so two workers never both send it;
    only a crash after the server accepted the mail and before the commit sends it again, and
    then mail programs recognise the second copy as the same message.
    """
    host = urlsplit(settings.PORTAL_BASE_URL).hostname or "localhost"
    return f"<outbox.{mail.pk}.{mail.created_at:%Y%m%d%H%M%S}@{host}>"


def mail_send(*, mail_id: int) -> bool:
    """Send one outbox mail unless it is sent already (or another worker holds it); True if sent now.

    The row stays locked while the server is talked to, so two workers never both send it.
    A failure rolls back, then records the attempt and when to try again.
    """
    try:
        with transaction.atomic():
            mail = (
                Mail.objects.select_for_update(skip_locked=True)
                .filter(pk=mail_id, sent_at__isnull=True, cancelled_at__isnull=True)
                .first()
            )
            if mail is None:
                return False
            message = EmailMultiAlternatives(subject=mail.subject, body=mail.text, to=mail.to,
                                             reply_to=mail.reply_to or None,
                                             headers={"Message-ID": mail_message_id(mail)})
            if mail.html:
                message.attach_alternative(mail.html, "text/html")
            message.send()
            Mail.objects.filter(pk=mail.pk).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1, last_error="", next_attempt_at=None
            )
    except Exception as error:  # noqa: BLE001 - any failure to send: try again later
        attempts = (Mail.objects.filter(pk=mail_id).values_list("attempts", flat=True).first() or 0) + 1
        Mail.objects.filter(pk=mail_id, sent_at__isnull=True).update(
            attempts=attempts, last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=timezone.now() + _pause(attempts),
        )
        logger.warning("Mail %s not sent (attempt %s): %s; it will be tried again", mail_id, attempts, error)
        return False
    return True


def unsent_mail_ids(now: datetime.datetime | None = None) -> list[int]:
    """Mails not yet sent whose turn has come (fresh ones are left to their own task for a minute)."""
    now = now or timezone.now()
    return list(
        Mail.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True, created_at__lte=now - SWEEP_GRACE)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def mail_retry_unsent() -> int:
    """Send what an outage held back; returns how many went out. Safe to run twice."""
    return sum(mail_send(mail_id=pk) for pk in unsent_mail_ids())
