"""Verbs that change who works in a garden: invitations and staff memberships.

Staff do not sign up on their own: a garden admin invites a colleague by e-mail, and
accepting the invitation creates the membership. Ending a membership stops access at
once (access is "a membership valid today"); what the person recorded stays with the
garden. Every function is keyword-only, runs in one transaction and writes its audit
entry in that transaction; e-mail is queued only once the transaction has committed.
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, diff, snapshot
from core.mail import absolute_url, mail_cancel, mail_queue
from core.models import User
from core.services import user_create
from core.templatetags.formatting import datetime_nb
from core.text import fold_norwegian, name_sort_key

from .models import Garden, Invitation, StaffMembership, StaffProfile
from .selectors import open_invitations


class InvitationAlreadyOpen(ValidationError):
    """The address already has an open invitation to the garden; offer to send it again."""

    def __init__(self, invitation: Invitation):
        super().__init__(
            _("%(email)s already has an open invitation to this garden (valid until %(expires)s). "
              "You can send it again instead.")
            % {"email": invitation.email, "expires": datetime_nb(invitation.expires_at)}
        )
        self.invitation = invitation


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    validate_email(email)
    return email


def _validate_role(role: str) -> str:
    if role not in StaffMembership.Role.values:
        raise ValidationError(_("Choose a role: garden admin or garden staff."))
    return role


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.INVITATION_DAYS)


def _queue_invitation_email(invitation: Invitation) -> None:
    """Queue the invitation e-mail in the outbox, in this transaction; it is sent once this commits."""
    inviter = invitation.invited_by.get_full_name() if invitation.invited_by else ""
    context = {
        "invitation": invitation,
        "garden": invitation.garden,
        "inviter": inviter,
        "role": invitation.get_role_display(),
        "accept_url": invitation_accept_url(invitation),
        "expires": invitation.expires_at,
    }
    # Each sending is its own event: a resend (with a new expiry) is a new mail.
    invitation.mail = mail_queue(template="gardens/email/invitation", to=[invitation.email], context=context,
                                 key=f"gardens.invitation:{invitation.pk}:{invitation.expires_at.timestamp()}")
    invitation.save(update_fields=["mail"])


def _open_membership_of(garden: Garden, email: str) -> StaffMembership | None:
    """A membership of `garden` for the account with `email` that has not ended."""
    return garden.memberships.not_ended(timezone.localdate()).filter(user__email__iexact=email).first()


@transaction.atomic
def invitation_create(*, garden: Garden, by, email: str, role: str) -> Invitation:
    """Invite `email` to work in `garden` with `role`; the e-mail is sent once this commits."""
    email = _normalise_email(email)
    role = _validate_role(role)
    if _open_membership_of(garden, email) is not None:
        raise ValidationError(_("%(email)s already works in this garden.") % {"email": email})
    existing = open_invitations(garden).filter(email__iexact=email).first()
    if existing is not None:
        raise InvitationAlreadyOpen(existing)
    invitation = Invitation.objects.create(
        garden=garden,
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=by,
        expires_at=_expiry(),
    )
    audit_record(
        action="gardens.invitation.created",
        target=invitation,
        actor=by,
        garden=garden,
        changes=diff({}, snapshot(invitation, ["email", "role", "expires_at"])),
    )
    _queue_invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by) -> Invitation:
    """Send the invitation again with a fresh expiry (same link); refused once accepted or revoked."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted."))
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation was withdrawn. Invite the person again instead."))
    before = snapshot(invitation, ["expires_at"])
    invitation.expires_at = _expiry()
    invitation.save(update_fields=["expires_at"])
    audit_record(
        action="gardens.invitation.resent",
        target=invitation,
        actor=by,
        garden=invitation.garden,
        changes=diff(before, snapshot(invitation, ["expires_at"])),
    )
    _queue_invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    """Withdraw an invitation so its link no longer works."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been accepted; end the membership instead."))
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation has already been withdrawn."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    mail_cancel(invitation.mail)  # a link that no longer works is not worth a mail still waiting
    audit_record(
        action="gardens.invitation.revoked",
        target=invitation,
        actor=by,
        garden=invitation.garden,
        changes={"revoked_at": [None, invitation.revoked_at.isoformat()]},
    )
    return invitation


def invitation_problem(invitation: Invitation) -> str | None:
    """Why the invitation can no longer be accepted, in words for the invitee; None while open."""
    if invitation.accepted_at is not None:
        return _("This invitation has already been used.")
    if invitation.revoked_at is not None:
        return _("This invitation has been withdrawn.")
    if invitation.expires_at <= timezone.now():
        return _("This invitation expired on %(date)s.") % {"date": datetime_nb(invitation.expires_at)}
    return None


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> StaffMembership:
    """Accept an open invitation as the signed-in `user`: they start in the garden today."""
    invitation = Invitation.objects.select_for_update().select_related("garden").get(pk=invitation.pk)
    problem = invitation_problem(invitation)
    if problem is not None:
        raise ValidationError(problem)
    if user.email.strip().lower() != invitation.email.strip().lower():
        raise ValidationError(
            _("This invitation was sent to %(invited)s, but you are signed in as %(email)s. Sign out and open "
              "the link again, or ask your admin to invite the address you use.")
            % {"invited": invitation.email, "email": user.email}
        )
    garden = invitation.garden
    if _open_membership_of(garden, user.email) is not None:
        raise ValidationError(_("You already work in %(garden)s.") % {"garden": garden.name})
    membership = StaffMembership.objects.create(
        user=user, garden=garden, role=invitation.role, valid_from=timezone.localdate()
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        action="gardens.invitation.accepted",
        target=invitation,
        actor=user,
        garden=garden,
        changes={"membership": [None, membership.pk]},
    )
    audit_record(
        action="gardens.membership.created",
        target=membership,
        actor=user,
        garden=garden,
        changes=diff({}, snapshot(membership, ["user", "role", "valid_from"])),
    )
    return membership


@transaction.atomic
def invitation_accept_with_new_account(*, invitation: Invitation, full_name: str, password: str) -> StaffMembership:
    """Create the invitee's account (its address verified by the invitation) and accept, in one go."""
    problem = invitation_problem(invitation)
    if problem is not None:
        raise ValidationError(problem)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(_("An account with this e-mail address already exists. Sign in to accept."))
    user = user_create(email=invitation.email, full_name=full_name.strip(), password=password)
    return invitation_accept(invitation=invitation, user=user)


