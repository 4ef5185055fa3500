from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    verbose_name = _("Companies and entrepreneurs")
    name = "members"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models import Count, Q

        from gardens.access import register_workspace_count

        # The workspace tabs show how many help requests are new (fetched with the garden).
        register_workspace_count(
            "new_help_requests", lambda: Count("help_requests", filter=Q(help_requests__status="new"))
        )
        # The entrepreneur's profile and help requests in "download my data" (core.personal_data).
        from .privacy import register_sections

        register_sections()
