from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    verbose_name = _("Cooperation agreements")
    name = "agreements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from members.selectors import register_workspace_agenda

        from .selectors import workspace_agenda

        # The garden's workspace lists its agreements' meetings and action items due this week.
        register_workspace_agenda(workspace_agenda)
