"""The one rule for Norwegian organisation numbers (organisasjonsnummer): normalise, validate, say why not.

Forms, services, models and the spreadsheet import all use it, so a number accepted in one
place is accepted in every other and the admin reads the same sentence wherever it is refused.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy, gettext_noop
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.no import orgnr

# Stored as msgids (gettext_noop) as well as raised translated, because the import keeps a
# row's problems as msgid + params and translates them when the preview is shown.
MESSAGES = {
    "required": gettext_noop("The organisasjonsnummer is missing."),
    "length": gettext_noop("An organisasjonsnummer has exactly 9 digits."),
    "format": gettext_noop("An organisasjonsnummer has only digits."),
    "checksum": gettext_noop("%(value)s is not a valid organisasjonsnummer (the check digit does not match)."),
}

# Whitespace of any kind (a number copied from a web page may hold non-breaking spaces),
# and the dots and hyphens people group the digits with.
SEPARATORS = re.compile(r"[\s.\-]")


def normalise_org_number(value: str) -> str:
    """Strip spaces, dots, hyphens and the 'NO' … 'MVA' of a VAT number people paste with the number."""
    value = SEPARATORS.sub("", value or "").upper()
    return value.removeprefix("NO").removesuffix("MVA")


def org_number_error(value: str) -> str | None:
    """What is wrong with a normalised number, as a key of MESSAGES ('length', 'format', 'checksum'), or None."""
    try:
        orgnr.validate(value)
    except InvalidLength:
        return "length"
    except InvalidFormat:
        return "format"
    except InvalidChecksum:
        return "checksum"
    return None


def validate_org_number(value: str) -> None:
    """Raise ValidationError unless `value` is a valid 9-digit MOD11 organisasjonsnummer."""
    if code := org_number_error(value):
        raise ValidationError(gettext_lazy(MESSAGES[code]), code=code, params={"value": value})


def clean_org_number(value: str, *, required: bool = False) -> str:
    """The normalised number, or ValidationError saying why not; empty input gives "" unless `required`.

    Emptiness is judged on what was written, so "MVA" alone is refused as too short rather
    than quietly saved as no number.
    """
    if not (value or "").strip():
        if required:
            raise ValidationError(gettext_lazy(MESSAGES["required"]), code="required")
        return ""
    number = normalise_org_number(value)
    validate_org_number(number)
    return number
