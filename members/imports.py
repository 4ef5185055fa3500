"""Importing a garden's spreadsheet of target companies: read it, check every row, commit all or nothing.

The flow is upload → preview → commit. The preview lists every row with its problems;
the commit is refused while any row has one (the admin fixes the file and uploads it
again) and then creates every target company in one transaction, or none.

Progress, honestly: checking rows happens outside any transaction, so `processed_rows`
is written in small committed steps and the progress bar moves. Writing the companies
happens in ONE transaction (that is what makes it all or nothing), and nothing written
inside it is visible to the page polling for progress until it commits. So while
writing, `processed_rows == total_rows` with status `importing` and the page shows an
indeterminate bar saying the companies are being saved together, rather than a number
that would be a guess. A commit first checks every row again (with a moving bar),
because another garden may have registered one of the companies since the preview.

Problems are stored as English msgids with their parameters and translated when shown,
so the preview reads in the language of whoever looks at it.
"""

import codecs
import csv
import datetime
import io
import logging
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.no import orgnr

from gardens.audit import audit_record
from gardens.models import Garden, IndustryCode, Municipality
from gardens.selectors import municipality_lookup

from . import services
from .exports import FORMULA_START
from .forms import garden_staff_queryset
from .models import Company, ImportBatch, TargetCompany, User
from .validators import normalise_org_number

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# A 5 MB XLSX is a zip; refuse one that unpacks to something absurd (a "zip bomb").
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Up to this many rows a file is checked and committed inside the request; more go to a worker.
SYNC_LIMIT = 200
PROGRESS_EVERY = 100
# The template's example row: MOD11-valid but obviously not a real company.
EXAMPLE_ORG_NUMBER = "999999999"
EXAMPLE_NAME = "Eksempelbedrift AS"
# Ids in one IN (...) clause; SQLite builds before 3.32 allow 999 parameters.
CHUNK = 500

Status = ImportBatch.Status


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


# --- reading the file ---------------------------------------------------------------------------


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


# --- checking the rows --------------------------------------------------------------------------

DATE_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
# Excel's day numbers for 1950-01-01 and 2100-12-31, for a date cell that lost its format.
EXCEL_SERIAL = range(18264, 73415)


def parse_date(text: str) -> datetime.date:
    """A date written as dd.mm.yyyy, yyyy-mm-dd or an Excel day number; ValueError otherwise."""
    text = text.strip()
    if match := DATE_DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := DATE_ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif text.isdigit() and int(text) in EXCEL_SERIAL:
        return from_excel(int(text)).date()
    else:
        raise ValueError(text)
    if not 1950 <= year <= 2100:
        raise ValueError(text)
    return datetime.date(year, month, day)


def org_number_from(text: str) -> str:
    """The organisasjonsnummer in a cell: spaces, dots and the "NO"/"MVA" of a VAT number removed."""
    compact = re.sub(r"[\s.\-]", "", text).upper()
    compact = compact.removeprefix("NO").removesuffix("MVA")
    return normalise_org_number(compact)


def _problem(field_name: str, msg: str, **params: Any) -> dict[str, Any]:
    return {"field": field_name, "msg": msg, "params": {k: str(v) for k, v in params.items()}}


def describe_problem(problem: dict[str, Any]) -> str:
    """A stored problem or note as a sentence in the active language."""
    return _(problem["msg"]) % problem.get("params", {})


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


