"""The rows of an import that have problems, as a file to fix and upload again.

Same format and columns as the upload (CSV in its encoding and separator, or XLSX), the
header row first and a "Problem" column added in Norwegian; the rows keep their cells as
read. Reading such a file back ignores the Problem column and maps like the original
(reading.header_signature leaves it out).
"""

import csv
import io
from typing import Any

from django.utils import translation

from core.exports import XLSX_TYPE, neutralise

from .checking import describe_problem
from .reading import field_label

ENCODINGS = {"UTF-8": "utf-8-sig", "UTF-16": "utf-16", "Windows-1252": "cp1252"}


def _problem_text(row: dict[str, Any]) -> str:
    return " ".join(f"{field_label(p['field']).capitalize()}: {describe_problem(p)}"
                    for p in row.get("problems", []))


def problem_rows_file(*, columns: dict[str, Any], rows: list[dict[str, Any]], name: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the rows with problems, in the upload's format."""
    with translation.override("nb"):
        header = list(columns.get("headers", []))
        problem_rows = [row for row in rows if row.get("problems")]
        width = max([len(header), *(len(row["cells"]) for row in problem_rows)])
        table = [[*header, *[""] * (width - len(header)), "Problem"]]
        for row in problem_rows:
            cells = list(row["cells"])
            table.append([*cells, *[""] * (width - len(cells)), _problem_text(row)])
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if columns.get("kind") == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Problemrader"
        for values in table:
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text: never evaluated as a formula
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), XLSX_TYPE, f"{stem}-problemrader.xlsx"
    encoding = ENCODINGS.get(columns.get("encoding", ""), "utf-8-sig")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=columns.get("delimiter") or ";", lineterminator="\r\n")
    for values in table:
        writer.writerow([neutralise(v) for v in values])
    content = buffer.getvalue().encode(encoding, errors="replace")
    charset = {"utf-8-sig": "utf-8"}.get(encoding, encoding)
    return content, f"text/csv; charset={charset}", f"{stem}-problemrader.csv"
