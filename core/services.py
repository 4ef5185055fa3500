"""Verbs of the bottom layer: accounts."""

from allauth.account.models import EmailAddress
from django.db import transaction

from .audit import audit_record
from .models import User


@transaction.atomic
def user_create(*, email: str, full_name: str = "", password: str | None = None, by=None, **extra) -> User:
    """Create an account whose e-mail address is trusted (invited staff, admins, demo accounts).

    The address is stored as verified so that allauth's mandatory verification,
    meant for public sign-up, does not stop people an admin vouched for.
    """
    user = User.objects.create_user(email=email, password=password, full_name=full_name, **extra)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    audit_record(action="core.user.created", target=user, actor=by, changes={"email": [None, user.email]})
    return user
