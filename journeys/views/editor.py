"""The live journey editor: full pages, HTMX partials and the per-field autosave endpoint."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from cvj.http import HtmxHttpRequest
from cvj.parsing import search_text
from stages.models import Channel

from ..access import (
    get_business_offer,
    get_journey_for,
    get_journey_stage,
    get_library_tactic,
    get_stage_offer,
    get_stage_tactic,
)
from ..autosave import autosave_field
from ..deliverable.economics import funnel_bars, journey_economics
from ..deliverable.gaps import journey_gaps, journey_health
from ..deliverable.snapshot import journey_snapshot, stage_snaps
from ..editor_page import editor_page
from ..forms import (
    STAGE_SAVE_FIELDS,
    AutosaveForm,
    MoveForm,
    OfferAttachForm,
    OfferForm,
    ReorderForm,
    SessionClockForm,
    StageSaveForm,
    TacticAddForm,
)
from ..models import Journey, StageOffer, StageTactic
from ..selectors import custom_tactic_taken, library_tactics, search_pick
from ..services import (
    FieldSave,
    field_text,
    journey_stage_save,
    offer_attach,
    offer_create_at_stage,
    offer_detach,
    offer_move,
    offer_reorder,
    tactic_add,
    tactic_move,
    tactic_remove,
    tactic_reorder,
    tactic_restore,
)
from ..session_clock import session_reset, session_toggle
from .board import JOURNEY_CHANGED, JOURNEY_SHAPE_CHANGED, board_column_changed, from_board


def _editor_context(journey: Journey, slug: str | None, **extra: object) -> dict[str, object]:
    context = editor_page(journey, slug)
    kinds = context["current"].offer_kinds
    return {
        **context,
        "stages": stage_snaps(context["stage_views"]),  # the board, as every page tells it
        "channels": Channel.choices,
        "offer_form": OfferForm(prefix="new-offer", initial={"kind": kinds[0]}) if kinds else None,
        **extra,
    }


@login_required
@require_GET
def journey_editor(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    context = _editor_context(journey, request.GET.get("stage"))
    # The board is the default view; ?stage=… (or a library search) opens one stage in depth.
    context["board"] = request.GET.get("view") == "board" or not (
        "stage" in request.GET or "q" in request.GET
    )
    context["latest_export"] = journey.exports.order_by("-created_at").first()
    if "q" in request.GET:  # the library search without JavaScript
        query = search_text(request.GET["q"])
        context.update(
            results=library_tactics(journey, context["current"].entry, query),
            query=query,
            library_query=query,
        )
    return render(request, "journeys/editor.html", context)


@login_required
@require_GET
def stage_panel(request: HtmxHttpRequest, pk: int, slug: str) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    get_journey_stage(journey, slug)  # 404 for an unknown slug
    context = _editor_context(journey, slug)
    part = request.GET.get("part")
    if request.htmx and part in ("tactics", "offers"):  # a live re-render of one list
        return render(request, f"journeys/editor.html#{part}", context)
    if request.htmx:
        return render(request, "journeys/editor.html#stage-swap", context)
    return redirect(f"{reverse('journey_editor', args=[pk])}?stage={slug}")


@login_required
@require_GET
def stage_rail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    context = _editor_context(journey, request.GET.get("stage"))
    return render(request, "journeys/editor.html#rail", context)


def _stage_section(
    request: HtmxHttpRequest, journey: Journey, slug: str, section: str, **extra: object
) -> HttpResponse:
    """Answer an HTMX action with the refreshed section, or a plain post with the full page."""
    if from_board(request):
        return board_column_changed(request, journey, slug, **extra)
    if not request.htmx:
        return redirect(f"{reverse('journey_editor', args=[journey.pk])}?stage={slug}")
    context = _editor_context(journey, slug, **extra)
    response = render(request, f"journeys/editor.html#{section}", context)
    # Tactics and offers change the rail's counts as well as the insights.
    trigger_client_event(response, JOURNEY_CHANGED)
    return trigger_client_event(response, JOURNEY_SHAPE_CHANGED)


def _error_response(
    request: HtmxHttpRequest, journey: Journey, slug: str, section: str, error: ValidationError
) -> HttpResponse:
    message = " ".join(error.messages)
    if from_board(request) and request.htmx:
        return board_column_changed(request, journey, slug, column_error=message)
    context = _editor_context(journey, slug, **{f"{section}_error": message})
    if not request.htmx:
        # Also as a page message: the section may not be drawn on this stage at all.
        messages.error(request, message)
        return render(request, "journeys/editor.html", context, status=422)
    return render(request, f"journeys/editor.html#{section}", context)


# --- Insights: gaps and economics, refreshed after every change


@login_required
@require_GET
def journey_insights(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    snapshot = journey_snapshot(journey)
    economics = journey_economics(snapshot)
    gaps = journey_gaps(snapshot)
    context = {
        "journey": journey,
        "gaps": gaps,
        "health": journey_health(snapshot, gaps),
        "economics": economics,
        "bars": funnel_bars(economics),
    }
    if request.htmx:
        return render(request, "journeys/_insights.html", context)
    return redirect("journey_editor", pk=journey.pk)


# --- Autosave


@login_required
@require_POST
def autosave(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Save one field. 200 saved/unchanged, 409 conflict (with their text), 422 invalid."""
    form = AutosaveForm(request.POST)  # plain fields, always valid: no query of its own
    form.is_valid()
    # One query finds the row and proves the right to edit it; the save is one more.
    answer = autosave_field(request.user, pk, **form.cleaned_data)
    if "x-cvj-autosave" not in request.headers:
        return _autosave_fallback(request, pk, answer.target, answer.result)
    return JsonResponse(answer.body, status=answer.status)


