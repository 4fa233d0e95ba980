"""Journey status (finalize, share with the client) and public share links."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cvj.http import HtmxHttpRequest
from cvj.links import LinkError

from ..access import get_journey_for, get_share_link_for
from ..deliverable.sharing import (
    SHARE_MAX_DAYS,
    journey_finalize,
    journey_reopen,
    journey_share,
    share_link_create,
    share_link_resolve,
    share_link_revoke,
)
from ..deliverable.showcase import journey_showcase
from ..forms import JourneyStatusForm, ShareLinkForm
from ..models import ExportStatus, Journey
from ..selectors import finalize_blocker, journey_status_label
from .board import board_stage


def _card_context(journey: Journey, **extra: object) -> dict[str, object]:
    journey.refresh_from_db()
    return {
        "journey": journey,
        "status_label": journey_status_label(journey),
        "finalize_blocker": finalize_blocker(journey) if journey.status != "final" else "",
        "share_links": journey.share_links.all()[:10],
        "versions": journey.versions.all()[:5],
        **extra,
    }


def _card(request: HtmxHttpRequest, journey: Journey, **extra: object) -> HttpResponse:
    return render(request, "journeys/_share_card.html", _card_context(journey, **extra))


def _done(
    request: HtmxHttpRequest, journey: Journey, *, status: int = 200, **extra: object
) -> HttpResponse:
    if request.htmx:  # htmx 2 swaps only 2xx answers: a refused form comes back as 200
        return _card(request, journey, **extra)
    # Without JavaScript the new link must still be shown once: render the full page.
    context = _card_context(journey, **extra)
    return render(request, "journeys/sharing_page.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def journey_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: the status & sharing card (the editor loads it lazily). POST: change status."""
    journey = get_journey_for(request.user, pk, edit=True)
    if request.method == "GET":
        if request.htmx:
            return _card(request, journey)
        return render(request, "journeys/sharing_page.html", _card_context(journey))
    form = JourneyStatusForm(request.POST)
    form.is_valid()
    action = form.cleaned_data["action"]
    if action == "finalize":
        blocker = finalize_blocker(journey)
        if blocker:  # the button is disabled; a stale page or a hand-made post still gets why
            return _done(request, journey, status_error=blocker)
        journey_finalize(journey=journey, user=request.user)
    elif action == "reopen":
        journey_reopen(journey=journey)
    elif action in ("share", "unshare"):
        journey_share(journey=journey, shared=action == "share")
    else:
        raise Http404("Unknown action.")
    return _done(request, journey)


@login_required
@require_POST
def share_link_create_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    form = ShareLinkForm(request.POST, max_days=SHARE_MAX_DAYS)
    form.is_valid()  # days clamped to its range, the label judged by the service
    try:
        _link, token = share_link_create(journey=journey, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        return _done(request, journey, link_error=" ".join(error.messages), status=422)
    url = request.build_absolute_uri(reverse("share_page", args=[token]))
    return _done(request, journey, new_link_url=url)


@login_required
@require_POST
def share_link_revoke_view(request: HtmxHttpRequest, link_pk: int) -> HttpResponse:
    link = get_share_link_for(request.user, link_pk)
    share_link_revoke(link=link)
    return _done(request, link.journey)


def _resolve(request: HtmxHttpRequest, token: str, *, count_use: bool = True):  # noqa: ANN202
    try:
        return share_link_resolve(token, count_use=count_use), None
    except LinkError as error:
        response = render(
            request, "journeys/share_invalid.html", {"reason": error.message}, status=error.status
        )
        return None, response


@require_GET
def share_page(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """What a client without an account sees: the read-only journey and its latest PDF."""
    link, problem = _resolve(request, token)
    if problem:
        return problem
    journey = link.journey
    context = journey_showcase(journey)
    context.update(
        export=journey.exports.filter(status=ExportStatus.DONE).order_by("-created_at").first(),
        token=token,
        link=link,
    )
    return render(request, "journeys/share_page.html", context)


@require_GET
def share_pdf(request: HtmxHttpRequest, token: str) -> HttpResponse:
    link, problem = _resolve(request, token)
    if problem:
        return problem
    export = link.journey.exports.filter(status=ExportStatus.DONE).order_by("-created_at").first()
    if export is None or not export.file:
        raise Http404("No PDF yet.")
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.download_name,
        content_type="application/pdf",
    )


@require_GET
def share_board_column(request: HtmxHttpRequest, token: str, slug: str) -> HttpResponse:
    """One read-only board column for a share link (the live `stage:<slug>` part)."""
    link, problem = _resolve(request, token, count_use=False)
    if problem:
        return problem
    context = {"journey": link.journey, "view": board_stage(link.journey, slug), "token": token}
    return render(request, "journeys/_board.html#column", context)


@require_GET
def share_logo(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The agency's logo for a share-link page (whoever holds the link sees the agency)."""
    link, problem = _resolve(request, token, count_use=False)
    if problem:
        return problem
    agency = link.journey.business.agency
    if not agency.logo:
        raise Http404("No logo.")
    return FileResponse(agency.logo.open("rb"), content_type="image/png")
