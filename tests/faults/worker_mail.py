"""A mail backend for the fault tests' workers: each message becomes a file in FAULT_MAIL_DIR.

The first send of a worker run writes its process id to `first-send.pid` and then waits
FAULT_MAIL_HANG seconds before it delivers: long enough for the test to kill that process
or stop Redis while the task is in flight. Later sends deliver at once.
"""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, messages) -> int:
        directory = Path(os.environ["FAULT_MAIL_DIR"])
        try:
            marker = os.open(directory / "first-send.pid", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            os.write(marker, str(os.getpid()).encode())
            os.close(marker)
            time.sleep(float(os.environ.get("FAULT_MAIL_HANG", "0")))
        for message in messages:
            (directory / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(messages)
