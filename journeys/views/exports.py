"""Generate, follow and download the PDF deliverable."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HTMX_STOP_POLLING

from cvj.http import HtmxHttpRequest

from ..access import get_export_for, get_journey_for
from ..deliverable.exports import export_request, export_retry
from ..models import ExportStatus, Journey


def _card(request: HtmxHttpRequest, journey: Journey, **extra: object) -> HttpResponse:
    latest = journey.exports.order_by("-created_at").first()
    # While a new PDF renders, or after it failed, the last good one stays downloadable.
    last_good = None
    if latest is not None and latest.status != ExportStatus.DONE:
        last_good = (
            journey.exports.filter(status=ExportStatus.DONE)
            .exclude(file="")
            .order_by("-finished_at", "-pk")
            .first()
        )
    context = {"journey": journey, "export": latest, "last_good": last_good, **extra}
    response = render(request, "journeys/_export_card.html", context)
    if latest is not None and not latest.is_active:
        response.status_code = HTMX_STOP_POLLING if request.GET.get("poll") else 200
    return response


@login_required
@require_POST
def export_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    export_request(journey=journey, user=request.user)
    if request.htmx:
        return _card(request, journey)
    return redirect("journey_editor", pk=journey.pk)


@login_required
@require_GET
def export_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The export card; the page polls it every second until the export is done or failed."""
    journey = get_journey_for(request.user, pk)
    return _card(request, journey)


@login_required
@require_POST
def export_retry_view(request: HtmxHttpRequest, export_pk: int) -> HttpResponse:
    export = get_export_for(request.user, export_pk, edit=True)
    export_retry(export=export)
    if request.htmx:
        return _card(request, export.journey)
    return redirect("journey_editor", pk=export.journey_id)


@login_required
@require_GET
def export_download(request: HtmxHttpRequest, export_pk: int) -> FileResponse:
    export = get_export_for(request.user, export_pk)
    if not export.file:
        raise Http404("This PDF is not ready yet.")
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.download_name,
        content_type="application/pdf",
    )
