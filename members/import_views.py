"""Importing target companies from a spreadsheet. Thin: resolve the garden, call members.imports, render.

Every view needs the membership flag `can_import_companies` (garden admins); batches are
reached through request.garden.import_batches, so another garden's batch is a 404.
"""

import csv
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.exports import neutralise
from gardens.access import garden_required

from . import imports
from .models import ImportBatch

PERMISSION = "can_import_companies"
RECENT = 20
PAGE_SIZE = 100


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV or XLSX)"),
        help_text=gettext_lazy("At most 40 MB and 100,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )


def _batch(request: HttpRequest, batch_pk: int, *, with_rows: bool = True) -> ImportBatch:
    """A batch reached through request.garden (another garden's id is a 404)."""
    batches = request.garden.import_batches.select_related("uploaded_by")
    if not with_rows:
        batches = batches.defer("rows", "columns")
    return get_object_or_404(batches, pk=batch_pk)


def _preview_url(batch: ImportBatch) -> str:
    return reverse("members:import-preview", kwargs={"garden_slug": batch.garden.slug, "batch_pk": batch.pk})


@garden_required(PERMISSION)
def import_upload(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """The upload form and this garden's recent imports."""
    garden = request.garden
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if form.is_bound and form.is_valid():
        batch = imports.import_batch_upload(garden=garden, by=request.user, upload=form.cleaned_data["file"])
        return redirect(_preview_url(batch))
    batches = list(garden.import_batches.defer("rows", "columns").select_related("uploaded_by")[:RECENT])
    return render(request, "members/import_upload.html", {
        "garden": garden, "membership": request.membership, "form": form, "batches": batches,
        "columns": imports.COLUMNS, "max_rows": imports.max_rows(),
    })


def _display_rows(rows: list[dict], fields: list[str]) -> list[dict]:
    """Rows for the preview table: each cell with its value and whether it has a problem."""
    display = []
    for row in rows:
        problem_fields = {p["field"] for p in row.get("problems", [])}
        clean = row.get("clean", {})
        cells = []
        for name in fields:
            value = row["values"].get(name, "")
            resolved = clean.get(name) if name in ("municipality", "adviser") else None
            cells.append({"field": name, "value": value, "resolved": resolved if resolved != value else None,
                          "problem": name in problem_fields})
        display.append({
            "line": row["line"],
            "cells": cells,
            "problems": [(imports.field_label(p["field"]), imports.describe_problem(p))
                         for p in row.get("problems", [])],
            "notes": [imports.describe_problem(n) for n in row.get("notes", [])],
        })
    return display


@garden_required(PERMISSION)
def import_preview(request: HttpRequest, garden_slug: str, batch_pk: int) -> HttpResponse:
    """One import: its progress, or every row with its problems and the commit and cancel buttons."""
    garden = request.garden
    batch = _batch(request, batch_pk)
    in_progress = batch.status in (ImportBatch.Status.UPLOADED, ImportBatch.Status.IMPORTING)
    # Rows are shown once checked (they then carry their problems), also after a commit or failure.
    rows = batch.rows if not in_progress and batch.rows and "problems" in batch.rows[0] else []
    problem_rows = imports.problem_count(rows)
    only_problems = request.GET.get("problems") == "1" and problem_rows > 0
    read = batch.columns.get("read", {})
    fields = [f for f in imports.COLUMN_BY_FIELD if f in read]
    page = Paginator([r for r in rows if r.get("problems")] if only_problems else rows, PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "members/import_preview.html", {
        "garden": garden,
        "membership": request.membership,
        "batch": batch,
        "phase": imports.progress_phase(batch),
        "progress_message": _progress_message(batch),
        "rows": _display_rows(page.object_list, fields),
        "page": page,
        "only_problems": only_problems,
        "query": "problems=1" if only_problems else "",  # the pages of the problem-only view stay problem-only
        "headers": [(imports.field_label(f), read[f]) for f in fields],
        "ignored": batch.columns.get("ignored", []),
        "file_info": batch.columns,
        "row_count": len(rows),
        "problem_rows": problem_rows,
        "ok_rows": len(rows) - problem_rows,
        "can_commit": batch.status == ImportBatch.Status.PREVIEWED and bool(rows) and not problem_rows,
        "can_cancel": batch.status in (ImportBatch.Status.UPLOADED, ImportBatch.Status.PREVIEWED),
    })


def _progress_message(batch: ImportBatch) -> str:
    phase = imports.progress_phase(batch)
    if phase == "writing":
        return ngettext(
            "Saving %(total)s target company. They are saved together, so either all or none are imported.",
            "Saving %(total)s target companies. They are saved together, so either all or none are imported.",
            batch.total_rows,
        ) % {"total": number_format(batch.total_rows, force_grouping=True)}
    if phase == "checking":
        return _("Checked %(done)s of %(total)s rows.") % {
            "done": number_format(batch.processed_rows, force_grouping=True),
            "total": number_format(batch.total_rows, force_grouping=True),
        }
    return batch.get_status_display()


@garden_required(PERMISSION)
def import_status(request: HttpRequest, garden_slug: str, batch_pk: int) -> JsonResponse:
    """The batch's progress for the progress bar (polled every second while it is being checked or imported)."""
    batch = _batch(request, batch_pk, with_rows=False)
    phase = imports.progress_phase(batch)
    return JsonResponse({
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "phase": phase,
        "finished": not phase,
        "processed_rows": batch.processed_rows,
        "total_rows": batch.total_rows,
        "percent": batch.progress_percent,
        "message": _progress_message(batch),
    }, headers={"Cache-Control": "no-store"})


@require_POST
@garden_required(PERMISSION)
def import_commit(request: HttpRequest, garden_slug: str, batch_pk: int) -> HttpResponse:
    """Import every row (all or nothing); small files at once, large ones by a worker with a progress bar."""
    garden = request.garden
    batch = _batch(request, batch_pk)
    if batch.status != ImportBatch.Status.PREVIEWED:
        messages.info(request, _("This import is not waiting for confirmation (%(status)s).")
                      % {"status": batch.get_status_display()})
        return redirect(_preview_url(batch))
    try:
        batch = imports.import_batch_commit_start(batch=batch, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_preview_url(batch))
    if batch.status == ImportBatch.Status.DONE:
        messages.success(request, ngettext(
            "%(count)s target company was imported from %(file)s.",
            "%(count)s target companies were imported from %(file)s.",
            batch.created_count,
        ) % {"count": batch.created_count, "file": batch.original_name})
        return redirect("members:company-list", garden_slug=garden.slug)
    return redirect(_preview_url(batch))


@require_POST
@garden_required(PERMISSION)
def import_cancel(request: HttpRequest, garden_slug: str, batch_pk: int) -> HttpResponse:
    """Discard an import that has not started; nothing is imported."""
    batch = _batch(request, batch_pk, with_rows=False)
    if imports.import_batch_cancel(batch=batch, by=request.user):
        messages.success(request, _("The import of %(file)s is cancelled; nothing was imported.")
                         % {"file": batch.original_name})
        return redirect("members:import-upload", garden_slug=garden_slug)
    messages.info(request, _("This import can no longer be cancelled (%(status)s).")
                  % {"status": batch.get_status_display()})
    return redirect(_preview_url(batch))


@garden_required(PERMISSION)
def import_template(request: HttpRequest, garden_slug: str) -> HttpResponse:
    """A CSV with the header row and one example row (UTF-8 with BOM and semicolons, as Norwegian Excel likes)."""
    garden = request.garden
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in imports.template_rows(garden, request.user):
        writer.writerow([neutralise(value) for value in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mal-malbedrifter.csv"'
    return response
