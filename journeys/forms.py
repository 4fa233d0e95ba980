from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from cvj.formfields import (
    ChoiceOrNoneField,
    IdListField,
    IdOr404Field,
    RawTextField,
    SearchTextField,
)
from cvj.parsing import int_in_range, validate_plain_text
from stages.models import STAGE_SLUGS, Channel

from .models import (
    MAX_PRIORITIES,
    Business,
    Journey,
    JourneyStage,
    Offer,
    Persona,
    StageTactic,
)


class BusinessForm(forms.ModelForm):
    class Meta:
        model = Business
        fields = ["name", "industry", "kind", "website", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: object, agency_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.agency_id = agency_id

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Business.objects.filter(agency_id=self.agency_id, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Your agency already has a client with this name.")
        return name


class PersonaForm(forms.ModelForm):
    class Meta:
        model = Persona
        fields = [
            "name",
            "role",
            "awareness_level",
            "goals_values",
            "pains",
            "passions",
            "channels",
            "objections",
            "decision_role",
        ]
        widgets = {
            f: forms.Textarea(attrs={"rows": 2})
            for f in ("goals_values", "pains", "passions", "channels", "objections")
        }


class OfferForm(forms.ModelForm):
    class Meta:
        model = Offer
        fields = ["name", "kind", "price", "currency", "billing_period", "format", "promise"]
        widgets = {
            "promise": forms.Textarea(attrs={"rows": 2}),
            "price": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # A post without it (an older page, a script) keeps what the offer has: one-time when new.
        self.fields["billing_period"].required = False

    def clean_billing_period(self) -> str:
        return self.cleaned_data.get("billing_period") or self.instance.billing_period


class JourneyCreateForm(forms.Form):
    business = forms.ModelChoiceField(queryset=Business.objects.none())
    persona = forms.ModelChoiceField(queryset=Persona.objects.none())
    core_offer = forms.ModelChoiceField(queryset=Offer.objects.none(), label="Core offer")
    title = forms.CharField(max_length=200, required=False, help_text="Optional; we suggest one.")

    def __init__(self, *args: object, businesses: QuerySet[Business], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = businesses
        self.fields["persona"].queryset = Persona.objects.filter(business__in=businesses)
        self.fields["core_offer"].queryset = Offer.objects.filter(
            business__in=businesses, kind="core"
        )
        self.fields["persona"].label_from_instance = lambda p: f"{p.name} ({p.business.name})"
        self.fields["core_offer"].label_from_instance = lambda o: f"{o.name} ({o.business.name})"

    def clean(self) -> dict[str, object]:
        data = super().clean()
        business, persona, offer = data.get("business"), data.get("persona"), data.get("core_offer")
        if business and persona and persona.business_id != business.pk:
            self.add_error("persona", "Pick a persona of this business.")
        if business and offer and offer.business_id != business.pk:
            self.add_error("core_offer", "Pick a core offer of this business.")
        if business and persona and not data.get("title"):
            data["title"] = f"{business.name} — {persona.name}"
        return data


class StageForm(forms.ModelForm):
    """The whole stage at once: the no-JavaScript fallback for autosave."""

    class Meta:
        model = JourneyStage
        fields = ["goal", "metric", "target_conversion", "notes"]


class JourneyTitleForm(forms.ModelForm):
    class Meta:
        model = Journey
        fields = ["title"]


class PlanItemForm(forms.ModelForm):
    """One row of the Plan view: who, from when, how much a month, how soon, how far along."""

    class Meta:
        model = StageTactic
        fields = [
            "owner_side",
            "owner_name",
            "start_date",
            "monthly_budget",
            "horizon",
            "plan_status",
            "is_follow_up",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "monthly_budget": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }


class PlanSummaryForm(forms.Form):
    """The executive summary, up to three priorities picked from the plan, and the PDF's ending:
    the next meeting and the next steps, both addressed to the client."""

    summary = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text='A blank line starts a new paragraph; start a line with "- " for a list item.',
    )
    next_meeting_at = forms.DateTimeField(
        label="Next meeting",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Printed on the PDF's last page; left out when empty.",
    )
    next_steps = forms.CharField(
        label="Next steps for the client",
        required=False,
        max_length=Journey._meta.get_field("next_steps").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_plain_text],
        help_text="Addressed to the client, on the PDF's last page. Same markup as the summary.",
    )

    def __init__(self, *args: object, tactics: list[StageTactic], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(str(t.pk), t.name) for t in tactics]
        for i in range(1, MAX_PRIORITIES + 1):
            self.fields[f"priority_{i}"] = forms.TypedChoiceField(
                label=f"Priority {i}", choices=choices, coerce=int, required=False, empty_value=None
            )

    def priorities(self) -> list[int]:
        picked: list[int] = []
        for i in range(1, MAX_PRIORITIES + 1):
            pk = self.cleaned_data.get(f"priority_{i}")
            if pk and pk not in picked:
                picked.append(pk)
        return picked


# --- The editor's posts: each reads the request through the one parser in cvj.parsing.


class AutosaveForm(forms.Form):
    """One field of one row: `target` names the row, `base` the text the editor loaded.
    Plain fields only, so reading it costs no query (the autosave budget stays exact)."""

    target = RawTextField(required=False)
    field = RawTextField(required=False)
    value = RawTextField(required=False)
    base = RawTextField(required=False)


STAGE_SAVE_FIELDS = ("goal", "metric", "target_conversion", "notes")


class StageSaveForm(forms.Form):
    """The no-JavaScript stage form: each field sent, with the text it was edited from."""

    goal = RawTextField(required=False)
    metric = RawTextField(required=False)
    target_conversion = RawTextField(required=False)
    notes = RawTextField(required=False)
    base_goal = RawTextField(required=False)
    base_metric = RawTextField(required=False)
    base_target_conversion = RawTextField(required=False)
    base_notes = RawTextField(required=False)

    def edits(self, stored: dict[str, str]) -> dict[str, tuple[str, str]]:
        """field → (value, base) for the fields the post carries; a missing base is `stored`."""
        data = self.cleaned_data
        return {
            name: (
                data[name],
                data[f"base_{name}"] if f"base_{name}" in self.data else stored[name],
            )
            for name in STAGE_SAVE_FIELDS
            if name in self.data
        }


class TacticAddForm(forms.Form):
    """A library tactic by id, a custom one by name, or the search text Enter was pressed on."""

    tactic = IdOr404Field(required=False)
    custom_name = RawTextField(required=False)
    query = SearchTextField(required=False)
    channel = ChoiceOrNoneField(choices=Channel.values)

    def clean_channel(self) -> str:
        return self.cleaned_data.get("channel") or ""


class MoveForm(forms.Form):
    """The keyboard alternative to drag: anything but "up" moves down."""

    direction = RawTextField(required=False)

    def clean_direction(self) -> str:
        return "up" if self.cleaned_data.get("direction") == "up" else "down"


class ReorderForm(forms.Form):
    """A drag-and-drop reorder: the ids in their new order."""

    order = IdListField(required=False)


class OfferAttachForm(forms.Form):
    offer = IdOr404Field()


class SessionClockForm(forms.Form):
    """Start/pause (or reset) the clock; `stage` is the stage to show afterwards."""

    stage = ChoiceOrNoneField(choices=STAGE_SLUGS)
    action = RawTextField(required=False)

    def clean_action(self) -> str:
        return "reset" if self.cleaned_data.get("action") == "reset" else "toggle"


# --- Status and share links.

STATUS_ACTIONS = ("finalize", "reopen", "share", "unshare")


class JourneyStatusForm(forms.Form):
    action = ChoiceOrNoneField(choices=STATUS_ACTIONS)


class ShareLinkForm(forms.Form):
    """A new share link: how many days it lives (clamped, 14 when unreadable) and a label."""

    days = RawTextField(required=False)
    label = RawTextField(required=False)

    def __init__(self, *args: object, max_days: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.max_days = max_days

    def clean_days(self) -> int:
        raw = self.data.get("days")
        return int_in_range(raw, default=14, minimum=1, maximum=self.max_days)


class GapToPlanForm(forms.Form):
    """Which gap to close: its rule and its stage, as the insights list names them."""

    rule = RawTextField(required=False)
    stage = ChoiceOrNoneField(choices=STAGE_SLUGS)
