"""The import verbs: upload → preview → commit (or cancel), their progress, and the template file.

Progress, honestly: checking rows happens outside any transaction, so `processed_rows`
is written in small committed steps and the progress bar moves. Writing the companies
happens in ONE transaction (that is what makes it all or nothing), and nothing written
inside it is visible to the page polling for progress until it commits. So while
writing, `processed_rows == total_rows` with status `importing` and the page shows an
indeterminate bar saying the companies are being saved together, rather than a number
that would be a guess. A commit first checks every row again (with a moving bar),
because another garden may have registered one of the companies since the preview.
"""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit import audit_record
from core.models import User
from gardens.models import Garden

from .. import services
from ..models import ImportBatch, ImportRow, SavedImportMapping, TargetCompany
from .checking import EXAMPLE_ORG_NUMBER, check_stored_rows, stored_problem_count, stored_rows
from .reading import (
    COLUMN_BY_FIELD,
    ImportFileError,
    field_label,
    header_signature,
    max_bytes,
    missing_required,
    no_rows,
    read_header,
    stream_upload,
)

logger = logging.getLogger(__name__)

# Up to this many rows a file is checked and committed inside the request; more go to a worker.
SYNC_LIMIT = 200
EXAMPLE_NAME = "Eksempelbedrift AS"

Status = ImportBatch.Status


def progress_phase(batch: ImportBatch) -> str:
    """'checking' while rows are being checked, 'writing' during the commit's one transaction, else ''."""
    if batch.status == Status.UPLOADED:
        return "checking"
    if batch.status == Status.IMPORTING:
        return "writing" if batch.total_rows and batch.processed_rows >= batch.total_rows else "checking"
    return ""


# Rows read from the file are stored this many to an INSERT.
STORE_CHUNK = 1000


def _store_rows(batch: ImportBatch, mapping: dict[int, str] | None) -> tuple[int, dict[str, Any]]:
    """Read the batch's file as a stream into its ImportRow table (replacing any rows); (count, file info).

    Inside a savepoint, so a file refused halfway (too many rows, a broken line) leaves no rows;
    ImportFileError, OSError or ValueError as reading raises them.
    """
    count = 0
    with transaction.atomic(), batch.file.open("rb") as handle:
        batch.import_rows.all().delete()
        parsed = stream_upload(handle, mapping=mapping)
        pending: list[ImportRow] = []
        for row in parsed.rows:
            pending.append(ImportRow(batch=batch, line=row.line, cells=row.cells))
            if len(pending) >= STORE_CHUNK:
                ImportRow.objects.bulk_create(pending)
                count += len(pending)
                pending = []
        ImportRow.objects.bulk_create(pending)
        count += len(pending)
        if not count:
            raise no_rows()
        return count, parsed.info()


def _set_progress(batch_pk: int, processed: int, status: str) -> None:
    """A small committed update the polling page can see (never inside the commit's transaction)."""
    ImportBatch.objects.filter(pk=batch_pk, status=status).update(processed_rows=processed,
                                                                  progress_at=timezone.now())


@transaction.atomic
def import_batch_upload(*, garden: Garden, by: User, upload) -> ImportBatch:
    """Store an uploaded file and find its header; the admin then maps its columns (import_batch_map).

    A file whose header row reads like one the garden saved a mapping for is mapped that way
    at once and goes straight on to be checked.
    """
    batch = ImportBatch(garden=garden, uploaded_by=by, original_name=(upload.name or "")[:255])
    try:
        table, header, samples = read_header(upload)
    except ImportFileError as error:
        batch.status = Status.FAILED
        batch.error = str(error)
        batch.finished_at = timezone.now()
        if (upload.size or 0) <= max_bytes():
            batch.file = upload  # kept so an operator can see what was sent
        batch.save()
        audit_record(action="members.import.uploaded", target=batch, actor=by, garden=garden,
                     changes={"file": [None, batch.original_name], "status": [None, batch.status]})
        return batch
    batch.file = upload
    signature = header_signature(header.headers)
    batch.status = Status.MAPPING
    batch.columns = {
        **table.info(), "header_line": header.line, "headers": header.headers, "signature": signature,
        "guessed": {str(p): f for p, f in header.guessed.items()}, "samples": samples,
    }
    batch.save()
    audit_record(action="members.import.uploaded", target=batch, actor=by, garden=garden,
                 changes={"file": [None, batch.original_name]})
    saved = SavedImportMapping.objects.filter(garden=garden, signature=signature).first()
    if saved is not None:
        mapping = {int(p): f for p, f in saved.mapping.items() if f in COLUMN_BY_FIELD}
        try:
            return import_batch_map(batch=batch, by=by, mapping=mapping, saved=saved)
        except ValidationError:  # a saved mapping that no longer fits: the admin chooses again
            batch.refresh_from_db()
    return batch


