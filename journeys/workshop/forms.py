"""Every post of the workshop has its form. Text goes through raw (`RawTextField`): the
services judge it with the models' full_clean, so hostile text gets the same field errors as
everywhere; ids are parsed once (`IdOr404Field`: junk is a 404, like a missing object)."""

from __future__ import annotations

from django import forms

from cvj.formfields import ChoiceOrNoneField, IdOr404Field, RawTextField
from stages.models import STAGE_SLUGS

from .models import VOTES_MAX, IdeaKind


class GuestNameForm(forms.Form):
    name = RawTextField(required=False)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Tell the room your name.")
        if len(name) > 80:
            raise forms.ValidationError("Keep your name under 80 characters.")
        return name


class IdeaForm(forms.Form):
    stage = ChoiceOrNoneField(choices=STAGE_SLUGS)
    kind = ChoiceOrNoneField(choices=IdeaKind.values)
    name = RawTextField(required=False)
    note = RawTextField(required=False)


class IdeaPickForm(forms.Form):
    """Which idea the facilitator acts on; `tactic` (accept: a library tactic) and `into`
    (merge: the idea it repeats) as the action needs."""

    idea = IdOr404Field()
    tactic = IdOr404Field(required=False)
    into = IdOr404Field(required=False)
    price = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=2)


class RevealForm(forms.Form):
    stage = ChoiceOrNoneField(choices=STAGE_SLUGS)
    revealed = forms.BooleanField(required=False)


class RoomSettingsForm(forms.Form):
    show_authors = forms.BooleanField(required=False)
    sound = forms.BooleanField(required=False)


class VoteOpenForm(forms.Form):
    stage = ChoiceOrNoneField(choices=STAGE_SLUGS)  # empty: the whole map
    votes_per_person = forms.IntegerField(min_value=1, max_value=VOTES_MAX, initial=3)
    max_per_item = forms.IntegerField(min_value=1, max_value=VOTES_MAX, initial=3)
    anonymous = forms.BooleanField(required=False)
    tally_hidden = forms.BooleanField(required=False, initial=True)


class VoteCastForm(forms.Form):
    tactic = IdOr404Field()
    dots = forms.IntegerField(min_value=0, max_value=VOTES_MAX)


class ClockForm(forms.Form):
    action = ChoiceOrNoneField(choices=("toggle", "extend"))
