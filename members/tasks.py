"""Celery tasks for members: thin, take ids, call a service, safe to run twice."""

from celery import shared_task
from django.core.exceptions import ValidationError

from core.models import User

from . import imports
from .models import ImportBatch


# Imports: the services act only on a batch in the expected status (and the commit holds a
# row lock while writing), so a second run of either task finds the work done.
@shared_task
def import_preview_task(batch_id: int) -> str:
    """Check the rows of an uploaded batch (large files); returns the batch's status."""
    batch = ImportBatch.objects.select_related("garden").filter(pk=batch_id).first()
    if batch is None:
        return "missing"
    if batch.status != ImportBatch.Status.UPLOADED:
        return batch.status
    return imports.import_batch_preview(batch=batch).status


@shared_task
def import_commit_task(batch_id: int, by_id: int | None = None) -> str:
    """Write a claimed batch's target companies (large files); returns the batch's status."""
    batch = ImportBatch.objects.select_related("garden").filter(pk=batch_id).first()
    if batch is None:
        return "missing"
    if batch.status not in (ImportBatch.Status.PREVIEWED, ImportBatch.Status.IMPORTING):
        return batch.status
    by = User.objects.filter(pk=by_id).first() if by_id else None
    try:
        return imports.import_batch_commit(batch=batch, by=by).status
    except ValidationError:  # rows with problems: refused, the batch stays as it was
        return batch.status


@shared_task
def contacts_retention_sweep_task() -> int:
    """Celery beat, daily: erase contact persons of contracts ended longer ago than the retention (safe twice)."""
    from .privacy import contacts_retention_sweep

    return contacts_retention_sweep()
