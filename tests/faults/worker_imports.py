"""For the fault tests' workers: the first import commit of a run stops just before it commits.

When an import_commit_task starts in a pool child, the writing module's audit_record is wrapped so
that the first time the commit records "members.import.committed" (every row written, the
transaction still open) the child writes its process id to FAULT_IMPORT_DIR/first-import.pid and
sleeps FAULT_IMPORT_HANG seconds. Later commits (the marker exists) run straight through.
"""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

TASK = "members.tasks.import_commit_task"


@task_prerun.connect
def _hang_the_first_commit(sender=None, **kwargs) -> None:
    if getattr(sender, "name", "") != TASK:
        return
    from members.imports import writing

    real = getattr(writing.audit_record, "unwrapped", writing.audit_record)

    def hanging(*args, **kwargs):
        if kwargs.get("action") == "members.import.committed":
            try:
                marker = os.open(Path(os.environ["FAULT_IMPORT_DIR"]) / "first-import.pid",
                                 os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                pass
            else:
                os.write(marker, str(os.getpid()).encode())
                os.close(marker)
                time.sleep(float(os.environ["FAULT_IMPORT_HANG"]))
        return real(*args, **kwargs)

    hanging.unwrapped = real
    writing.audit_record = hanging
