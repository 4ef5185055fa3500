"""Sharing competence between gardens: the cooperation agreements' "use each other's competence".

Staff of the company's garden ask a colleague in another garden; the colleague accepts or
declines; once accepted they may log follow-up hours on that one company, counted for their
own garden, until either side closes the request. Every step is audited on the company.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.models import User
from gardens.access import garden_access
from gardens.models import Garden, StaffMembership

from . import services
from .models import CompetenceShare, FollowUpEntry, TargetCompany


def share_colleague_choices(garden: Garden) -> QuerySet[StaffMembership]:
    """Current staff of other gardens who published a competence profile: who can be asked."""
    return (
        StaffMembership.objects.current()
        .exclude(garden=garden)
        .filter(user__staff_profile__is_public=True, user__is_active=True)
        .select_related("user", "garden")
        .order_by("garden__name", "user__full_name")
    )


@transaction.atomic
def share_request_create(*, target: TargetCompany, by: User, membership: StaffMembership, message: str
                         ) -> CompetenceShare:
    """Ask `membership.user` (staff of another garden) for help with `target`."""
    if not garden_access(by, target.garden).can_share_competence:
        raise PermissionDenied
    if membership.garden_id == target.garden_id:
        raise ValidationError(_("Ask a colleague in another garden; your own colleagues can already help."))
    if target.status != TargetCompany.Status.ACTIVE:
        raise ValidationError(_("Only active target companies can get help from other gardens."))
    if not message.strip():
        raise ValidationError(_("Say what you need help with."))
    if CompetenceShare.objects.filter(
        target=target, colleague=membership.user, status__in=[CompetenceShare.Status.PENDING,
                                                              CompetenceShare.Status.ACCEPTED]
    ).exists():
        raise ValidationError(_("%(name)s has already been asked about this company.")
                              % {"name": membership.user.get_full_name()})
    share = CompetenceShare.objects.create(
        target=target, requested_by=by, colleague=membership.user, colleague_garden=membership.garden,
        message=message.strip(),
    )
    audit_record(action="members.competenceshare.requested", target=target, actor=by, garden=target.garden,
                 changes={"colleague": [None, f"{membership.user.get_full_name()} ({membership.garden.name})"]})
    return share


@transaction.atomic
def share_respond(*, share: CompetenceShare, by: User, accept: bool, note: str = "") -> CompetenceShare:
    """The asked colleague accepts or declines."""
    share = CompetenceShare.objects.select_for_update(of=("self",)).select_related("target").get(pk=share.pk)
    if share.colleague_id != by.pk:
        raise PermissionDenied
    if share.status != CompetenceShare.Status.PENDING:
        raise ValidationError(_("This request has already been answered."))
    share.status = CompetenceShare.Status.ACCEPTED if accept else CompetenceShare.Status.DECLINED
    share.response_note = note.strip()
    share.responded_at = timezone.now()
    share.save(update_fields=["status", "response_note", "responded_at"])
    audit_record(action=f"members.competenceshare.{'accepted' if accept else 'declined'}", target=share.target,
                 actor=by, garden=share.target.garden, changes={"status": [None, share.get_status_display()]})
    return share


@transaction.atomic
def share_close(*, share: CompetenceShare, by: User) -> CompetenceShare:
    """Either side ends the help; the colleague loses access to the company."""
    share = CompetenceShare.objects.select_for_update(of=("self",)).select_related("target").get(pk=share.pk)
    if share.colleague_id != by.pk and not garden_access(by, share.target.garden).can_share_competence:
        raise PermissionDenied
    if share.status not in (CompetenceShare.Status.PENDING, CompetenceShare.Status.ACCEPTED):
        raise ValidationError(_("This request is already closed."))
    share.status = CompetenceShare.Status.CLOSED
    share.closed_at = timezone.now()
    share.save(update_fields=["status", "closed_at"])
    audit_record(action="members.competenceshare.closed", target=share.target, actor=by,
                 garden=share.target.garden, changes={"status": [None, share.get_status_display()]})
    return share


def share_follow_up_log(*, share: CompetenceShare, by: User, date: datetime.date, kind: str, hours: Decimal,
                        summary: str, next_step: str = "", own_share: Decimal | None = None) -> FollowUpEntry:
    """The colleague logs work on the shared company; the hours count for the colleague's garden."""
    if share.colleague_id != by.pk or not share.is_open:
        raise PermissionDenied
    return services.follow_up_log(
        target=share.target, by=by, date=date, kind=kind, hours=hours, summary=summary, adviser=by,
        next_step=next_step, own_share=own_share, adviser_garden=share.colleague_garden,
    )


def shared_hours_by(garden: Garden) -> Decimal:
    """Hours the garden's staff logged on other gardens' target companies (shared capacity)."""
    total = (
        FollowUpEntry.objects.filter(adviser_garden=garden)
        .exclude(target__garden=garden)
        .aggregate(total=Sum("hours"))["total"]
    )
    return total or Decimal("0")
