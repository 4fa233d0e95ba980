"""Pages for the portable format: JSON download and upload, cloning, and journey templates.

Strategists and admins only: every object comes through journeys/access.py or the agency of
the user's membership, so clients, other agencies' ids and unknown ids are all a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from cvj.http import HtmxHttpRequest
from cvj.models import Membership
from cvj.parsing import id_or_404, parse_int
from cvj.tenancy import require_membership

from ..access import businesses_for, get_journey_for
from ..models import Business, Journey, JourneyStarter, Persona
from ..portable import (
    FORMAT_DOC,
    MAX_DOCUMENT_BYTES,
    DocumentError,
    copy_title,
    document_dumps,
    document_filename,
    document_loads,
    journey_clone,
    journey_from_document,
    journey_start_from_starter,
    journey_to_document,
    starter_create,
)
from ..starters import builtin_starter, builtin_starters

# --- Forms --------------------------------------------------------------------------------


class JourneyImportForm(forms.Form):
    file = forms.FileField(
        label="Journey file",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
        help_text="A .cvj.json file exported from CVJ Mapper (UTF-8 JSON, up to 1 MB).",
    )
    business = forms.ModelChoiceField(
        queryset=Business.objects.none(),
        required=False,
        label="Import into",
        empty_label="A new client, created from the file",
    )

    def __init__(self, *args: Any, businesses: QuerySet[Business], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = businesses

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB: is it a journey file?")
        try:
            self.document = document_loads(upload.read(MAX_DOCUMENT_BYTES + 1))
        except DocumentError as error:
            raise forms.ValidationError(
                [f"{path}: {message}" if path else message for path, message in error.errors]
            ) from error
        return upload


class JourneyCloneForm(forms.Form):
    business = forms.ModelChoiceField(queryset=Business.objects.none(), label="Client")
    persona = forms.ChoiceField(
        required=False,
        error_messages={
            "invalid_choice": "Pick a persona of this client — the list now shows its personas."
        },
    )
    title = forms.CharField(max_length=200, label="Title of the copy")

    def __init__(
        self,
        *args: Any,
        journey: Journey,
        businesses: QuerySet[Business],
        refresh_url: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.journey = journey
        self.fields["business"].queryset = businesses
        # Changing the client reloads the persona list (plain forms: on the next submit).
        self.fields["business"].widget.attrs.update(
            {
                "data-hx-get": refresh_url,
                "data-hx-target": "#clone-persona",
                "data-hx-swap": "outerHTML",
            }
        )
        raw = self.data.get("business") if self.is_bound else self.initial.get("business")
        business_id = parse_int(str(raw or ""), minimum=1)
        self.target = (
            businesses.filter(pk=business_id).first() if business_id else None
        ) or journey.business
        if not self.is_bound:
            self.initial["business"] = self.target.pk
        source = journey.persona.name
        if self.target.pk == journey.business_id:
            default = f"Same persona: {source}"
            others = self.target.personas.exclude(pk=journey.persona_id)
        else:
            default = f"{source} (copied from {journey.business.name})"
            others = self.target.personas.all()
        self.fields["persona"].choices = [("", default), *((str(p.pk), p.name) for p in others)]
        self.fields["persona"].label = f"Persona at {self.target.name}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        business, persona_id = data.get("business"), data.get("persona")
        data["persona"] = None
        if business and persona_id:
            data["persona"] = Persona.objects.filter(business=business, pk=persona_id).first()
            if data["persona"] is None:
                self.add_error("persona", "Pick a persona of this client.")
        return data


class StarterSaveForm(forms.Form):
    name = forms.CharField(max_length=120, label="Template name")
    description = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="When should a strategist start from this template?",
    )

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency_id = agency_id

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if JourneyStarter.objects.filter(agency_id=self.agency_id, name__iexact=name).exists():
            raise forms.ValidationError("Your agency already has a template with this name.")
        return name


class StarterStartForm(forms.Form):
    business = forms.ModelChoiceField(
        queryset=Business.objects.none(),
        required=False,
        label="Client",
        empty_label="A new client, from the template's business",
    )
    new_business_name = forms.CharField(
        max_length=120,
        required=False,
        label="New client's name",
        help_text="Only for a new client.",
    )
    title = forms.CharField(max_length=200, label="Journey title")

    def __init__(
        self, *args: Any, businesses: QuerySet[Business], agency_id: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.agency_id = agency_id
        self.fields["business"].queryset = businesses

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        name = data.get("new_business_name", "").strip()
        if data.get("business") is None and "business" not in self.errors:
            if not name:
                self.add_error("new_business_name", "Name the new client, or pick one above.")
            elif Business.objects.filter(agency_id=self.agency_id, name__iexact=name).exists():
                self.add_error(
                    "new_business_name",
                    "Your agency already has a client with this name — pick it above instead.",
                )
        data["new_business_name"] = name
        return data


# --- Template cards -----------------------------------------------------------------------


@dataclass(frozen=True)
class StarterCard:
    source: str  # "industry" (built in) or "agency" (saved by the agency)
    key: str
    name: str
    industry: str
    description: str
    document: dict[str, Any]
    created_by: str = ""
    created_at: datetime | None = None

    @property
    def dom_id(self) -> str:
        return f"tpl-{self.source}-{self.key}"

    @property
    def business_name(self) -> str:
        return str(self.document.get("business", {}).get("name", ""))

    @property
    def persona_name(self) -> str:
        return str(self.document.get("persona", {}).get("name", ""))

    @property
    def title(self) -> str:
        return str(self.document.get("title", ""))

    @property
    def core_offer(self) -> dict[str, Any]:
        key = self.document.get("core_offer")
        return next((o for o in self.document.get("offers", []) if o.get("key") == key), {})

    @property
    def tactic_count(self) -> int:
        stages = self.document.get("stages", {}).values()
        return sum(len(stage.get("tactics", [])) for stage in stages)


def _agency_card(template: JourneyStarter) -> StarterCard:
    creator = template.created_by
    return StarterCard(
        source="agency",
        key=str(template.pk),
        name=template.name,
        industry=template.industry,
        description=template.description,
        document=template.document,
        created_by=(creator.get_full_name() or creator.get_username()) if creator else "",
        created_at=template.created_at,
    )


def _starter_card(member: Membership, source: str, key: str) -> StarterCard:
    """A built-in template by slug or one of the member's agency's templates by id; else 404."""
    if source == "industry" and (info := builtin_starter(key)):
        return StarterCard(
            "industry", info.slug, info.name, info.industry, info.description, info.document
        )
    if source == "agency":
        found = get_object_or_404(
            JourneyStarter.objects.select_related("created_by"),
            agency_id=member.agency_id,
            pk=id_or_404(key),
        )
        return _agency_card(found)
    raise Http404("No such template.")


def _to_editor(request: HtmxHttpRequest, journey: Journey) -> HttpResponse:
    if request.htmx:
        return HttpResponseClientRedirect(journey.get_absolute_url())
    return redirect(journey)


# --- Views --------------------------------------------------------------------------------


@login_required
@require_GET
def journey_export_json(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    response = HttpResponse(
        document_dumps(journey_to_document(journey)),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, document_filename(journey))
    return response


@login_required
@require_http_methods(["GET", "POST"])
def journey_import_json(request: HtmxHttpRequest) -> HttpResponse:
    member = require_membership(request.user, edit=True)
    posted = request.method == "POST"
    form = JourneyImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        businesses=businesses_for(request.user),
    )
    errors: list[tuple[str, str]] = []
    if posted and form.is_valid():
        try:
            journey = journey_from_document(
                document=form.document,
                agency=member.agency,
                business=form.cleaned_data["business"],
                owner=request.user,
            )
        except DocumentError as error:
            errors = error.errors
        else:
            messages.success(request, f"Imported “{journey.title}”.")
            return _to_editor(request, journey)
    context = {"form": form, "errors": errors, "format_doc": FORMAT_DOC}
    page = "journeys/journey_import.html"
    return render(request, f"{page}#import-panel" if request.htmx else page, context)


@login_required
@require_http_methods(["GET", "POST"])
def journey_clone_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    business_param = request.GET.get("business", "")
    form = JourneyCloneForm(
        request.POST if request.method == "POST" else None,
        journey=journey,
        businesses=businesses_for(request.user),
        refresh_url=reverse("journey_clone", args=[journey.pk]),
        initial={
            "business": business_param or journey.business_id,
            "title": copy_title(journey.title),
        },
    )
    page, errors = "journeys/journey_clone.html", []
    if request.method == "GET" and request.htmx.target == "clone-persona":
        return render(request, f"{page}#persona-field", {"form": form})
    if request.method == "POST" and form.is_valid():
        try:
            clone = journey_clone(
                journey=journey,
                business=form.cleaned_data["business"],
                persona=form.cleaned_data["persona"],
                owner=request.user,
                title=form.cleaned_data["title"],
            )
        except DocumentError as error:
            errors = error.errors
        else:
            messages.success(request, f"Copied to “{clone.title}” for {clone.business.name}.")
            return _to_editor(request, clone)
    return render(request, page, {"form": form, "journey": journey, "errors": errors})


@login_required
@require_http_methods(["GET", "POST"])
def journey_starter_save(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    form = StarterSaveForm(
        request.POST if request.method == "POST" else None,
        agency_id=journey.business.agency_id,
        initial={"name": journey.title[:120]},
    )
    if request.method == "POST" and form.is_valid():
        template = starter_create(
            journey=journey,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            created_by=request.user,
        )
        messages.success(request, f"Saved “{template.name}” as a template for your agency.")
        return redirect("starter_list")
    return render(request, "journeys/starters_save.html", {"form": form, "journey": journey})


@login_required
@require_GET
def starter_list(request: HtmxHttpRequest) -> HttpResponse:
    member = require_membership(request.user, edit=True)
    industry = [
        StarterCard("industry", t.slug, t.name, t.industry, t.description, t.document)
        for t in builtin_starters()
    ]
    own = JourneyStarter.objects.filter(agency_id=member.agency_id).select_related("created_by")
    return render(
        request,
        "journeys/starters_list.html",
        {"industry": industry, "own": [_agency_card(t) for t in own]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def journey_from_starter(request: HtmxHttpRequest, source: str, key: str) -> HttpResponse:
    member = require_membership(request.user, edit=True)
    card = _starter_card(member, source, key)
    form = StarterStartForm(
        request.POST if request.method == "POST" else None,
        businesses=businesses_for(request.user),
        agency_id=member.agency_id,
        initial={"new_business_name": card.business_name, "title": card.title},
        auto_id=f"{card.dom_id}-%s",
    )
    errors: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            journey = journey_start_from_starter(
                document=card.document,
                agency=member.agency,
                business=form.cleaned_data["business"],
                new_business_name=form.cleaned_data["new_business_name"],
                owner=request.user,
                title=form.cleaned_data["title"],
            )
        except DocumentError as error:
            errors = error.errors
        else:
            messages.success(request, f"Started “{journey.title}” from {card.name}.")
            return _to_editor(request, journey)
    page = "journeys/starters_start.html"
    context = {"form": form, "card": card, "errors": errors}
    return render(request, f"{page}#start-form" if request.htmx else page, context)
