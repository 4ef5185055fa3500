"""The one mail path: template sets rendered in bokmål with absolute links, queued in the outbox
inside the change's transaction, sent once, and retried by one sweep until the server takes it."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation

from core import mail as outbox
from core.models import Mail
from core.tasks import mail_send_task

pytestmark = pytest.mark.django_db

TEMPLATE = "members/email/transfer_cancelled"


@pytest.fixture
def mail_context(garden_a, garden_b):
    from members.models import TransferRequest

    transfer = TransferRequest.objects.create(from_garden=garden_a, to_garden=garden_b)
    return {"transfer": transfer, "targets": [], "url": outbox.absolute_url("/g/alfa/overforinger/1/")}


def queue(mail_context, **extra):
    return outbox.mail_queue(template=TEMPLATE, to=["b@example.org", "a@example.org", ""], context=mail_context,
                             **extra)


def test_a_mail_is_rendered_when_queued_and_sent_after_commit(mail_context, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with translation.override("en"):
            queued = queue(mail_context)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    [message] = mail.outbox
    assert message.to == ["a@example.org", "b@example.org"]  # sorted, blanks dropped
    assert message.subject.startswith("[Næringshagenettverket] ")
    assert "er avbrutt" in message.body  # bokmål, whatever language the person browsed in
    assert "http://127.0.0.1:8000/g/alfa/overforinger/1/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and 'href="http://127.0.0.1:8000/g/alfa/overforinger/1/"' in html
    queued.refresh_from_db()
    assert queued.sent_at is not None and queued.attempts == 1


def test_nothing_is_queued_when_the_change_rolls_back(mail_context, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            queue(mail_context)
            raise RuntimeError("a later step failed")
    assert not Mail.objects.exists() and mail.outbox == []


def test_no_recipient_means_no_mail(mail_context):
    assert outbox.mail_queue(template=TEMPLATE, to=["", None], context=mail_context) is None
    assert not Mail.objects.exists()


def test_the_same_event_queued_twice_is_one_mail(mail_context):
    first = queue(mail_context, key="members.transfer:1:cancelled:1")
    assert queue(mail_context, key="members.transfer:1:cancelled:1") == first
    assert Mail.objects.count() == 1


def test_sending_twice_sends_once(mail_context):
    queued = queue(mail_context)
    assert mail_send_task.apply(args=[queued.pk]).get() is True
    assert mail_send_task.apply(args=[queued.pk]).get() is False
    assert outbox.mail_send(mail_id=999999) is False
    assert len(mail.outbox) == 1


def test_a_resent_row_carries_the_same_message_id(mail_context, settings):
    """A crash after the server accepted a mail and before the commit sends it again: as the same message."""
    settings.PORTAL_BASE_URL = "https://portal.example.no"
    queued = queue(mail_context)
    assert outbox.mail_send(mail_id=queued.pk) is True
    Mail.objects.filter(pk=queued.pk).update(sent_at=None)  # as if the commit had been lost
    assert outbox.mail_send(mail_id=queued.pk) is True
    first, second = (message.message()["Message-ID"] for message in mail.outbox)
    assert first == second
    assert first.startswith(f"<outbox.{queued.pk}.") and first.endswith("@portal.example.no>")
    assert outbox.mail_send(mail_id=queue(mail_context, key="another").pk) is True
    assert mail.outbox[2].message()["Message-ID"] != first


def test_a_failure_is_recorded_and_the_pause_grows(mail_context, monkeypatch):
    def server_down(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", server_down)
    queued = queue(mail_context)
    pauses = []
    for _ in range(3):
        assert outbox.mail_send(mail_id=queued.pk) is False
        queued.refresh_from_db()
        pauses.append(queued.next_attempt_at - timezone.now())
    assert queued.attempts == 3 and queued.sent_at is None
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in queued.last_error
    assert pauses[0] < pauses[1] < pauses[2] <= outbox.MAX_PAUSE


def test_the_sweep_sends_what_waits_and_respects_the_pause(mail_context, monkeypatch):
    fresh, due, waiting, sent, cancelled = (queue(mail_context) for _ in range(5))
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Mail.objects.exclude(pk=fresh.pk).update(created_at=long_ago)
    Mail.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now() + datetime.timedelta(minutes=10))
    Mail.objects.filter(pk=sent.pk).update(sent_at=long_ago)
    assert outbox.mail_cancel(cancelled) is True
    assert outbox.mail_cancel(cancelled) is False
    assert outbox.unsent_mail_ids() == [due.pk]
    assert outbox.mail_retry_unsent() == 1
    assert outbox.mail_retry_unsent() == 0
    assert len(mail.outbox) == 1


def test_a_broker_outage_leaves_the_mail_for_the_sweep(mail_context, monkeypatch, django_capture_on_commit_callbacks,
                                                       caplog):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(mail_send_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue(mail_context)
    assert mail.outbox == []
    assert "the retry sweep will do it" in caplog.text
    Mail.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert outbox.mail_retry_unsent() == 1
    queued.refresh_from_db()
    assert queued.sent_at is not None


def test_every_mail_template_is_a_full_set():
    """Each e-mail the portal sends has a subject, a text and an HTML part."""
    from pathlib import Path

    from django.conf import settings

    templates = Path(settings.BASE_DIR) / "templates"
    subjects = sorted(templates.glob("*/email/*_subject.txt"))
    assert len(subjects) >= 9
    for subject in subjects:
        stem = str(subject)[: -len("_subject.txt")]
        assert Path(stem + ".txt").exists(), stem
        assert Path(stem + ".html").exists(), stem


def test_no_module_sends_mail_outside_the_outbox():
    """One mail path: only core/mail.py talks to Django's mail API (allauth's mails reach it via the adapter)."""
    import subprocess

    from django.conf import settings

    found = subprocess.run(
        ["grep", "-rlE", r"from django\.core\.mail|send_mass_mail|\.send\(\)", "--include=*.py",
         "core", "gardens", "members", "agreements", "projects", "network_portal"],
        cwd=settings.BASE_DIR, capture_output=True, text=True,
    ).stdout.split()
    assert found == ["core/mail.py"]



def test_a_subject_is_plain_text_not_html_escaped():
    """A name with HTML in it shows in the subject as typed (a subject is never rendered as HTML)."""
    from types import SimpleNamespace

    with translation.override("nb"):
        subject = outbox.mail_subject("members/email/help_request",
                                      {"help_request": SimpleNamespace(name="Ola <script> & Co")})

    assert subject.endswith("fra Ola <script> & Co")
    assert "&lt;" not in subject and "&amp;" not in subject
