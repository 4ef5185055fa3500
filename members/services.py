"""Verbs that change people, companies and target company records.

Every function is keyword-only, runs in one transaction and writes its audit
entry in that transaction. Changes to a record's parts (follow-up log, key
figures, goals, contacts) are audited against the target company, so the
record's history page shows them all.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.audit import audit_entry, audit_record, audit_record_many, diff, snapshot
from core.models import AuditEntry, User
from core.orgnr import clean_org_number
from gardens.models import Garden, IndustryCode, Municipality

from .models import Company, ContactPerson, FollowUpEntry, KeyFigures, TargetCompany

TARGET_FIELDS = [
    "contract_start",
    "contract_end",
    "phase",
    "status",
    "withdrawn_reason",
    "adviser",
    "notes",
]
COMPANY_FIELDS = ["name", "industry", "municipality"]


class StaleEdit(Exception):
    """Someone saved the record after this form was loaded; nothing was written."""

    def __init__(self, current: TargetCompany, entries: list[AuditEntry]):
        super().__init__("stale edit")
        self.current = current
        self.entries = entries


def _record_snapshot(target: TargetCompany) -> dict[str, Any]:
    """What the history shows of a target company: its own fields and the company's."""
    values = snapshot(target, TARGET_FIELDS)
    values.update({f"company.{k}": v for k, v in snapshot(target.company, COMPANY_FIELDS).items()})
    return values


def org_number_in_use(org_number: str, *, garden: Garden, exclude_pk: int | None = None) -> str | None:
    """The one message for "this organisasjonsnummer is already an active target company", or None.

    Used by the add form, the help-request conversion and the import preview. It never repeats
    what another garden typed about the company (its name, notes, figures): it names only the
    garden that follows it up, because a transfer is arranged with that garden. When the record
    is the user's own garden's, the message links to it.
    """
    other = (
        TargetCompany.objects.filter(org_number=org_number, status=TargetCompany.Status.ACTIVE)
        .exclude(pk=exclude_pk)
        .select_related("garden", "company")
        .first()
    )
    if other is None:
        return None
    if other.garden_id == garden.pk:
        return format_html(
            '{} <a href="{}">{}</a>',
            _("%(org_number)s is already an active target company of this garden.") % {"org_number": org_number},
            other.get_absolute_url(),
            _("Open the existing target company"),
        )
    return _("Organisasjonsnummer %(org_number)s is already an active target company of %(garden)s. A company "
             "can be the target company of one garden at a time; ask them to transfer it.") % {
        "org_number": org_number, "garden": other.garden.name}


def _ensure_not_target_elsewhere(org_number: str, garden: Garden, exclude_pk: int | None = None) -> None:
    message = org_number_in_use(org_number, garden=garden, exclude_pk=exclude_pk)
    if message is not None:
        raise ValidationError(message)


@transaction.atomic
def target_company_create(
    *,
    garden: Garden,
    by: User | None,
    org_number: str,
    name: str,
    contract_start: datetime.date,
    contract_end: datetime.date | None = None,
    phase: str = TargetCompany.Phase.MAPPING,
    adviser: User | None = None,
    industry: IndustryCode | None = None,
    municipality: Municipality | None = None,
    notes: str = "",
    contract_file=None,
) -> TargetCompany:
    """Register a company (found or created by organisasjonsnummer) as the garden's target company."""
    org_number = clean_org_number(org_number, required=True)
    _ensure_not_target_elsewhere(org_number, garden)
    # Tenancy: the record gets a company row of its own, with what this garden typed; no other
    # record (of this garden or another) shares it, so no edit here shows anywhere else.
    company = Company.objects.create(org_number=org_number, name=name, industry=industry,
                                     municipality=municipality)
    target = TargetCompany(
        garden=garden,
        company=company,
        org_number=org_number,
        contract_start=contract_start,
        contract_end=contract_end,
        phase=phase,
        adviser=adviser,
        notes=notes,
    )
    if contract_file:
        target.contract_file = contract_file
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        # A concurrent registration of the same organisasjonsnummer, or an end before the start.
        message = org_number_in_use(org_number, garden=garden)
        raise ValidationError(message or _("The contract end cannot be before its start.")) from None
    audit_record(
        action="members.targetcompany.created",
        target=target,
        actor=by,
        garden=garden,
        changes=diff({}, _record_snapshot(target)),
    )
    return target


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value not in (None, "") else None