class RowChecker:
    """Checks a file's rows against the database with a few queries for the whole file.

    Lookups are made once per distinct value (municipality numbers and names, industry
    codes) or once for all rows (existing target companies, the garden's staff).
    """

    def __init__(self, garden: Garden, rows: list[dict[str, Any]]):
        self.garden = garden
        self.lines_by_number: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            number = org_number_from(row["values"].get("org_number", ""))
            if number and orgnr.is_valid(number):
                self.lines_by_number[number].append(row["line"])
        numbers = sorted(self.lines_by_number)
        self.active: dict[str, TargetCompany] = {}
        self.known_names: dict[str, str] = {}
        for chunk in _chunks(numbers):
            for target in TargetCompany.objects.filter(
                status=TargetCompany.Status.ACTIVE, company__org_number__in=chunk
            ).select_related("garden", "company"):
                self.active[target.company.org_number] = target
            self.known_names.update(Company.objects.filter(org_number__in=chunk).values_list("org_number", "name"))
        codes = {self._industry_key(row["values"].get("industry", "")) for row in rows} - {""}
        self.industries = dict(IndustryCode.objects.filter(code__in=codes).values_list("code", "pk")) if codes else {}
        self.advisers_by_email: dict[str, User] = {}
        self.advisers_by_name: dict[str, list[User]] = defaultdict(list)
        if any(row["values"].get("adviser") for row in rows):
            for user in garden_staff_queryset(garden):
                self.advisers_by_email[user.email.casefold()] = user
                if user.full_name:
                    self.advisers_by_name[user.full_name.casefold()].append(user)
        self.covered: set[int] | None = None
        self._by_number: dict[str, list[Municipality]] = {}
        self._by_name: dict[str, list[Municipality]] | None = None
        self.phases = self._phase_aliases()

    @staticmethod
    def _industry_key(text: str) -> str:
        return text.split()[0] if text.strip() else ""

    @staticmethod
    def _phase_aliases() -> dict[str, str]:
        aliases = {}
        for value, label in TargetCompany.Phase.choices:
            aliases[value] = value
            for language in ("nb", "en"):
                with translation.override(language):
                    aliases[str(label).casefold()] = value
        return aliases

    def _municipalities_named(self, name: str) -> list[Municipality]:
        if self._by_name is None:
            self._by_name = defaultdict(list)
            for municipality in Municipality.objects.current().select_related("county"):
                for variant in {municipality.name, municipality.official_name} - {""}:
                    self._by_name[variant.casefold()].append(municipality)
        return self._by_name.get(name.casefold(), [])

    def _municipality(self, text: str) -> tuple[Municipality | None, dict | None]:
        if match := re.match(r"^(\d{3,4})\b", text):
            number = match.group(1).zfill(4)
            if number not in self._by_number:
                self._by_number[number] = municipality_lookup(number)
            found = self._by_number[number]
            if not found:
                return None, _problem("municipality", gettext_noop("No municipality has the number %(value)s."),
                                      value=number)
            if len(found) > 1:
                return None, _problem(
                    "municipality",
                    gettext_noop("Municipality number %(value)s was split into %(options)s. Give today's number."),
                    value=number, options=", ".join(f"{m.name} {m.number}" for m in found),
                )
            return found[0], None
        found = self._municipalities_named(text)
        if not found:
            return None, _problem("municipality", gettext_noop("No current municipality is called %(value)s."),
                                  value=text)
        if len(found) > 1:
            return None, _problem(
                "municipality",
                gettext_noop("Several municipalities are called %(value)s (%(options)s). Give the municipality "
                             "number instead."),
                value=text, options=", ".join(f"{m.display_name} {m.number}" for m in found),
            )
        return found[0], None

    def _org_number(self, raw: str, name: str, problems: list, notes: list) -> str | None:
        if not raw:
            problems.append(_problem("org_number", gettext_noop("The organisasjonsnummer is missing.")))
            return None
        number = org_number_from(raw)
        try:
            orgnr.validate(number)
        except InvalidLength:
            problems.append(_problem("org_number", gettext_noop(
                "%(value)s is not an organisasjonsnummer: it must have exactly 9 digits."), value=raw))
            return None
        except InvalidFormat:
            problems.append(_problem("org_number", gettext_noop(
                "%(value)s is not an organisasjonsnummer: it must have only digits."), value=raw))
            return None
        except InvalidChecksum:
            problems.append(_problem("org_number", gettext_noop(
                "%(value)s is not a valid organisasjonsnummer (the check digit does not match)."), value=raw))
            return None
        if number == EXAMPLE_ORG_NUMBER:
            problems.append(_problem("org_number", gettext_noop(
                "This is the example row from the template. Delete it before importing.")))
            return None
        lines = self.lines_by_number.get(number, [])
        if len(lines) > 1:
            problems.append(_problem("org_number", gettext_noop(
                "The organisasjonsnummer %(value)s appears more than once in the file (lines %(lines)s)."),
                value=number, lines=", ".join(str(n) for n in lines)))
        if (target := self.active.get(number)) is not None:
            if target.garden_id == self.garden.pk:
                problems.append(_problem("org_number", gettext_noop(
                    "Already an active target company of this garden.")))
            else:
                problems.append(_problem("org_number", gettext_noop(
                    "Already an active target company of %(garden)s. A company can be the target company of one "
                    "garden at a time; ask them to transfer it."), garden=target.garden.name))
        known = self.known_names.get(number)
        if known and name and known.casefold() != name.casefold():
            notes.append(_problem("name", gettext_noop("Known in the portal as %(name)s; that name is kept."),
                                  name=known))
        return number

    def _covered(self) -> set[int]:
        if self.covered is None:
            self.covered = set(self.garden.coverages.current().values_list("municipality_id", flat=True))
        return self.covered

    def check(self, row: dict[str, Any]) -> dict[str, Any]:
        """The row with its cleaned values, its problems (blocking) and notes (for information)."""
        values: dict[str, str] = row["values"]
        problems: list[dict] = []
        notes: list[dict] = []
        clean: dict[str, Any] = {}

        name = values.get("name", "")
        clean["org_number"] = self._org_number(values.get("org_number", ""), name, problems, notes)
        if not name:
            problems.append(_problem("name", gettext_noop("The company name is missing.")))
        elif len(name) > 200:
            problems.append(_problem("name", gettext_noop("The company name is longer than 200 characters.")))
        clean["name"] = name

        clean["municipality_id"] = None
        if text := values.get("municipality", ""):
            municipality, problem = self._municipality(text)
            if problem:
                problems.append(problem)
            else:
                clean["municipality_id"] = municipality.pk
                clean["municipality"] = f"{municipality.display_name} ({municipality.number})"
                covered = self._covered()
                if covered and municipality.pk not in covered:
                    notes.append(_problem("municipality", gettext_noop(
                        "%(municipality)s is outside the municipalities your garden covers."),
                        municipality=municipality.name))

        dates: dict[str, datetime.date | None] = {}
        for key in ("contract_start", "contract_end"):
            text = values.get(key, "")
            dates[key] = None
            if not text:
                if key == "contract_start":
                    problems.append(_problem(key, gettext_noop("The contract start is missing.")))
                continue
            try:
                dates[key] = parse_date(text)
            except ValueError:
                problems.append(_problem(key, gettext_noop(
                    "%(value)s is not a date. Write dates like 31.12.2025."), value=text))
        if dates["contract_start"] and dates["contract_end"] and dates["contract_end"] < dates["contract_start"]:
            problems.append(_problem("contract_end", gettext_noop("The contract end is before the contract start.")))
        clean.update({k: v.isoformat() if v else None for k, v in dates.items()})

        clean["phase"] = TargetCompany.Phase.MAPPING.value
        if text := values.get("phase", ""):
            phase = self.phases.get(text.casefold())
            if phase is None:
                problems.append(_problem("phase", gettext_noop("%(value)s is not a phase. Use one of: %(options)s."),
                                         value=text, options=", ".join(str(label) for _v, label in
                                                                       TargetCompany.Phase.choices)))
            else:
                clean["phase"] = phase

        clean["industry_id"] = None
        if text := values.get("industry", ""):
            pk = self.industries.get(self._industry_key(text))
            if pk is None:
                problems.append(_problem("industry", gettext_noop(
                    "%(code)s is not an SN2007 industry code. Write it like 62.010 or 01.1."), code=text))
            clean["industry_id"] = pk

        clean["adviser_id"] = None
        if text := values.get("adviser", ""):
            adviser = self.advisers_by_email.get(text.casefold())
            same_name = self.advisers_by_name.get(text.casefold(), [])
            if adviser is None and len(same_name) == 1:
                adviser = same_name[0]
            if adviser is None:
                problems.append(_problem("adviser", gettext_noop(
                    "%(value)s is not a current staff member of this garden. Give their e-mail address."),
                    value=text))
            else:
                clean["adviser_id"] = adviser.pk
                clean["adviser"] = adviser.get_full_name()

        return {"line": row["line"], "values": values, "clean": clean, "problems": problems, "notes": notes}


