"""A target company's history as people read it: field labels and before/after values.

Used by the history page (rows built once per entry in the view, not by an include and two
filters per field) and by the template filters in templatetags/history.py.
"""

import functools
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from core.templatetags.formatting import number_nb

from .models import Company, ContactPerson, DevelopmentGoal, FollowUpEntry, KeyFigures, TargetCompany

# Where history entries' field names are looked up, in order.
_MODELS = [TargetCompany, Company, FollowUpEntry, KeyFigures, DevelopmentGoal, ContactPerson]
# Bookkeeping a history page does not show as a change of its own.
_HIDDEN = {"version", "part"}


@functools.cache
def field_for(name: str) -> models.Field | None:
    """The model field an audit entry's change names ('company.name' is the company's name)."""
    candidates = _MODELS
    if name.startswith("company."):
        name, candidates = name.split(".", 1)[1], [Company]
    for model in candidates:
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def field_label(name: str) -> str:
    """The readable, translated label of a field named in an audit entry ('company.name' → 'navn')."""
    field = field_for(name)
    return str(field.verbose_name) if field is not None else name.replace("_", " ")


def change_value(value, name: str) -> str:
    """One before/after value: amounts and counts the Norwegian way ("1,5", "1 300 000"), the rest as recorded.

    Audit entries keep decimals as text ("1.50"); the field's type says whether it is a number.
    """
    if value is None:
        return "–"
    if isinstance(field_for(name), models.DecimalField | models.FloatField):
        try:
            return number_nb(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
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
