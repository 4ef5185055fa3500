"""Validation of Norwegian organisation numbers (organisasjonsnummer)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.no import orgnr


def normalise_org_number(value: str) -> str:
    """Strip spaces, dots and the 'NO' … 'MVA' decorations people paste with the number."""
    value = orgnr.compact((value or "").replace(".", "")).upper()
    if value.startswith("NO"):
        value = value[2:]
    if value.endswith("MVA"):
        value = value[:-3]
    return value


def validate_org_number(value: str) -> None:
    """Raise ValidationError unless `value` is a valid 9-digit MOD11 organisasjonsnummer."""
    try:
        orgnr.validate(value)
    except InvalidLength:
        raise ValidationError(_("An organisasjonsnummer has exactly 9 digits."), code="length") from None
    except InvalidFormat:
        raise ValidationError(_("An organisasjonsnummer has only digits."), code="format") from None
    except InvalidChecksum:
        raise ValidationError(
            _("%(value)s is not a valid organisasjonsnummer (the check digit does not match)."),
            code="checksum",
            params={"value": value},
        ) from None
