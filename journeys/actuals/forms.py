"""The actuals grid (one small form per month) and the CSV upload."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from cvj.parsing import validate_plain_text

from .csvfile import MAX_BYTES, MonthFigures, ParsedFile, parse_actuals_csv, parse_month
from .figures import FIGURE_COLUMNS, MAX_MONEY, MAX_PEOPLE, MONEY_LABELS, PEOPLE


class MonthActualsForm(forms.Form):
    """One month's row of the grid. Blank = not measured."""

    month = forms.CharField(
        max_length=7,
        validators=[validate_plain_text],
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # HTML allows no maxlength on a month input (the field still checks the length).
        self.fields["month"].widget.attrs.pop("maxlength", None)
        for figure in PEOPLE:
            self.fields[figure.column] = forms.IntegerField(
                label=figure.label,
                required=False,
                min_value=0,
                max_value=MAX_PEOPLE,
                error_messages={"min_value": "Cannot be negative."},
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        for column, label in MONEY_LABELS.items():
            self.fields[column] = forms.DecimalField(
                label=label,
                required=False,
                min_value=Decimal("0"),
                max_value=MAX_MONEY,
                decimal_places=2,
                error_messages={"min_value": "Cannot be negative."},
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )
        # Grid cells have no visible label of their own: name the figure and the month.
        when = self.initial.get("month") or "the new month"
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{field.label or 'Month'}, {when}"

    def clean_month(self) -> date:
        month, why = parse_month(self.cleaned_data["month"].strip(), today=timezone.localdate())
        if month is None:
            raise forms.ValidationError(why[:1].upper() + why[1:] + ".")
        return month

    def figures(self) -> MonthFigures:
        return MonthFigures(
            self.cleaned_data["month"], {c: self.cleaned_data.get(c) for c in FIGURE_COLUMNS}
        )


class BaseMonthActualsFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            month = form.initial.get("month") or "this month"
            form.fields["DELETE"].label = "Remove"
            form.fields["DELETE"].widget.attrs["aria-label"] = f"Remove {month}"

    def clean(self) -> None:
        seen: set[date] = set()
        for form in self.forms:
            month = form.cleaned_data.get("month") if hasattr(form, "cleaned_data") else None
            if month is None or self._should_delete_form(form):
                continue
            if month in seen:
                form.add_error("month", f"{month:%Y-%m} is already in the grid.")
            seen.add(month)

    def months(self) -> list[MonthFigures]:
        return [
            form.figures()
            for form in self.forms
            if form.has_changed() and form.cleaned_data and not self._should_delete_form(form)
        ]

    def deleted_months(self) -> list[date]:
        return [
            form.cleaned_data["month"]
            for form in self.forms
            if self._should_delete_form(form) and form.cleaned_data.get("month")
        ]


MonthActualsFormSet = forms.formset_factory(
    MonthActualsForm,
    formset=BaseMonthActualsFormSet,
    extra=1,
    can_delete=True,
    max_num=1200,
    validate_max=True,
    absolute_max=1300,
)


class ActualsImportForm(forms.Form):
    file = forms.FileField(
        label="Actuals CSV",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="UTF-8 CSV, one line per month, up to 1 MB. The layout is described below.",
    )

    parsed: ParsedFile

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_000_000:.1f} MB; an actuals CSV is at most 1 MB "
                "(a century of months is about 100 kB). Is it the right file?"
            )
        self.parsed = parse_actuals_csv(upload.read(MAX_BYTES + 1), today=timezone.localdate())
        if self.parsed.errors:
            raise forms.ValidationError("Nothing was imported: the file has errors (see below).")
        return upload


class ClientAccessForm(forms.Form):
    clients_may_enter = forms.BooleanField(
        required=False, label="The client's team may enter actuals for this client's journeys"
    )
