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


# One sentence per action code for history pages. %(actor)s is who, %(target)s the record.
_SENTENCES = {
    "members.targetcompany.created": _("%(actor)s registered %(target)s as a target company"),
    "members.targetcompany.updated": _("%(actor)s changed %(target)s"),
    "members.targetcompany.merged": _("%(actor)s merged a duplicate record into %(target)s"),
    "members.targetcompany.merged_away": _("%(actor)s merged this record into another"),
    "members.targetcompany.transfer_requested": _("%(actor)s asked to transfer %(target)s"),
    "members.targetcompany.transfer_cancelled": _("%(actor)s cancelled the transfer of %(target)s"),
    "members.targetcompany.transferred": _("%(actor)s completed the transfer of %(target)s"),
    "members.followupentry.created": _("%(actor)s logged a follow-up"),
    "members.competenceshare.requested": _("%(actor)s asked a colleague in another garden for help with %(target)s"),
    "members.competenceshare.accepted": _("%(actor)s accepted to help with %(target)s"),
    "members.competenceshare.declined": _("%(actor)s declined to help with %(target)s"),
    "members.competenceshare.closed": _("%(actor)s closed a request for help with %(target)s"),
    "members.keyfigures.created": _("%(actor)s recorded key figures"),
    "members.keyfigures.updated": _("%(actor)s corrected key figures"),
    "members.developmentgoal.created": _("%(actor)s added a goal to the development plan"),
    "members.developmentgoal.updated": _("%(actor)s updated a goal in the development plan"),
    "members.contactperson.created": _("%(actor)s added a contact person"),
    "members.contactperson.updated": _("%(actor)s changed a contact person"),
    "members.contactperson.deleted": _("%(actor)s removed a contact person"),
    "members.import.uploaded": _("%(actor)s uploaded %(target)s for import"),
    "members.import.committed": _("%(actor)s imported %(target)s"),
    "members.import.aborted": _("%(actor)s cancelled the import of %(target)s"),
    "members.transfer.requested": _("%(actor)s asked for the transfer %(target)s"),
    "members.transfer.completed": _("%(actor)s completed the transfer %(target)s"),
    "members.transfer.cancelled": _("%(actor)s cancelled the transfer %(target)s"),
    "gardens.invitation.created": _("%(actor)s invited %(target)s"),
    "gardens.invitation.resent": _("%(actor)s sent the invitation to %(target)s again"),
    "gardens.invitation.revoked": _("%(actor)s withdrew the invitation to %(target)s"),
    "gardens.invitation.accepted": _("%(actor)s accepted the invitation %(target)s"),
    "gardens.membership.created": _("%(actor)s joined as %(target)s"),
    "gardens.membership.updated": _("%(actor)s changed the role of %(target)s"),
    "gardens.membership.ended": _("%(actor)s ended the membership %(target)s"),
    "gardens.network.loaded": _("%(actor)s loaded the network data"),
    "agreements.obligation.created": _("%(actor)s recorded the obligation %(target)s"),
    "agreements.obligation.meetings_generated": _("%(actor)s planned the meetings %(target)s requires"),
    "agreements.meeting.created": _("%(actor)s recorded the meeting %(target)s"),
    "agreements.meeting.updated": _("%(actor)s changed the meeting %(target)s"),
    "agreements.actionitem.created": _("%(actor)s added the action item %(target)s"),
    "agreements.actionitem.done": _("%(actor)s marked the action item %(target)s done"),
    "agreements.actionitem.reopened": _("%(actor)s reopened the action item %(target)s"),
    "agreements.document.uploaded": _("%(actor)s uploaded the document %(target)s"),
    "agreements.registration.registered": _("%(actor)s registered for an event (%(target)s)"),
    "agreements.registration.waitlisted": _("%(actor)s joined the waiting list (%(target)s)"),
    "agreements.registration.cancelled": _("%(actor)s cancelled a registration (%(target)s)"),
    "agreements.registration.promoted": _("%(actor)s's cancellation gave a place to %(target)s"),
    "projects.expense.created": _("%(actor)s recorded spending: %(target)s"),
    "projects.budgetline.created": _("%(actor)s added a budget line: %(target)s"),
    "projects.milestone.created": _("%(actor)s added the milestone %(target)s"),
    "projects.milestone.done": _("%(actor)s marked the milestone %(target)s as reached"),
    "projects.report.created": _("%(actor)s added the progress report %(target)s"),
    "projects.report.submitted": _("%(actor)s recorded the progress report %(target)s as submitted"),
    "projects.grant.split": _("%(actor)s split the grant %(target)s into years"),
    "gardens.helprequest.created": _("%(actor)s asked for help: %(target)s"),
    "gardens.helprequest.updated": _("%(actor)s changed the help request %(target)s"),
    "gardens.helprequest.assigned": _("%(actor)s assigned the help request %(target)s"),
    "members.entrepreneurprofile.updated": _("%(actor)s updated their entrepreneur profile"),
    "gardens.staffprofile.created": _("%(actor)s wrote the competence profile %(target)s"),
    "gardens.staffprofile.updated": _("%(actor)s changed the competence profile %(target)s"),
}

# For action codes without a sentence of their own (admin edits): the verb is the last part.
_VERBS = {
    "created": _("created"),
    "updated": _("changed"),
    "deleted": _("deleted"),
}


def describe(entry: AuditEntry) -> str:
    """A short sentence for a history page: 'Kari Nordmann registered Acme AS as a target company'."""
    sentence = _SENTENCES.get(entry.action)
    if sentence is not None:
        return sentence % {"actor": entry.actor_label, "target": entry.target_label}
    verb = _VERBS.get(entry.action.rsplit(".", 1)[-1], entry.action)
    return f"{entry.actor_label} {verb} {entry.target_label}".strip()