def check_rows(
    *, garden: Garden, rows: list[dict[str, Any]], progress: Callable[[int], None] | None = None
) -> list[dict[str, Any]]:
    """Every row with its problems and notes; `progress(n)` is called every PROGRESS_EVERY rows."""
    checker = RowChecker(garden, rows)
    checked = []
    for count, row in enumerate(rows, start=1):
        checked.append(checker.check(row))
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    return checked


def problem_count(rows: list[dict[str, Any]]) -> int:
    """How many rows have at least one problem."""
    return sum(1 for row in rows if row.get("problems"))


def progress_phase(batch: ImportBatch) -> str:
    """'checking' while rows are being checked, 'writing' during the commit's one transaction, else ''."""
    if batch.status == Status.UPLOADED:
        return "checking"
    if batch.status == Status.IMPORTING:
        return "writing" if batch.total_rows and batch.processed_rows >= batch.total_rows else "checking"
    return ""


# --- the verbs ----------------------------------------------------------------------------------


def _set_progress(batch_pk: int, processed: int, status: str) -> None:
    """A small committed update the polling page can see (never inside the commit's transaction)."""
    ImportBatch.objects.filter(pk=batch_pk, status=status).update(processed_rows=processed)


@transaction.atomic
def import_batch_upload(*, garden: Garden, by: User, upload) -> ImportBatch:
    """Store an uploaded file and read it; small files are checked at once, larger ones by a worker."""
    from .tasks import import_preview_task

    batch = ImportBatch(garden=garden, uploaded_by=by, original_name=(upload.name or "")[:255])
    try:
        parsed = parse_upload(upload)
    except ImportFileError as error:
        batch.status = Status.FAILED
        batch.error = str(error)
        batch.finished_at = timezone.now()
        if (upload.size or 0) <= MAX_BYTES:
            batch.file = upload  # kept so an operator can see what was sent
        batch.save()
        audit_record(action="members.import.uploaded", target=batch, actor=by, garden=garden,
                     changes={"file": [None, batch.original_name], "status": [None, batch.status]})
        return batch
    batch.file = upload
    batch.rows = [{"line": row.line, "values": row.values} for row in parsed.rows]
    batch.columns = parsed.info()
    batch.total_rows = len(parsed.rows)
    batch.save()
    audit_record(action="members.import.uploaded", target=batch, actor=by, garden=garden,
                 changes={"file": [None, batch.original_name], "rows": [None, batch.total_rows]})
    if batch.total_rows <= SYNC_LIMIT:
        return import_batch_preview(batch=batch)
    batch_pk = batch.pk
    transaction.on_commit(lambda: import_preview_task.delay(batch_pk))
    return batch


