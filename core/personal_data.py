"""What the portal holds about one account holder, gathered from every app, as one readable file.

Each app contributes the sections it holds (members: profile and help requests; agreements: event
registrations) with `register_person_section` in its AppConfig.ready(), the way apps contribute
audit sentences: this module sits at the bottom of the stack and knows none of them.

The file is JSON (README "Personal data"): the right of access and portability (GDPR art. 15 and
20) ask for "a structured, commonly used and machine-readable format"; the data is nested (a
request with its answers), which a spreadsheet flattens badly, and indented UTF-8 JSON opens as
readable text in any browser or editor.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from .audit import _plain

_SECTIONS: dict[str, Callable[[Any], Any]] = {}


def register_person_section(name: str, export: Callable[[Any], Any]) -> None:
    """Add `name` = `export(user)` to every account holder's export."""
    _SECTIONS[name] = export


def plain(value: Any) -> Any:
    """A JSON-safe, readable value (dates as ISO text, choices as their label)."""
    return _plain(value)


def person_export(user) -> dict[str, Any]:
    """Everything held about `user`: the account itself, then each app's sections."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    data: dict[str, Any] = {
        "exported_at": plain(timezone.now()),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "joined": plain(user.date_joined),
            "last_sign_in": plain(user.last_login),
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("email")
            ],
            "two_factor_methods": sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True)),
        },
    }
    for name, export in _SECTIONS.items():
        data[name] = export(user)
    return data


def as_json_file(data: dict[str, Any]) -> bytes:
    """The export as indented UTF-8 JSON (æøå as themselves, not \\u escapes)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
