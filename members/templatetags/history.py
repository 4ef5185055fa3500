"""Template helpers for the history of a target company record (the logic lives in members/history.py)."""

from django import template

from .. import history

register = template.Library()


@register.filter
def field_label(name: str) -> str:
    """The readable, translated label of a field named in an audit entry ('company.name' → 'navn')."""
    return history.field_label(name)


@register.filter
def change_value(value, name: str) -> str:
    """One before/after value the Norwegian way (see members/history.py)."""
    return history.change_value(value, name)
