"""Settings of the Celery workers the fault tests start: the portal's, with mail written to files.

The backend lets a test catch a worker in the middle of sending (tests/faults/worker_mail.py).
"""

from network_portal.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.faults.worker_mail.RecordingBackend"
