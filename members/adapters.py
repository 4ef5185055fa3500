from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Staff accounts come from invitations; public sign-up is a setting."""

    def is_open_for_signup(self, request) -> bool:
        return settings.PORTAL_SIGNUP_OPEN
