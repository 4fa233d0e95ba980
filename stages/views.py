"""The tactic library manager: agency admins curate their own tactics per stage and hide global
ones; strategists read it. Clients and other agencies see nothing (404).

Every change answers an HTMX request with the refreshed `#tactic-table` partial (and a
`library-changed` event so the stage tabs recount), and a plain form post with a redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from cvj.http import HtmxHttpRequest
from cvj.models import Membership
from cvj.tenancy import require_admin, require_membership

from . import services
from .csv_io import MAX_ROWS, tactics_export_csv, tactics_import_csv
from .forms import LibraryMoveForm, LibraryReorderForm, TacticForm, TacticImportForm
from .models import Stage, Tactic


def _stage(slug: str) -> Stage:
    return get_object_or_404(Stage, slug=slug)


def _own_tactic(member: Membership, pk: int) -> Tactic:
    """One of the member's agency's own tactics; a global or another agency's id is a 404."""
    return get_object_or_404(
        Tactic.objects.select_related("stage"), pk=pk, agency_id=member.agency_id
    )


def _global_tactic(pk: int) -> Tactic:
    return get_object_or_404(Tactic.objects.select_related("stage"), pk=pk, agency__isnull=True)


def _library_context(member: Membership, stage: Stage, **extra: object) -> dict[str, object]:
    counts = services.library_stage_counts(agency_id=member.agency_id)
    form = extra.pop("form", None)
    if form is None and member.is_admin:
        form = TacticForm(stage=stage)
    return {
        "stage": stage,
        "stage_tabs": [(tab, counts.get(tab.pk, 0)) for tab in Stage.objects.all()],
        "own_tactics": services.library_own_tactics(agency_id=member.agency_id, stage=stage),
        "global_tactics": services.library_global_tactics(agency_id=member.agency_id, stage=stage),
        "can_manage": member.is_admin,
        "form": form,
        **extra,
    }


def _changed(
    request: HtmxHttpRequest, member: Membership, stage: Stage, *, notice: str, error: str = ""
) -> HttpResponse:
    """After a change: the refreshed table for HTMX, otherwise back to the stage page."""
    if request.htmx:
        context = _library_context(member, stage, notice=notice, error=error)
        response = render(request, "stages/library.html#tactic-table", context)
        return trigger_client_event(response, "library-changed")
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect("library_stage", slug=stage.slug)


@login_required
@require_GET
def library(request: HtmxHttpRequest, slug: str = "aware") -> HttpResponse:
    member = require_membership(request.user, edit=True)
    stage = _stage(slug)
    context = _library_context(member, stage)
    if request.htmx:
        part = "stage-rail" if request.GET.get("part") == "rail" else "tactic-table"
        return render(request, f"stages/library.html#{part}", context)
    return render(request, "stages/library.html", context)


@login_required
@require_POST
def tactic_add(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    member = require_admin(request.user)
    stage = _stage(slug)
    form = TacticForm(request.POST, stage=stage)
    if form.is_valid():
        try:
            tactic = services.tactic_create(agency=member.agency, stage=stage, **form.tactic_values)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return _changed(request, member, stage, notice=f"Added “{tactic.name}”.")
    template = "stages/library.html#tactic-table" if request.htmx else "stages/library.html"
    return render(request, template, _library_context(member, stage, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def tactic_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = require_admin(request.user)
    tactic = _own_tactic(member, pk)
    saved_name = tactic.name
    initial = {name: getattr(tactic, name) for name in TacticForm.base_fields}
    form = TacticForm(request.POST or None, stage=tactic.stage, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.tactic_update(tactic=tactic, **form.tactic_values)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Saved “{tactic.name}”.")
            return redirect("library_stage", slug=tactic.stage.slug)
    context = {"form": form, "tactic": tactic, "saved_name": saved_name, "stage": tactic.stage}
    return render(request, "stages/tactic_form.html", context)


@login_required
@require_POST
def tactic_archive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = require_admin(request.user)
    tactic = _own_tactic(member, pk)
    services.tactic_archive(tactic=tactic)
    notice = f"Archived “{tactic.name}”: strategists no longer find it in the editor."
    return _changed(request, member, tactic.stage, notice=notice)


@login_required
@require_POST
def tactic_unarchive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = require_admin(request.user)
    tactic = _own_tactic(member, pk)
    services.tactic_unarchive(tactic=tactic)
    return _changed(request, member, tactic.stage, notice=f"“{tactic.name}” is active again.")


@login_required
@require_POST
def library_tactic_move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = require_admin(request.user)
    tactic = _own_tactic(member, pk)
    form = LibraryMoveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("direction must be up or down")
    direction = form.cleaned_data["direction"]
    services.library_tactic_move(tactic=tactic, direction=direction)
    return _changed(request, member, tactic.stage, notice=f"Moved “{tactic.name}” {direction}.")


@login_required
@require_POST
def library_tactic_reorder(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    member = require_admin(request.user)
    stage = _stage(slug)
    form = LibraryReorderForm(request.POST)
    if not form.is_valid():
        error = " ".join(m for messages in form.errors.values() for m in messages)
        return _changed(request, member, stage, notice="", error=error)
    try:
        services.library_tactic_reorder(
            agency=member.agency, stage=stage, ordered_ids=form.cleaned_data["order"]
        )
    except ValidationError as error:
        return _changed(request, member, stage, notice="", error=" ".join(error.messages))
    return _changed(request, member, stage, notice="Order saved.")


@login_required
@require_POST
def tactic_hide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = require_admin(request.user)
    tactic = _global_tactic(pk)
    services.tactic_hide(agency=member.agency, tactic=tactic)
    notice = f"Hid “{tactic.name}”: your strategists no longer find it in the editor."
    return _changed(request, member, tactic.stage, notice=notice)


@login_required
@require_POST
def tactic_unhide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = require_admin(request.user)
    tactic = _global_tactic(pk)
    services.tactic_unhide(agency=member.agency, tactic=tactic)
    return _changed(request, member, tactic.stage, notice=f"“{tactic.name}” is offered again.")


@login_required
@require_GET
def library_export(request: HtmxHttpRequest) -> HttpResponse:
    member = require_admin(request.user)
    include_global = request.GET.get("global") == "1"
    text = tactics_export_csv(agency=member.agency, include_global=include_global)
    filename = f"tactics-{member.agency.slug}{'-with-global' if include_global else ''}.csv"
    return HttpResponse(
        text,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@login_required
@require_http_methods(["GET", "POST"])
def library_import(request: HtmxHttpRequest) -> HttpResponse:
    member = require_admin(request.user)
    posted = request.method == "POST"
    form = TacticImportForm(request.POST, request.FILES) if posted else TacticImportForm()
    result = None
    if posted and form.is_valid():
        result = tactics_import_csv(agency=member.agency, file=form.cleaned_data["file"])
    context = {"form": form, "result": result, "max_rows": MAX_ROWS}
    template = "stages/import.html#import-panel" if request.htmx else "stages/import.html"
    return render(request, template, context)
