from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkPortalConfig(AppConfig):
    name = "network_portal"
    verbose_name = _("Network portal")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
