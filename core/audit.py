"""The audit trail: one append-only entry per change, written in the same transaction.

Action codes look like `members.targetcompany.updated`; `describe()` turns an entry into a
sentence for history pages. Each app contributes the sentences for its own codes in
`<app>/audit_sentences.py` (found the way the admin finds admin.py), so this module knows none.
"""

import datetime
import functools
from decimal import Decimal
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


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
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue  # bookkeeping times: the entry's own `at` says when
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


def audit_entry(
    *,
    action: str,
    target: models.Model | None = None,
    actor=None,
    garden: models.Model | None = None,
    changes: dict | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """One audit entry, not yet saved: for audit_record_many, when thousands are written at once."""
    return AuditEntry(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label or (str(actor) if actor is not None and actor.is_authenticated else "system"),
        garden_id=garden.pk if garden is not None else None,
        garden_label=str(garden)[:150] if garden is not None else "",
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        changes=changes or {},
    )


def audit_record(**kwargs: Any) -> AuditEntry:
    """Append one audit entry (arguments as audit_entry); call inside the transaction that made the change."""
    entry = audit_entry(**kwargs)
    entry.save()
    return entry


def audit_record_many(entries: list[AuditEntry], batch_size: int = 1000) -> None:
    """Append many entries made with audit_entry in one INSERT per `batch_size`; inside the change's transaction."""
    AuditEntry.objects.bulk_create(entries, batch_size=batch_size)


# For action codes without a sentence of their own (admin edits): the verb is the last part.
_VERBS = {
    "created": _("created"),
    "updated": _("changed"),
    "deleted": _("deleted"),
}


@functools.cache
def _sentences() -> dict[str, Any]:
    """Action code → sentence, from every installed app's `audit_sentences.SENTENCES`."""
    found: dict[str, Any] = {}
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "audit_sentences"):
            found.update(import_module(f"{config.name}.audit_sentences").SENTENCES)
    return found


def describe(entry: AuditEntry) -> str:
    """A short sentence for a history page: 'Kari Nordmann registered Acme AS as a target company'."""
    sentence = _sentences().get(entry.action)
    if sentence is not None:
        return sentence % {"actor": entry.actor_label, "target": entry.target_label}
    verb = _VERBS.get(entry.action.rsplit(".", 1)[-1], entry.action)
    return f"{entry.actor_label} {verb} {entry.target_label}".strip()


# --- erasure (README "Personal data") ----------------------------------------------------------------

ERASED = "[slettet]"


def _scrubbed(value: Any, needles: list[str]) -> Any:
    """`value` with every string that contains one of `needles` (case-insensitively) replaced by ERASED."""
    if isinstance(value, str):
        lowered = value.casefold()
        return ERASED if any(needle in lowered for needle in needles) else value
    if isinstance(value, list):
        return [_scrubbed(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, needles) for key, item in value.items()}
    return value


def audit_scrub(entries: models.QuerySet, values: list[str], *, labels: bool = True) -> int:
    """Remove erased personal data from earlier entries: any string holding one of `values` becomes ERASED.

    The one exception to "append-only": a person's right to erasure (GDPR art. 17) outweighs a
    verbatim history. What happened, when and by whom stays; only the erased values go. Updated
    with QuerySet.update (AuditEntry.save refuses existing rows on purpose). `labels` scrubs the
    actor's and record's labels too. Call inside the erasure's transaction; returns entries changed.
    """
    needles = sorted({v.strip().casefold() for v in values if v and len(v.strip()) >= 3})
    if not needles:
        return 0
    changed = 0
    for pk, changes, actor_label, target_label in entries.values_list("pk", "changes", "actor_label", "target_label"):
        update: dict[str, Any] = {}
        new_changes = _scrubbed(changes, needles)
        if new_changes != changes:
            update["changes"] = new_changes
        if labels:
            for field, label in (("actor_label", actor_label), ("target_label", target_label)):
                if _scrubbed(label, needles) != label:
                    update[field] = ERASED
        if update:
            AuditEntry.objects.filter(pk=pk).update(**update)
            changed += 1
    return changed