def _autosave_fallback(
    request: HtmxHttpRequest, pk: int, target: tuple[str, str], result: FieldSave
) -> HttpResponse:
    """A plain form post (no JavaScript): say what happened and go back to the stage."""
    kind, key = target
    slug = key if kind == "stage" else None
    if kind == "tactic":  # saved or told apart from a missing one already: back to its stage
        slug = (
            StageTactic.all_objects.filter(pk=int(key), journey_stage__journey_id=pk)
            .values_list("journey_stage__stage__slug", flat=True)
            .first()
        )
    if result.status == "conflict":
        messages.error(
            request,
            f"Not saved: someone changed this meanwhile. Their text is now shown; yours was: "
            f"{result.value}",
        )
    elif result.status == "invalid":
        messages.error(request, f"Not saved: {result.error}")
    else:
        messages.success(request, "Saved.")
    query = f"?stage={slug}" if slug else ""
    return redirect(reverse("journey_editor", args=[pk]) + query)


@login_required
@require_POST
def stage_save(request: HtmxHttpRequest, pk: int, slug: str) -> HttpResponse:
    """No-JavaScript fallback: post the whole stage; each field goes through the same check."""
    journey = get_journey_for(request.user, pk, edit=True)
    entry = get_journey_stage(journey, slug)
    form = StageSaveForm(request.POST)
    form.is_valid()  # raw text fields: each is judged by the autosave check it goes through
    stored = {name: field_text(getattr(entry, name)) for name in STAGE_SAVE_FIELDS}
    conflicts, errors = journey_stage_save(journey_stage=entry, edits=form.edits(stored))
    if conflicts or errors:
        context = _editor_context(journey, slug, stage_conflicts=conflicts, stage_errors=errors)
        return render(request, "journeys/editor.html", context, status=409 if conflicts else 422)
    return redirect(f"{reverse('journey_editor', args=[pk])}?stage={slug}")


# --- Tactics


@login_required
@require_GET
def tactic_search(request: HtmxHttpRequest, pk: int, slug: str) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    entry = get_journey_stage(journey, slug)
    query = search_text(request.GET.get("q"))
    results = library_tactics(journey, entry, query)
    context = {
        "journey": journey,
        "stage_slug": slug,
        "results": results,
        "query": query,
        "query_taken": bool(query) and not results and custom_tactic_taken(entry, query),
    }
    return render(request, "journeys/editor.html#library-results", context)


@login_required
@require_POST
def tactic_add_view(request: HtmxHttpRequest, pk: int, slug: str) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    entry = get_journey_stage(journey, slug)
    form = TacticAddForm(request.POST)
    if not form.is_valid():
        return _error_response(request, journey, slug, "tactics", _invalid(form))
    sent = form.cleaned_data
    tactic, custom_name = None, sent["custom_name"]
    if sent["query"] and not sent["tactic"] and not custom_name:
        pick = search_pick(journey, entry, sent["query"])
        if pick is None:
            return _stage_section(request, journey, slug, "tactics")  # a second Enter
        tactic, custom_name = pick
    elif sent["tactic"]:
        tactic = get_library_tactic(journey, sent["tactic"])
    try:
        tactic_add(
            journey_stage=entry, tactic=tactic, custom_name=custom_name, channel=sent["channel"]
        )
    except ValidationError as error:
        return _error_response(request, journey, slug, "tactics", error)
    return _stage_section(request, journey, slug, "tactics")