def mapping_errors(mapping: dict[int, str], *, headers: list[str], key_figures_year: int | None) -> list[str]:
    """What is wrong with a chosen mapping, as sentences: required fields without a column, a field chosen twice,
    key figures without a year."""
    errors = []
    if missing := missing_required(mapping):
        errors.append(_("Choose a column for %(columns)s.") % {"columns": ", ".join(missing)})
    positions: dict[str, list[int]] = {}
    for position, name in sorted(mapping.items()):
        positions.setdefault(name, []).append(position)
    for name, where in positions.items():
        if len(where) > 1:
            errors.append(_("%(field)s is chosen for more than one column (%(columns)s). Choose it once.") % {
                "field": field_label(name).capitalize(),
                "columns": ", ".join(_("“%(header)s”") % {"header": headers[p]} if p < len(headers) and headers[p]
                                     else str(p + 1) for p in where)})
    figures = {f for f in mapping.values() if COLUMN_BY_FIELD[f].group == "figures"} - {"year"}
    if figures and "year" not in mapping.values() and key_figures_year is None:
        errors.append(_("Key figures are imported: choose the year they are for, or a column with the year."))
    return errors


@transaction.atomic
def import_batch_map(*, batch: ImportBatch, by: User, mapping: dict[int, str], key_figures_year: int | None = None,
                     save_as: str = "", saved: SavedImportMapping | None = None) -> ImportBatch:
    """Read the file's rows as `mapping` says (position → field) and check them; small files at once.

    Allowed while the columns are being chosen and again from the preview (to change them).
    ValidationError with every reason when the mapping cannot work. With `save_as`, the mapping
    is saved for the garden under that name and used for the next file with the same headers.
    """
    from ..tasks import import_preview_task

    if batch.status not in (Status.MAPPING, Status.PREVIEWED):
        return batch
    headers = batch.columns.get("headers", [])
    mapping = {p: f for p, f in mapping.items() if f and f in COLUMN_BY_FIELD}
    if errors := mapping_errors(mapping, headers=headers, key_figures_year=key_figures_year):
        raise ValidationError(errors)
    try:
        total, info = _store_rows(batch, mapping)
    except (ImportFileError, OSError, ValueError) as error:
        message = str(error) if isinstance(error, ImportFileError) else _("The uploaded file is missing.")
        ImportBatch.objects.filter(pk=batch.pk).update(status=Status.FAILED, error=message,
                                                       finished_at=timezone.now())
        batch.refresh_from_db()
        return batch
    if save_as:
        kept, _created = SavedImportMapping.objects.update_or_create(
            garden=batch.garden, signature=batch.columns.get("signature") or header_signature(headers),
            defaults={"name": save_as[:100], "headers": headers, "created_by": by,
                      "mapping": {str(p): f for p, f in mapping.items()}},
        )
        audit_record(action="members.importmapping.saved", target=kept, actor=by, garden=batch.garden,
                     changes={"name": [None, kept.name], "mapping": [None, kept.mapping]})
    batch.columns = {**batch.columns, **info, "key_figures_year": key_figures_year,
                     "saved_mapping": saved.name if saved else ""}
    batch.total_rows = total
    batch.processed_rows = 0
    batch.status = Status.UPLOADED
    batch.error = ""
    batch.progress_at = timezone.now()
    batch.save(update_fields=["columns", "total_rows", "processed_rows", "status", "error", "progress_at"])
    audit_record(action="members.import.mapped", target=batch, actor=by, garden=batch.garden,
                 changes={"mapping": [None, info["read"]], "rows": [None, batch.total_rows]})
    if batch.total_rows <= SYNC_LIMIT:
        return import_batch_preview(batch=batch)
    batch_pk = batch.pk

    def queue() -> None:
        # A broker that is down must not turn the upload into a 500: check the rows here instead.
        if not _queued(import_preview_task, batch_pk):
            import_batch_preview(batch=ImportBatch.objects.select_related("garden").get(pk=batch_pk))

    transaction.on_commit(queue)
    return batch


