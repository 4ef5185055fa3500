from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils import timezone


class AccountAdapter(DefaultAccountAdapter):
    """Staff accounts come from invitations; entrepreneurs sign up themselves (PORTAL_SIGNUP_OPEN)."""

    def is_open_for_signup(self, request) -> bool:
        return settings.PORTAL_SIGNUP_OPEN

    def get_login_redirect_url(self, request) -> str:
        """Entrepreneurs (no garden, not a network reader) land on their own page, not the front page."""
        user = request.user
        if not (user.is_network_reader or user.is_superuser) and not user.memberships.valid_on(
            timezone.localdate()
        ).exists():
            return reverse("members:my-page")
        return super().get_login_redirect_url(request)
