"""Sign-in rules that depend on a person's roles: required two-factor sign-in and the staff idle timeout.

Both are decided once, when the person signs in (`user_logged_in`), and kept in the session:
the pages then pay no query for them. Who needs what is decided in gardens/access.py.

- Someone who must use two-factor sign-in (garden admins, network readers, superusers) and has
  no authenticator yet is sent to set one up before anything else (`MfaSetupRequiredMiddleware`).
  The rule is checked at sign-in: a person made admin during a session is asked at the next one.
- Garden staff, readers and superusers are signed out after STAFF_SESSION_IDLE_MINUTES without a
  request (`StaffIdleTimeoutMiddleware`); entrepreneurs keep the ordinary session length.
"""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .access import is_staff_user, mfa_required_for

MFA_SETUP_KEY = "portal.mfa_setup_required"
STAFF_SESSION_KEY = "portal.staff_session"
LAST_SEEN_KEY = "portal.last_seen"
# The last-seen time is written at most this often, so a page view rarely costs a session write.
LAST_SEEN_RESOLUTION_SECONDS = 60


def on_user_logged_in(sender, request: HttpRequest, user, **kwargs) -> None:
    """Note in the session what this person's roles ask of the sign-in."""
    if request is None or not hasattr(request, "session"):
        return
    if mfa_required_for(user) and not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
        request.session[MFA_SETUP_KEY] = True
    else:
        request.session.pop(MFA_SETUP_KEY, None)
    if is_staff_user(user):
        request.session[STAFF_SESSION_KEY] = True
        request.session[LAST_SEEN_KEY] = int(time.time())
    else:
        request.session.pop(STAFF_SESSION_KEY, None)


def _mfa_setup_exempt_paths() -> tuple[str, ...]:
    """Where someone who still has to set up two-factor sign-in may go: the setup itself, and out."""
    return (
        reverse("mfa_index"),
        reverse("account_logout"),
        reverse("account_reauthenticate"),
        reverse("set_language"),
        reverse("javascript-catalog"),
        settings.STATIC_URL,
    )


class MfaSetupRequiredMiddleware:
    """Send a signed-in person who must use two-factor sign-in, and has none yet, to set it up."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(MFA_SETUP_KEY)
            and request.user.is_authenticated
            and not request.path.startswith(_mfa_setup_exempt_paths())
        ):
            # One query, only while the note is there: has the person just set it up?
            if is_mfa_enabled(request.user, [Authenticator.Type.TOTP]):
                del session[MFA_SETUP_KEY]
                return self.get_response(request)
            messages.warning(
                request,
                _("Your role lets you see many gardens' data, so your account needs two-factor sign-in. "
                  "Set it up with an authenticator app before you go on."),
                fail_silently=True,
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class StaffIdleTimeoutMiddleware:
    """Sign staff out after STAFF_SESSION_IDLE_MINUTES without a request."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.get(STAFF_SESSION_KEY):
            now = int(time.time())
            last_seen = session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.STAFF_SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, _("You were signed out after a while without activity. Please sign in again."),
                              fail_silently=True)
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS or LAST_SEEN_KEY not in session:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)
