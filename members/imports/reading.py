"""Reading an uploaded spreadsheet: decode CSV or XLSX, map the header to our columns, enforce the size limits.

Nothing here touches the database; the result is a ParsedFile of text values, or an
ImportFileError whose message tells the admin what to do about the file.
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from core.exports import FORMULA_START

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# A 5 MB XLSX is a zip; refuse one that unpacks to something absurd (a "zip bomb").
MAX_UNPACKED_BYTES = 100 * 1024 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why, for the admin."""


@dataclass(frozen=True)
class Column:
    field: str
    label: Any
    aliases: tuple[str, ...]
    required: bool = False


# Header names are matched case-insensitively, ignoring spaces and punctuation, so that
# "Org.nr", "org_number" and "ORGNR" all mean the organisasjonsnummer. The aliases
# include the portal's own export headers in both languages, so an export reads back.
COLUMNS = (
    Column("org_number", gettext_lazy("organisasjonsnummer"), (
        "organisasjonsnummer", "orgnr", "org.nr", "orgnummer", "organisasjonsnr", "org_number",
        "organisation number", "organization number"), required=True),
    Column("name", gettext_lazy("name"), (
        "navn", "bedrift", "bedriftsnavn", "firmanavn", "firma", "name", "company", "company name"), required=True),
    Column("municipality", gettext_lazy("municipality"), (
        "kommune", "kommunenummer", "kommunenr", "kommunenavn", "municipality", "municipality number")),
    Column("contract_start", gettext_lazy("contract start"), (
        "kontraktstart", "kontrakt start", "kontraktsstart", "startdato", "contract_start", "contract start"),
        required=True),
    Column("contract_end", gettext_lazy("contract end"), (
        "kontraktslutt", "kontrakt slutt", "kontraktsslutt", "sluttdato", "contract_end", "contract end")),
    Column("phase", gettext_lazy("phase"), ("fase", "phase")),
    Column("industry", gettext_lazy("industry (SN2007)"), (
        "næringskode", "næringskode (sn2007)", "nace", "industry", "industry code", "industry code (sn2007)",
        "sn2007")),
    Column("adviser", gettext_lazy("responsible adviser"), (
        "rådgiver", "ansvarlig rådgiver", "adviser", "advisor", "responsible adviser")),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}


def header_key(text: str) -> str:
    """A header reduced to lower-case letters and digits: 'Org.nr' → 'orgnr'."""
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


ALIASES = {header_key(alias): column.field for column in COLUMNS for alias in column.aliases}


@dataclass
class ParsedRow:
    line: int  # the row number in the spreadsheet, header included, so the admin can find it
    values: dict[str, str]


@dataclass
class ParsedFile:
    kind: str  # "csv" or "xlsx"
    columns: dict[str, str]  # field → the header as written in the file
    ignored: list[str]
    rows: list[ParsedRow] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""

    def info(self) -> dict[str, Any]:
        """What the preview tells the admin about how the file was read (stored on the batch)."""
        return {"kind": self.kind, "encoding": self.encoding, "delimiter": self.delimiter,
                "read": self.columns, "ignored": self.ignored}


def _clean_text(value: str) -> str:
    """Trim, collapse whitespace, and undo the apostrophe our export puts before formula-like text."""
    text = " ".join(str(value).replace("\ufeff", "").split())
    if text.startswith("'") and text[1:2] in FORMULA_START:
        text = text[1:]
    return text