@login_required
@require_POST
def tactic_move_view(request: HtmxHttpRequest, pk: int, tactic_pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    stage_tactic = get_stage_tactic(journey, tactic_pk)
    direction = _direction(request)
    tactic_move(stage_tactic=stage_tactic, direction=direction)
    return _moved(request, journey, stage_tactic, "tactics", "focus_pk", direction)


def _direction(request: HtmxHttpRequest) -> str:
    form = MoveForm(request.POST)
    form.is_valid()  # anything but "up" is down
    return form.cleaned_data["direction"]


def _invalid(form: forms.Form) -> ValidationError:
    """A refused form as the error the editor's sections show (the messages, field by field)."""
    return ValidationError([m for messages in form.errors.values() for m in messages])


def _moved(
    request: HtmxHttpRequest,
    journey: Journey,
    item: StageTactic | StageOffer,
    section: str,
    focus_key: str,
    direction: str,
) -> HttpResponse:
    """The section after a ↑/↓ move, with the focus back on the moved item's arrow."""
    slug = item.journey_stage.stage.slug
    return _stage_section(
        request, journey, slug, section, **{focus_key: item.pk, "focus_dir": direction}
    )


def _reorder(
    request: HtmxHttpRequest,
    pk: int,
    slug: str,
    section: str,
    reorder: Callable[..., None],
) -> HttpResponse:
    """A drag-and-drop reorder of a stage's tactics or offers: the ids in their new order."""
    journey = get_journey_for(request.user, pk, edit=True)
    entry = get_journey_stage(journey, slug)
    form = ReorderForm(request.POST)
    if not form.is_valid():
        return _error_response(request, journey, slug, section, _invalid(form))
    try:
        reorder(journey_stage=entry, ordered_ids=form.cleaned_data["order"])
    except ValidationError as error:
        return _error_response(request, journey, slug, section, error)
    return _stage_section(request, journey, slug, section)


@login_required
@require_POST
def tactic_reorder_view(request: HtmxHttpRequest, pk: int, slug: str) -> HttpResponse:
    return _reorder(request, pk, slug, "tactics", tactic_reorder)


@login_required
@require_POST
def tactic_remove_view(request: HtmxHttpRequest, pk: int, tactic_pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    stage_tactic = get_stage_tactic(journey, tactic_pk)
    tactic_remove(stage_tactic=stage_tactic)
    return _stage_section(
        request, journey, stage_tactic.journey_stage.stage.slug, "tactics", removed=stage_tactic
    )


@login_required
@require_POST
def tactic_restore_view(request: HtmxHttpRequest, pk: int, tactic_pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    stage_tactic = get_stage_tactic(journey, tactic_pk, include_removed=True)
    tactic_restore(stage_tactic=stage_tactic)
    return _stage_section(
        request,
        journey,
        stage_tactic.journey_stage.stage.slug,
        "tactics",
        restored_pk=stage_tactic.pk,  # focus goes back to where it was before removing
    )


# --- Offers


@login_required
@require_POST
def offer_attach_view(request: HtmxHttpRequest, pk: int, slug: str) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    entry = get_journey_stage(journey, slug)
    form = OfferAttachForm(request.POST)
    form.is_valid()  # an id that is not one is a 404, as a missing offer is
    offer = get_business_offer(journey, form.cleaned_data["offer"])
    try:
        offer_attach(journey_stage=entry, offer=offer)
    except ValidationError as error:
        return _error_response(request, journey, slug, "offers", error)
    return _stage_section(request, journey, slug, "offers")


@login_required
@require_POST
def offer_create_view(request: HtmxHttpRequest, pk: int, slug: str) -> HttpResponse:
    """Create a new offer for the business and attach it here, without leaving the stage."""
    journey = get_journey_for(request.user, pk, edit=True)
    entry = get_journey_stage(journey, slug)
    form = OfferForm(request.POST, prefix="new-offer")
    if form.is_valid():
        try:
            offer_create_at_stage(journey_stage=entry, **form.cleaned_data)
        except ValidationError as error:  # the stage's rule: shown on the kind
            on_kind = "offer" in getattr(error, "error_dict", {})
            form.add_error("kind" if on_kind else None, error.messages)
        else:
            return _stage_section(request, journey, slug, "offers")
    context = _editor_context(journey, slug)
    context["offer_form"] = form
    template = "journeys/editor.html#offers" if request.htmx else "journeys/editor.html"
    return render(request, template, context, status=200 if request.htmx else 422)


@login_required
@require_POST
def offer_move_view(request: HtmxHttpRequest, pk: int, stage_offer_pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    stage_offer = get_stage_offer(journey, stage_offer_pk)
    direction = _direction(request)
    offer_move(stage_offer=stage_offer, direction=direction)
    return _moved(request, journey, stage_offer, "offers", "focus_offer_pk", direction)


@login_required
@require_POST
def offer_reorder_view(request: HtmxHttpRequest, pk: int, slug: str) -> HttpResponse:
    return _reorder(request, pk, slug, "offers", offer_reorder)


@login_required
@require_POST
def offer_detach_view(request: HtmxHttpRequest, pk: int, stage_offer_pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    stage_offer = get_stage_offer(journey, stage_offer_pk)
    slug = stage_offer.journey_stage.stage.slug
    offer_detach(stage_offer=stage_offer)
    return _stage_section(request, journey, slug, "offers")


# --- Session clock


@login_required
@require_POST
def session_toggle_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    form = SessionClockForm(request.POST)
    form.is_valid()  # the stage to show afterwards: anything but a stage's slug shows the first
    slug = form.cleaned_data["stage"]
    if form.cleaned_data["action"] == "reset":
        session_reset(journey=journey)
    else:
        session_toggle(journey=journey)
    journey.refresh_from_db()
    if request.htmx:
        return render(request, "journeys/editor.html#session", _editor_context(journey, slug))
    return redirect(f"{reverse('journey_editor', args=[pk])}?stage={slug or 'aware'}")
