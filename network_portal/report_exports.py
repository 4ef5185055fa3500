"""Report exports as files made by a Celery task: queued, running with a progress bar, done or failed.

The task acts only through conditional updates on the attempt it was queued for (claim from
waiting, or from a running export that has not moved for REPORT_EXPORT_STALE_MINUTES; progress
and finish only while running), so a task delivered twice does the work once, and the task of
an attempt the person restarted leaves the new attempt alone. The file is written before the
finishing update and removed again if that update finds the attempt superseded: one file per export.
"""

import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.exports import table_download
from core.tasks import enqueue_on_commit
from gardens.access import report_access

from .models import REPORT_EXPORT_STALE_MINUTES, ReportExport, report_export_upload_to
from .report_forms import ReportFilterForm
from .report_pages import report_context, report_file_name, report_pdf, report_table

logger = logging.getLogger(__name__)

Status = ReportExport.Status
QUERY_MAX = ReportExport._meta.get_field("query").max_length


class Superseded(Exception):
    """The export was restarted (or finished) by someone else while this attempt ran."""


def _stale_before(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(minutes=REPORT_EXPORT_STALE_MINUTES)


def _queue(export: ReportExport) -> None:
    """Queue the export's current attempt after commit; with the broker down, make it in this request."""
    from .tasks import report_export_task

    pk, attempt = export.pk, export.attempt
    enqueue_on_commit(report_export_task, pk, attempt,
                      otherwise=lambda: report_export_run(export_id=pk, attempt=attempt))


def report_export_create(*, user, query: str, fmt: str, language: str) -> ReportExport:
    """Ask for a file of the report page with the filters in `query`; audited, made by a task after commit."""
    if fmt not in ReportExport.Format.values:
        raise ValueError(f"unknown format {fmt!r}")
    query = QueryDict(query[:QUERY_MAX]).urlencode()[:QUERY_MAX]
    access = report_access(user)
    period = ReportFilterForm(QueryDict(query) or None, access=access).report_filter().period
    with transaction.atomic():
        export = ReportExport.objects.create(
            requested_by=user, query=query, format=fmt, language=language,
            title=_("Network report %(period)s") % {"period": period},
        )
        audit_record(action="network_portal.reportexport.created", target=export, actor=user,
                     changes={"format": [None, fmt], "filter": [None, query]})
        _queue(export)
    export.refresh_from_db()
    return export


def report_export_restart(*, export: ReportExport, by) -> bool:
    """Start a failed or stale export again as a new attempt; False if it is not restartable (audited)."""
    now = timezone.now()
    with transaction.atomic():
        restarted = ReportExport.objects.filter(pk=export.pk, attempt=export.attempt).filter(
            Q(status=Status.FAILED) | Q(status__in=[Status.QUEUED, Status.RUNNING], updated_at__lt=_stale_before(now))
        ).update(status=Status.QUEUED, attempt=F("attempt") + 1, progress=0, error="", updated_at=now,
                 finished_at=None)
        if restarted:
            export.refresh_from_db()
            audit_record(action="network_portal.reportexport.restarted", target=export, actor=by,
                         changes={"attempt": [export.attempt - 1, export.attempt]})
            _queue(export)
    export.refresh_from_db()
    return bool(restarted)


def _render(export: ReportExport, progress) -> tuple[bytes, str]:
    """The file's bytes and name: the report page's figures for the person who asked, in their scope."""
    access = report_access(export.requested_by)
    if not access.can_read:
        raise PermissionError(_("You no longer have access to the network reports."))
    context = report_context(access, export.query, progress)
    name = report_file_name(context)
    if export.format == ReportExport.Format.PDF:
        return report_pdf(context), f"{name}.pdf"
    header, rows = report_table(context)
    response = table_download([str(h) for h in header], rows, name=name, fmt=export.format,
                              title=_("Network report"))
    return response.content, f"{name}.{export.format}"


def report_export_run(*, export_id: int, attempt: int) -> ReportExport | None:
    """Make the export's file (the task's work); does nothing unless it claims the attempt."""
    now = timezone.now()
    claimed = ReportExport.objects.filter(pk=export_id, attempt=attempt).filter(
        Q(status=Status.QUEUED) | Q(status=Status.RUNNING, updated_at__lt=_stale_before(now))
    ).update(status=Status.RUNNING, progress=1, updated_at=now, error="")
    export = ReportExport.objects.select_related("requested_by").filter(pk=export_id).first()
    if not claimed or export is None:
        return export
    mine = ReportExport.objects.filter(pk=export_id, attempt=attempt, status=Status.RUNNING)

    def progress(percent: int) -> None:
        # A committed update the polling page sees; none at all means the attempt was superseded.
        if not mine.update(progress=percent, updated_at=timezone.now()):
            raise Superseded

    stored = ""
    try:
        with translation.override(export.language):
            content, name = _render(export, progress)
        progress(90)
        stored = default_storage.save(report_export_upload_to(export, name), ContentFile(content))
        with transaction.atomic():
            finished = timezone.now()
            if not mine.update(status=Status.DONE, progress=100, file=stored, file_name=name, updated_at=finished,
                               finished_at=finished):
                raise Superseded
            export.refresh_from_db()
            audit_record(action="network_portal.reportexport.finished", target=export,
                         changes={"file": [None, name], "size": [None, len(content)]})
    except Superseded:
        if stored:
            default_storage.delete(stored)
    except Exception as error:  # noqa: BLE001 - any failure is shown on the export's page, never a 500
        logger.exception("Report export %s (attempt %s) failed", export_id, attempt)
        if stored:
            default_storage.delete(stored)
        with translation.override(export.language):
            message = str(error) if isinstance(error, PermissionError) else _(
                "The file could not be made because of an error on our side. Start it again; if it fails again, "
                "tell the portal's administrators.")
        mine.update(status=Status.FAILED, error=message, updated_at=timezone.now(), finished_at=timezone.now())
    export.refresh_from_db()
    return export


# The report page lists this many of the reader's latest exports.
EARLIER_EXPORTS_SHOWN = 5


def report_exports_of(user) -> list[ReportExport]:
    """The person's own latest report exports, most recent first (the report page's list), in one query."""
    return list(ReportExport.objects.filter(requested_by=user).order_by("-created_at", "-pk")
                .only("pk", "format", "status", "progress", "title", "file_name", "created_at", "updated_at",
                      "requested_by_id")[:EARLIER_EXPORTS_SHOWN])


def report_exports_cleanup(*, now: datetime.datetime | None = None) -> int:
    """Delete report exports (row and file) asked for more than REPORT_EXPORT_KEEP_DAYS ago; audited. Returns how many.

    Celery beat runs it daily; safe to run twice (a second run finds nothing). A file already gone from the
    storage is no error: the row goes all the same.
    """
    limit = (now or timezone.now()) - datetime.timedelta(days=settings.REPORT_EXPORT_KEEP_DAYS)
    deleted = 0
    old = list(ReportExport.objects.filter(created_at__lt=limit).order_by("pk").values_list("pk", flat=True))
    for pk in old:
        with transaction.atomic():
            # Locked and read again: a parallel run that deleted it first leaves nothing to do here.
            export = ReportExport.objects.select_for_update().filter(pk=pk).first()
            if export is None:
                continue
            stored, name = export.file.name, export.file_name
            audit_record(action="network_portal.reportexport.deleted", target=export,
                         changes={"file": [name or None, None], "reason": [None, "retention"]})
            export.delete()
            if stored:
                # After commit: a rolled-back deletion keeps its file.
                transaction.on_commit(lambda stored=stored: _delete_file(stored))
        deleted += 1
    return deleted


def _delete_file(stored: str) -> None:
    """Remove an export's file; a storage that fails is logged (the row is gone already), not raised."""
    try:
        default_storage.delete(stored)
    except OSError:
        logger.exception("Could not delete the report export file %s", stored)
