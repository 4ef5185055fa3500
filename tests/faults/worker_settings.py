"""Settings of the Celery workers the fault tests start: the portal's, with mail written to files.

The backend lets a test catch a worker in the middle of sending (tests/faults/worker_mail.py);
with FAULT_EXPORT_HANG set, the first report export stops half-way (tests/faults/worker_exports.py),
with FAULT_IMPORT_HANG the first import commit just before it commits (tests/faults/worker_imports.py).
"""

import os

from network_portal.settings import *  # noqa: F403

if os.environ.get("FAULT_EXPORT_HANG"):
    from . import worker_exports  # noqa: F401  (connects its Celery signal)
if os.environ.get("FAULT_IMPORT_HANG"):
    from . import worker_imports  # noqa: F401  (connects its Celery signal)

EMAIL_BACKEND = "tests.faults.worker_mail.RecordingBackend"
