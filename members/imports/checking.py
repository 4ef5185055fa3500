"""Checking a file's rows against the database, a chunk at a time: every problem (blocking) and note, per row.

Problems are stored as English msgids with their parameters and translated when shown,
so the preview reads in the language of whoever looks at it. A chunk of rows costs a fixed
number of queries (its organisasjonsnumre and industry codes looked up together); the
garden's staff and the municipality changes are loaded once for the whole file.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.utils.datetime import from_excel

from core.orgnr import MESSAGES as ORG_NUMBER_MESSAGES
from core.orgnr import clean_org_number
from gardens.geography import NUMBER, ChangeGraph, MunicipalityAnswer, municipality_resolve
from gardens.models import Garden, IndustryCode, Municipality

from ..forms import garden_staff_queryset
from ..models import ContactPerson, ImportBatch, ImportRow, TargetCompany
from .reading import CONTACT_SLOTS, MAX_CELL, DataRow

# The template's example row: MOD11-valid but obviously not a real company.
EXAMPLE_ORG_NUMBER = "999999999"

DATE_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})$")
DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
# Excel's day numbers for 1950-01-01 and 2100-12-31, for a date cell that lost its format.
EXCEL_SERIAL = range(18264, 73415)
NUMBER_TEXT = re.compile(r"^[+-]?[\d.,]+$")
THOUSANDS_DOTS = re.compile(r"^[+-]?\d{1,3}(\.\d{3}){2,}$")
# What the key-figure fields hold (models.KeyFigures): digits before the point, and decimals.
AMOUNT_LIMIT = Decimal(10) ** 14
EMPLOYEES_LIMIT = Decimal(10) ** 6
SMALL_INT_LIMIT = 32767
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffd]")
FORMULA_FIELDS = ("name", "notes", "contact_name", "contact_role")


def parse_date(text: str) -> datetime.date:
    """A date written as dd.mm.yyyy (or dd.mm.yy), yyyy-mm-dd or an Excel day number; ValueError otherwise."""
    text = text.strip()
    if match := DATE_DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
    elif match := DATE_ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif text.isdigit() and int(text) in EXCEL_SERIAL:
        return from_excel(int(text)).date()
    else:
        raise ValueError(text)
    if not 1950 <= year <= 2100:
        raise ValueError(text)
    return datetime.date(year, month, day)


def parse_number(text: str) -> Decimal:
    """A number as Norwegian Excel writes it: '1 234 567,50', '1.234.567', '1 000,-', '12 kr'; ValueError otherwise."""
    value = text.casefold().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("\u2212", "-")
    for suffix in ("nok", "kr.", "kr", ",-", ".-"):
        value = value.removesuffix(suffix)
    value = value.removeprefix("kr").removeprefix("nok")
    if not NUMBER_TEXT.match(value) or not any(ch.isdigit() for ch in value):
        raise ValueError(text)
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif "," in value:
        value = value.replace(",", "") if value.count(",") > 1 else value.replace(",", ".")
    elif THOUSANDS_DOTS.match(value) or value.count(".") > 1:
        value = value.replace(".", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


def _problem(field_name: str, msg: str, **params: Any) -> dict[str, Any]:
    return {"field": field_name, "msg": msg, "params": {k: str(v) for k, v in params.items()}}


def describe_problem(problem: dict[str, Any]) -> str:
    """A stored problem or note as a sentence in the active language."""
    if "text" in problem:  # a sentence made by a shared function when the row was checked
        return problem["text"]
    return _(problem["msg"]) % problem.get("params", {})


def _choice_aliases(choices, extra: dict[str, str]) -> dict[str, str]:
    aliases = {}
    for value, label in choices:
        aliases[value.casefold()] = value
        for language in ("nb", "en"):
            with translation.override(language):
                aliases[str(label).casefold()] = value
    aliases.update(extra)
    return aliases


PHASE_WORDS = {"kartlegging": "mapping", "utvikling": "development", "vekst": "growth", "avslutning": "closing"}
STATUS_WORDS = {"aktiv": "active", "avsluttet": "completed", "fullført": "completed", "ferdig": "completed",
                "trukket": "withdrawn", "trukket seg": "withdrawn", "utmeldt": "withdrawn"}
BASIS_WORDS = {"avtale": "contract", "kontrakt": "contract", "oppfølgingsavtalen": "contract",
               "avtalen": "contract", "berettiget interesse": "legitimate_interest", "samtykke": "consent"}


class RowChecker:
    """Checks a file's rows chunk by chunk, with a fixed number of queries per chunk."""

    def __init__(self, garden: Garden, mapping: dict[int, str], key_figures_year: int | None = None):
        self.garden = garden
        self.mapping = mapping
        self.fields = set(mapping.values())
        self.key_figures_year = key_figures_year
        self.advisers_by_email: dict[str, Any] = {}
        self.advisers_by_name: dict[str, list] = defaultdict(list)
        if "adviser" in self.fields:
            for user in garden_staff_queryset(garden):
                self.advisers_by_email[user.email.casefold()] = user
                if user.full_name:
                    self.advisers_by_name[user.full_name.casefold()].append(user)
        self.industries: dict[str, int | None] = {}
        self.covered: set[int] | None = None
        self._graph: ChangeGraph | None = None
        self._answers: dict[str, MunicipalityAnswer] = {}
        self.phases = _choice_aliases(TargetCompany.Phase.choices, PHASE_WORDS)
        self.statuses = _choice_aliases(
            [c for c in TargetCompany.Status.choices if c[0] != TargetCompany.Status.MERGED], STATUS_WORDS)
        self.bases = _choice_aliases(ContactPerson.LegalBasis.choices, BASIS_WORDS)

    def values(self, cells: list[str]) -> dict[str, str]:
        """The row's cells by field."""
        return {name: (cells[p] if p < len(cells) else "") for p, name in self.mapping.items()}

    @staticmethod
    def _industry_key(text: str) -> str:
        return text.split()[0] if text.strip() else ""

    # --- per chunk ---

    def check_chunk(self, rows: list[DataRow]) -> list[dict[str, Any]]:
        """Each row with its normalised org number, cleaned values, problems and notes."""
        all_values = [self.values(row.cells) for row in rows]
        numbers = set()
        for values in all_values:
            try:
                numbers.add(clean_org_number(values.get("org_number", ""), required=True))
            except ValidationError:
                pass
        self.active: dict[str, TargetCompany] = {}
        if numbers:
            for target in TargetCompany.objects.filter(
                status=TargetCompany.Status.ACTIVE, org_number__in=numbers
            ).select_related("garden"):
                self.active[target.org_number] = target
        codes = {self._industry_key(v.get("industry", "")) for v in all_values} - {""} - set(self.industries)
        if codes:
            found = dict(IndustryCode.objects.filter(code__in=codes).values_list("code", "pk"))
            self.industries.update({code: found.get(code) for code in codes})
        return [self.check(row, values) for row, values in zip(rows, all_values, strict=True)]

    # --- one row ---

    def _resolve(self, text: str) -> MunicipalityAnswer:
        if text not in self._answers:
            if self._graph is None:
                self._graph = ChangeGraph.load()
            self._answers[text] = municipality_resolve(text, exact_name=True, graph=self._graph)
        return self._answers[text]

    def _municipality(self, field: str, text: str) -> tuple[Municipality | None, dict | None, dict | None]:
        """(municipality, problem, note): old numbers and names resolve, and the note says how."""
        answer = self._resolve(text)
        by_number = NUMBER.search(text)
        if not answer.now:
            if by_number:
                return None, _problem(field, gettext_noop("No municipality has the number %(value)s."),
                                      value=by_number.group(1).zfill(4)), None
            return None, _problem(field, gettext_noop("No municipality is or was called %(value)s."),
                                  value=text), None
        former = answer.former[0] if answer.former else None
        if answer.is_split and former is not None:
            return None, _problem(
                field, gettext_noop("%(explanation)s Choose the one the company is in and write its number."),
                explanation=former.sentence,
            ), None
        if len(answer.now) > 1:
            return None, _problem(
                field,
                gettext_noop("Several municipalities are called %(value)s (%(options)s). Give the municipality "
                             "number instead."),
                value=text, options=", ".join(f"{m.display_name} {m.number}" for m in answer.now),
            ), None
        note = {"field": field, "msg": former.message, "params": former.params} if former else None
        return answer.now[0], None, note

    def _check_municipality(self, values: dict, clean: dict, problems: list, notes: list) -> None:
        """Name and number columns both used: the number wins, and a name that disagrees is a problem."""
        clean["municipality_id"] = None
        name, number = values.get("municipality", ""), values.get("municipality_number", "")
        chosen = None
        if number:
            chosen, problem, note = self._municipality("municipality_number", number)
            if problem:
                problems.append(problem)
                return
            if note:
                notes.append(note)
            if name:
                by_name = self._resolve(name)
                if by_name.now and chosen not in by_name.now:
                    problems.append(_problem("municipality", gettext_noop(
                        "The municipality %(name)s and the municipality number %(number)s do not agree (%(number)s "
                        "is %(municipality)s). Correct one of them."),
                        name=name, number=number, municipality=chosen.display_name))
                    return
                if not by_name.now:
                    problems.append(_problem("municipality", gettext_noop(
                        "No municipality is or was called %(value)s."), value=name))
                    return
        elif name:
            chosen, problem, note = self._municipality("municipality", name)
            if note:
                notes.append(note)
            if problem:
                problems.append(problem)
                return
        if chosen is None:
            return
        clean["municipality_id"] = chosen.pk
        clean["municipality"] = f"{chosen.display_name} ({chosen.number})"
        if self.covered is None:
            self.covered = set(self.garden.coverages.current().values_list("municipality_id", flat=True))
        if self.covered and chosen.pk not in self.covered:
            notes.append(_problem("municipality", gettext_noop(
                "%(municipality)s is outside the municipalities your garden covers."), municipality=chosen.name))

    def _org_number(self, raw: str, name: str, problems: list, notes: list) -> str:
        try:
            number = clean_org_number(raw, required=True)
        except ValidationError as error:
            # The same rule and sentences as every form; stored as the msgid, translated when shown.
            problems.append(_problem("org_number", ORG_NUMBER_MESSAGES[error.code], **(error.params or {})))
            return ""
        if number == EXAMPLE_ORG_NUMBER:
            problems.append(_problem("org_number", gettext_noop(
                "This is the example row from the template. Delete it before importing.")))
            return number
        if (target := self.active.get(number)) is not None:
            # Tenancy: name only the garden that follows the company up, never what it typed about it
            # (the same sentences as members.services.org_number_in_use).
            if target.garden_id == self.garden.pk:
                problems.append(_problem("org_number", gettext_noop(
                    "%(org_number)s is already an active target company of this garden."), org_number=number))
            else:
                problems.append(_problem("org_number", gettext_noop(
                    "Organisasjonsnummer %(org_number)s is already an active target company of %(garden)s. A "
                    "company can be the target company of one garden at a time; ask them to transfer it."),
                    org_number=number, garden=target.garden.name))
        return number

    def _date(self, key: str, values: dict, problems: list) -> datetime.date | None:
        text = values.get(key, "")
        if not text:
            if key == "contract_start":
                problems.append(_problem(key, gettext_noop("The contract start is missing.")))
            return None
        try:
            return parse_date(text)
        except ValueError:
            problems.append(_problem(key, gettext_noop("%(value)s is not a date. Write dates like 31.12.2025."),
                                     value=text[:40]))
            return None

    def _choice(self, key: str, values: dict, aliases: dict, choices, problems: list) -> str | None:
        text = values.get(key, "")
        if not text:
            return None
        value = aliases.get(text.casefold())
        if value is None:
            msg = gettext_noop("%(value)s is not a phase. Use one of: %(options)s.") if key == "phase" else \
                gettext_noop("%(value)s is not a valid choice. Use one of: %(options)s.")
            problems.append(_problem(key, msg, value=text[:40],
                                     options=", ".join(str(label) for _v, label in choices)))
        return value

    def _contacts(self, values: dict, problems: list) -> list[dict[str, str]]:
        contacts = []
        for slot in CONTACT_SLOTS:
            suffix = "" if slot == 1 else f"_{slot}"
            parts = {part: values.get(f"contact_{part}{suffix}", "") for part in
                     ("name", "role", "email", "phone", "legal_basis")}
            if not any(parts.values()):
                continue
            field = f"contact_name{suffix}"
            if not parts["name"]:
                problems.append(_problem(field, gettext_noop("The contact person's name is missing.")))
                continue
            for part, limit in (("name", 150), ("role", 100), ("phone", 30)):
                if len(parts[part]) > limit:
                    problems.append(_problem(f"contact_{part}{suffix}", gettext_noop(
                        "This is longer than %(limit)s characters."), limit=limit))
            if parts["email"]:
                try:
                    validate_email(parts["email"])
                except ValidationError:
                    problems.append(_problem(f"contact_email{suffix}", gettext_noop(
                        "%(value)s is not an e-mail address."), value=parts["email"][:80]))
            basis = ContactPerson.LegalBasis.CONTRACT.value
            if parts["legal_basis"]:
                basis = self._choice(f"contact_legal_basis{suffix}", {f"contact_legal_basis{suffix}":
                                     parts["legal_basis"]}, self.bases, ContactPerson.LegalBasis.choices, problems)
            contacts.append({"name": parts["name"], "role": parts["role"], "email": parts["email"],
                             "phone": parts["phone"], "legal_basis": basis or ContactPerson.LegalBasis.CONTRACT})
        return contacts

    def _figures(self, values: dict, problems: list) -> dict[str, Any] | None:
        keys = ("turnover", "value_creation", "employees", "women_in_leadership", "leaders_total")
        if not any(values.get(k) for k in keys):
            return None
        figures: dict[str, Any] = {}
        year = self.key_figures_year
        if text := values.get("year", ""):
            try:
                year = int(parse_number(text))
            except ValueError:
                year = None
            if year is None or not 1990 <= year <= 2100:
                problems.append(_problem("year", gettext_noop("%(value)s is not a year."), value=text[:20]))
                year = None
                figures["bad_year"] = True
        elif year is None:
            problems.append(_problem("year", gettext_noop(
                "The key figures have no year: map a year column, or choose the year for the whole file.")))
        figures["year"] = year
        for key, limit, places in (("turnover", AMOUNT_LIMIT, Decimal(1)), ("value_creation", AMOUNT_LIMIT,
                                                                             Decimal(1)),
                                   ("employees", EMPLOYEES_LIMIT, Decimal("0.1"))):
            text = values.get(key, "")
            if not text:
                continue
            try:
                number = parse_number(text).quantize(places, rounding=ROUND_HALF_UP)
            except (ValueError, InvalidOperation):
                problems.append(_problem(key, gettext_noop("%(value)s is not a number."), value=text[:40]))
                continue
            if abs(number) >= limit:
                problems.append(_problem(key, gettext_noop("%(value)s is too large."), value=text[:40]))
            elif number < 0 and key != "value_creation":
                problems.append(_problem(key, gettext_noop("%(value)s cannot be negative."), value=text[:40]))
            else:
                figures[key] = str(number)
        for key in ("women_in_leadership", "leaders_total"):
            text = values.get(key, "")
            if not text:
                continue
            try:
                number = parse_number(text)
            except ValueError:
                number = None
            if number is None or number != number.to_integral_value() or not 0 <= number <= SMALL_INT_LIMIT:
                problems.append(_problem(key, gettext_noop("%(value)s is not a whole number of people."),
                                         value=text[:40]))
                continue
            figures[key] = int(number)
        if figures.get("women_in_leadership", 0) > figures.get("leaders_total", SMALL_INT_LIMIT):
            problems.append(_problem("women_in_leadership", gettext_noop(
                "More women in leading positions than leading positions in all.")))
        figures.pop("bad_year", None)
        return figures

    def check(self, row: DataRow, values: dict[str, str]) -> dict[str, Any]:
        """The row with its cleaned values, its problems (blocking) and notes (for information)."""
        problems: list[dict] = []
        notes: list[dict] = []
        clean: dict[str, Any] = {}

        for key, text in values.items():
            if CONTROL.search(text):
                problems.append(_problem(key, gettext_noop(
                    "This cell holds invisible control characters. Type the value again.")))
            elif len(text) > MAX_CELL:
                problems.append(_problem(key, gettext_noop("This is longer than %(limit)s characters."),
                                         limit=MAX_CELL))
            elif key in FORMULA_FIELDS and text.startswith("="):
                problems.append(_problem(key, gettext_noop(
                    "This looks like a spreadsheet formula (%(value)s). Write the value itself."), value=text[:40]))

        name = values.get("name", "")
        clean["org_number"] = self._org_number(values.get("org_number", ""), name, problems, notes)
        if not name:
            problems.append(_problem("name", gettext_noop("The company name is missing.")))
        elif len(name) > 200:
            problems.append(_problem("name", gettext_noop("The company name is longer than 200 characters.")))
        clean["name"] = name

        self._check_municipality(values, clean, problems, notes)

        start = self._date("contract_start", values, problems)
        end = self._date("contract_end", values, problems)
        if start and end and end < start:
            problems.append(_problem("contract_end", gettext_noop("The contract end is before the contract start.")))
        clean["contract_start"] = start.isoformat() if start else None
        clean["contract_end"] = end.isoformat() if end else None

        clean["phase"] = self._choice("phase", values, self.phases, TargetCompany.Phase.choices, problems) \
            or TargetCompany.Phase.MAPPING.value
        clean["status"] = self._choice("status", values, self.statuses, [
            c for c in TargetCompany.Status.choices if c[0] != TargetCompany.Status.MERGED], problems) \
            or TargetCompany.Status.ACTIVE.value
        if clean["status"] != TargetCompany.Status.ACTIVE:
            # Only an active record conflicts with another garden's active record.
            problems[:] = [p for p in problems if not (p.get("field") == "org_number" and "text" in p)]

        clean["industry_id"] = None
        if text := values.get("industry", ""):
            pk = self.industries.get(self._industry_key(text))
            if pk is None:
                problems.append(_problem("industry", gettext_noop(
                    "%(code)s is not an SN2007 industry code. Write it like 62.010 or 01.1."), code=text[:40]))
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
                    value=text[:80]))
            else:
                clean["adviser_id"] = adviser.pk
                clean["adviser"] = adviser.get_full_name()

        clean["notes"] = values.get("notes", "")
        clean["contacts"] = self._contacts(values, problems)
        clean["figures"] = self._figures(values, problems)

        return {"line": row.line, "cells": row.cells, "org_number": clean["org_number"], "clean": clean,
                "problems": problems, "notes": notes}


