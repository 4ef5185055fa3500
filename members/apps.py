from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    verbose_name = _("People and companies")
    name = "members"
    default_auto_field = "django.db.models.BigAutoField"
