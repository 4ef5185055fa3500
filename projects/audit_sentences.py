"""Sentences for the history pages, one per audit action code of projects and their finances."""

from django.utils.translation import gettext_lazy as _

# %(actor)s is who, %(target)s the record.
SENTENCES = {
    "projects.expense.created": _("%(actor)s recorded spending: %(target)s"),
    "projects.budgetline.created": _("%(actor)s added a budget line: %(target)s"),
    "projects.milestone.created": _("%(actor)s added the milestone %(target)s"),
    "projects.milestone.done": _("%(actor)s marked the milestone %(target)s as reached"),
    "projects.report.created": _("%(actor)s added the progress report %(target)s"),
    "projects.report.submitted": _("%(actor)s recorded the progress report %(target)s as submitted"),
    "projects.grant.split": _("%(actor)s split the grant %(target)s into years"),
}
