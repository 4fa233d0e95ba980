from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.safestring import SafeString, mark_safe

from journeys.deliverable.economics import CENT, printed_amount, printed_percent
from journeys.rules import Medium, stage_palette_css
from journeys.services import field_text

register = template.Library()


@register.simple_tag
def stage_palette(medium: Medium = "screen") -> SafeString:
    """The stage palette as CSS custom properties (journeys.rules); built from constants only."""
    return mark_safe(f"<style>{stage_palette_css(medium)}</style>")  # noqa: S308


@register.filter
def duration(seconds: int | float) -> str:
    """Seconds as H:MM:SS, for the session clock."""
    seconds = int(seconds or 0)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@register.filter
def fieldtext(value: object) -> str:
    """The text the editor shows for a stored value (and sends back as its `base`)."""
    return field_text(value)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key) if mapping else None


CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "AUD": "A$", "CAD": "C$", "NZD": "NZ$"}


def _with_currency(amount: Decimal, currency: str) -> str:
    """Thousands separated, cents only when there are any, the symbol (or the code) in front."""
    sign = "−" if amount < 0 else ""
    size = abs(amount)
    text = f"{size:,.0f}" if size == size.to_integral_value() else f"{size:,.2f}"
    symbol = CURRENCY_SYMBOLS.get((currency or "").upper())
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{currency} {text}"


@register.filter
def money(value: object, currency: str = "USD") -> str:
    """An amount as the economics print it (journeys/deliverable/economics.py): whole units from
    1,000 ("$3,853"), below that cents only when there are any ("$547.20", "$19")."""
    if value is None or value == "":
        return "—"
    return _with_currency(printed_amount(Decimal(str(value))), currency)


@register.filter
def price(value: object, currency: str = "USD") -> str:
    """A price as set, cents only when there are any ("$19", "$1,499.99"): the figure a row of
    the economics multiplies, so it is never rounded."""
    if value is None or value == "":
        return "—"
    return _with_currency(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP), currency)


@register.filter
def percent(value: object) -> str:
    """A percentage with at most one decimal, as the economics count it: "3.5 %", "18 %"."""
    if value is None or value == "":
        return "—"
    share = printed_percent(Decimal(str(value)))
    text = f"{share:.0f}" if share == share.to_integral_value() else f"{share:.1f}"
    return f"{text} %"
