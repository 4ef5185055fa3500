from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    verbose_name = _("Cooperation agreements")
    name = "agreements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.personal_data import plain, register_person_section
        from members.selectors import register_workspace_agenda

        from .models import EventRegistration
        from .selectors import workspace_agenda

        def registrations(user) -> list[dict]:
            """The person's event registrations, in "download my data" (deleted with the account)."""
            return [{"event": r.event.title, "starts": plain(r.event.starts_at), "status": r.get_status_display(),
                     "registered": plain(r.created_at)}
                    for r in EventRegistration.objects.filter(user=user).select_related("event").order_by("created_at")]

        register_person_section("event_registrations", registrations)
        # The garden's workspace lists its agreements' meetings and action items due this week.
        register_workspace_agenda(workspace_agenda)
