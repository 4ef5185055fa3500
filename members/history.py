"""A target company's history as people read it: field labels and before/after values.

Used by the history page (rows built once per entry in the view, not by an include and two
filters per field) and by the template filters in templatetags/history.py.

Audit entries keep values as JSON (dates and times as ISO text, decimals as text, booleans as
true/false); these functions give them back the way the rest of the portal writes them:
01.03.2025, 02.12.2026 kl. 03:36, 1 234 567 kr, 1,5, Ja/Nei.
"""

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from core.templatetags.formatting import datetime_nb, nok, number_nb

from .models import Company, ContactPerson, DevelopmentGoal, FollowUpEntry, KeyFigures, TargetCompany

# Where history entries' field names are looked up, in order; then every installed model.
_MODELS = [TargetCompany, Company, FollowUpEntry, KeyFigures, DevelopmentGoal, ContactPerson]
# Bookkeeping a history page does not show as a change of its own.
_HIDDEN = {"version", "part", "erased_because"}  # erased_because: "request" or "retention"

# Fields whose verbose_name is Django's default (English, untranslated) or that are no field at all
# (bookkeeping names written by services and the admin).
_LABELS = {
    "created_at": _("created"),
    "updated_at": _("changed"),
    "adviser_garden": _("the adviser's garden"),
    "merged_record": _("merged record"),
    "merged_into": _("merged into"),
    "moved": _("moved"),
    "created": _("created"),
}

_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@functools.cache
def field_for(name: str) -> models.Field | None:
    """The model field an audit entry's change names ('company.name' is the company's name)."""
    candidates = _MODELS
    if name.startswith("company."):
        name, candidates = name.split(".", 1)[1], [Company]
    for model in [*candidates, *apps.get_models()]:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field):
            return field
    return None


def field_label(name: str) -> str:
    """The readable, translated label of a field named in an audit entry ('company.name' → 'navn')."""
    return _field_label(name, get_language())


@functools.cache
def _field_label(name: str, language: str | None) -> str:
    # Once per field name and language: a history of 200 entries asked for 1,400 labels, each a lookup
    # through every model and a translation (labels come from the models' code, which a running
    # process does not change).
    if name in _LABELS:
        return str(_LABELS[name])
    field = field_for(name)
    if field is not None and not (field.auto_created or field.verbose_name == name.replace("_", " ")):
        return str(field.verbose_name)
    return name.replace("_", " ")


def _is_money(field: models.Field) -> bool:
    return "NOK" in str(field.verbose_name) or "kr" in str(field.verbose_name).split()


def change_value(value, name: str) -> str:
    """One before/after value the Norwegian way: dates, times, amounts, counts and yes/no."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return datetime_nb(datetime.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date_format(datetime.date.fromisoformat(value), "d.m.Y")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(change_value(item, name) for item in value)
    field = field_for(name)
    if isinstance(field, models.DecimalField | models.FloatField | models.IntegerField) and not isinstance(
        field, models.AutoField
    ) and name not in ("year", "version"):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        return nok(number) if _is_money(field) else number_nb(number)
    return str(value)


def _side(values, index: int):
    """values[index] as the template's `values.0` read it: "" when there is no such item."""
    if isinstance(values, dict):
        return values.get(str(index), "")
    if isinstance(values, list | tuple | str):
        return values[index] if len(values) > index else ""
    return ""


def change_rows(changes: dict) -> list[tuple[str, str, str]]:
    """(label, before, after) for each changed field an entry records, labels capitalised."""
    rows = []
    for name, values in changes.items():
        if name in _HIDDEN:
            continue
        label = field_label(name)
        rows.append((label[:1].upper() + label[1:], change_value(_side(values, 0), name),
                     change_value(_side(values, 1), name)))
    return rows