def _cell_text(value: Any) -> str:
    """An XLSX cell as the text a person would type: dates as dd.mm.yyyy, 912345678.0 as 912345678."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean_text(value)


def _too_large() -> ImportFileError:
    return ImportFileError(_("The file is larger than 5 MB. Split it into smaller files."))


def _not_tabular() -> ImportFileError:
    return ImportFileError(_("The file is not a CSV or Excel (XLSX) file. Save your spreadsheet as CSV or XLSX "
                             "and upload it again."))


def _not_xlsx() -> ImportFileError:
    return ImportFileError(_("The file could not be read as an Excel (XLSX) file; it may be damaged. Open it in "
                             "Excel and save it again as XLSX or CSV."))


def _decode(raw: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise _not_tabular() from None
    if b"\x00" in raw:
        raise _not_tabular()
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise _not_tabular() from None
    return text, "Windows-1252"


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text[:100_000] if ord(ch) < 32 and ch not in "\t\r\n")
    return controls > len(text[:100_000]) // 100


def _delimiter(text: str) -> str:
    """';' (Norwegian Excel), ',' or tab: whichever the header line has most of, outside quotes."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield [_clean_text(c) for c in cells]
    except csv.Error:
        raise ImportFileError(
            _("Line %(line)s could not be read as CSV. Check for quotation marks that are not closed.")
            % {"line": reader.line_num}
        ) from None


def _xlsx_rows(raw: bytes) -> Iterator[list[str]]:
    buffer = io.BytesIO(raw)
    if not zipfile.is_zipfile(buffer):
        raise _not_xlsx()
    try:
        with zipfile.ZipFile(buffer) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise _too_large()
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds of errors on a damaged or foreign zip
        raise _not_xlsx() from None
    try:
        if not workbook.worksheets:
            raise _not_xlsx()
        sheet = workbook.worksheets[0]
        # Some programs write a wrong size into the sheet; read what is really there.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    except ImportFileError:
        raise
    except Exception:
        raise _not_xlsx() from None
    finally:
        workbook.close()


def _table(rows: Iterable[list[str]], parsed: ParsedFile) -> ParsedFile:
    """Find the header (the first non-empty row), map its columns, and collect the data rows."""
    index: dict[str, int] | None = None
    for line, cells in enumerate(rows, start=1):
        if not any(cells):
            continue
        if index is None:
            index = {}
            for position, header in enumerate(cells):
                name = ALIASES.get(header_key(header))
                if name and name not in index:
                    index[name] = position
                    parsed.columns[name] = header
                elif header:
                    parsed.ignored.append(header)
            missing = [str(c.label) for c in COLUMNS if c.required and c.field not in index]
            if missing:
                raise ImportFileError(
                    _("The file has no column for %(columns)s. The first row must name the columns; download "
                      "the template to see how.") % {"columns": ", ".join(missing)}
                )
            continue
        values = {name: (cells[i] if i < len(cells) else "") for name, i in index.items()}
        if not any(values.values()):
            continue
        if len(parsed.rows) >= MAX_ROWS:
            raise ImportFileError(_("The file has more than 5,000 rows. Split it into smaller files."))
        parsed.rows.append(ParsedRow(line=line, values=values))
    if index is None:
        raise ImportFileError(_("The file is empty."))
    if not parsed.rows:
        raise ImportFileError(_("The file has a header row but no companies under it."))
    return parsed


def parse_upload(file) -> ParsedFile:
    """Read an uploaded CSV or XLSX file into rows of text values; ImportFileError if it cannot be read."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _too_large()
    if hasattr(file, "seek"):
        file.seek(0)
    raw = file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _too_large()
    if not raw.strip():
        raise ImportFileError(_("The file is empty."))
    name = (getattr(file, "name", "") or "").lower()
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("Old Excel files (.xls) and password-protected workbooks cannot be read. Save it "
                                "as XLSX or CSV without a password."))
    if raw.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        return _table(_xlsx_rows(raw), ParsedFile(kind="xlsx", columns={}, ignored=[]))
    text, encoding = _decode(raw)
    if _looks_binary(text):
        raise _not_tabular()
    delimiter = _delimiter(text)
    parsed = ParsedFile(kind="csv", columns={}, ignored=[], encoding=encoding, delimiter=delimiter)
    return _table(_csv_rows(text, delimiter), parsed)