def _queued(task, *args) -> bool:
    """Queue a task; False (logged) when the broker cannot be reached (kombu/redis connection errors)."""
    try:
        task.delay(*args)
    except Exception:  # kombu.exceptions.OperationalError, redis.ConnectionError, OSError …
        logger.exception("Could not queue %s%s", task.name, args)
        return False
    return True


def import_batch_preview(*, batch: ImportBatch) -> ImportBatch:
    """Read (if not yet read) and check every row; store the rows with their problems as status previewed.

    Does nothing unless the batch is `uploaded`, so running it twice is harmless; a batch
    cancelled meanwhile stays cancelled.
    """
    if batch.status != Status.UPLOADED:
        return batch
    if not batch.import_rows.exists():
        try:
            batch.total_rows, batch.columns = _store_rows(batch, None)
        except (ImportFileError, OSError, ValueError) as error:
            message = str(error) if isinstance(error, ImportFileError) else _("The uploaded file is missing.")
            ImportBatch.objects.filter(pk=batch.pk, status=Status.UPLOADED).update(
                status=Status.FAILED, error=message, finished_at=timezone.now()
            )
            batch.refresh_from_db()
            return batch
        ImportBatch.objects.filter(pk=batch.pk).update(total_rows=batch.total_rows, columns=batch.columns)
    check_stored_rows(batch=batch, mapping=_mapping(batch), key_figures_year=_year(batch),
                      progress=lambda n: _set_progress(batch.pk, n, Status.UPLOADED))
    total = batch.import_rows.count()
    ImportBatch.objects.filter(pk=batch.pk, status=Status.UPLOADED).update(
        status=Status.PREVIEWED, total_rows=total, processed_rows=total, progress_at=timezone.now(),
    )
    batch.refresh_from_db()
    return batch


def _refuse_if_not_ready(batch: ImportBatch, ready_only: bool = False) -> None:
    total = batch.import_rows.filter(clean__isnull=False).count()
    if not total:
        raise ValidationError(_("This import has no rows to import."))
    if ready_only:
        if stored_problem_count(batch) == total:
            raise ValidationError(_("No row is ready to import. Download the rows with problems, fix them and "
                                    "upload the file again."))
        return
    if count := stored_problem_count(batch):
        raise ValidationError(
            ngettext(
                "%(count)s row has a problem. Nothing is imported while any row has a problem: fix the file and "
                "upload it again.",
                "%(count)s rows have problems. Nothing is imported while any row has a problem: fix the file and "
                "upload it again.",
                count,
            ) % {"count": count}
        )


