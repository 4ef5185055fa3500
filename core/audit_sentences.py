"""Sentences for the history pages, one per audit action code of accounts."""

from django.utils.translation import gettext_lazy as _

# %(actor)s is who, %(target)s the record.
SENTENCES = {
    "core.user.created": _("%(actor)s created the account %(target)s"),
}