@transaction.atomic
def target_companies_import(*, garden: Garden, by: User | None, records: list[dict[str, Any]]) -> list[TargetCompany]:
    """Register many target companies at once (an import's batch), with their contacts and key figures.

    Each record is a checked import row's `clean` dict. The same rules as target_company_create
    (each record its own company row; one active garden per organisasjonsnummer) in a fixed number
    of queries for the whole batch: one INSERT per kind of row and the audit entries in one go.
    ValidationError names the company if a rule is broken.
    """
    from gardens.models import IndustryCode, Municipality

    municipalities = Municipality.objects.in_bulk({r.get("municipality_id") for r in records} - {None})
    industries = IndustryCode.objects.in_bulk({r.get("industry_id") for r in records} - {None})
    advisers = User.objects.in_bulk({r.get("adviser_id") for r in records} - {None})
    active = TargetCompany.Status.ACTIVE
    wanted_active = [r["org_number"] for r in records if r.get("status", active) == active]
    for other in TargetCompany.objects.filter(org_number__in=wanted_active, status=active)[:1]:
        raise ValidationError(org_number_in_use(other.org_number, garden=garden))
    # Tenancy: every record gets a company row of its own with what this garden's file says.
    companies = [
        Company(org_number=r["org_number"], name=r["name"], industry=industries.get(r.get("industry_id")),
                municipality=municipalities.get(r.get("municipality_id")))
        for r in records
    ]
    Company.objects.bulk_create(companies)

    targets = []
    for record, company in zip(records, companies, strict=True):
        targets.append(TargetCompany(
            garden=garden,
            company=company,
            org_number=record["org_number"],
            contract_start=datetime.date.fromisoformat(record["contract_start"]),
            contract_end=datetime.date.fromisoformat(record["contract_end"]) if record.get("contract_end") else None,
            phase=record.get("phase") or TargetCompany.Phase.MAPPING,
            status=record.get("status") or active,
            adviser=advisers.get(record.get("adviser_id")),
            notes=record.get("notes", ""),
        ))
    try:
        with transaction.atomic():
            TargetCompany.objects.bulk_create(targets)
    except IntegrityError:
        raise ValidationError(_("A row could not be saved: a contract ends before it starts, or a company is "
                                "already an active target company.")) from None

    contacts, figures, entries = [], [], []
    for target, record in zip(targets, records, strict=True):
        entries.append(audit_entry(action="members.targetcompany.created", target=target, actor=by, garden=garden,
                                   changes={**diff({}, _record_snapshot(target)), "imported": True}))
        for contact in record.get("contacts", []):
            contacts.append(ContactPerson(target=target, **contact))
        if record.get("figures"):
            data = record["figures"]
            figures.append(KeyFigures(
                target=target, year=data["year"], turnover=_decimal(data.get("turnover")),
                value_creation=_decimal(data.get("value_creation")), employees=_decimal(data.get("employees")),
                women_in_leadership=data.get("women_in_leadership"), leaders_total=data.get("leaders_total"),
            ))
    ContactPerson.objects.bulk_create(contacts)
    KeyFigures.objects.bulk_create(figures)
    for part in [*contacts, *figures]:
        changes = diff({}, snapshot(part))
        changes.pop("target", None)
        entries.append(audit_entry(action=_part_action(part, "created"), target=part.target, actor=by,
                                   garden=garden, changes={"part": str(part), **changes}))
    audit_record_many(entries)
    return targets


@transaction.atomic
def target_company_update(
    *, target: TargetCompany, by: User | None, expected_version: int, data: dict[str, Any], contract_file=None
) -> TargetCompany:
    """Save changes to a record, refusing (StaleEdit) if it changed since `expected_version` was read."""
    current = (
        TargetCompany.objects.select_for_update(of=("self",))
        .select_related("company", "garden", "adviser")
        .get(pk=target.pk)
    )
    if current.version != expected_version:
        raise StaleEdit(current, changes_since(current, expected_version))
    before = _record_snapshot(current)
    for field in TARGET_FIELDS:
        if field in data:
            setattr(current, field, data[field])
    if current.status != TargetCompany.Status.WITHDRAWN:
        current.withdrawn_reason = ""
    for field in COMPANY_FIELDS:
        if field in data:
            setattr(current.company, field, data[field])
    if current.status == TargetCompany.Status.ACTIVE:
        _ensure_not_target_elsewhere(current.org_number, current.garden, exclude_pk=current.pk)
    if contract_file:
        current.contract_file = contract_file
    changes = diff(before, _record_snapshot(current))
    if contract_file:
        changes["contract_file"] = [None, contract_file.name]
    if not changes:
        return current
    current.version = F("version") + 1
    current.company.save()
    current.save()
    current.refresh_from_db(fields=["version"])
    changes["version"] = [expected_version, current.version]
    audit_record(action="members.targetcompany.updated", target=current, actor=by, garden=current.garden,
                 changes=changes)
    return current


