"""Template helpers for the history of a target company record: field labels and values as people read them."""

from decimal import Decimal, InvalidOperation

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from core.templatetags.formatting import number_nb

from ..models import Company, ContactPerson, DevelopmentGoal, FollowUpEntry, KeyFigures, TargetCompany

register = template.Library()

# Where history entries' field names are looked up, in order.
_MODELS = [TargetCompany, Company, FollowUpEntry, KeyFigures, DevelopmentGoal, ContactPerson]


def _field(name: str) -> models.Field | None:
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


@register.filter
def field_label(name: str) -> str:
    """The readable, translated label of a field named in an audit entry ('company.name' → 'navn')."""
    field = _field(name)
    return str(field.verbose_name) if field is not None else name.replace("_", " ")


@register.filter
def change_value(value, name: str) -> str:
    """One before/after value: amounts and counts the Norwegian way ("1,5", "1 300 000"), the rest as recorded.

    Audit entries keep decimals as text ("1.50"); the field's type says whether it is a number.
    """
    if value is None:
        return "–"
    field = _field(name)
    if isinstance(field, models.DecimalField | models.FloatField):
        try:
            return number_nb(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    return str(value)
