"""load_run (make load's load generator) against a live server: it signs in, writes, and checks what was stored.

The real run (gunicorn, PostgreSQL, Redis, a Celery worker) is `make load`; here the same command
drives the test's live server for a few seconds, with mail through its SMTP stand-in.
"""

import socket

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from members.models import FollowUpEntry, HelpRequest
from network_portal.generate import generate_network

PASSWORD = "last-test-passord"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def network(transactional_db):
    return generate_network(scale=0.01, password=PASSWORD)


SERVER = {"TRUSTED_PROXY_COUNT": 1, "CSRF_COOKIE_SECURE": False, "SESSION_COOKIE_SECURE": False}


def test_a_short_load_writes_follow_ups_and_help_requests_and_finds_them_all(network, live_server, capsys):
    port = free_port()
    # On PostgreSQL everybody at once, as in make load. SQLite's in-memory test database is one
    # connection that the live server's threads share, so there one kind of person runs at a time.
    if connection.vendor == "postgresql":
        runs = [{"staff": 2, "entrepreneurs": 2, "readers": 1}]
    else:
        runs = [{"staff": 1, "entrepreneurs": 0, "readers": 0}, {"staff": 0, "entrepreneurs": 1, "readers": 0},
                {"staff": 0, "entrepreneurs": 0, "readers": 1}]
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                           EMAIL_PORT=port, EMAIL_USE_TLS=False, **SERVER):
        for people in runs:
            call_command("load_run", base_url=live_server.url, password=PASSWORD, seconds=3, smtp_port=port,
                         mail_wait=10, **people)
    out = capsys.readouterr().out
    assert out.count("Nothing lost") == len(runs)
    logged = FollowUpEntry.objects.filter(summary__startswith="last-").count()
    asked = HelpRequest.objects.filter(message__contains="last-").count()
    assert logged > 0 and asked > 0
    assert f"Follow-ups acknowledged: {logged}, stored: {logged}" in out
    assert f"Help-request notifications expected: {asked}, received by the SMTP stand-in: {asked}" in out
    for page in ("record page", "report dashboard", "send a help request (POST)", "log a follow-up (POST)"):
        assert page in out


def test_mail_that_never_arrives_is_reported(network, live_server):
    """With the mail server elsewhere, the help requests are stored but their e-mail is not received: a failure."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", **SERVER):
        with pytest.raises(CommandError, match="problem"):
            call_command("load_run", base_url=live_server.url, password=PASSWORD, seconds=2, staff=0,
                         entrepreneurs=1, readers=0, smtp_port=free_port(), mail_wait=1)
