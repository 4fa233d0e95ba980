"""Forms for the library manager — and for each row of a CSV import, so a tactic is checked
the same way whichever way it arrives. They check shapes and the stage's commitment rule;
the services own the rest (unique names per stage) and report it as field errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cvj.formfields import IdListField

from .models import (
    COMMITMENT_ONLY_AT_CONVERT,
    TACTIC_DESCRIPTION_MAX,
    TACTIC_NAME_MAX,
    Audience,
    Channel,
    Commitment,
    Stage,
)


class TacticForm(forms.Form):
    name = forms.CharField(max_length=TACTIC_NAME_MAX)
    description = forms.CharField(
        max_length=TACTIC_DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TACTIC_DESCRIPTION_MAX}),
        help_text=f"What it is and why it works here; up to {TACTIC_DESCRIPTION_MAX} characters.",
    )
    channel = forms.ChoiceField(choices=Channel.choices)
    commitment = forms.ChoiceField(
        choices=Commitment.choices,
        required=False,
        help_text="Does this ask the customer for money or for time?",
    )
    audience = forms.ChoiceField(choices=Audience.choices, initial=Audience.ANY)

    def __init__(self, *args: Any, stage: Stage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage = stage

    @property
    def show_commitment(self) -> bool:
        """The page offers the commitment choice only where the stage takes one."""
        return self.stage.takes_commitment

    def clean_commitment(self) -> str:
        commitment = self.cleaned_data.get("commitment", "")
        if commitment and not self.stage.takes_commitment:
            raise ValidationError(COMMITMENT_ONLY_AT_CONVERT)
        return commitment

    @property
    def tactic_values(self) -> dict[str, str]:
        """The cleaned values as keyword arguments for tactic_create / tactic_update."""
        return dict(self.cleaned_data)

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names (others at the top)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)


class TacticImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="UTF-8 CSV, up to 1 MB and 5000 rows.",
    )


class LibraryMoveForm(forms.Form):
    """The keyboard alternative to drag in the library: up or down, nothing else."""

    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class LibraryReorderForm(forms.Form):
    """A drag-and-drop reorder of a stage's own tactics: the ids in their new order."""

    order = IdListField(required=False)
