"""The action plan: every tactic of a journey as a sortable, editable table, its CSV export,
the executive summary with its priorities, and gaps turned into plan steps."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cvj.http import HtmxHttpRequest

from .. import planning
from ..access import get_journey_for, get_journey_stage
from ..deliverable import plan
from ..deliverable.economics import journey_economics
from ..deliverable.gaps import journey_gaps
from ..deliverable.snapshot import journey_snapshot
from ..forms import GapToPlanForm, PlanItemForm, PlanSummaryForm
from ..models import Journey, StageTactic

# ?sort= keys → row order. "plan" is the roadmap's own order: horizon, then start date.
SORTS = {
    "plan": lambda t: (
        plan.HORIZON_ORDER.get(t.horizon, 3),
        t.start_date or date.max,
        t.journey_stage.stage.position,
        t.pk,
    ),
    "stage": lambda t: (t.journey_stage.stage.position, t.position, t.pk),
    "name": lambda t: t.name.lower(),
    "owner": lambda t: (t.owner_side or "~", t.owner_name.lower() or "~"),
    "start": lambda t: t.start_date or date.max,
    "budget": lambda t: (t.monthly_budget is None, t.monthly_budget or 0),
    "horizon": lambda t: plan.HORIZON_ORDER.get(t.horizon, 3),
    "status": lambda t: t.plan_status,
}


def _tactics(journey: Journey) -> list[StageTactic]:
    return list(
        StageTactic.objects.filter(journey_stage__journey=journey)
        .select_related("tactic", "journey_stage__stage")
        .order_by("journey_stage__stage__position", "position", "id")
    )


@login_required
@require_GET
def plan_page(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    key = request.GET.get("sort", "plan")
    key = key if key in SORTS else "plan"
    descending = request.GET.get("dir") == "desc"
    tactics = sorted(_tactics(journey), key=SORTS[key], reverse=descending)
    summary_form = PlanSummaryForm(
        initial={
            "summary": journey.summary,
            "next_meeting_at": journey.next_meeting_at
            and timezone.localtime(journey.next_meeting_at),
            "next_steps": journey.next_steps,
            **{f"priority_{i + 1}": p for i, p in enumerate(journey.priorities or [])},
        },
        tactics=tactics,
    )
    return _plan_page(request, journey, tactics, summary_form, key, descending)


def _plan_page(
    request: HtmxHttpRequest,
    journey: Journey,
    tactics: list[StageTactic],
    summary_form: PlanSummaryForm,
    key: str = "plan",
    descending: bool = False,
    status: int = 200,
) -> HttpResponse:
    rows = [(t, PlanItemForm(instance=t, prefix=f"t{t.pk}")) for t in tactics]
    snapshot = journey_snapshot(journey)
    gaps = [g for g in journey_gaps(snapshot) if g.tactic_name]
    context = {
        "journey": journey,
        "rows": rows,
        "sort": key,
        "descending": descending,
        "summary_form": summary_form,
        "gaps": gaps,
        "economics": journey_economics(snapshot),  # the one spend figure, as the PDF shows it
        # Tactics accepted from the client's team's ideas: credited here as in the PDF.
        "from_team": {t.id: ", ".join(t.from_team) for t in snapshot.tactics if t.from_team},
        "columns": [
            ("stage", "Stage"),
            ("name", "Tactic"),
            ("owner", "Owner"),
            ("start", "Start"),
            ("budget", "Budget / month"),
            ("horizon", "Horizon"),
            ("status", "Status"),
        ],
    }
    return render(request, "journeys/plan.html", context, status=status)


@login_required
@require_POST
def plan_item_save(request: HtmxHttpRequest, pk: int, tactic_pk: int) -> HttpResponse:
    """Save one row. htmx gets the row's status cell back (the inputs are never swapped)."""
    journey = get_journey_for(request.user, pk, edit=True, lean=True)
    stage_tactic = get_object_or_404(
        StageTactic.objects.select_related("tactic"), pk=tactic_pk, journey_stage__journey=journey
    )
    form = PlanItemForm(request.POST, instance=stage_tactic, prefix=f"t{stage_tactic.pk}")
    error = ""
    if form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if changes:
            try:
                planning.plan_item_update(stage_tactic=stage_tactic, changes=changes)
            except ValidationError as exc:
                error = "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
    else:
        error = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items())
    if request.htmx:
        return render(
            request,
            "journeys/plan.html#row_status",
            {"t": stage_tactic, "error": error, "saved": not error},
        )
    if error:
        return HttpResponse(f"Could not save: {error}", status=400, content_type="text/plain")
    return redirect(f"{journey_plan_url(journey)}#t{stage_tactic.pk}")


def journey_plan_url(journey: Journey) -> str:
    return reverse("journey_plan", args=[journey.pk])


@login_required
@require_POST
def plan_summary_save(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    tactics = _tactics(journey)
    form = PlanSummaryForm(request.POST, tactics=tactics)
    if form.is_valid():
        planning.plan_summary_update(
            journey=journey,
            summary=form.cleaned_data["summary"],
            priorities=form.priorities(),
            next_meeting_at=form.cleaned_data["next_meeting_at"],
            next_steps=form.cleaned_data["next_steps"],
        )
        saved, error = True, ""
    else:
        saved, error = (
            False,
            " ".join(
                f"{form.fields[name].label or name.title()}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            ),
        )
    if request.htmx:
        return render(
            request, "journeys/plan.html#summary_status", {"saved": saved, "error": error}
        )
    if not saved:  # without JavaScript: the page again, each error beside its field
        return _plan_page(request, journey, tactics, form, status=422)
    return redirect(journey_plan_url(journey))


@login_required
@require_POST
def plan_add_gap(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One click: the gap's fix becomes a custom tactic on the plan, due now."""
    journey = get_journey_for(request.user, pk, edit=True)
    form = GapToPlanForm(request.POST)
    form.is_valid()
    rule, stage_slug = form.cleaned_data["rule"], form.cleaned_data["stage"]
    gap = next(
        (
            g
            for g in journey_gaps(journey_snapshot(journey))
            if g.rule == rule and g.stage == stage_slug and g.tactic_name
        ),
        None,
    )
    if gap is None:
        raise Http404("That gap is already closed.")
    entry = get_journey_stage(journey, stage_slug)
    planning.gap_to_plan(journey_stage=entry, name=gap.tactic_name)
    return redirect(journey_plan_url(journey))


@login_required
@require_GET
def plan_csv(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    snapshot = journey_snapshot(journey)
    response = HttpResponse(plan.plan_csv(snapshot), content_type="text/csv; charset=utf-8")
    safe = "".join(ch for ch in snapshot.business_name if ch.isalnum() or ch in " -_").strip()
    response["Content-Disposition"] = f'attachment; filename="{safe or "journey"} - plan.csv"'
    return response
