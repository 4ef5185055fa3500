"""Money as Norwegians write it: '6 000 000 kr', '250 000,50 kr' (non-breaking spaces)."""

from decimal import Decimal

from django import template

register = template.Library()

NBSP = "\u00a0"


@register.filter
def nok(value) -> str:
    """Format an exact amount as NOK with space-grouped thousands and a decimal comma (øre only if any)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "−" if amount < 0 else ""
    whole, _, cents = f"{abs(amount):.2f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", NBSP)
    text = grouped if cents == "00" else f"{grouped},{cents}"
    return f"{sign}{text}{NBSP}kr"
