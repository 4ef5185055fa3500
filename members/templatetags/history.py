"""Template helpers for the history of a target company record (the logic lives in members/history.py)."""

import html

from django import template
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext

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


def _escaped(value) -> str:
    """conditional_escape without its lazy-string machinery (called three times for each changed field)."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


@register.simple_tag
def change_table(rows: list[tuple[str, str, str]]) -> SafeString:
    """An entry's changes as a table (field, before, after), every value escaped.

    Written in Python rather than by a template loop: a record's history of 200 entries has some
    1,400 changed fields, and three template variables each were most of the page's time.
    """
    body = "".join(f"<tr><td>{_escaped(label)}</td><td>{_escaped(before)}</td><td>{_escaped(after)}</td></tr>"
                   for label, before, after in rows)
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<table class="changes">\n  <thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
        "</tr></thead>\n  <tbody>{}</tbody>\n</table>".format(
            _escaped(gettext("Field")), _escaped(gettext("Before")), _escaped(gettext("After")), body))
