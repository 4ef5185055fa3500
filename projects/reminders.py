"""Progress report reminders: each report gets at most one 'due soon' and one 'overdue' e-mail.

The stage is marked on the report under a row lock in the same transaction as the
sending, so a second run (or a retry) of the daily task finds it done.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

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
    """Send the reminders now owed; returns the number of e-mails sent."""
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
    recipients = project_admin_emails(report.project)
    if recipients:
        context = {"report": report, "project": report.project, "stage": stage,
                   "url": report.project.get_absolute_url()}
        prefix = getattr(settings, "ACCOUNT_EMAIL_SUBJECT_PREFIX", "")
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string("projects/email/report_reminder_subject.txt", context)
            body = render_to_string("projects/email/report_reminder.txt", context)
        send_mail(prefix + " ".join(subject.split()), body, None, recipients)
    report.reminded = {**report.reminded, stage: timezone.now().isoformat()}
    report.save(update_fields=["reminded"])
    return 1 if recipients else 0