def _other_current_admins(membership: StaffMembership):
    return (
        StaffMembership.objects.valid_on(timezone.localdate())
        .filter(garden_id=membership.garden_id, role=StaffMembership.Role.ADMIN)
        .exclude(pk=membership.pk)
    )


def _ensure_not_last_admin(membership: StaffMembership) -> None:
    """A garden must keep an admin, or nobody could invite staff or end memberships again."""
    if membership.role == StaffMembership.Role.ADMIN and membership.is_current:
        if not _other_current_admins(membership).exists():
            raise ValidationError(
                _("%(name)s is the garden's only admin. Make a colleague admin first.")
                % {"name": membership.user.get_full_name()}
            )


@transaction.atomic
def membership_end(*, membership: StaffMembership, by) -> StaffMembership:
    """End a membership so access stops now; the person's records stay with the garden."""
    membership = StaffMembership.objects.select_for_update().select_related("user", "garden").get(pk=membership.pk)
    today = timezone.localdate()
    if membership.valid_to is not None and membership.valid_to < today:
        raise ValidationError(
            _("%(name)s's membership has already ended.") % {"name": membership.user.get_full_name()}
        )
    _ensure_not_last_admin(membership)
    before = snapshot(membership, ["valid_from", "valid_to"])
    # Yesterday, because access means "valid today": ending today would leave access until midnight.
    membership.valid_to = today - datetime.timedelta(days=1)
    if membership.valid_from is not None and membership.valid_from > membership.valid_to:
        membership.valid_from = membership.valid_to
    membership.save(update_fields=["valid_from", "valid_to"])
    audit_record(
        action="gardens.membership.ended",
        target=membership,
        actor=by,
        garden=membership.garden,
        changes=diff(before, snapshot(membership, ["valid_from", "valid_to"])),
    )
    return membership


