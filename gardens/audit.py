"""The audit trail: one append-only entry per change, written in the same transaction.

Action codes look like `members.company.updated`; `describe()` turns an entry into a
sentence for history pages.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Garden


def _plain(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "name"):  # files
        return value.name or None
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The readable values of `obj`'s concrete fields (or just `fields`)."""
    result = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or (fields is not None and field.name not in fields):
            continue
        value = getattr(obj, field.name)
        if field.choices:
            value = getattr(obj, f"get_{field.name}_display")()
        result[field.name] = _plain(value)
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for every field whose value differs."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def audit_record(
    *,
    action: str,
    target: models.Model | None = None,
    actor=None,
    garden: Garden | None = None,
    changes: dict | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append one audit entry; call inside the transaction that made the change."""
    return AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label or (str(actor) if actor is not None and actor.is_authenticated else "system"),
        garden=garden,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        changes=changes or {},
    )


_VERBS = {
    "created": _("created"),
    "updated": _("changed"),
    "deleted": _("deleted"),
    "loaded": _("loaded"),
}


def describe(entry: AuditEntry) -> str:
    """A short sentence for a history page: 'Kari Nordmann changed Acme AS'."""
    verb = _VERBS.get(entry.action.rsplit(".", 1)[-1], entry.action)
    return f"{entry.actor_label} {verb} {entry.target_label}".strip()
