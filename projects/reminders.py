"""Progress report reminders: each report gets at most one 'due soon' and one 'overdue' e-mail.

The stage is marked on the report under a row lock in the same transaction that queues
the mail in the outbox, so a second run (or a retry) of the daily task finds it done.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from core.mail import absolute_url, mail_queue

from .models import ProgressReport
from .selectors import project_admin_emails

REMIND_DAYS = 14
STAGES = ("due_soon", "overdue")


def _stage(report: ProgressReport, today: datetime.date) -> str | None:
    if report.due < today:
        return "overdue"
    if report.due <= today + datetime.timedelta(days=REMIND_DAYS):
        return "due_soon"
    return None


def progress_report_reminders_send(today: datetime.date | None = None) -> int:
    """Send the reminders now owed; returns the number of e-mails queued."""
    today = today or timezone.localdate()
    ids = list(
        ProgressReport.objects.filter(submitted_on__isnull=True, due__lte=today + datetime.timedelta(days=REMIND_DAYS))
        .values_list("pk", flat=True)
    )
    return sum(_remind(report_id, today) for report_id in ids)


@transaction.atomic
def _remind(report_id: int, today: datetime.date) -> int:
    report = (
        ProgressReport.objects.select_for_update(of=("self",)).select_related("project")
        .filter(pk=report_id, submitted_on__isnull=True).first()
    )
    if report is None:
        return 0
    stage = _stage(report, today)
    if stage is None or stage in report.reminded:
        return 0
    context = {"report": report, "project": report.project, "stage": stage,
               "url": absolute_url(report.project.get_absolute_url())}
    mail = mail_queue(template="projects/email/report_reminder", to=project_admin_emails(report.project),
                      context=context, key=f"projects.progressreport:{report.pk}:{stage}")
    report.reminded = {**report.reminded, stage: timezone.now().isoformat()}
    report.save(update_fields=["reminded"])
    return 1 if mail else 0
