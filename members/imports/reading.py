"""Reading an uploaded spreadsheet: decode CSV or XLSX, find the header, guess the columns, stream the rows.

Nothing here touches the database. Files are read as streams, row by row, so a 100,000-row
file costs no more memory than a 100-row one; an ImportFileError's message tells the admin
what to do about a file that cannot be read at all.

Real files are not tidy: Norwegian Excel saves CSV in Windows-1252 with semicolons, offices
put a title row (often merged across the sheet) above the header, leave blank columns, and
end the sheet with a "Sum" row. The header is therefore the first row that names at least
two of our fields; rows above it are skipped, and sum/total rows after the last company are
left out with a note.
"""

import codecs
import csv
import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import iterparse

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from core.exports import FORMULA_START

# A zip that unpacks to something absurd (a "zip bomb") is refused.
MAX_UNPACKED_FACTOR = 20
# Longest cell text kept; longer is cut here and the row gets a problem (see checking.TOO_LONG).
MAX_CELL = 5000
# Rows looked at for the header before giving up and taking the first non-empty one.
HEADER_SEARCH_ROWS = 30
csv.field_size_limit(10 * 1024 * 1024)


def max_rows() -> int:
    """The upper bound on data rows in one file (settings.IMPORT_MAX_ROWS)."""
    return settings.IMPORT_MAX_ROWS


