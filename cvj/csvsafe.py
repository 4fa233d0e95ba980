"""CSV cells a spreadsheet will not run (OWASP CSV injection), for every CSV we write.

A cell that starts like a formula (= + - @, or a tab, carriage return or line feed that a
spreadsheet may skip before one) is written with a leading apostrophe, which spreadsheets show
as text. A plain number (`-12.5`) is data, not a formula, and stays as it is.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_safe(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def csv_unquote(text: str) -> str:
    """A cell read back from a file we wrote: the apostrophe `csv_safe` added comes off."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
