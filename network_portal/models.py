"""Records of the network-wide layer: readers' subscriptions to the quarterly report, report exports."""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A waiting or running export that has not moved for this long is taken as lost (worker killed,
# message lost) and may be restarted. The task moves it at least every few seconds.
REPORT_EXPORT_STALE_MINUTES = 10


class ReportSubscription(models.Model):
    """A network reader who gets the quarterly report by e-mail (each quarter once; see reports_mail.py)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="report_subscription")
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)

    class Meta:
        verbose_name = _("quarterly report subscription")
        verbose_name_plural = _("quarterly report subscriptions")

    def __str__(self) -> str:
        return str(self.user)


def report_export_upload_to(export: "ReportExport", filename: str) -> str:
    # Under a folder of its own: MEDIA_URL is never served; only the export's download view hands it out.
    return f"report-exports/{export.requested_by_id}/{filename}"


class ReportExport(models.Model):
    """One export of a report view as a file, made by a Celery task with a progress bar.

    The report's filter is kept as the page's query string and the scope is computed again from
    the person who asked (a county reader's file has only their counties' gardens). `attempt`
    grows with every restart: a task only acts on the attempt it was queued for, so a task that
    runs twice, or the task of an attempt the person restarted, does the work once.
    """

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("being made")
        DONE = "done", _("ready to download")
        FAILED = "failed", _("failed")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                     related_name="report_exports", verbose_name=_("requested by"))
    query = models.CharField(_("report filter"), max_length=1000, blank=True,
                             help_text=_("The report page's query string (year, quarter, garden, network, county)."))
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    language = models.CharField(_("language"), max_length=10, default="nb",
                                help_text=_("The page's language: the file's headings are in it."))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to=report_export_upload_to, blank=True)
    file_name = models.CharField(_("file name"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Moves with every step of the task: a running export that has not moved for a while lost its worker.
    updated_at = models.DateTimeField(_("last progress"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_export_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name or self.get_format_display()} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("network_portal:reports-export-detail", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def is_stale(self, now: datetime.datetime | None = None) -> bool:
        """Waiting or running with no progress for STALE_MINUTES: its worker died or its message was lost."""
        limit = (now or timezone.now()) - datetime.timedelta(minutes=REPORT_EXPORT_STALE_MINUTES)
        return self.status in (self.Status.QUEUED, self.Status.RUNNING) and self.updated_at < limit

    @property
    def can_restart(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stale()
