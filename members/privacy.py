"""Personal data on request: export and erase a contact person or an entrepreneur (README "Personal data").

Erasure keeps what the network's figures count and drops who it was:

- a contact person is deleted (no report counts them); the record's history says that a contact
  person was erased, and the erased name, e-mail and phone are scrubbed from its earlier entries;
- an entrepreneur's help requests stay (received, answered, time to answer, converted count in the
  network reports) with their dates, status, garden and municipality; name, e-mail,
  organisasjonsnummer, company name and every message's text are dropped, the queued or sent
  e-mails about them deleted, and the account (profile, e-mail addresses, two-factor keys, event
  registrations) deleted.

Who may ask is decided in gardens/access.py; every path (pages, admin, beat task) calls these verbs.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import ERASED, audit_entry, audit_record, audit_record_many, audit_scrub
from core.models import AuditEntry, Mail, User
from core.personal_data import person_export, plain

from .models import ContactPerson, EntrepreneurProfile, HelpRequest, HelpRequestMessage, TargetCompany

# --- contact persons -----------------------------------------------------------------------------


def contact_person_export(*, contact: ContactPerson) -> dict[str, Any]:
    """What the garden holds about one contact person, and the record they are a contact of."""
    target = contact.target
    return {
        "exported_at": plain(timezone.now()),
        "contact_person": {
            "name": contact.name,
            "role": contact.role,
            "email": contact.email,
            "phone": contact.phone,
            "legal_basis": contact.get_legal_basis_display(),
        },
        "held_by": {
            "garden": target.garden.name,
            "company": target.company.name,
            "org_number": target.org_number,
            "contract_start": plain(target.contract_start),
            "contract_end": plain(target.contract_end),
            "status": target.get_status_display(),
        },
        "history": [
            {"when": plain(e.at), "action": e.action, "by": e.actor_label}
            for e in _contact_entries(contact).order_by("at", "pk")
            if e.changes.get("part") == contact.name
        ],
    }


def _contact_entries(contact: ContactPerson):
    """The audit entries that may hold a contact's data: their record's, and the admin's edits of the contact."""
    return AuditEntry.objects.filter(
        Q(target_type="members.targetcompany", target_id=str(contact.target_id))
        | Q(target_type="members.contactperson", target_id=str(contact.pk))
    )


def _contact_values(contact: ContactPerson) -> list[str]:
    """The contact's name, e-mail and phone now and as the history recorded them before (earlier addresses too).

    Entries of a record's parts name the part (`part`: the contact's name then); a rename links
    the old name to the new, so the search repeats until no entry adds a value.
    """
    values = {v for v in (contact.name, contact.email, contact.phone) if v}
    names = {contact.name}
    rows = list(_contact_entries(contact).filter(action__startswith="members.contactperson.")
                .values_list("target_type", "changes"))
    found = True
    while found:
        found = False
        for target_type, changes in rows:
            name_values = changes.get("name") if isinstance(changes.get("name"), list) else []
            if target_type != "members.contactperson" and changes.get("part") not in names and not (
                    names & set(name_values)):
                continue
            for key in ("part", "name", "email", "phone"):
                value = changes.get(key)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str) and item and item != ERASED and item not in values:
                        values.add(item)
                        found = True
                        if key in ("part", "name"):
                            names.add(item)
    return sorted(values)


@transaction.atomic
def contact_person_erase(*, contact: ContactPerson, by: User | None, reason: str = "request") -> None:
    """Erase a contact person: delete the row, scrub them from the record's history, audit without the data.

    `reason` is "request" (the person asked) or "retention" (the contract ended long enough ago).
    """
    target = contact.target
    values = _contact_values(contact)
    # Only the changes: the labels name the company and the staff member, not the contact.
    audit_scrub(_contact_entries(contact), values, labels=False)
    contact.delete()
    audit_record(action="members.contactperson.erased", target=target, actor=by, garden=target.garden,
                 changes={"erased_because": reason})


def contacts_due_for_erasure(*, today: datetime.date | None = None):
    """Contact persons of records whose contract ended (completed or withdrawn) longer ago than the retention."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    return ContactPerson.objects.filter(
        target__status__in=[TargetCompany.Status.COMPLETED, TargetCompany.Status.WITHDRAWN],
        target__contract_end__lt=cutoff,
    ).select_related("target__garden")


def contacts_retention_sweep(*, today: datetime.date | None = None) -> int:
    """Erase every contact person past the retention (Celery beat, daily); safe to run twice. Returns how many."""
    erased = 0
    for contact in contacts_due_for_erasure(today=today):
        contact_person_erase(contact=contact, by=None, reason="retention")
        erased += 1
    return erased


# --- entrepreneurs -------------------------------------------------------------------------------


def _their_requests(user: User):
    """The person's help requests: asked signed in, or before signing up with the same (verified) address."""
    return HelpRequest.objects.filter(Q(requester=user) | Q(email__iexact=user.email))


