from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GardensConfig(AppConfig):
    verbose_name = _("Gardens and geography")
    name = "gardens"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Sign-in rules that depend on roles (required two-factor sign-in, staff idle timeout).
        from django.contrib.auth.signals import user_logged_in

        from . import signin

        user_logged_in.connect(signin.on_user_logged_in, dispatch_uid="gardens.signin.logged_in")