def changes_since(target: TargetCompany, version: int) -> list[AuditEntry]:
    """Audit entries of `target` that moved it past `version` (what the stale form missed)."""
    entries = AuditEntry.objects.filter(
        target_type="members.targetcompany", target_id=str(target.pk), action="members.targetcompany.updated"
    ).order_by("at", "pk")
    return [e for e in entries if (e.changes.get("version") or [0, 0])[1] > version]


def _part_action(obj: Model, verb: str) -> str:
    return f"members.{obj._meta.model_name}.{verb}"


@transaction.atomic
def record_part_save(*, target: TargetCompany, by: User | None, obj: Model, is_new: bool) -> Model:
    """Save a part of a target company's record (goal, contact, key figures) and audit it."""
    before = {} if is_new else snapshot(type(obj).objects.get(pk=obj.pk))
    obj.target = target
    obj.save()
    changes = diff(before, snapshot(obj))
    changes.pop("target", None)
    if changes:
        audit_record(
            action=_part_action(obj, "created" if is_new else "updated"),
            target=target,
            actor=by,
            garden=target.garden,
            changes={"part": str(obj), **changes},
        )
    return obj


@transaction.atomic
def record_part_delete(*, target: TargetCompany, by: User | None, obj: Model) -> None:
    """Delete a part of a target company's record and audit what was removed."""
    changes = diff(snapshot(obj), {})
    changes.pop("target", None)
    audit_record(
        action=_part_action(obj, "deleted"), target=target, actor=by, garden=target.garden,
        changes={"part": str(obj), **changes},
    )
    obj.delete()


@transaction.atomic
def follow_up_log(
    *,
    target: TargetCompany,
    by: User,
    date: datetime.date,
    kind: str,
    hours: Decimal,
    summary: str,
    adviser: User | None = None,
    next_step: str = "",
    own_share: Decimal | None = None,
    adviser_garden: Garden | None = None,
) -> FollowUpEntry:
    """Add an entry to the follow-up log."""
    entry = FollowUpEntry.objects.create(
        target=target,
        date=date,
        kind=kind,
        hours=hours,
        adviser=adviser or by,
        adviser_garden=adviser_garden or target.garden,
        summary=summary,
        next_step=next_step,
        own_share=own_share,
    )
    changes = diff({}, snapshot(entry))
    changes.pop("target", None)
    audit_record(action="members.followupentry.created", target=target, actor=by, garden=target.garden,
                 changes=changes)
    return entry


@transaction.atomic
def target_companies_merge(*, keep: TargetCompany, duplicate: TargetCompany, by: User) -> TargetCompany:
    """Merge `duplicate` into `keep` (same organisasjonsnummer, same garden), keeping all history.

    The follow-up log, key figures, goals and contacts move to `keep`; the duplicate
    stays, marked as merged, so its history is still shown on the kept record.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    if keep.garden_id != duplicate.garden_id:
        raise ValidationError(_("Only records of the same garden can be merged."))
    if keep.company.org_number != duplicate.company.org_number:
        raise ValidationError(_("Only records with the same organisasjonsnummer can be merged."))
    moved = {
        "follow_ups": duplicate.follow_ups.update(target=keep),
        "goals": duplicate.goals.update(target=keep),
        "contacts": duplicate.contacts.update(target=keep),
    }
    existing_years = set(keep.key_figures.values_list("year", flat=True))
    moved["key_figures"] = duplicate.key_figures.exclude(year__in=existing_years).update(target=keep)
    if duplicate.contract_start < keep.contract_start:
        keep.contract_start = duplicate.contract_start
        keep.version = F("version") + 1
        keep.save(update_fields=["contract_start", "version", "updated_at"])
    duplicate.status = TargetCompany.Status.MERGED
    duplicate.merged_into = keep
    duplicate.version = F("version") + 1
    duplicate.save(update_fields=["status", "merged_into", "version", "updated_at"])
    audit_record(action="members.targetcompany.merged", target=keep, actor=by, garden=keep.garden,
                 changes={"merged_record": [None, duplicate.pk], "moved": moved})
    audit_record(action="members.targetcompany.merged_away", target=duplicate, actor=by, garden=keep.garden,
                 changes={"merged_into": [None, keep.pk]})
    return keep