def _profile_section(user: User) -> dict[str, Any] | None:
    profile = EntrepreneurProfile.objects.filter(user=user).select_related("municipality").first()
    if profile is None:
        return None
    return {"org_number": profile.org_number,
            "municipality": str(profile.municipality) if profile.municipality else None}


def _help_requests_section(user: User) -> list[dict[str, Any]]:
    requests = (_their_requests(user).select_related("garden", "municipality", "staff_profile__user")
                .prefetch_related("messages__author").order_by("created_at", "pk"))
    return [{
        "garden": r.garden.name,
        "asked_staff_member": str(r.staff_profile.user) if r.staff_profile_id else None,
        "received": plain(r.created_at),
        "status": r.get_status_display(),
        "name": r.name,
        "email": r.email,
        "municipality": str(r.municipality) if r.municipality else None,
        "org_number": r.org_number,
        "company_name": r.company_name,
        "message": r.message,
        "messages": [{
            "written": plain(m.created_at),
            "by": _("you") if m.author_id == user.pk else (str(m.author) if m.author else r.garden.name),
            "internal_note_of_the_garden": m.is_internal,
            "text": m.body,
        } for m in r.messages.all()],
    } for r in requests]


def register_sections() -> None:
    """members' part of every account holder's export (called from MembersConfig.ready)."""
    from core.personal_data import register_person_section

    register_person_section("entrepreneur_profile", _profile_section)
    register_person_section("help_requests", _help_requests_section)


def entrepreneur_export(*, user: User) -> dict[str, Any]:
    """Everything held about an entrepreneur (their account, profile, requests and messages)."""
    return person_export(user)


@transaction.atomic
def entrepreneur_erase(*, user: User, by: User | None) -> dict[str, int]:
    """Delete the entrepreneur's account and anonymise their help requests; audited without the data.

    The requests stay for the network's figures with their dates, status, garden and municipality
    (and the messages with their dates and authors, for the time to the first answer).
    """
    values = [user.email, user.full_name]
    requests = list(_their_requests(user).select_for_update())
    values += [v for r in requests for v in (r.name, r.email, r.company_name)]
    request_ids = [r.pk for r in requests]
    messages = HelpRequestMessage.objects.filter(request_id__in=request_ids)
    mail_ids = {pk for pk in messages.values_list("mail_id", flat=True) if pk}
    mail_ids |= {r.notification_id for r in requests if r.notification_id}
    message_count = messages.update(body=ERASED)
    HelpRequest.objects.filter(pk__in=request_ids).update(
        requester=None, name=ERASED, email="", org_number="", company_name="", message=ERASED,
    )
    # E-mails about the requests (to the garden, the answers to the person) and any to the person's address.
    # The lookup narrows by substring (SQLite has no JSON containment); the address must be one of the list's.
    address = user.email.casefold()
    for pk, to, reply_to in Mail.objects.filter(Q(to__icontains=user.email) | Q(reply_to__icontains=user.email)
                                                ).values_list("pk", "to", "reply_to"):
        if address in {str(a).casefold() for a in [*(to or []), *(reply_to or [])]}:
            mail_ids.add(pk)
    Mail.objects.filter(pk__in=mail_ids).delete()

    profile_ids = [str(pk) for pk in EntrepreneurProfile.objects.filter(user=user).values_list("pk", flat=True)]
    own = (Q(actor=user) | Q(target_type="core.user", target_id=str(user.pk))
           | Q(target_type="members.entrepreneurprofile", target_id__in=profile_ids)
           | Q(target_type="members.helprequest", target_id__in=[str(pk) for pk in request_ids]))
    for value in {v.strip() for v in values if v and len(v.strip()) >= 3}:
        own |= Q(actor_label__icontains=value) | Q(target_label__icontains=value)
    audit_scrub(AuditEntry.objects.filter(own), values)

    user_pk = user.pk
    themselves = by is not None and by.pk == user_pk
    user.delete()  # cascades: profile, e-mail addresses, two-factor keys, event registrations
    entries = [audit_entry(action="members.helprequest.anonymised", target=r, garden=r.garden,
                           actor=None if themselves else by,
                           actor_label=_("the account holder") if themselves else "") for r in
               HelpRequest.objects.filter(pk__in=request_ids).select_related("garden")]
    erased = audit_entry(action="members.entrepreneur.erased", actor=None if themselves else by,
                         actor_label=_("the account holder") if themselves else "",
                         changes={"help_requests": len(request_ids), "messages": message_count})
    erased.target_type, erased.target_id, erased.target_label = "core.user", str(user_pk), ERASED
    audit_record_many([*entries, erased])
    return {"help_requests": len(request_ids), "messages": message_count}
