"""For the fault tests' workers: the first report export of a run stops half-way, long enough to be killed.

When a report_export_task starts in a pool child, its report computation is wrapped so that the
first time the progress bar reaches 40 % (status running, no file yet) the child writes its
process id to FAULT_EXPORT_DIR/first-export.pid and sleeps FAULT_EXPORT_HANG seconds. Later
exports (the marker exists) run straight through.
"""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

TASK = "network_portal.tasks.report_export_task"


@task_prerun.connect
def _hang_the_first_export(sender=None, **kwargs) -> None:
    if getattr(sender, "name", "") != TASK:
        return
    from network_portal import report_exports

    real = getattr(report_exports.report_context, "unwrapped", report_exports.report_context)

    def hanging(access, query, progress=None):
        def step(percent: int) -> None:
            progress(percent)
            if percent < 40:
                return
            try:
                marker = os.open(Path(os.environ["FAULT_EXPORT_DIR"]) / "first-export.pid",
                                 os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return
            os.write(marker, str(os.getpid()).encode())
            os.close(marker)
            time.sleep(float(os.environ["FAULT_EXPORT_HANG"]))

        return real(access, query, step)

    hanging.unwrapped = real
    report_exports.report_context = hanging
