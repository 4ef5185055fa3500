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
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.exports import neutralise
from gardens.access import garden_required

from . import imports
from .models import ImportBatch, ImportRow

PERMISSION = "can_import_companies"
RECENT = 20
PAGE_SIZE = 100


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV or XLSX)"),
        help_text=gettext_lazy("At most 40 MB and 100,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )


IGNORE = ""


class ImportMappingForm(forms.Form):
    """One choice per column of the file (a field, or ignore), the key figures' year, and a name to save it under."""

    key_figures_year = forms.IntegerField(
        label=gettext_lazy("Year of the key figures"), required=False, min_value=1990, max_value=2100,
        help_text=gettext_lazy("Used for every row whose key figures have no year column (or an empty one)."),
    )
    save_as = forms.CharField(
        label=gettext_lazy("Save this mapping as"), required=False, max_length=100,
        help_text=gettext_lazy("Optional. The next file with the same column names is then read this way at once."),
    )

    def __init__(self, *args, batch: ImportBatch, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch
        columns = batch.columns
        headers = columns.get("headers", [])
        samples = columns.get("samples", [])
        current = columns.get("mapping") if batch.status == ImportBatch.Status.PREVIEWED else None
        chosen = {int(p): f for p, f in (current or columns.get("guessed", {})).items()}
        choices = [(IGNORE, _("Ignore this column")),
                   *((f, imports.field_label(f).capitalize()) for f in imports.FIELDS)]
        width = max([len(headers), *(len(row) for row in samples)]) if samples or headers else 0
        self.column_rows = []
        for position in range(width):
            header = headers[position] if position < len(headers) else ""
            values = [row[position] for row in samples if position < len(row) and row[position]]
            if not header and not values:
                continue  # a blank column: nothing to map
            name = f"column_{position}"
            self.fields[name] = forms.ChoiceField(choices=choices, required=False, initial=chosen.get(position, IGNORE))
            self.column_rows.append({"position": position, "letter": _column_letter(position), "header": header,
                                     "samples": values, "name": name, "guessed": position in chosen})
        if current is not None:
            self.fields["key_figures_year"].initial = columns.get("key_figures_year")

    def bound_rows(self):
        """The column rows with their bound select, for the template."""
        return [{**row, "field": self[row["name"]]} for row in self.column_rows]

    def mapping(self) -> dict[int, str]:
        return {row["position"]: self.cleaned_data[row["name"]] for row in self.column_rows
                if self.cleaned_data.get(row["name"])}

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for error in imports.mapping_errors(self.mapping(), headers=self.batch.columns.get("headers", []),
                                                key_figures_year=cleaned.get("key_figures_year")):
                self.add_error(None, error)
        return cleaned


def _column_letter(position: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as the spreadsheet names it."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _batch(request: HttpRequest, batch_pk: int, *, with_rows: bool = True) -> ImportBatch:
    """A batch reached through request.garden (another garden's id is a 404)."""
    batches = request.garden.import_batches.select_related("uploaded_by")
    if not with_rows:
        batches = batches.defer("columns")
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
    batches = list(garden.import_batches.defer("columns").select_related("uploaded_by")[:RECENT])
    return render(request, "members/import_upload.html", {
        "garden": garden, "membership": request.membership, "form": form, "batches": batches,
        "columns": imports.COLUMNS, "max_rows": imports.max_rows(),
    })


def _display_rows(stored, fields: list[str]) -> list[dict]:
    """Rows for the preview table: each cell with its value and whether it has a problem."""
    display = []
    for row in (r.as_dict() for r in stored):
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
    if batch.status == ImportBatch.Status.MAPPING:
        return redirect("members:import-mapping", garden_slug=garden.slug, batch_pk=batch.pk)
    in_progress = batch.status in (ImportBatch.Status.UPLOADED, ImportBatch.Status.IMPORTING)
    # Rows are shown once checked (they then carry their problems), also after a commit or failure;
    # a page at a time from the batch's row table, with the counts in one query.
    row_count = problem_rows = 0
    checked = batch.import_rows.filter(clean__isnull=False)
    if not in_progress:
        counts = checked.aggregate(rows=Count("id"), problems=Count("id", filter=Q(has_problems=True)))
        row_count, problem_rows = counts["rows"], counts["problems"]
    only_problems = request.GET.get("problems") == "1" and problem_rows > 0
    read = batch.columns.get("read", {})
    fields = [f for f in imports.COLUMN_BY_FIELD if f in read]
    shown = checked.filter(has_problems=True) if only_problems else checked
    paginator = Paginator(shown.order_by("line") if row_count else ImportRow.objects.none(), PAGE_SIZE)
    paginator.count = problem_rows if only_problems else row_count  # known already: no COUNT query
    page = paginator.get_page(request.GET.get("page"))
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
        "row_count": row_count,
        "problem_rows": problem_rows,
        "ok_rows": row_count - problem_rows,
        "can_commit": batch.status == ImportBatch.Status.PREVIEWED and bool(row_count) and not problem_rows,
        "can_commit_ready": batch.status == ImportBatch.Status.PREVIEWED and problem_rows and problem_rows < row_count,
        "can_remap": batch.status == ImportBatch.Status.PREVIEWED,
        "can_cancel": batch.status in (ImportBatch.Status.UPLOADED, ImportBatch.Status.PREVIEWED),
        "stale": imports.import_batch_is_stale(batch),
        "left_out": len(batch.columns.get("left_out", [])) if batch.status == ImportBatch.Status.DONE else 0,
        "saved_mapping": batch.columns.get("saved_mapping", ""),
        "key_figures_year": batch.columns.get("key_figures_year"),
    })


@garden_required(PERMISSION)
def import_mapping(request: HttpRequest, garden_slug: str, batch_pk: int) -> HttpResponse:
    """The columns of the file, each with the field it fills (guessed); the admin changes any and goes on."""
    garden = request.garden
    batch = _batch(request, batch_pk)
    if batch.status not in (ImportBatch.Status.MAPPING, ImportBatch.Status.PREVIEWED):
        return redirect(_preview_url(batch))
    form = ImportMappingForm(request.POST or None, batch=batch)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = imports.import_batch_map(
                    batch=batch, by=request.user, mapping=form.mapping(),
                    key_figures_year=form.cleaned_data["key_figures_year"], save_as=form.cleaned_data["save_as"])
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                if form.cleaned_data["save_as"]:
                    messages.success(request, _("The column mapping “%(name)s” is saved for files with these "
                                                "column names.") % {"name": form.cleaned_data["save_as"]})
                return redirect(_preview_url(batch))
        status = 400
    return render(request, "members/import_mapping.html", {
        "garden": garden, "membership": request.membership, "batch": batch, "form": form,
        "rows": form.bound_rows(), "file_info": batch.columns,
    }, status=status)


@garden_required(PERMISSION)
def import_problems(request: HttpRequest, garden_slug: str, batch_pk: int) -> HttpResponse:
    """The rows with problems as a file in the upload's format, with a Problem column, to fix and upload again."""
    batch = _batch(request, batch_pk)
    rows = [row.as_dict() for row in batch.import_rows.filter(has_problems=True).order_by("line")]
    if not rows:
        raise Http404("No rows with problems.")
    content, content_type, name = imports.problem_rows_file(columns=batch.columns, rows=rows,
                                                            name=batch.original_name)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_ascii_name(name)}"'
    return response