def import_batch_preview(*, batch: ImportBatch) -> ImportBatch:
    """Read (if not yet read) and check every row; store the rows with their problems as status previewed.

    Does nothing unless the batch is `uploaded`, so running it twice is harmless; a batch
    cancelled meanwhile stays cancelled.
    """
    if batch.status != Status.UPLOADED:
        return batch
    if not batch.rows:
        try:
            with batch.file.open("rb") as handle:
                parsed = parse_upload(handle)
        except (ImportFileError, OSError, ValueError) as error:
            message = str(error) if isinstance(error, ImportFileError) else _("The uploaded file is missing.")
            ImportBatch.objects.filter(pk=batch.pk, status=Status.UPLOADED).update(
                status=Status.FAILED, error=message, finished_at=timezone.now()
            )
            batch.refresh_from_db()
            return batch
        batch.rows = [{"line": row.line, "values": row.values} for row in parsed.rows]
        batch.columns = parsed.info()
        batch.total_rows = len(parsed.rows)
        ImportBatch.objects.filter(pk=batch.pk).update(total_rows=batch.total_rows, columns=batch.columns)
    rows = check_rows(
        garden=batch.garden, rows=batch.rows, progress=lambda n: _set_progress(batch.pk, n, Status.UPLOADED)
    )
    ImportBatch.objects.filter(pk=batch.pk, status=Status.UPLOADED).update(
        status=Status.PREVIEWED, rows=rows, total_rows=len(rows), processed_rows=len(rows)
    )
    batch.refresh_from_db()
    return batch


def _refuse_if_not_ready(batch: ImportBatch) -> None:
    if not batch.rows:
        raise ValidationError(_("This import has no rows to import."))
    if count := problem_count(batch.rows):
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


