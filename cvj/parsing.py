"""What the app accepts from a request: whole numbers and text, parsed once for every view.

Request values are untrusted text. Python's `str.isdigit()` says yes to "²" and "٣" that `int()`
refuses, `int()` takes any length, and PostgreSQL refuses NUL in text — each of those used to
be a 500. Views parse ids, positions, page numbers and day counts through these helpers, and
every text field users can write is checked by `validate_plain_text` (through
`PlainTextModel.clean_fields`, so model forms and services that call `full_clean()` get it).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404

# The largest value a BigAutoField / bigint column holds.
MAX_ID = 2**63 - 1
# A page beyond this is an empty page, never an OFFSET the database refuses.
MAX_PAGE = 10_000

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
# NUL, and UTF-16 surrogates that are not part of a pair (they cannot be encoded as UTF-8).
_FORBIDDEN_TEXT = re.compile("[\x00\ud800-\udfff]")

TEXT_ERROR = "This text contains characters that cannot be stored (a NUL byte or a broken emoji)."


def parse_int(raw: object, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """An integer written in ASCII digits within [minimum, maximum], else None."""
    if not isinstance(raw, str) or not _ASCII_DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def id_or_404(raw: object) -> int:
    """An object id from the request; anything that is not one is simply not found."""
    value = parse_int(raw, minimum=1)
    if value is None:
        raise Http404("No such object.")
    return value


def choice_or_none(raw: object, choices: Collection[str]) -> str | None:
    """One of a fixed set of names (a stage slug, a kind, a field), else None: compared in
    Python, so NUL, surrogates and other junk never reach a query."""
    return raw if isinstance(raw, str) and raw in choices else None


def choice_or_404(raw: object, choices: Collection[str]) -> str:
    """One of a fixed set of names; anything else is simply not found, like a missing id."""
    value = choice_or_none(raw, choices)
    if value is None:
        raise Http404("No such object.")
    return value


def ids_or_invalid(raws: Iterable[object], *, field: str = "order") -> list[int]:
    """A list of ids (a new order of rows); one bad item refuses the list with a field error."""
    values = [parse_int(raw, minimum=1) for raw in raws]
    if None in values:
        raise ValidationError({field: "The new order names something that is not in this list."})
    return values  # type: ignore[return-value]


def page_number(raw: object) -> int:
    """The page asked for: 1 for anything unreadable, at most MAX_PAGE."""
    value = parse_int(raw, minimum=1)
    return 1 if value is None else min(value, MAX_PAGE)


def int_in_range(raw: object, *, default: int, minimum: int, maximum: int) -> int:
    """A bounded count (days, minutes): the default when missing or unreadable, else clamped."""
    value = parse_int(raw)
    return default if value is None else max(minimum, min(value, maximum))


def search_text(raw: object, *, limit: int = 100) -> str:
    """A search box's text: what cannot be stored or matched is dropped, never an error."""
    if not isinstance(raw, str):
        return ""
    return _FORBIDDEN_TEXT.sub("", raw).strip()[:limit]


def is_plain_text(value: object) -> bool:
    """Whether text can be stored (and so sent to the database in a query at all)."""
    return not (isinstance(value, str) and _FORBIDDEN_TEXT.search(value))


def validate_plain_text(value: object) -> None:
    """Refuse NUL and lone surrogates: PostgreSQL and UTF-8 cannot store them."""
    if isinstance(value, str) and _FORBIDDEN_TEXT.search(value):
        raise ValidationError(TEXT_ERROR, code="unstorable_text")


class PlainTextModel(models.Model):
    """A model whose every text column refuses NUL and lone surrogates in `full_clean()`."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Iterable[str] | None = None) -> None:
        excluded = set(exclude or ())
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if field.name in excluded or not isinstance(field, models.CharField | models.TextField):
                continue
            try:
                validate_plain_text(getattr(self, field.attname))
            except ValidationError as error:
                errors.setdefault(field.name, []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)
