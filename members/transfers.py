"""Handing target companies from one garden to another (a garden leaving the programme, as Solør did).

The sending garden's admin asks (that counts as the sending side's confirmation), the
receiving garden's admin confirms, and the target company rows move: their follow-up
log, key figures, goals, contacts and history hang off the row, so they travel with it.
Every verb is keyword-only, atomic and audited against the transfer and each company.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.mail import absolute_url, mail_queue
from core.models import User
from gardens.access import garden_access
from gardens.models import Garden, StaffMembership

from .models import TargetCompany, TransferRequest

EVENTS = ("requested", "completed", "cancelled")


def _require_admin(user: User, garden: Garden, message: str) -> None:
    """The verbs check again what the pages checked: only a garden's admin hands over or receives."""
    if not garden_access(user, garden).can_transfer_companies:
        raise PermissionDenied(message)


def _names(targets: Iterable[TargetCompany]) -> str:
    return ", ".join(sorted(t.company.name for t in targets))


def _audit_targets(action: str, targets: list[TargetCompany], *, by: User, garden: Garden, changes: dict) -> None:
    """One entry per company, so each record's own history tells the story."""
    for target in targets:
        audit_record(action=action, target=target, actor=by, garden=garden, changes=changes)


@transaction.atomic
def transfer_request_create(
    *, from_garden: Garden, to_garden: Garden, targets: Iterable[TargetCompany], by: User, note: str = ""
) -> TransferRequest:
    """Ask `to_garden` to take over `targets`; the asking admin's request is the sending side's confirmation."""
    _require_admin(by, from_garden, _("Only an admin of %(garden)s can hand over its target companies.")
                   % {"garden": from_garden.name})
    if to_garden.pk == from_garden.pk:
        raise ValidationError(_("Choose another garden to receive the target companies."))
    ids = {t.pk for t in targets}
    if not ids:
        raise ValidationError(_("Choose at least one target company to transfer."))
    # Lock the rows so an edit or a second transfer cannot slip in between the checks and the request.
    locked = list(
        TargetCompany.objects.select_for_update(of=("self",)).filter(pk__in=ids).select_related("company", "garden")
    )
    wrong = [t for t in locked if t.garden_id != from_garden.pk or t.status != TargetCompany.Status.ACTIVE]
    if wrong or len(locked) != len(ids):
        raise ValidationError(
            _("Only active target companies of %(garden)s can be transferred. Not possible: %(names)s.")
            % {"garden": from_garden.name, "names": _names(wrong) or _("a record that no longer exists")}
        )
    busy = list(
        TargetCompany.objects.filter(pk__in=ids, transfer_requests__status=TransferRequest.Status.PENDING)
        .select_related("company")
    )
    if busy:
        raise ValidationError(
            _("These target companies are already in a transfer waiting for confirmation: %(names)s.")
            % {"names": _names(busy)}
        )
    now = timezone.now()
    transfer = TransferRequest.objects.create(
        from_garden=from_garden,
        to_garden=to_garden,
        note=note.strip(),
        requested_by=by,
        from_confirmed_by=by,
        from_confirmed_at=now,
    )
    transfer.targets.set(locked)
    audit_record(
        action="members.transfer.requested", target=transfer, actor=by, garden=from_garden,
        changes={"to_garden": [None, to_garden.name], "targets": [None, _names(locked)]},
    )
    _audit_targets("members.targetcompany.transfer_requested", locked, by=by, garden=from_garden,
                   changes={"garden": [from_garden.name, to_garden.name]})
    transfer_notify(transfer=transfer, event="requested")
    return transfer


@transaction.atomic
def transfer_confirm(*, transfer: TransferRequest, by: User) -> TransferRequest:
    """The receiving admin accepts: every company moves to the receiving garden, or none does."""
    transfer = (
        TransferRequest.objects.select_for_update(of=("self",)).select_related("from_garden", "to_garden")
        .get(pk=transfer.pk)
    )
    _require_admin(by, transfer.to_garden, _("Only an admin of %(garden)s can accept this transfer.")
                   % {"garden": transfer.to_garden.name})
    if transfer.status != TransferRequest.Status.PENDING:
        raise ValidationError(_("This transfer is no longer waiting for confirmation (%(status)s).")
                              % {"status": transfer.get_status_display()})
    from_garden, to_garden = transfer.from_garden, transfer.to_garden
    targets = list(transfer.targets.select_for_update(of=("self",)).select_related("company", "adviser"))
    moved_or_ended = [
        t for t in targets if t.garden_id != from_garden.pk or t.status != TargetCompany.Status.ACTIVE
    ]
    if moved_or_ended:
        raise ValidationError(
            _("Nothing was transferred: %(names)s is no longer an active target company of %(garden)s. "
              "Ask %(garden)s to cancel this transfer and send a new one.")
            % {"names": _names(moved_or_ended), "garden": from_garden.name}
        )
    now = timezone.now()
    TargetCompany.objects.filter(pk__in=[t.pk for t in targets]).update(
        garden=to_garden, transferred_from=from_garden, version=F("version") + 1, updated_at=now
    )
    # The responsible adviser must work in the garden that holds the record (the edit form offers only
    # its staff); an adviser who does not work in the receiving garden is cleared, and the history says so.
    receiving_staff = set(
        StaffMembership.objects.current().filter(garden=to_garden).values_list("user_id", flat=True)
    )
    orphaned = [t for t in targets if t.adviser_id is not None and t.adviser_id not in receiving_staff]
    if orphaned:
        TargetCompany.objects.filter(pk__in=[t.pk for t in orphaned]).update(adviser=None)
    for target in targets:
        target.garden = to_garden  # for the audit label: "Acme AS – <receiving garden>"
        changes = {"garden": [from_garden.name, to_garden.name]}
        if target in orphaned:
            changes["adviser"] = [str(target.adviser), None]
        audit_record(action="members.targetcompany.transferred", target=target, actor=by, garden=to_garden,
                     changes=changes)
    transfer.status = TransferRequest.Status.COMPLETED
    transfer.to_confirmed_by = by
    transfer.to_confirmed_at = now
    transfer.completed_at = now
    transfer.save(update_fields=["status", "to_confirmed_by", "to_confirmed_at", "completed_at"])
    audit_record(action="members.transfer.completed", target=transfer, actor=by, garden=to_garden,
                 changes={"status": [str(TransferRequest.Status.PENDING.label), transfer.get_status_display()]})
    transfer_notify(transfer=transfer, event="completed")
    return transfer