def _create_all(batch: ImportBatch, by: User | None, rows: list[dict[str, Any]]) -> int:
    """Create every row's target company (inside the caller's transaction); _RowFailed names the line."""
    clean = [row["clean"] for row in rows]
    municipalities = Municipality.objects.in_bulk({c["municipality_id"] for c in clean} - {None})
    industries = IndustryCode.objects.in_bulk({c["industry_id"] for c in clean} - {None})
    advisers = User.objects.in_bulk({c["adviser_id"] for c in clean} - {None})
    for row, data in zip(rows, clean, strict=True):
        try:
            services.target_company_create(
                garden=batch.garden,
                by=by,
                org_number=data["org_number"],
                name=data["name"],
                contract_start=datetime.date.fromisoformat(data["contract_start"]),
                contract_end=datetime.date.fromisoformat(data["contract_end"]) if data["contract_end"] else None,
                phase=data["phase"],
                municipality=municipalities.get(data["municipality_id"]),
                industry=industries.get(data["industry_id"]),
                adviser=advisers.get(data["adviser_id"]),
            )
        except ValidationError as error:
            raise _RowFailed(row["line"], " ".join(error.messages)) from error
        except Exception as error:
            logger.exception("Import %s failed at line %s", batch.pk, row["line"])
            raise _RowFailed(row["line"], _("an unexpected error (%(kind)s)") % {"kind": type(error).__name__}) \
                from error
    return len(rows)


def import_batch_commit(*, batch: ImportBatch, by: User | None) -> ImportBatch:
    """Create every row's target company in one transaction, or none.

    Refused (ValidationError) while any row has a problem. Claims a `previewed` batch by
    moving it to `importing`, so a double click or a task run twice writes once. Rows are
    checked again first: if something changed since the preview, the batch goes back to
    `previewed` with the new problems. If any row fails while writing, everything is
    rolled back and the batch is `failed` with the message.
    """
    if batch.status == Status.PREVIEWED:
        _refuse_if_not_ready(batch)
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=Status.PREVIEWED).update(
            status=Status.IMPORTING, processed_rows=0, error=""
        )
        if not claimed:
            batch.refresh_from_db()
            return batch
    elif batch.status != Status.IMPORTING:
        return batch
    garden = batch.garden

    rows = check_rows(garden=garden, rows=batch.rows,
                      progress=lambda n: _set_progress(batch.pk, n, Status.IMPORTING))
    if count := problem_count(rows):
        ImportBatch.objects.filter(pk=batch.pk, status=Status.IMPORTING).update(
            status=Status.PREVIEWED, rows=rows, processed_rows=len(rows),
            error=ngettext(
                "Something changed since the preview: %(count)s row now has a problem. Nothing was imported.",
                "Something changed since the preview: %(count)s rows now have problems. Nothing was imported.",
                count,
            ) % {"count": count},
        )
        batch.refresh_from_db()
        return batch
    _set_progress(batch.pk, len(rows), Status.IMPORTING)  # the page now says "writing"

    try:
        with transaction.atomic():
            # The row lock makes a second run (a task delivered twice) wait, then see `done`.
            locked = ImportBatch.objects.select_for_update().select_related("garden").get(pk=batch.pk)
            if locked.status != Status.IMPORTING:
                return locked
            created = _create_all(locked, by, rows)
            locked.status = Status.DONE
            locked.rows = rows
            locked.created_count = created
            locked.processed_rows = len(rows)
            locked.finished_at = timezone.now()
            locked.error = ""
            locked.save(update_fields=["status", "rows", "created_count", "processed_rows", "finished_at", "error"])
            audit_record(
                action="members.import.committed", target=locked, actor=by, garden=garden,
                changes={"file": [None, locked.original_name], "rows": [None, len(rows)], "created": [None, created]},
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


def import_batch_commit_start(*, batch: ImportBatch, by: User) -> ImportBatch:
    """Commit now (small files) or claim the batch and queue the commit for a worker (large files)."""
    from .tasks import import_commit_task

    _refuse_if_not_ready(batch)
    if batch.total_rows <= SYNC_LIMIT:
        return import_batch_commit(batch=batch, by=by)
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=Status.PREVIEWED).update(
            status=Status.IMPORTING, processed_rows=0, error=""
        )
        if claimed:
            batch_pk, by_pk = batch.pk, by.pk
            transaction.on_commit(lambda: import_commit_task.delay(batch_pk, by_pk))
    batch.refresh_from_db()
    return batch


@transaction.atomic
def import_batch_cancel(*, batch: ImportBatch, by: User) -> bool:
    """Discard a batch that has not started importing; True if it was cancelled."""
    cancelled = ImportBatch.objects.filter(pk=batch.pk, status__in=[Status.UPLOADED, Status.PREVIEWED]).update(
        status=Status.ABORTED, finished_at=timezone.now()
    )
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
