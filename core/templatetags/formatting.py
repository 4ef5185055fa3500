"""Money, numbers and moments as Norwegians write them: '6 000 000 kr', '250 000,50 kr', '12,5',
'01.03.2025', '02.12.2026 kl. 03:36'.

Thousands are grouped with a non-breaking space (so a figure never wraps inside a table cell), the
decimal mark is a comma and negatives get a real minus sign. The format is the same whatever
language the page is shown in: these are figures from Norwegian accounts and reports.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

register = template.Library()

NBSP = "\u00a0"
MINUS = "\u2212"


def _grouped(whole: str) -> str:
    """Digits with a non-breaking space between each group of three ('1234567' → '1 234 567')."""
    return f"{int(whole):,}".replace(",", NBSP)


@register.filter
def nok(value) -> str:
    """Format an exact amount as NOK with space-grouped thousands and a decimal comma (øre only if any)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = MINUS if amount < 0 else ""
    whole, _, cents = f"{abs(amount):.2f}".partition(".")
    grouped = _grouped(whole)
    text = grouped if cents == "00" else f"{grouped},{cents}"
    return f"{sign}{text}{NBSP}kr"


@register.filter
def number_nb(value) -> str:
    """Format a count or measure (FTE, hours) with space-grouped thousands and a decimal comma.

    Only the decimals that carry information are shown: Decimal("1.50") hours reads "1,5" and
    Decimal("12.0") employees reads "12". None, "" and anything that is not a number give "".
    """
    if value is None or value == "" or isinstance(value, bool):
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return ""
    if not number.is_finite():
        return ""
    sign = MINUS if number < 0 else ""
    # Fixed-point text without exponent or trailing zeros: Decimal("1.50") → "1.5", Decimal("1E+3") → "1000".
    text = f"{abs(number):f}"
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0")
    grouped = _grouped(whole)
    return f"{sign}{grouped},{decimals}" if decimals else f"{sign}{grouped}"


@register.filter
def datetime_nb(value: datetime.datetime | None) -> str:
    """A moment in the local time zone, as '02.12.2026 kl. 03:36' (e-mails, history, messages)."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return gettext("%(date)s at %(time)s") % {"date": date_format(value, "d.m.Y"), "time": value.strftime("%H:%M")}
