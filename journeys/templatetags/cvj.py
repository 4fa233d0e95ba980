from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.safestring import SafeString, mark_safe

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


@register.filter
def money(value: object, currency: str = "USD") -> str:
    """A price or amount with its currency: $1,234.56 (or 'CHF 1,234.56')."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    sign = "−" if amount < 0 else ""
    text = f"{abs(amount):,.2f}"
    symbol = CURRENCY_SYMBOLS.get((currency or "").upper())
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{currency} {text}"