class _RowFailed(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


WRITE_CHUNK = 500


def _create_all(batch: ImportBatch, by: User | None) -> int:
    """Create every chosen row's target company, contacts and key figures, a chunk of stored rows at a time
    (inside the caller's transaction)."""
    created = 0
    for chunk in stored_rows(batch, WRITE_CHUNK, left_out=False):
        try:
            services.target_companies_import(garden=batch.garden, by=by, records=[row.clean for row in chunk])
        except ValidationError as error:
            raise _RowFailed(chunk[0].line, " ".join(error.messages)) from error
        except Exception as error:
            logger.exception("Import %s failed near line %s", batch.pk, chunk[0].line)
            raise _RowFailed(chunk[0].line, _("an unexpected error (%(kind)s)") % {"kind": type(error).__name__}) \
                from error
        created += len(chunk)
    return created


def _mapping(batch: ImportBatch) -> dict[int, str]:
    return {int(position): name for position, name in batch.columns.get("mapping", {}).items()}


def _year(batch: ImportBatch) -> int | None:
    return batch.columns.get("key_figures_year")


def _left_out(batch: ImportBatch, ready_only: bool) -> list[int]:
    """The lines a commit of only the ready rows leaves out: those with a problem now."""
    if not ready_only:
        return []
    return list(batch.import_rows.filter(has_problems=True).order_by("line").values_list("line", flat=True))


@transaction.atomic
def _claim(batch: ImportBatch, ready_only: bool) -> bool:
    """Move a previewed batch to importing (once), marking the rows the admin chose to leave out."""
    columns = {**batch.columns, "left_out": _left_out(batch, ready_only)}
    claimed = bool(ImportBatch.objects.filter(pk=batch.pk, status=Status.PREVIEWED).update(
        status=Status.IMPORTING, processed_rows=0, error="", columns=columns, progress_at=timezone.now()
    ))
    if claimed:
        batch.import_rows.filter(left_out=True).update(left_out=False)
        if ready_only:
            batch.import_rows.filter(has_problems=True).update(left_out=True)
    return claimed


def import_batch_commit(*, batch: ImportBatch, by: User | None, ready_only: bool = False) -> ImportBatch:
    """Create every row's target company in one transaction, or none.

    Refused (ValidationError) while any row has a problem, unless `ready_only`: then the rows
    with problems are left out (and can be downloaded to fix) and the rest is written, still
    all or nothing. Claims a `previewed` batch by
    moving it to `importing`, so a double click or a task run twice writes once. Rows are
    checked again first: if something changed since the preview, the batch goes back to
    `previewed` with the new problems. If any row fails while writing, everything is
    rolled back and the batch is `failed` with the message.
    """
    if batch.status == Status.PREVIEWED:
        _refuse_if_not_ready(batch, ready_only)
        if not _claim(batch, ready_only):
            batch.refresh_from_db()
            return batch
        batch.refresh_from_db()
    elif batch.status != Status.IMPORTING:
        return batch
    garden = batch.garden

    check_stored_rows(batch=batch, mapping=_mapping(batch), key_figures_year=_year(batch),
                      progress=lambda n: _set_progress(batch.pk, n, Status.IMPORTING))
    left_out = batch.columns.get("left_out", [])
    total = batch.import_rows.count()
    if count := stored_problem_count(batch, chosen_only=True):
        ImportBatch.objects.filter(pk=batch.pk, status=Status.IMPORTING).update(
            status=Status.PREVIEWED, processed_rows=total,
            error=ngettext(
                "Something changed since the preview: %(count)s row now has a problem. Nothing was imported.",
                "Something changed since the preview: %(count)s rows now have problems. Nothing was imported.",
                count,
            ) % {"count": count},
        )
        batch.refresh_from_db()
        return batch
    _set_progress(batch.pk, total, Status.IMPORTING)  # the page now says "writing"

    try:
        with transaction.atomic():
            # The row lock makes a second run (a task delivered twice) wait, then see `done`.
            locked = ImportBatch.objects.select_for_update().select_related("garden").get(pk=batch.pk)
            if locked.status != Status.IMPORTING:
                return locked
            created = _create_all(locked, by)
            locked.status = Status.DONE
            locked.created_count = created
            locked.processed_rows = total
            locked.finished_at = timezone.now()
            locked.error = ""
            locked.save(update_fields=["status", "created_count", "processed_rows", "finished_at", "error"])
            audit_record(
                action="members.import.committed", target=locked, actor=by, garden=garden,
                changes={"file": [None, locked.original_name], "rows": [None, total], "created": [None, created],
                         **({"left_out": [None, len(left_out)]} if left_out else {})},
            )
    except _RowFailed as failure:
        message = _("Line %(line)s could not be imported: %(error)s Nothing was imported.") % {
            "line": failure.line, "error": failure.message.rstrip(".") + "."}
        ImportBatch.objects.filter(pk=batch.pk, status=Status.IMPORTING).update(
            status=Status.FAILED, error=message, finished_at=timezone.now()
        )
    except Exception:
        logger.exception("Import %s failed", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk, status=Status.IMPORTING).update(
            status=Status.FAILED, finished_at=timezone.now(),
            error=_("The import failed unexpectedly. Nothing was imported; try again, or ask for help."),
        )
    batch.refresh_from_db()
    return batch


def import_batch_commit_start(*, batch: ImportBatch, by: User, ready_only: bool = False) -> ImportBatch:
    """Commit now (small files) or claim the batch and queue the commit for a worker (large files)."""
    from ..tasks import import_commit_task

    _refuse_if_not_ready(batch, ready_only)
    if batch.total_rows <= SYNC_LIMIT:
        return import_batch_commit(batch=batch, by=by, ready_only=ready_only)
    batch_pk, by_pk, total = batch.pk, by.pk, batch.total_rows

    def queue() -> None:
        if not _queued(import_commit_task, batch_pk, by_pk):
            # Nothing was written: give the batch back, committable, and say why (never a 500).
            ImportBatch.objects.filter(pk=batch_pk, status=Status.IMPORTING).update(
                status=Status.PREVIEWED, processed_rows=total,
                error=_("The import could not be started: the background worker cannot be reached just now. "
                        "Nothing was imported; try again in a few minutes."),
            )

    with transaction.atomic():
        if _claim(batch, ready_only):
            transaction.on_commit(queue)
    batch.refresh_from_db()
    return batch


def stale_after() -> datetime.timedelta:
    """How long a batch being checked or imported may show no progress before it counts as lost."""
    return datetime.timedelta(minutes=settings.IMPORT_STALE_MINUTES)


def import_batch_is_stale(batch: ImportBatch) -> bool:
    """True for a batch being checked or imported whose worker has shown no progress for stale_after().

    The commit's writing is one transaction, so a worker that died wrote nothing and the batch
    can be started again or cancelled safely.
    """
    if batch.status not in (Status.UPLOADED, Status.IMPORTING):
        return False
    last = batch.progress_at or batch.created_at
    return last is not None and timezone.now() - last > stale_after()


def _stale_filter(batch: ImportBatch):
    # The condition is checked in the UPDATE itself: a worker that is alive and writing holds the
    # row lock, and once it commits the batch is no longer `importing`, so nothing is claimed.
    cutoff = timezone.now() - stale_after()
    return ImportBatch.objects.filter(pk=batch.pk, status__in=[Status.UPLOADED, Status.IMPORTING]).filter(
        models.Q(progress_at__lt=cutoff) | models.Q(progress_at__isnull=True, created_at__lt=cutoff))


def import_batch_restart(*, batch: ImportBatch, by: User) -> bool:
    """Queue the check or the commit of a stale batch again; True if it was restarted."""
    from ..tasks import import_commit_task, import_preview_task

    with transaction.atomic():
        restarted = _stale_filter(batch).update(processed_rows=0, progress_at=timezone.now(), error="")
        batch.refresh_from_db()
        if not restarted:
            return False
        audit_record(action="members.import.restarted", target=batch, actor=by, garden=batch.garden,
                     changes={"file": [None, batch.original_name], "status": [None, batch.status]})
    batch_pk, by_pk = batch.pk, by.pk
    if batch.status == Status.UPLOADED:
        if not _queued(import_preview_task, batch_pk):
            import_batch_preview(batch=ImportBatch.objects.select_related("garden").get(pk=batch_pk))
    elif not _queued(import_commit_task, batch_pk, by_pk):
        import_batch_commit(batch=ImportBatch.objects.select_related("garden").get(pk=batch_pk), by=by)
    batch.refresh_from_db()
    return True


@transaction.atomic
def import_batch_cancel(*, batch: ImportBatch, by: User) -> bool:
    """Discard a batch that has not started importing (or whose worker was lost); True if it was cancelled."""
    cancelled = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[Status.MAPPING, Status.UPLOADED, Status.PREVIEWED]
    ).update(status=Status.ABORTED, finished_at=timezone.now())
    if not cancelled:
        cancelled = _stale_filter(batch).update(status=Status.ABORTED, finished_at=timezone.now())
    batch.refresh_from_db()
    if cancelled:
        audit_record(action="members.import.aborted", target=batch, actor=by, garden=batch.garden,
                     changes={"file": [None, batch.original_name]})
    return bool(cancelled)


# --- the template file --------------------------------------------------------------------------


def template_rows(garden: Garden, adviser: User) -> list[list[str]]:
    """The header row and one example row for the downloadable template (in the active language)."""
    covered = garden.coverages.current().select_related("municipality").first()
    today = timezone.localdate()
    header = [_("Organisasjonsnummer"), _("Company name"), _("Municipality"), _("Contract start"),
              _("Contract end"), _("Phase"), _("Industry code (SN2007)"), _("Responsible adviser")]
    example = [
        EXAMPLE_ORG_NUMBER, EXAMPLE_NAME, covered.municipality.number if covered else "5025",
        f"{today:%d.%m.%Y}", f"{today.replace(year=today.year + 3, day=min(today.day, 28)):%d.%m.%Y}",
        str(TargetCompany.Phase.MAPPING.label), "62.010", adviser.email,
    ]
    return [header, example]
