"""Network-wide Celery tasks."""

import os
import socket

from celery import shared_task


@shared_task(ignore_result=False)  # the one task whose answer is read (results are off otherwise)
def ping() -> dict[str, object]:
    """Answer "pong" with the process that ran the task: proves a worker is alive and consuming.

    Touches no database, so it can be sent to a worker that does not share the caller's database.
    """
    return {"reply": "pong", "hostname": socket.gethostname(), "pid": os.getpid()}


@shared_task
def send_quarterly_reports() -> int:
    """Daily: the last finished quarter's report to each subscribed reader, once per quarter."""
    from .reports_mail import quarterly_reports_send

    return quarterly_reports_send()


@shared_task
def report_export_task(export_id: int, attempt: int) -> str:
    """Make one report export's file (see report_exports.py: safe to run twice); returns its status."""
    from .report_exports import report_export_run

    export = report_export_run(export_id=export_id, attempt=attempt)
    return export.status if export is not None else "missing"


@shared_task
def report_exports_cleanup_task() -> int:
    """Celery beat, daily: delete report exports (files and rows) older than REPORT_EXPORT_KEEP_DAYS (safe twice)."""
    from .report_exports import report_exports_cleanup

    return report_exports_cleanup()
