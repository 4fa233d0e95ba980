"""What the intake pages read from a request: a new link, the client's answers, a take-in."""

from __future__ import annotations

from django import forms

from cvj.formfields import ChoiceOrNoneField, RawTextField
from cvj.parsing import int_in_range

from .questions import QUESTION_KEYS
from .services import INTAKE_MAX_DAYS, Choice

LINK_DAYS = (7, 14, 30, 60)
TAKE_ALL = "all"


class IntakeLinkForm(forms.Form):
    """A new intake link: how many days it lives (clamped, 14 when unreadable) and a label."""

    days = RawTextField(required=False)
    label = RawTextField(required=False)

    def clean_days(self) -> int:
        return int_in_range(self.data.get("days"), default=14, minimum=1, maximum=INTAKE_MAX_DAYS)


class IntakeAnswersForm(forms.Form):
    """The client's answers, text as sent (the service judges it): a field per question, named
    by its key. An autosave sends one question; only the questions sent are saved."""

    def answers(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in QUESTION_KEYS if key in self.data}


class TakeInForm(forms.Form):
    """Per question: keep, use or add (`choice-<key>`), the fingerprint of what was shown
    (`seen-<key>`); and which button: one question's key or "all"."""

    take = ChoiceOrNoneField(choices=(*QUESTION_KEYS, TAKE_ALL))
    back = ChoiceOrNoneField(choices=("persona",))

    def choices(self) -> dict[str, str]:
        return {
            key: self.cleaned_data[f"choice-{key}"]
            for key in QUESTION_KEYS
            if self.cleaned_data.get(f"choice-{key}")
        }

    def seen(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"seen-{key}"] for key in QUESTION_KEYS}

    def only(self) -> list[str] | None:
        """The questions the button takes in; None for all of them."""
        take = self.cleaned_data.get("take")
        return None if take in (None, TAKE_ALL) else [take]


# The per-question fields come from the one list of questions. They are declared on the class
# (base_fields), not added per instance, so the form says what a request may carry.
for _key in QUESTION_KEYS:
    IntakeAnswersForm.base_fields[_key] = RawTextField(required=False)
    TakeInForm.base_fields[f"choice-{_key}"] = ChoiceOrNoneField(choices=tuple(Choice))
    TakeInForm.base_fields[f"seen-{_key}"] = RawTextField(required=False)
