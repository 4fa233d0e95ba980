"""Form fields for request values, parsed by `cvj.parsing` (the one parser) so a form reads a
POST the same way the views read a path: ids, names from a fixed set, lists of ids, raw text."""

from __future__ import annotations

from collections.abc import Collection

from django import forms
from django.core.exceptions import ValidationError

from .parsing import choice_or_none, id_or_404, ids_or_invalid, search_text


class RawTextField(forms.Field):
    """Text exactly as sent (no strip, NUL kept): the service it goes to judges it, so its
    answer (a conflict, a field error with the storable-text message) stays the service's."""

    def to_python(self, value: object) -> str:
        return value if isinstance(value, str) else ""


class SearchTextField(forms.Field):
    """A search box's text: what cannot be stored or matched is dropped, never an error."""

    def to_python(self, value: object) -> str:
        return search_text(value)


class IdOr404Field(forms.Field):
    """An object id; anything that is not one is a 404, as a missing object is (a required id
    left out too: the answer stays the view's former 404, not a field error)."""

    def to_python(self, value: object) -> int | None:
        if value in self.empty_values and not self.required:
            return None
        return id_or_404(value)


class ChoiceOrNoneField(forms.Field):
    """One of a fixed set of names, else None (compared in Python: junk never reaches a query)."""

    def __init__(self, *, choices: Collection[str], **kwargs: object) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.names = choices

    def to_python(self, value: object) -> str | None:
        return choice_or_none(value, self.names)


class IdListField(forms.Field):
    """A list of ids in a new order (`order=3&order=1`); one bad item refuses the list."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: object) -> list[int]:
        try:
            return ids_or_invalid(value or [])
        except ValidationError as error:
            raise ValidationError(error.messages) from error
