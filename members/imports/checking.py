"""Checking the rows of a read file against the database: every problem (blocking) and note, per row.

Problems are stored as English msgids with their parameters and translated when shown,
so the preview reads in the language of whoever looks at it.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.utils.datetime import from_excel

from core.models import User
from core.orgnr import MESSAGES as ORG_NUMBER_MESSAGES
from core.orgnr import clean_org_number, normalise_org_number, org_number_error
from gardens.geography import NUMBER, ChangeGraph, MunicipalityAnswer, municipality_resolve
from gardens.models import Garden, IndustryCode, Municipality

from ..forms import garden_staff_queryset
from ..models import Company, TargetCompany

PROGRESS_EVERY = 100
# The template's example row: MOD11-valid but obviously not a real company.
EXAMPLE_ORG_NUMBER = "999999999"
# Ids in one IN (...) clause; SQLite builds before 3.32 allow 999 parameters.
CHUNK = 500

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
            number = normalise_org_number(row["values"].get("org_number", ""))
            if number and org_number_error(number) is None:
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
        self._graph: ChangeGraph | None = None
        self._answers: dict[str, MunicipalityAnswer] = {}
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

    def _municipality(self, text: str) -> tuple[Municipality | None, dict | None, dict | None]:
        """(municipality, problem, note): old numbers and names resolve, and the note says how."""
        if text not in self._answers:
            if self._graph is None:
                self._graph = ChangeGraph.load()
            self._answers[text] = municipality_resolve(text, exact_name=True, graph=self._graph)
        answer = self._answers[text]
        by_number = NUMBER.search(text)
        if not answer.now:
            if by_number:
                return None, _problem("municipality", gettext_noop("No municipality has the number %(value)s."),
                                      value=by_number.group(1).zfill(4)), None
            return None, _problem("municipality", gettext_noop("No municipality is or was called %(value)s."),
                                  value=text), None
        former = answer.former[0] if answer.former else None
        if answer.is_split and former is not None:
            return None, _problem(
                "municipality",
                gettext_noop("%(explanation)s Choose the one the company is in and write its number."),
                explanation=former.sentence,
            ), None
        if len(answer.now) > 1:
            return None, _problem(
                "municipality",
                gettext_noop("Several municipalities are called %(value)s (%(options)s). Give the municipality "
                             "number instead."),
                value=text, options=", ".join(f"{m.display_name} {m.number}" for m in answer.now),
            ), None
        note = {"field": "municipality", "msg": former.message, "params": former.params} if former else None
        return answer.now[0], None, note

    def _org_number(self, raw: str, name: str, problems: list, notes: list) -> str | None:
        try:
            number = clean_org_number(raw, required=True)
        except ValidationError as error:
            # The same rule and sentences as every form; stored as the msgid, translated when shown.
            problems.append(_problem("org_number", ORG_NUMBER_MESSAGES[error.code], **(error.params or {})))
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
            municipality, problem, explained = self._municipality(text)
            if explained:
                notes.append(explained)
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