def max_bytes() -> int:
    """The upper bound on a file's size (settings.IMPORT_MAX_BYTES)."""
    return settings.IMPORT_MAX_BYTES


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why, for the admin."""


@dataclass(frozen=True)
class Column:
    field: str
    label: Any
    aliases: tuple[str, ...]
    required: bool = False
    group: str = "record"  # record, contact, figures


# Header names are matched case-insensitively, ignoring spaces and punctuation, so that
# "Org.nr.", "org_number" and "ORGNR" all mean the organisasjonsnummer. The aliases include
# the portal's own export headers in both languages, so an export reads back.
COLUMNS = (
    Column("org_number", gettext_lazy("organisasjonsnummer"), (
        "organisasjonsnummer", "orgnr", "org.nr", "org.nr.", "org nr", "orgnummer", "organisasjonsnr",
        "org_number", "organisation number", "organization number", "foretaksnummer"), required=True),
    Column("name", gettext_lazy("name"), (
        "navn", "bedrift", "bedriftsnavn", "firmanavn", "firma", "foretak", "foretaksnavn", "virksomhet",
        "selskap", "name", "company", "company name", "målbedrift"), required=True),
    Column("municipality", gettext_lazy("municipality (name)"), (
        "kommune", "kommunenavn", "municipality", "municipality name")),
    Column("municipality_number", gettext_lazy("municipality number"), (
        "kommunenr", "kommunenummer", "kommune nr", "knr", "municipality number", "municipality no")),
    Column("contract_start", gettext_lazy("contract start"), (
        "avtalestart", "avtale start", "avtaledato", "kontraktstart", "kontrakt start", "kontraktsstart",
        "kontraktsdato", "startdato", "start", "oppstart", "oppstartsdato", "contract_start", "contract start",
        "start date"), required=True),
    Column("contract_end", gettext_lazy("contract end"), (
        "avtaleslutt", "avtale slutt", "kontraktslutt", "kontrakt slutt", "kontraktsslutt", "sluttdato",
        "slutt", "contract_end", "contract end", "end date")),
    Column("phase", gettext_lazy("phase"), ("fase", "phase", "programfase")),
    Column("status", gettext_lazy("status"), ("status", "tilstand")),
    Column("industry", gettext_lazy("industry (SN2007)"), (
        "næringskode", "næringskode (sn2007)", "nace", "nacekode", "industry", "industry code",
        "industry code (sn2007)", "sn2007", "bransjekode")),
    Column("adviser", gettext_lazy("responsible adviser"), (
        "rådgiver", "ansvarlig rådgiver", "ansvarlig", "kontaktperson i hagen", "adviser", "advisor",
        "responsible adviser")),
    Column("notes", gettext_lazy("notes"), ("notat", "notater", "merknad", "merknader", "kommentar", "notes",
                                            "note", "comment")),
    Column("contact_name", gettext_lazy("contact person"), (
        "kontaktperson", "kontakt", "kontaktnavn", "daglig leder", "contact", "contact person", "contact name"),
        group="contact"),
    Column("contact_role", gettext_lazy("contact's role"), (
        "rolle", "stilling", "tittel", "kontaktpersonens rolle", "role", "title"), group="contact"),
    Column("contact_email", gettext_lazy("contact's e-mail"), (
        "epost", "e-post", "e-postadresse", "mail", "email", "e-mail"), group="contact"),
    Column("contact_phone", gettext_lazy("contact's phone"), (
        "telefon", "tlf", "tlf.", "mobil", "mobilnummer", "telefonnummer", "phone", "mobile"), group="contact"),
    Column("contact_legal_basis", gettext_lazy("contact's legal basis"), (
        "rettslig grunnlag", "behandlingsgrunnlag", "grunnlag", "legal basis"), group="contact"),
    Column("year", gettext_lazy("key figures year"), ("år", "regnskapsår", "year", "nøkkeltallsår"),
           group="figures"),
    Column("turnover", gettext_lazy("turnover (NOK)"), (
        "omsetning", "driftsinntekter", "sum driftsinntekter", "turnover", "revenue"), group="figures"),
    Column("value_creation", gettext_lazy("value creation (NOK)"), (
        "verdiskaping", "verdiskapning", "value creation"), group="figures"),
    Column("employees", gettext_lazy("employees (FTE)"), (
        "ansatte", "antall ansatte", "årsverk", "sysselsatte", "employees", "fte"), group="figures"),
    Column("women_in_leadership", gettext_lazy("women in leading positions"), (
        "kvinner i ledelsen", "kvinnelige ledere", "kvinner ledere", "women in leadership",
        "women in leading positions"), group="figures"),
    Column("leaders_total", gettext_lazy("leading positions in all"), (
        "ledere", "antall ledere", "lederstillinger", "leaders", "leading positions in all"), group="figures"),
)
# A second and third contact person: "Kontaktperson 2", "E-post 2" …
CONTACT_SLOTS = (1, 2, 3)
CONTACT_PARTS = ("name", "role", "email", "phone", "legal_basis")


def _all_fields() -> dict[str, Column]:
    fields = {}
    for column in COLUMNS:
        fields[column.field] = column
        if column.group == "contact":
            for slot in CONTACT_SLOTS[1:]:
                fields[f"{column.field}_{slot}"] = column
    return fields


COLUMN_BY_FIELD = _all_fields()
FIELDS = tuple(COLUMN_BY_FIELD)


def field_label(name: str) -> str:
    """'contact_email_2' → "contact's e-mail (2)"; the label of any field, in the active language."""
    column = COLUMN_BY_FIELD[name]
    slot = name.rsplit("_", 1)[-1]
    return f"{column.label} ({slot})" if slot.isdigit() else str(column.label)


def header_key(text: str) -> str:
    """A header reduced to lower-case letters and digits: 'Org.nr.' → 'orgnr'."""
    return "".join(ch for ch in str(text).casefold() if ch.isalnum())


ALIASES = {header_key(alias): column.field for column in COLUMNS for alias in column.aliases}
SLOT = re.compile(r"^(.*?)(\d)$")


def guess_field(header: str) -> str | None:
    """The field a header names, or None: 'Avtalestart' → contract_start, 'E-post 2' → contact_email_2."""
    key = header_key(header)
    if not key:
        return None
    if key in ALIASES:
        return ALIASES[key]
    if (match := SLOT.match(key)) and match.group(1) in ALIASES:
        name, slot = ALIASES[match.group(1)], int(match.group(2))
        if COLUMN_BY_FIELD[name].group == "contact" and slot in CONTACT_SLOTS:
            return name if slot == 1 else f"{name}_{slot}"
    return None


def guess_mapping(headers: list[str]) -> dict[int, str]:
    """Column position → field for every header we recognise; each field taken by its first column."""
    mapping: dict[int, str] = {}
    for position, header in enumerate(headers):
        name = guess_field(header)
        if name and name not in mapping.values():
            mapping[position] = name
    return mapping


# --- cell values ---------------------------------------------------------------------------------


def clean_text(value: Any) -> str:
    """Trim, collapse whitespace (NBSP too), cut at MAX_CELL, undo the apostrophe our export puts before formulas."""
    # NUL cannot be stored (PostgreSQL's JSON refuses it): it becomes U+FFFD, which checking flags.
    text = " ".join(str(value).replace("\ufeff", "").replace("\x00", "\ufffd").split())
    if len(text) > MAX_CELL:
        text = text[:MAX_CELL] + "…"
    if text.startswith("'") and text[1:2] in FORMULA_START:
        text = text[1:]
    return text


def cell_text(value: Any) -> str:
    """An XLSX cell as the text a person would type: dates as dd.mm.yyyy, 912345678.0 as 912345678."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return clean_text(value)


