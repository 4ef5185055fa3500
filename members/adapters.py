from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.mail import mail_queue_rendered
from gardens.access import mfa_required_for
from gardens.signin import MFA_SETUP_KEY


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

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up the required second factor right after signing in asks for no password again.

        The person typed it a moment ago; they can do nothing else until the setup is done
        (gardens/signin.py). Every later change of the second factor asks for it as usual.
        """
        request = allauth_context.request
        if app == "allauth.mfa" and request is not None and request.session.get(MFA_SETUP_KEY):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account mails (verification, password reset) take the portal's one mail path: the outbox.

        allauth renders them (its templates, its links); a mail-server outage then delays them
        instead of losing them, and each gets an HTML part in the portal's layout.
        """
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, ctx)
        html = next((body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"), "")
        if not html:
            html = render_to_string("email/plain.html", {"text": message.body})
        mail_queue_rendered(template=template_prefix, to=message.to, subject=message.subject, text=message.body,
                            html=html)


class MFAAdapter(DefaultMFAAdapter):
    """Two-factor sign-in: those who must use it cannot switch it off themselves."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and mfa_required_for(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)

    def get_totp_issuer(self) -> str:
        return "Næringshagenettverket"
