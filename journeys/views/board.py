"""The board (the editor's default view, shared with the client and share pages) and Present.

The tactic endpoints answer a board post (`?part=board`) with its column through
`board_column_changed`; everything else here is a read-only view of the journey.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import trigger_client_event

from cvj.http import HtmxHttpRequest

from ..access import get_journey_for
from ..deliverable.showcase import journey_showcase
from ..deliverable.snapshot import StageSnap, stage_snaps
from ..models import Journey
from ..selectors import journey_stage_views
from ..session_clock import session_elapsed

# HX-Trigger events a saved change sends; the editor's side panels listen for them.
JOURNEY_CHANGED = "journey-changed"  # any saved change: insights refresh
JOURNEY_SHAPE_CHANGED = "journey-shape-changed"  # counts or filled-ness: the rail refreshes


def from_board(request: HtmxHttpRequest) -> bool:
    """Board forms post to the same tactic endpoints with ?part=board: answer with the column."""
    return request.GET.get("part") == "board"


def board_stage(journey: Journey, slug: str) -> StageSnap:
    """One stage as the snapshot tells it: what a board column, a Present slide or a client's
    stage section redraws (404 for anything but the eight slugs)."""
    stage = next((s for s in stage_snaps(journey_stage_views(journey)) if s.slug == slug), None)
    if stage is None:
        raise Http404("No such stage.")
    return stage


def board_column_changed(
    request: HtmxHttpRequest, journey: Journey, slug: str, **extra: object
) -> HttpResponse:
    if not request.htmx:
        if extra.get("column_error"):
            messages.error(request, str(extra["column_error"]))
        return redirect(f"{reverse('journey_editor', args=[journey.pk])}?view=board")
    context = {
        "journey": journey,
        "view": board_stage(journey, slug),
        "editable": True,
        # After "add", the focus stays in the column's add field for the next tactic.
        "focus_add": request.resolver_match.url_name == "tactic_add",
        "add_value": request.POST.get("custom_name", "") if extra.get("column_error") else "",
        **extra,
    }
    response = render(request, "journeys/_board.html#column", context)
    trigger_client_event(response, JOURNEY_CHANGED)
    return trigger_client_event(response, JOURNEY_SHAPE_CHANGED)


@login_required
@require_GET
def journey_board(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The board for the editor's board/stage switch (the full page is the editor itself)."""
    journey = get_journey_for(request.user, pk, edit=True)
    if not request.htmx:
        return redirect(f"{reverse('journey_editor', args=[pk])}?view=board")
    stages = stage_snaps(journey_stage_views(journey))
    context = {"journey": journey, "stages": stages, "editable": True}
    return render(request, "journeys/_board.html", context)


@login_required
@require_GET
def board_column(request: HtmxHttpRequest, pk: int, slug: str) -> HttpResponse:
    """One stage's board column (the live `stage:<slug>` part), or its Present slide."""
    journey = get_journey_for(request.user, pk, edit=True)
    view = board_stage(journey, slug)
    mode = request.GET.get("mode", "")
    if mode == "slide":
        context = {"journey": journey, "view": view, "present": True}
        return render(request, "journeys/present.html#stage-slide", context)
    context = {"journey": journey, "view": view, "editable": mode != "present"}
    context["present"] = mode == "present"
    return render(request, "journeys/_board.html#column", context)


PRESENT_SLIDES = ("board", "funnel", "opportunities")


@login_required
@require_GET
def journey_present(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Present mode: the board, a slide per stage, the funnel and the next steps. Display only."""
    journey = get_journey_for(request.user, pk, edit=True)
    context = journey_showcase(journey)
    slugs = [stage.slug for stage in context["stages"]]
    wanted = request.GET.get("stage") or request.GET.get("slide") or "board"
    context.update(
        present=True,
        slide=wanted if wanted in slugs or wanted in PRESENT_SLIDES else "board",
        elapsed=session_elapsed(journey),
    )
    return render(request, "journeys/present.html", context)


@login_required
@require_GET
def present_part(request: HtmxHttpRequest, pk: int, part: str) -> HttpResponse:
    """The funnel or next-steps slide again, for live updates while presenting."""
    journey = get_journey_for(request.user, pk, edit=True)
    if part not in ("funnel", "opportunities"):
        raise Http404("No such slide.")
    context = {**journey_showcase(journey), "present": True}
    return render(request, f"journeys/present.html#{part}-slide", context)