DUPLICATE = gettext_noop("The organisasjonsnummer %(value)s appears more than once in the file (lines %(lines)s).")


def duplicate_problem(lines: list[int], number: str) -> dict[str, Any]:
    """The problem given to every row whose organisasjonsnummer is in the file more than once."""
    return _problem("org_number", DUPLICATE, value=number, lines=", ".join(str(n) for n in lines[:20]))


PROGRESS_EVERY = 100
CHUNK = 500


def check_rows(*, garden: Garden, rows: list[dict[str, Any]], mapping: dict[int, str],
               key_figures_year: int | None = None, progress=None) -> list[dict[str, Any]]:
    """Every row ({"line", "cells"}) with its values, problems and notes, checked a chunk at a time."""
    checker = RowChecker(garden, mapping, key_figures_year)
    checked: list[dict[str, Any]] = []
    for start in range(0, len(rows), CHUNK):
        chunk = [DataRow(r["line"], r["cells"]) for r in rows[start:start + CHUNK]]
        for result in checker.check_chunk(chunk):
            result["values"] = checker.values(result["cells"])
            checked.append(result)
        if progress is not None:
            progress(len(checked))
    lines_by_number: dict[str, list[int]] = defaultdict(list)
    for row in checked:
        if row["org_number"] and row["org_number"] != EXAMPLE_ORG_NUMBER:
            lines_by_number[row["org_number"]].append(row["line"])
    for row in checked:
        lines = lines_by_number.get(row["org_number"], [])
        if len(lines) > 1:
            row["problems"].append(duplicate_problem(lines, row["org_number"]))
    return checked


