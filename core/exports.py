"""Tables as files people open in Excel: CSV (UTF-8 with BOM, semicolons) and XLSX (numbers as numbers).

Cells that a spreadsheet would read as a formula (starting with =, +, -, @, tab or carriage
return) are neutralised with a leading apostrophe (OWASP CSV injection); numbers stay numbers.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import Http404, HttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value) -> object:
    """Make a cell safe to open in Excel: text that looks like a formula gets a leading apostrophe."""
    if isinstance(value, Promise):  # a translated label
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) or type(value).__name__ == "Decimal":
        return str(value).replace(".", ",")  # Norwegian Excel reads a decimal comma
    return str(neutralise(str(value)))


def table_download(header: Sequence[str], rows: Iterable[Sequence], *, name: str, fmt: str, title: str = "",
                   widths: Sequence[int] = ()) -> HttpResponse:
    """`rows` under `header` as `name`.csv or `name`.xlsx; 404 for another format."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([_csv_cell(h) for h in header])
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = (title or name)[:31]
        # XLSX keeps text as text: a string cell is stored as a string (type "s"), which Excel
        # never evaluates, so "=HYPERLINK(…)" shows as typed, without the CSV's apostrophe.
        for values in [list(header), *rows]:
            sheet.append([str(v) if isinstance(v, Promise) else v for v in values])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        raise Http404("Unknown format.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
