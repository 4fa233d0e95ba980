"""Actuals pages: the grid, the CSV import and export, the scorecard (page, part, JSON) and the
Month N review PDF. Parse, authorise (journeys.actuals.access), call, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cvj.http import HtmxHttpRequest
from cvj.tenancy import require_membership

from ..deliverable.economics import journey_economics
from ..deliverable.snapshot import JourneySnapshot, journey_snapshot
from ..models import Journey
from .access import clients_may_enter, get_journey_for_actuals, may_enter_actuals
from .csvfile import CSV_COLUMNS, MAX_LINES, actuals_csv, parse_month
from .figures import MONEY_LABELS, PEOPLE
from .forms import ActualsImportForm, ClientAccessForm, MonthActualsFormSet
from .models import MonthActuals
from .review import render_review_pdf, review_filename
from .scorecard import Scorecard, journey_scorecard, scorecard_json
from .services import actuals_save, as_figures, client_actuals_access_set, month_actuals_list

GRID_PREFIX = "m"


def _month_or_404(raw: object, rows: list[MonthActuals]) -> date | None:
    """?month=YYYY-MM of a month with actuals; none given → None (the latest)."""
    if raw is None:
        return None
    month, _ = parse_month(raw, today=timezone.localdate()) if isinstance(raw, str) else (None, "")
    if month is None or month not in {row.month for row in rows}:
        raise Http404("No actuals for that month.")
    return month


def _scorecard(
    journey: Journey, raw_month: object
) -> tuple[JourneySnapshot, Scorecard, list[MonthActuals]]:
    rows = month_actuals_list(journey)
    month = _month_or_404(raw_month, rows)
    snapshot = journey_snapshot(journey)
    card = journey_scorecard(snapshot, journey_economics(snapshot), rows, month=month)
    return snapshot, card, rows


def _grid_initial(rows: list[MonthActuals]) -> list[dict[str, object]]:
    return [{**as_figures(row).values, "month": f"{row.month:%Y-%m}"} for row in rows]


def actuals_page_url(journey: Journey) -> str:
    return reverse("actuals_page", args=[journey.pk])


@login_required
@require_http_methods(["GET", "POST"])
def actuals_page(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The scorecard, and for those who may enter actuals the month-by-month grid. A POST saves
    the whole grid or, on any field error, saves nothing and shows every typed value again."""
    journey = get_journey_for_actuals(request.user, pk, enter=request.method == "POST")
    may_enter = may_enter_actuals(request.user, journey)
    rows = month_actuals_list(journey)
    status = 200
    if request.method == "POST":
        grid = MonthActualsFormSet(request.POST, initial=_grid_initial(rows), prefix=GRID_PREFIX)
        if grid.is_valid():
            result = actuals_save(
                journey=journey,
                months=grid.months(),
                delete=grid.deleted_months(),
                user=request.user,
            )
            messages.success(
                request,
                f"Saved: {result.created} new, {result.updated} changed, {result.deleted} removed.",
            )
            return redirect(actuals_page_url(journey))
        status = 422
    else:
        grid = MonthActualsFormSet(initial=_grid_initial(rows), prefix=GRID_PREFIX)
    snapshot, card, rows = _scorecard(journey, request.GET.get("month"))
    member = require_membership(request.user)
    context = {
        "journey": journey,
        "card": card,
        "s": snapshot,
        "currency": card.currency,
        "grid": grid if may_enter else None,
        "people": PEOPLE,
        "money_labels": MONEY_LABELS,
        "may_enter": may_enter,
        "access_form": ClientAccessForm(initial={"clients_may_enter": clients_may_enter(journey)})
        if member.can_edit
        else None,
    }
    return render(request, "actuals/actuals_page.html", context, status=status)


@login_required
@require_GET
def scorecard_part(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The scorecard as the editor and the client's journey page show it (loaded into their
    slot, or opened on its own without JavaScript)."""
    journey = get_journey_for_actuals(request.user, pk)
    snapshot, card, _ = _scorecard(journey, request.GET.get("month"))
    context = {
        "journey": journey,
        "card": card,
        "s": snapshot,
        "currency": card.currency,
        "may_enter": may_enter_actuals(request.user, journey),
        "compact": True,
    }
    return render(request, "actuals/scorecard_part.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def actuals_import(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for_actuals(request.user, pk, enter=True)
    form = ActualsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = actuals_save(journey=journey, months=form.parsed.months, user=request.user)
        messages.success(
            request,
            f"Imported {len(form.parsed.months)} months: {result.created} new, "
            f"{result.updated} changed, {result.unchanged} already as in the file.",
        )
        return redirect(actuals_page_url(journey))
    context = {
        "journey": journey,
        "form": form,
        "line_errors": getattr(form, "parsed", None) and form.parsed.errors,
        "people": PEOPLE,
        "money_labels": MONEY_LABELS,
        "columns": CSV_COLUMNS,
        "max_lines": MAX_LINES,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "actuals/import.html", context, status=status)


@login_required
@require_GET
def actuals_csv_download(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for_actuals(request.user, pk)
    rows = month_actuals_list(journey)
    response = HttpResponse(
        actuals_csv(as_figures(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="actuals-{journey.pk}.csv"'
    return response


@login_required
@require_GET
def actuals_json(request: HtmxHttpRequest, pk: int) -> JsonResponse:
    """The actuals and the scorecard as JSON. The journey's portable export (.cvj.json) is the
    map's format and does not carry actuals; this endpoint does."""
    journey = get_journey_for_actuals(request.user, pk)
    _, card, rows = _scorecard(journey, request.GET.get("month"))
    return JsonResponse({"journey": journey.pk, **scorecard_json(card, rows)})


@login_required
@require_GET
def review_pdf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The Month N review, rendered in the request: two pages, about a second."""
    journey = get_journey_for_actuals(request.user, pk)
    snapshot, card, _ = _scorecard(journey, request.GET.get("month"))
    if not card.has_actuals:  # a review link opened before any month was entered
        messages.info(request, "No actuals yet: the review needs at least one month.")
        return redirect(actuals_page_url(journey))
    rendered = render_review_pdf(snapshot, card)
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{review_filename(snapshot, card)}"'
    return response


@login_required
@require_POST
def client_access_save(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Strategists decide whether this client's team may enter actuals (for all its journeys)."""
    require_membership(request.user, edit=True)
    journey = get_journey_for_actuals(request.user, pk, enter=True)
    form = ClientAccessForm(request.POST)
    form.is_valid()  # a checkbox: absent or anything unreadable is "no"
    client_actuals_access_set(
        business=journey.business,
        clients_may_enter=form.cleaned_data.get("clients_may_enter", False),
        user=request.user,
    )
    return redirect(actuals_page_url(journey))
