from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    verbose_name = _("Projects")
    name = "projects"
    default_auto_field = "django.db.models.BigAutoField"
