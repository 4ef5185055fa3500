from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GardensConfig(AppConfig):
    verbose_name = _("Gardens and geography")
    name = "gardens"
    default_auto_field = "django.db.models.BigAutoField"
