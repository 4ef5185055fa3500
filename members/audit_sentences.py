"""Sentences for the history pages, one per audit action code of this app.

Target companies and their parts, imports, transfers, competence sharing, help requests.
"""

from django.utils.translation import gettext_lazy as _

# %(actor)s is who, %(target)s the record.
SENTENCES = {
    "members.demo.created": _("%(actor)s created the demo data %(target)s"),
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
    "members.contactperson.exported": _("%(actor)s exported a contact person's personal data"),
    "members.contactperson.erased": _("%(actor)s erased a contact person's personal data"),
    "members.helprequest.anonymised": _("%(actor)s erased the requester's personal data from %(target)s"),
    "members.entrepreneur.erased": _("%(actor)s deleted an entrepreneur's account and personal data"),
    "members.import.uploaded": _("%(actor)s uploaded %(target)s for import"),
    "members.import.committed": _("%(actor)s imported %(target)s"),
    "members.import.aborted": _("%(actor)s cancelled the import of %(target)s"),
    "members.import.mapped": _("%(actor)s chose the columns of %(target)s"),
    "members.import.restarted": _("%(actor)s started the stalled import of %(target)s again"),
    "members.importmapping.saved": _("%(actor)s saved the column mapping %(target)s"),
    "members.transfer.requested": _("%(actor)s asked for the transfer %(target)s"),
    "members.transfer.completed": _("%(actor)s completed the transfer %(target)s"),
    "members.transfer.cancelled": _("%(actor)s cancelled the transfer %(target)s"),
    "members.helprequest.created": _("%(actor)s asked for help: %(target)s"),
    "members.helprequest.updated": _("%(actor)s changed the help request %(target)s"),
    "members.helprequest.assigned": _("%(actor)s assigned the help request %(target)s"),
    "members.entrepreneurprofile.updated": _("%(actor)s updated their entrepreneur profile"),
}
