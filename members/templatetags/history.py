"""Template helpers for the history of a target company record."""

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

register = template.Library()

# Where history entries' field names are looked up, in order.
_LABEL_MODELS = [
    "members.TargetCompany",
    "members.Company",
    "members.FollowUpEntry",
    "members.KeyFigures",
    "members.DevelopmentGoal",
    "members.ContactPerson",
]


@register.filter
def field_label(name: str) -> str:
    """The readable, translated label of a field named in an audit entry ('company.name' → 'navn')."""
    candidates = _LABEL_MODELS
    if name.startswith("company."):
        name, candidates = name.split(".", 1)[1], ["members.Company"]
    for label in candidates:
        try:
            return str(apps.get_model(label)._meta.get_field(name).verbose_name)
        except (FieldDoesNotExist, LookupError):
            continue
    return name.replace("_", " ")