def _ascii_name(name: str) -> str:
    """A file name safe in a Content-Disposition header (æøå spelt out, quotes dropped)."""
    for letter, plain in (("æ", "ae"), ("ø", "o"), ("å", "a"), ("Æ", "Ae"), ("Ø", "O"), ("Å", "A")):
        name = name.replace(letter, plain)
    return "".join(ch for ch in name if ch.isascii() and ch.isprintable() and ch not in '"\\') or "problemrader"


@require_POST
@garden_required(PERMISSION)
def import_restart(request: HttpRequest, garden_slug: str, batch_pk: int) -> HttpResponse:
    """Start a stalled import again (its worker was lost; nothing was written)."""
    batch = _batch(request, batch_pk, with_rows=False)
    if imports.import_batch_restart(batch=batch, by=request.user):
        messages.success(request, _("The import of %(file)s is started again.") % {"file": batch.original_name})
    else:
        messages.info(request, _("This import is not stalled (%(status)s).") % {"status": batch.get_status_display()})
    return redirect(_preview_url(batch))


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
    ready_only = request.POST.get("ready_only") == "1"
    try:
        batch = imports.import_batch_commit_start(batch=batch, by=request.user, ready_only=ready_only)
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
        if batch.columns.get("left_out"):  # the admin comes back for the rows with problems
            return redirect(_preview_url(batch))
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
