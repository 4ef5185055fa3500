"""A real round trip through Redis to a real Celery worker process.

Eager mode (no REDIS_URL) would hide a broken broker setting, task discovery or
serialisation; this test sends the task through the broker and checks that the
worker it started, and no other process, answered.
"""

import os
import subprocess
import sys
import time
import uuid

import pytest
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import allow_join_result

from network_portal.tasks import ping
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.services

ROUND_TRIP_SECONDS = 30
# The solo pool runs tasks in the worker's main process, so the task's pid is the worker's.
WORKER_COMMAND = [
    *(sys.executable, "-m", "celery", "-A", "network_portal", "worker"),
    *("--concurrency=1", "--pool=solo", "--loglevel=WARNING"),
    # Gossip, mingle and heartbeats talk to other workers: not needed, and they slow start-up.
    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
]


def test_ping_is_answered_by_a_real_worker(tmp_path):
    if not os.environ.get("REDIS_URL"):
        skip_or_fail("REDIS_URL is not set: no broker for a real Celery worker")
    assert not ping.app.conf.task_always_eager, "REDIS_URL is set but tasks would run eagerly"

    # A queue of its own, so a worker someone else left on the same Redis cannot take the task.
    queue = f"test-ping-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [*WORKER_COMMAND, f"--queues={queue}", f"--hostname={queue}@%h"],
            env=os.environ.copy(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        result = ping.apply_async(queue=queue)
        deadline = time.monotonic() + ROUND_TRIP_SECONDS
        while True:
            try:
                # Celery's "would block" guard is process-global: eager tasks run by concurrent live-server
                # threads in earlier tests can leave it set. This process is no worker; waiting is fine.
                with allow_join_result():
                    reply = result.get(timeout=1)
                break
            except CeleryTimeoutError:
                if worker.poll() is not None:
                    pytest.fail(f"worker exited with {worker.returncode}:\n{log_path.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"no reply in {ROUND_TRIP_SECONDS} s; worker log:\n{log_path.read_text()}")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    assert reply["reply"] == "pong"
    # Answered by the worker this test started, not in-process and not by a stray worker.
    assert reply["pid"] == worker.pid
    assert reply["pid"] != os.getpid()
