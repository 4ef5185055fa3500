"""Sentences for the history pages, one per audit action code of gardens, staff and invitations."""

from django.utils.translation import gettext_lazy as _

# %(actor)s is who, %(target)s the record.
SENTENCES = {
    "gardens.invitation.created": _("%(actor)s invited %(target)s"),
    "gardens.invitation.resent": _("%(actor)s sent the invitation to %(target)s again"),
    "gardens.invitation.revoked": _("%(actor)s withdrew the invitation to %(target)s"),
    "gardens.invitation.accepted": _("%(actor)s accepted the invitation %(target)s"),
    "gardens.membership.created": _("%(actor)s joined as %(target)s"),
    "gardens.membership.updated": _("%(actor)s changed the role of %(target)s"),
    "gardens.membership.ended": _("%(actor)s ended the membership %(target)s"),
    "gardens.staffprofile.created": _("%(actor)s wrote the competence profile %(target)s"),
    "gardens.staffprofile.updated": _("%(actor)s changed the competence profile %(target)s"),
}
