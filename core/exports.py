"""Tables as files people open in Excel: CSV (UTF-8 with BOM, semicolons) and XLSX (numbers as numbers).

In CSV, cells that a spreadsheet would read as a formula (starting with =, +, -, @, tab or
carriage return) are neutralised with a leading apostrophe (OWASP CSV injection); in XLSX text
is stored as text, which Excel never evaluates. Numbers stay numbers.

Dates read the Norwegian way in both: CSV writes 01.03.2025 (and 02.12.2026 14:05 for a moment,
in Norwegian time), which Norwegian Excel reads as a date; XLSX keeps real date cells shown as
DD.MM.YYYY. Decimals in CSV get a decimal comma without thousands spaces, so Excel still reads
them as numbers.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
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


XLSX_DATE = "DD.MM.YYYY"
XLSX_MOMENT = "DD.MM.YYYY HH:MM"


def _local_naive(value: datetime.datetime) -> datetime.datetime:
    """A moment in Norwegian time without its zone (spreadsheets have no time zones)."""
    return timezone.make_naive(value) if timezone.is_aware(value) else value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return f"{_local_naive(value):%d.%m.%Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, Decimal):
        # Fixed point without the trailing zeros: Decimal("1.50") → "1,5", Decimal("12.00") → "12".
        text = f"{value:f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", ",")
    if isinstance(value, int | float):
        return str(value).replace(".", ",")  # Norwegian Excel reads a decimal comma
    return str(neutralise(str(value)))


class _Line:
    """A file-like object that hands back what csv.writer writes to it (one line at a time)."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    writer = csv.writer(_Line(), delimiter=";")
    yield "\ufeff" + writer.writerow([_csv_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([_csv_cell(v) for v in row])


def _xlsx_cell(sheet, value):
    """A value for a write-only sheet: text stays text (type "s", never evaluated, so "=HYPERLINK(…)"
    shows as typed without the CSV's apostrophe); numbers and dates stay what they are."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=_local_naive(value) if isinstance(value, datetime.datetime) else value)
        cell.number_format = XLSX_MOMENT if isinstance(value, datetime.datetime) else XLSX_DATE
        return cell
    return value


def _xlsx_file(header: Sequence[str], rows: Iterable[Sequence], *, name: str, title: str,
               widths: Sequence[int]):
    """The workbook in write-only mode (rows go to disk as they come), as an open temporary file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet((title or name)[:31])
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = []
    for value in header:
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    file = tempfile.TemporaryFile()
    workbook.save(file)
    file.seek(0)
    return file


def table_download(header: Sequence[str], rows: Iterable[Sequence], *, name: str, fmt: str, title: str = "",
                   widths: Sequence[int] = (), stream: bool = False) -> HttpResponseBase:
    """`rows` under `header` as `name`.csv or `name`.xlsx; 404 for another format.

    With `stream`, `rows` may be a generator over a large query: the CSV is sent line by line
    and the XLSX is written to a temporary file and sent from there, so memory stays flat in
    the number of rows (the response is then a streaming one: no `.content`).
    """
    if fmt not in ("csv", "xlsx"):
        raise Http404("Unknown format.")
    if stream:
        if fmt == "csv":
            response = StreamingHttpResponse(_csv_lines(header, rows), content_type="text/csv; charset=utf-8")
        else:
            response = FileResponse(_xlsx_file(header, rows, name=name, title=title, widths=widths),
                                    content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response
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
            sheet.append([str(v) if isinstance(v, Promise) else _local_naive(v) if isinstance(v, datetime.datetime)
                          else v for v in values])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                elif isinstance(cell.value, datetime.datetime):
                    cell.number_format = XLSX_MOMENT
                elif isinstance(cell.value, datetime.date):
                    cell.number_format = XLSX_DATE
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
