"""A real Celery worker loses nothing when its pool child is killed or Redis drops mid-task.

The worker runs the portal's settings (tests/faults/worker_settings.py only writes mail to
files) against the test database and a redis-server of the test's own. PostgreSQL only: the
worker must share the test's database, which SQLite's in-memory test database cannot.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from core import mail as outbox
from core.models import Mail
from network_portal.tasks import ping
from tests.conftest import skip_or_fail

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60
WORKER_COMMAND = [
    *(sys.executable, "-m", "celery", "-A", "network_portal", "worker"),
    # prefork with one child: the child runs the task, the parent survives its death.
    *("--concurrency=1", "--pool=prefork", "--loglevel=INFO"),
    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
]


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(portal_on, tmp_path):
    """Start a worker on the test's Redis and database; returns (process, mail folder, log path)."""
    if connection.vendor != "postgresql":
        skip_or_fail("a real worker needs the test database on PostgreSQL (DATABASE_URL)")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    processes = []

    def start(hang: float, **extra_env: str):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
               "DATABASE_URL": database_url(), "REDIS_URL": portal_on.url,
               "FAULT_MAIL_DIR": str(mail_dir), "FAULT_MAIL_HANG": str(hang), **extra_env}
        with log_path.open("a") as log:
            process = subprocess.Popen(WORKER_COMMAND, env=env, stdout=log, stderr=subprocess.STDOUT)
        processes.append(process)
        return process, mail_dir, log_path

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition, what: str, process, log_path: Path, seconds: float = WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        if process.poll() is not None:
            pytest.fail(f"worker exited with {process.returncode} waiting for {what}:\n{log_path.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} in {seconds} s; worker log:\n{log_path.read_text()}")
        time.sleep(0.2)
    return value


def queue_mail() -> Mail:
    with transaction.atomic():  # committed for real: the on-commit hook publishes to the worker's Redis
        return outbox.mail_queue_rendered(template="test/fault", to=["admin@alfa.example.org"],
                                          subject="Ny forespørsel", text="Hei", html="")


def sent(mail: Mail) -> bool:
    return Mail.objects.filter(pk=mail.pk, sent_at__isnull=False).exists()


def test_pool_child_killed_while_sending_runs_the_task_again_and_mails_once(worker):
    process, mail_dir, log = worker(hang=120)
    mail = queue_mail()
    marker = mail_dir / "first-send.pid"
    child = int(wait_for(lambda: marker.exists() and marker.read_text(), "send started", process, log))
    assert child != process.pid  # the pool child, not the worker
    os.kill(child, signal.SIGKILL)

    wait_for(lambda: sent(mail), "mail marked sent after the rerun", process, log)
    assert len(list(mail_dir.glob("*.eml"))) == 1
    mail.refresh_from_db()
    assert (mail.attempts, mail.last_error) == (1, "")
    assert "WorkerLostError" in log.read_text()
    assert outbox.mail_send(mail_id=mail.pk) is False  # the sweep will not send it again


def test_worker_survives_redis_dropping_with_a_task_in_flight(worker, portal_on):
    process, mail_dir, log = worker(hang=4)
    mail = queue_mail()
    marker = mail_dir / "first-send.pid"
    wait_for(marker.exists, "send started", process, log)
    portal_on.stop()
    # The task finishes its work while Redis is away; its acknowledgement cannot reach Redis.
    wait_for(lambda: sent(mail), "mail marked sent", process, log)
    time.sleep(3)
    assert process.poll() is None, f"worker exited:\n{log.read_text()}"
    portal_on.start()

    # Same worker, reconnected: it answers a new task through the restarted Redis.
    result = ping.apply_async()
    reply = wait_for(lambda: result.ready() and result.get(timeout=1), "ping reply", process, log)
    assert reply["reply"] == "pong"
    assert process.poll() is None
    assert len(list(mail_dir.glob("*.eml"))) == 1
