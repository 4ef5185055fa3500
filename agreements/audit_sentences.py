"""Sentences for the history pages, one per audit action code of agreements, meetings and events."""

from django.utils.translation import gettext_lazy as _

# %(actor)s is who, %(target)s the record.
SENTENCES = {
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
}
