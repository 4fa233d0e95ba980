from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from .formfields import RawTextField
from .models import Agency, Invitation, Role
from .parsing import validate_plain_text

# The business a client reads, as the invitation's foreign key names it: the team is the
# ground floor and does not import the journeys app above it.
Business = Invitation.business.field.related_model


class _RoleBusinessForm(forms.Form):
    """A role, plus the business a client may read (required for clients, dropped otherwise)."""

    role = forms.ChoiceField(choices=Role.choices, initial=Role.STRATEGIST)
    business = forms.ModelChoiceField(
        queryset=Business.objects.none(),
        required=False,
        empty_label="— the client's business —",
        help_text="Clients see only this business's journeys.",
    )

    def __init__(self, *args: object, agency: Agency, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Only this agency's businesses are choices: a foreign id is "not one of the choices".
        self.fields["business"].queryset = Business.objects.filter(agency=agency).order_by("name")

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if cleaned.get("role") == Role.CLIENT:
            if not cleaned.get("business") and "business" not in self.errors:
                self.add_error("business", "Choose the business this client may see.")
        else:
            cleaned["business"] = None
        return cleaned


class InvitationForm(_RoleBusinessForm):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))

    field_order = ["email", "role", "business"]


class MembershipRoleForm(_RoleBusinessForm):
    pass


class InvitationAcceptForm(UserCreationForm):
    """The new member's name, username and password, checked by Django's password validators
    (including similarity to the invited email)."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("first_name", "last_name", "username")

    def __init__(self, *args: object, invitation: Invitation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.instance.email = invitation.email
        self.fields["first_name"].required = True
        self.fields["first_name"].widget.attrs.update(autofocus=True, autocomplete="given-name")
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].help_text = "What you'll sign in with. Letters, digits and @.+-_"


class AgencyPrintForm(forms.ModelForm):
    """How the PDF deliverable looks: paper size and brand colour (validated "#rrggbb")."""

    class Meta:
        model = Agency
        fields = ["paper_size", "brand_color"]
        labels = {"paper_size": "Paper size", "brand_color": "Brand colour"}
        help_texts = {
            "brand_color": "Used on the cover and headers. If text on it would be hard to read, "
            "the PDF uses a darker shade of the same colour.",
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paper_size"].required = False  # a post without it keeps the current size

    def clean_paper_size(self) -> str:
        return self.cleaned_data.get("paper_size") or self.instance.paper_size

    def clean_brand_color(self) -> str:
        return (self.cleaned_data.get("brand_color") or "").strip().lower()


class AgencyLogoActionForm(forms.Form):
    """The settings page's second button: remove the logo (anything else saves the settings)."""

    action = RawTextField(required=False)


class UploadField(forms.Field):
    """An uploaded file as sent (or None): `cvj.branding.logo_validate` judges it."""

    widget = forms.FileInput

    def to_python(self, value: object) -> object:
        return value or None


class AgencySettingsForm(AgencyPrintForm):
    """The agency's name and logo, with how its PDFs look."""

    name = RawTextField(required=False)
    logo = UploadField(required=False)
    field_order = ["name", "paper_size", "brand_color", "logo"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name or len(name) > 120:
            raise forms.ValidationError("Give the agency a name of at most 120 characters.")
        validate_plain_text(name)
        return name

    def problem(self) -> str:
        """What the page says: the name's problem alone, else every print setting's."""
        errors = self.errors.get("name") or [e for field in self.errors.values() for e in field]
        return " ".join(errors)