# --- files -----------------------------------------------------------------------------------------


def _too_large() -> ImportFileError:
    return ImportFileError(_("The file is larger than %(size)s MB. Split it into smaller files.")
                           % {"size": max_bytes() // (1024 * 1024)})


def _not_tabular() -> ImportFileError:
    return ImportFileError(_("The file is not a CSV or Excel (XLSX) file. Save your spreadsheet as CSV or XLSX "
                             "and upload it again."))


def _not_xlsx() -> ImportFileError:
    return ImportFileError(_("The file could not be read as an Excel (XLSX) file; it may be damaged. Open it in "
                             "Excel and save it again as XLSX or CSV."))


def _size(handle: IO[bytes]) -> int:
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def _encoding(handle: IO[bytes]) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; read in chunks, never whole."""
    start = handle.read(4)
    handle.seek(0)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := handle.read(1024 * 1024):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        handle.seek(0)


ENCODING_NAMES = {"utf-16": "UTF-16", "utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    return controls > max(len(text) // 100, 2)


def _delimiter(first_lines: str) -> str:
    """';' (Norwegian Excel), ',' or tab: whichever the first lines have most of, outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", first_lines)
    counts = {d: unquoted.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class Table:
    """An opened spreadsheet: what it is, and a fresh stream of (line, cells) each time rows() is called."""

    handle: IO[bytes]
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def info(self) -> dict[str, str]:
        return {"kind": self.kind, "encoding": ENCODING_NAMES.get(self.encoding, self.encoding),
                "delimiter": self.delimiter}

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        self.handle.seek(0)
        if self.kind == "xlsx":
            yield from self._xlsx_rows()
        else:
            yield from self._csv_rows()

    def _csv_rows(self) -> Iterator[tuple[int, list[str]]]:
        text = io.TextIOWrapper(self.handle, encoding=self.encoding, errors="replace", newline="")
        reader = csv.reader(text, delimiter=self.delimiter)
        try:
            for cells in reader:
                yield reader.line_num, [clean_text(c) for c in cells]
        except csv.Error:
            raise ImportFileError(
                _("Line %(line)s could not be read as CSV. Check for quotation marks that are not closed.")
                % {"line": reader.line_num}
            ) from None
        finally:
            text.detach()

    def _xlsx_rows(self) -> Iterator[tuple[int, list[str]]]:
        try:
            workbook = load_workbook(self.handle, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds of errors on a damaged or foreign zip
            raise _not_xlsx() from None
        # Merged cells: openpyxl's streaming reader gives the value only in the top-left cell.
        # Each range's value is remembered (only while the range lasts) and given to every cell.
        merged_values: dict[tuple[int, int, int, int], str] = {}
        try:
            if not workbook.worksheets:
                raise _not_xlsx()
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some programs write a wrong size into the sheet
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(v) for v in values]
                for box in self.merged:
                    min_col, min_row, max_col, max_row = box
                    if not min_row <= line <= max_row:
                        continue
                    if line == min_row:
                        merged_values[box] = cells[min_col - 1] if min_col - 1 < len(cells) else ""
                    elif min_col - 1 < len(cells):
                        # Down the rows of a merged range, the cell under its first column reads its
                        # value (a title merged across a row is one cell: it names nothing anyway).
                        cells[min_col - 1] = merged_values.get(box, "")
                yield line, cells
        except ImportFileError:
            raise
        except Exception:
            raise _not_xlsx() from None
        finally:
            workbook.close()


def _first_sheet_merges(archive: zipfile.ZipFile) -> list[tuple[int, int, int, int]]:
    """The merged ranges of the workbook's first sheet, read from its XML as a stream."""
    names = archive.namelist()
    sheet = "xl/worksheets/sheet1.xml"
    if sheet not in names:
        candidates = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        if not candidates:
            return []
        sheet = candidates[0]
    merges = []
    with archive.open(sheet) as handle:
        for _event, element in iterparse(handle, events=("end",)):
            if element.tag.endswith("}mergeCell"):
                ref = element.get("ref", "")
                try:
                    merges.append(range_boundaries(ref))
                except (TypeError, ValueError):
                    pass
                if len(merges) > 10_000:
                    break
            element.clear()
    return [m for m in merges if None not in m]


def open_table(handle: IO[bytes], name: str = "") -> Table:
    """Open an uploaded or stored file for reading; ImportFileError if it is not a spreadsheet we can read."""
    size = _size(handle)
    if size > max_bytes():
        raise _too_large()
    start = handle.read(64 * 1024)
    handle.seek(0)
    if not start.strip():
        raise ImportFileError(_("The file is empty."))
    name = (name or "").lower()
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("Old Excel files (.xls) and password-protected workbooks cannot be read. Save it "
                                "as XLSX or CSV without a password."))
    if start.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        if not zipfile.is_zipfile(handle):
            raise _not_xlsx()
        try:
            with zipfile.ZipFile(handle) as archive:
                if sum(info.file_size for info in archive.infolist()) > max_bytes() * MAX_UNPACKED_FACTOR:
                    raise _too_large()
                merged = _first_sheet_merges(archive)
        except ImportFileError:
            raise
        except Exception:
            raise _not_xlsx() from None
        handle.seek(0)
        return Table(handle=handle, kind="xlsx", merged=merged)
    encoding = _encoding(handle)
    sample = start.decode(encoding if encoding != "utf-8-sig" else "utf-8", errors="ignore")
    if _looks_binary(sample):
        raise _not_tabular()
    first_lines = "\n".join([line for line in sample.splitlines() if line.strip()][:HEADER_SEARCH_ROWS])
    return Table(handle=handle, kind="csv", encoding=encoding, delimiter=_delimiter(first_lines))


@dataclass
class Header:
    line: int
    headers: list[str]
    guessed: dict[int, str]


# The column our own "problem rows" download adds: ignored when read back, and not part of the
# header signature, so a fixed file of problem rows is mapped like the file it came from.
PROBLEM_HEADER_KEYS = {"problem", "problemer", "problems"}


def header_signature(headers: list[str]) -> str:
    """A fingerprint of a header row (case, spacing and punctuation ignored; our "Problem" column left out)."""
    keys = [header_key(h) for h in headers]
    while keys and (not keys[-1] or keys[-1] in PROBLEM_HEADER_KEYS):
        keys.pop()
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()


SAMPLE_ROWS = 3


def read_header(file) -> tuple[Table, Header, list[list[str]]]:
    """Open a file and find its header row and a few sample rows under it, for the mapping step.

    ImportFileError if the file cannot be read or has nothing under its header.
    """
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes():
        raise _too_large()
    table = open_table(file, getattr(file, "name", "") or "")
    header = find_header(table)
    samples: list[list[str]] = []
    for line, cells in table.rows():
        if line <= header.line or not any(cells):
            continue
        samples.append(cells)
        if len(samples) >= SAMPLE_ROWS:
            break
    if not samples:
        raise ImportFileError(_("The file has a header row but no companies under it."))
    return table, header, samples


def find_header(table: Table) -> Header:
    """The first row naming at least two of our fields (title rows above it skipped), else the first non-empty row."""
    first: Header | None = None
    seen = 0
    for line, cells in table.rows():
        if not any(cells):
            continue
        guessed = guess_mapping(cells)
        if len(guessed) >= 2:
            return Header(line, cells, guessed)
        if first is None and sum(1 for c in cells if c) >= 2:
            first = Header(line, cells, guessed)
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise ImportFileError(_("The file is empty."))
    return first


# A row saying "Sum", "Totalt" … (and no organisasjonsnummer) under the last company is left out.
SUMMARY_WORDS = {"sum", "summer", "total", "totalt", "totalsum", "ialt", "sumialt", "antall", "gjennomsnitt"}


def is_summary_row(cells: list[str], mapping: dict[int, str]) -> bool:
    """True for a 'Sum'/'Total' row: one of its cells says so, and it has no organisasjonsnummer."""
    org_position = next((p for p, f in mapping.items() if f == "org_number"), None)
    if org_position is not None and org_position < len(cells):
        value = cells[org_position]
        if value and header_key(value) not in SUMMARY_WORDS:
            return False
    return any(header_key(c) in SUMMARY_WORDS for c in cells if c)


@dataclass
class DataRow:
    line: int
    cells: list[str]


def data_rows(table: Table, header_line: int, mapping: dict[int, str], notes: list[dict]) -> Iterator[DataRow]:
    """The rows under the header that hold something in a mapped column, streamed.

    Sum/total rows after the last company are left out, and a note in `notes` says which;
    ImportFileError once more than max_rows() rows are seen.
    """
    width = max(mapping) + 1 if mapping else 0
    pending: list[DataRow] = []  # sum-like rows, kept until we know whether any company follows
    count = 0
    limit = max_rows()
    for line, cells in table.rows():
        if line <= header_line:
            continue
        if not any(cells[p] for p in mapping if p < len(cells)):
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        row = DataRow(line, cells)
        if is_summary_row(cells, mapping):
            pending.append(row)
            continue
        for held in pending:  # a "sum" row with companies after it is just a row
            count += 1
            yield held
        pending = []
        count += 1
        if count > limit:
            raise ImportFileError(_("The file has more than %(count)s rows. Split it into smaller files.")
                                  % {"count": f"{limit:,}".replace(",", "\u00a0")})
        yield row
    for held in pending:
        label = next((c for c in held.cells if c), "")
        notes.append({"msg": gettext_noop("Line %(line)s (“%(label)s”) is a sum or total row and was left out."),
                      "params": {"line": str(held.line), "label": label[:40]}})


@dataclass
class ParsedFile:
    """A whole file read: how, which column fills which field, and its data rows (cells as text)."""

    table: Table
    header: Header
    mapping: dict[int, str]
    rows: list[DataRow] | Iterator[DataRow]
    notes: list[dict]

    kind = property(lambda self: self.table.kind)
    encoding = property(lambda self: ENCODING_NAMES.get(self.table.encoding, self.table.encoding))
    delimiter = property(lambda self: self.table.delimiter)
    columns = property(lambda self: self.info()["read"])
    ignored = property(lambda self: self.info()["ignored"])

    def values(self, row: DataRow) -> dict[str, str]:
        """A row's cells by field."""
        return {f: (row.cells[p] if p < len(row.cells) else "") for p, f in self.mapping.items()}

    def info(self) -> dict[str, Any]:
        """What the preview tells the admin about how the file was read (stored on the batch)."""
        headers = self.header.headers
        return {
            **self.table.info(),
            "header_line": self.header.line,
            "headers": headers,
            "mapping": {str(p): f for p, f in self.mapping.items()},
            "read": {f: headers[p] for p, f in self.mapping.items()},
            # Our own "Problem" column (a fixed file of problem rows) is no column of theirs to mention.
            "ignored": [h for p, h in enumerate(headers)
                        if h and p not in self.mapping and header_key(h) not in PROBLEM_HEADER_KEYS],
            "notes": self.notes,
        }


def missing_required(mapping: dict[int, str]) -> list[str]:
    """The labels of the required fields no column fills."""
    return [str(c.label) for c in COLUMNS if c.required and c.field not in mapping.values()]


def stream_upload(file, mapping: dict[int, str] | None = None) -> ParsedFile:
    """Like parse_upload, but `rows` is a stream (read while `file` stays open); notes are complete after it.

    ImportFileError if the file cannot be read or a required field has no column (at once), or
    once the stream passes max_rows(); an empty stream is the caller's to refuse.
    """
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes():
        raise _too_large()
    table = open_table(file, getattr(file, "name", "") or "")
    header = find_header(table)
    if mapping is None:
        mapping = header.guessed
    else:
        header = Header(header.line, header.headers, mapping)
    if missing := missing_required(mapping):
        raise ImportFileError(
            _("The file has no column for %(columns)s. The first row must name the columns; download "
              "the template to see how.") % {"columns": ", ".join(missing)}
        )
    notes: list[dict] = []
    return ParsedFile(table, header, mapping, data_rows(table, header.line, mapping, notes), notes)


def no_rows() -> ImportFileError:
    """The error for a file with a header and nothing under it."""
    return ImportFileError(_("The file has a header row but no companies under it."))


def parse_upload(file, mapping: dict[int, str] | None = None) -> ParsedFile:
    """Read a CSV or XLSX file: header found, columns as `mapping` says (else guessed), rows as text (a list).

    ImportFileError if the file cannot be read, or a required field has no column.
    """
    parsed = stream_upload(file, mapping)
    parsed.rows = list(parsed.rows)
    if not parsed.rows:
        raise no_rows()
    return parsed
