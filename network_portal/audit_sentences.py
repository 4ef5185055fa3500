"""Sentences for the history pages, one per audit action code of the network-wide layer."""

from django.utils.translation import gettext_lazy as _

# %(actor)s is who, %(target)s the record.
SENTENCES = {
    "network_portal.network.loaded": _("%(actor)s loaded the network data"),
    "network_portal.network.generated": _("%(actor)s generated a test network"),
    "network_portal.reportsubscription.created": _("%(actor)s subscribed to the quarterly report"),
    "network_portal.reportsubscription.deleted": _("%(actor)s unsubscribed from the quarterly report"),
    "network_portal.reportexport.created": _("%(actor)s asked for a file of the network report"),
    "network_portal.reportexport.restarted": _("%(actor)s started a report export again"),
    "network_portal.reportexport.finished": _("The file of a report export was made"),
    "network_portal.reportexport.deleted": _("An old report export and its file were deleted"),
}
