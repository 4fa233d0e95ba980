"""Journey history: numbered versions, what changed between two, and PDFs of any version."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from cvj.http import HtmxHttpRequest

from ..access import get_journey_for
from ..deliverable.exports import export_request
from ..deliverable.snapshot import journey_snapshot
from ..deliverable.versions import snapshot_diff


@login_required
@require_GET
def version_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    versions = list(journey.versions.select_related("created_by"))
    by_number = {str(v.number): v for v in versions}
    left = request.GET.get("a") or (str(versions[0].number) if versions else "")
    right = request.GET.get("b") or "current"
    changes = None
    if left in by_number:
        before = by_number[left].snapshot
        after = (
            by_number[right].snapshot if right in by_number else journey_snapshot(journey).to_json()
        )
        changes = [c for c in snapshot_diff(before, after) if c.changed]
    context = {
        "journey": journey,
        "versions": versions,
        "left": left,
        "right": right,
        "changes": changes,
    }
    return render(request, "journeys/versions.html", context)


@login_required
@require_POST
def version_export(request: HtmxHttpRequest, pk: int, number: int) -> HttpResponse:
    """Render the PDF of a frozen version (not the live journey)."""
    journey = get_journey_for(request.user, pk, edit=True)
    version = get_object_or_404(journey.versions, number=number)
    export_request(journey=journey, user=request.user, version=version)
    return redirect("journey_versions", pk=journey.pk)