def problem_count(rows: list[dict[str, Any]]) -> int:
    """How many rows have at least one problem."""
    return sum(1 for row in rows if row.get("problems"))


def _first_pass(problems: list[dict]) -> list[dict]:
    """A row's problems without the duplicate one (which the second pass, over the whole file, adds)."""
    return [p for p in problems if p.get("msg") != DUPLICATE]


def _rewrite(rows: list[ImportRow]) -> None:
    """Store checked rows: DELETE + INSERT of the chunk (two statements, where an UPDATE per row or one
    CASE per column would cost a query per row or grow with the chunk squared)."""
    with transaction.atomic():
        ImportRow.objects.filter(pk__in=[row.pk for row in rows]).delete()
        ImportRow.objects.bulk_create(rows)


def stored_rows(batch: ImportBatch, chunk: int = CHUNK, **filters) -> Iterator[list[ImportRow]]:
    """The batch's stored rows in line order, a chunk at a time (keyset pages: one query per chunk)."""
    last = 0
    while True:
        rows = list(ImportRow.objects.filter(batch=batch, line__gt=last, **filters).order_by("line")[:chunk])
        if not rows:
            return
        yield rows
        last = rows[-1].line


def check_stored_rows(*, batch: ImportBatch, mapping: dict[int, str], key_figures_year: int | None = None,
                      progress=None) -> None:
    """Check every stored row of `batch` a chunk at a time and store its problems; memory stays flat.

    A fixed number of queries per chunk (read, look-ups, rewrite, progress); the duplicates in the
    file are then found by the database (GROUP BY organisasjonsnummer) and only those rows touched.
    """
    checker = RowChecker(batch.garden, mapping, key_figures_year)
    done = 0
    for rows in stored_rows(batch):
        changed = []
        for row, result in zip(rows, checker.check_chunk([DataRow(r.line, r.cells) for r in rows]), strict=True):
            values = checker.values(row.cells)
            org_number = result["org_number"][:9]
            # A commit checks every row again; a row that checks as before is not written again.
            if row.clean is not None and (row.values, row.org_number, row.clean, _first_pass(row.problems),
                                          row.notes) == (values, org_number, result["clean"],
                                                         result["problems"], result["notes"]):
                continue
            row.values, row.org_number, row.clean = values, org_number, result["clean"]
            row.problems, row.notes = result["problems"], result["notes"]
            row.has_problems = bool(row.problems)
            changed.append(row)
        if changed:
            _rewrite(changed)
        done += len(rows)
        if progress is not None:
            progress(done)
    repeated = list(
        ImportRow.objects.filter(batch=batch).exclude(org_number__in=["", EXAMPLE_ORG_NUMBER])
        .values("org_number").annotate(n=Count("id")).filter(n__gt=1).values_list("org_number", flat=True)
    )
    for start in range(0, len(repeated), CHUNK):
        numbers = repeated[start:start + CHUNK]
        rows = list(ImportRow.objects.filter(batch=batch, org_number__in=numbers).order_by("line"))
        lines: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            lines[row.org_number].append(row.line)
        for row in rows:
            row.problems = [*_first_pass(row.problems), duplicate_problem(lines[row.org_number], row.org_number)]
            row.has_problems = True
        for part in range(0, len(rows), CHUNK):
            _rewrite(rows[part:part + CHUNK])


def stored_problem_count(batch: ImportBatch, *, chosen_only: bool = False) -> int:
    """How many of the batch's checked rows have a problem (only those not left out, with `chosen_only`)."""
    rows = ImportRow.objects.filter(batch=batch, has_problems=True)
    return rows.filter(left_out=False).count() if chosen_only else rows.count()
