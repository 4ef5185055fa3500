"""`manage.py demo_accounts`: fictional demo logins and companies (idempotent)."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandError

from members.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DemoSetupError, create_demo_accounts


class Command(BaseCommand):
    help = (
        "Create the demo accounts (one per persona) and three demo target companies. Run load_network first."
    )

    def handle(self, *args, **options) -> None:
        try:
            logins = create_demo_accounts()
        except DemoSetupError as exc:
            raise CommandError(str(exc)) from exc
        width = max(len(label) for label, _, _ in logins)
        self.stdout.write(f"{'role':<{width}}  e-mail")
        for label, email, _password in logins:
            self.stdout.write(f"{label:<{width}}  {email}")
        # The password is shared and printed on purpose: these accounts are for demonstrations only.
        self.stdout.write(self.style.SUCCESS(f"\nPassword for every demo account: {DEMO_PASSWORD}"))
        # Garden admins and network readers must also type a code from an authenticator app.
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
        self.stdout.write(self.style.SUCCESS(
            f"Two-factor key of the demo admin and reader (add it to an authenticator app): {DEMO_TOTP_SECRET}\n"
            f"Their code right now (valid for 30 s; rerun `manage.py demo_accounts` for a new one): {code}"
        ))
