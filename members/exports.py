"""CSV and XLSX export of exactly the filtered target company list.

Cells that a spreadsheet would read as a formula (starting with =, +, -, @, tab
or carriage return) are neutralised with a leading apostrophe (OWASP CSV injection).
"""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gardens.models import Garden

from .models import TargetCompany

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> object:
    """Make a cell safe to open in Excel: text that looks like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _header() -> list[str]:
    return [
        _("Organisasjonsnummer"), _("Company name"), _("Municipality number"), _("Municipality"),
        _("Industry code (SN2007)"), _("Phase"), _("Status"), _("Contract start"), _("Contract end"),
        _("Responsible adviser"), _("Follow-up entries"), _("Follow-up hours"),
    ]


def _rows(targets: Iterable[TargetCompany]) -> Iterable[list]:
    for t in targets:
        company = t.company
        yield [
            company.org_number,
            company.name,
            company.municipality.number if company.municipality_id else "",
            company.municipality.name if company.municipality_id else "",
            company.industry.code if company.industry_id else "",
            t.get_phase_display(),
            t.get_status_display(),
            t.contract_start,
            t.contract_end,
            t.adviser.get_full_name() if t.adviser_id else "",
            getattr(t, "follow_up_count", 0),
            getattr(t, "follow_up_hours", None) or 0,
        ]


def _filename(garden: Garden, ext: str) -> str:
    return f"malbedrifter-{slugify(garden.slug)}-{timezone.localdate():%Y-%m-%d}.{ext}"


def as_csv(targets: Iterable[TargetCompany], garden: Garden) -> HttpResponse:
    """UTF-8 with BOM and semicolons, which Norwegian Excel opens correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(_header())
    for row in _rows(targets):
        writer.writerow([neutralise("" if v is None else str(v)) for v in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(garden, "csv")}"'
    return response


def as_xlsx(targets: Iterable[TargetCompany], garden: Garden) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Target companies")[:31]
    sheet.append(_header())
    for row in _rows(targets):
        sheet.append([neutralise(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJKL", (16, 32, 10, 18, 12, 14, 12, 12, 12, 22, 10, 10), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(garden, "xlsx")}"'
    return response
