from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom layer: accounts, the audit trail, the mail outbox and small shared helpers.

    It imports nothing of ours, so every app above it may use it without closing a circle.
    """

    name = "core"
    verbose_name = _("Accounts, audit trail and mail")
    default_auto_field = "django.db.models.BigAutoField"
