"""Pages for the dashboard and client set-up: businesses, personas, offers, new journeys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cvj.http import HtmxHttpRequest
from cvj.parsing import parse_int, search_text
from cvj.tenancy import require_membership

from ..access import (
    businesses_for,
    get_business_for,
    get_journey_for,
    get_offer_for,
    get_persona_for,
    journeys_for,
)
from ..deliverable.showcase import journey_showcase
from ..forms import BusinessForm, JourneyCreateForm, OfferForm, PersonaForm
from ..models import Business, Journey, Offer, Persona
from ..selectors import Page, journey_stage_fill
from ..services import journey_create
from .board import board_stage

PAGE_SIZE = 24


@login_required
def home(request: HtmxHttpRequest) -> HttpResponse:
    member = require_membership(request.user)
    journeys = (
        journeys_for(request.user)
        .select_related("business", "persona", "core_offer")
        .order_by("-updated_at", "-pk")
    )
    query = search_text(request.GET.get("q"))
    if query:
        # Business names are matched first, so each half of the OR can use its own index.
        named = list(
            businesses_for(request.user)
            .filter(name__icontains=query)
            .values_list("pk", flat=True)[:500]
        )
        # NULLS LAST does not match the updated_at index, so PostgreSQL collects the few
        # matches through the search indexes and sorts them, instead of walking every journey.
        journeys = journeys.filter(Q(title__icontains=query) | Q(business_id__in=named)).order_by(
            F("updated_at").desc(nulls_last=True), "-pk"
        )
    page = Page(journeys, request.GET.get("page"), PAGE_SIZE)
    # Stage fill is counted for this page's journeys only, never for the whole agency.
    fill = journey_stage_fill([j.pk for j in page.object_list])
    for journey in page.object_list:
        journey.filled_stages = fill.get(journey.pk, 0)
    return render(request, "journeys/home.html", {"page": page, "query": query, "member": member})


@login_required
def business_list(request: HtmxHttpRequest) -> HttpResponse:
    require_membership(request.user, edit=True)
    businesses = businesses_for(request.user)
    query = search_text(request.GET.get("q"))
    if query:
        businesses = businesses.filter(Q(name__icontains=query) | Q(industry__icontains=query))
    page = Page(businesses.order_by("name", "pk"), request.GET.get("page"), PAGE_SIZE)
    counts = dict(
        Journey.objects.filter(business__in=page.object_list)
        .values("business_id")
        .annotate(n=Count("id"))
        .values_list("business_id", "n")
    )
    for business in page.object_list:
        business.journey_count = counts.get(business.pk, 0)
    template = (
        "journeys/business_list.html#results" if request.htmx else "journeys/business_list.html"
    )
    return render(request, template, {"page": page, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def business_create(request: HtmxHttpRequest) -> HttpResponse:
    member = require_membership(request.user, edit=True)
    form = BusinessForm(request.POST or None, agency_id=member.agency_id)
    if request.method == "POST" and form.is_valid():
        business = form.save(commit=False)
        business.agency_id = member.agency_id
        business.save()
        messages.success(request, f"Added {business.name}. Now describe a persona and the offers.")
        return redirect("business_detail", pk=business.pk)
    return render(request, "journeys/business_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def business_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    business = get_business_for(request.user, pk, edit=True)
    form = BusinessForm(request.POST or None, instance=business, agency_id=business.agency_id)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("business_detail", pk=business.pk)
    return render(request, "journeys/business_form.html", {"form": form, "business": business})


def _business_context(business: Business, **extra: object) -> dict[str, object]:
    return {
        "business": business,
        "personas": business.personas.all(),
        "offers": business.offers.all(),
        "journeys": business.journeys.select_related("persona", "core_offer"),
        "persona_form": extra.pop("persona_form", None) or PersonaForm(prefix="persona"),
        "offer_form": extra.pop("offer_form", None) or OfferForm(prefix="offer"),
        **extra,
    }


@login_required
def business_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    business = get_business_for(request.user, pk, edit=True)
    return render(request, "journeys/business_detail.html", _business_context(business))


def _inline_create(
    request: HtmxHttpRequest, pk: int, form_class: type[PersonaForm | OfferForm], kind: str
) -> HttpResponse:
    """Add a persona or offer on the client page: the section for HTMX, else the page."""
    business = get_business_for(request.user, pk, edit=True)
    form = form_class(request.POST, prefix=kind)
    if form.is_valid():
        row = form.save(commit=False)
        row.business = business
        row.save()
        form = None
    context = _business_context(business, **{f"{kind}_form": form})
    if request.htmx:
        return render(request, f"journeys/business_detail.html#{kind}s", context)
    if form is None:
        return redirect("business_detail", pk=business.pk)
    return render(request, "journeys/business_detail.html", context)


def _inline_edit(
    request: HtmxHttpRequest, row: Persona | Offer, form_class: type[PersonaForm | OfferForm]
) -> HttpResponse:
    """Edit a persona or offer in place on the client page, or on a page of its own."""
    kind = type(row).__name__.lower()
    form = form_class(request.POST or None, instance=row, prefix=f"{kind[0]}{row.pk}")
    if request.method == "POST" and form.is_valid():
        form.save()
        if request.htmx:
            context = _business_context(row.business)
            return render(request, f"journeys/business_detail.html#{kind}s", context)
        return redirect("business_detail", pk=row.business_id)
    template = f"journeys/{kind}_form.html" + ("#form" if request.htmx else "")
    return render(request, template, {"form": form, kind: row})


@login_required
@require_POST
def persona_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _inline_create(request, pk, PersonaForm, "persona")


@login_required
@require_http_methods(["GET", "POST"])
def persona_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _inline_edit(request, get_persona_for(request.user, pk, edit=True), PersonaForm)


@login_required
@require_POST
def offer_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _inline_create(request, pk, OfferForm, "offer")


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _inline_edit(request, get_offer_for(request.user, pk, edit=True), OfferForm)


@login_required
@require_http_methods(["GET", "POST"])
def journey_new(request: HtmxHttpRequest) -> HttpResponse:
    require_membership(request.user, edit=True)
    businesses = businesses_for(request.user)
    initial = {}
    if business_id := parse_int(request.GET.get("business"), minimum=1):
        initial["business"] = business_id
    form = JourneyCreateForm(request.POST or None, businesses=businesses, initial=initial)
    if request.method == "POST" and form.is_valid():
        journey = journey_create(
            business=form.cleaned_data["business"],
            persona=form.cleaned_data["persona"],
            core_offer=form.cleaned_data["core_offer"],
            title=form.cleaned_data["title"],
            owner=request.user,
        )
        if request.htmx:
            return HttpResponseClientRedirect(journey.get_absolute_url())
        return redirect(journey)
    return render(request, "journeys/journey_new.html", {"form": form})


@login_required
def journey_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Read-only journey page: what clients see — the board, the funnel, the stage details."""
    journey = get_journey_for(request.user, pk)
    context = journey_showcase(journey)
    context["export"] = (
        journey.exports.filter(status="done").order_by("-created_at").first()
        or journey.exports.order_by("-created_at").first()
    )
    context["questions"] = list(
        journey.questions.select_related("journey_stage__stage", "stage_tactic__tactic")
    )
    context["client_live"] = True  # its stage sections redraw live, like the board above them
    return render(request, "journeys/journey_view.html", context)


@login_required
@require_GET
def journey_view_column(request: HtmxHttpRequest, pk: int, slug: str) -> HttpResponse:
    """A stage of the client's page, redrawn live (its `stage:<slug>` part): the board column,
    or with `?part=section` the stage's section below the board."""
    journey = get_journey_for(request.user, pk)
    view = board_stage(journey, slug)
    if request.GET.get("part") == "section":
        context = {"journey": journey, "view": view, "client_live": True}
        return render(request, "journeys/_journey_stages.html#stage-section", context)
    return render(request, "journeys/_board.html#column", {"journey": journey, "view": view})