@transaction.atomic
def transfer_cancel(*, transfer: TransferRequest, by: User) -> TransferRequest:
    """Either garden's admin withdraws a transfer that is still waiting; nothing moves."""
    transfer = (
        TransferRequest.objects.select_for_update(of=("self",)).select_related("from_garden", "to_garden")
        .get(pk=transfer.pk)
    )
    is_admin = any(garden_access(by, g).can_transfer_companies for g in (transfer.from_garden, transfer.to_garden))
    if not is_admin:
        raise PermissionDenied(_("Only an admin of one of the two gardens can cancel this transfer."))
    if transfer.status != TransferRequest.Status.PENDING:
        raise ValidationError(_("This transfer is no longer waiting for confirmation (%(status)s).")
                              % {"status": transfer.get_status_display()})
    transfer.status = TransferRequest.Status.CANCELLED
    transfer.save(update_fields=["status"])
    audit_record(action="members.transfer.cancelled", target=transfer, actor=by, garden=transfer.from_garden,
                 changes={"status": [str(TransferRequest.Status.PENDING.label), transfer.get_status_display()]})
    targets = list(transfer.targets.select_related("company", "garden"))
    _audit_targets("members.targetcompany.transfer_cancelled", targets, by=by, garden=transfer.from_garden,
                   changes={"garden": [transfer.from_garden.name, transfer.to_garden.name]})
    transfer_notify(transfer=transfer, event="cancelled")
    return transfer


def _recipient_gardens(transfer: TransferRequest, event: str) -> list[Garden]:
    """Who needs to act or know: the receiver is asked; the sender hears it was accepted; both hear of a cancel."""
    if event == "requested":
        return [transfer.to_garden]
    if event == "completed":
        return [transfer.from_garden]
    return [transfer.from_garden, transfer.to_garden]


def transfer_admin_emails(garden: Garden) -> list[str]:
    """E-mail addresses of the garden's admins today (current memberships, active accounts)."""
    return sorted(set(
        StaffMembership.objects.current()
        .filter(garden=garden, role=StaffMembership.Role.ADMIN, user__is_active=True)
        .values_list("user__email", flat=True)
    ))


def transfer_notify(*, transfer: TransferRequest, event: str) -> int:
    """Queue the e-mails for `event` in the outbox, in the caller's transaction; returns recipients.

    One mail per garden and event (its key), so asking twice sends once.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown transfer event {event!r}")
    targets = list(transfer.targets.select_related("company").order_by("company__name"))
    count = 0
    for garden in _recipient_gardens(transfer, event):
        recipients = transfer_admin_emails(garden)
        # Each garden gets the address it can open: the transfer is reached through the reader's own garden.
        url = absolute_url(reverse("members:transfer-detail",
                                   kwargs={"garden_slug": garden.slug, "transfer_pk": transfer.pk}))
        mail = mail_queue(template=f"members/email/transfer_{event}", to=recipients,
                          context={"transfer": transfer, "targets": targets, "url": url, "garden": garden},
                          key=f"members.transfer:{transfer.pk}:{event}:{garden.pk}")
        count += len(mail.to) if mail else 0
    return count


def transfers_for(garden: Garden) -> QuerySet[TransferRequest]:
    """The garden's incoming and outgoing transfers with what the list shows (two queries)."""
    return (
        TransferRequest.objects.filter(Q(from_garden=garden) | Q(to_garden=garden))
        .select_related("from_garden", "to_garden", "requested_by", "to_confirmed_by")
        .prefetch_related(Prefetch("targets", queryset=TargetCompany.objects.select_related("company")))
    )