@transaction.atomic
def membership_change_role(*, membership: StaffMembership, by, role: str) -> StaffMembership:
    """Give a current member another role; the garden's last admin cannot be made staff."""
    role = _validate_role(role)
    membership = StaffMembership.objects.select_for_update().select_related("user", "garden").get(pk=membership.pk)
    if not membership.is_current:
        raise ValidationError(
            _("%(name)s no longer works in this garden.") % {"name": membership.user.get_full_name()}
        )
    if membership.role == role:
        return membership
    if role != StaffMembership.Role.ADMIN:
        _ensure_not_last_admin(membership)
    before = snapshot(membership, ["role"])
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        action="gardens.membership.updated",
        target=membership,
        actor=by,
        garden=membership.garden,
        changes=diff(before, snapshot(membership, ["role"])),
    )
    return membership


def invitation_accept_url(invitation: Invitation) -> str:
    """The absolute link in the e-mail."""
    return absolute_url(reverse("gardens:invitation-accept", kwargs={"token": invitation.token}))


# Staff competence profiles. Nothing is public until the person opts in; the directory
# shows a profile only while its person has a current membership.

PROFILE_FIELDS = ("headline", "bio", "languages", "capacity_note", "capacity_hours_per_month", "is_public")
PROFILE_RELATIONS = ("competence_areas", "industry_sections", "municipalities_served")


def staff_profile_refresh_search(profile: StaffProfile) -> StaffProfile:
    """Recompute the folded search text and the Norwegian sort key (saved by the caller or here)."""
    user = profile.user
    gardens = Garden.objects.filter(
        memberships__in=StaffMembership.objects.current().filter(user=user)
    ).values_list("name", flat=True)
    parts = [
        user.get_full_name(),
        profile.headline,
        profile.bio,
        profile.languages,
        profile.capacity_note,
        *profile.competence_areas.values_list("name", flat=True),
        *profile.industry_sections.values_list("name", flat=True),
        *profile.municipalities_served.values_list("name", flat=True),
        *gardens,
    ]
    # A leading space before every word lets the search match word prefixes with a plain LIKE.
    profile.search_text = " " + fold_norwegian(" ".join(p for p in parts if p)) + " "
    profile.sort_key = name_sort_key(user.full_name or user.email)[:300]
    StaffProfile.objects.filter(pk=profile.pk).update(search_text=profile.search_text, sort_key=profile.sort_key)
    return profile


def _profile_snapshot(profile: StaffProfile) -> dict:
    values = snapshot(profile, list(PROFILE_FIELDS))
    for name in PROFILE_RELATIONS:
        values[name] = sorted(str(obj) for obj in getattr(profile, name).all())
    return values


@transaction.atomic
def staff_profile_update(*, user, by, data: dict) -> StaffProfile:
    """Save `user`'s competence profile from `data` (form-cleaned values); only current staff have one.

    Publishing records when; unpublishing hides the profile at once. The e-mail address is
    never part of the profile.
    """
    membership = StaffMembership.objects.current().filter(user=user).select_related("garden").first()
    if membership is None:
        raise ValidationError(_("Only people working in a garden have a competence profile."))
    profile, _created = StaffProfile.objects.select_for_update().get_or_create(user=user)
    before = _profile_snapshot(profile) if not _created else {}
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(profile, name, data[name])
    if profile.is_public and profile.published_at is None:
        profile.published_at = timezone.now()
    elif not profile.is_public:
        profile.published_at = None
    profile.full_clean(exclude=["user"])
    profile.save()
    for name in PROFILE_RELATIONS:
        if name in data:
            getattr(profile, name).set(data[name])
    staff_profile_refresh_search(profile)
    changes = diff(before, _profile_snapshot(profile))
    if changes:
        audit_record(
            action="gardens.staffprofile.created" if _created else "gardens.staffprofile.updated",
            target=profile, actor=by, garden=membership.garden, changes=changes,
        )
    return profile
