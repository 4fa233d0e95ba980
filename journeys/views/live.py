"""Live sessions: questions on the map, "Join live" links and the guests' live page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cvj.http import HtmxHttpRequest
from cvj.links import LinkError
from cvj.parsing import id_or_404
from cvj.tenancy import membership_for

from ..access import get_journey_for, get_journey_stage, get_stage_tactic
from ..deliverable.snapshot import journey_snapshot
from ..live.forms import GuestQuestionForm, QuestionUpdateForm
from ..live.guests import (
    guest_may_post,
    live_link_create,
    live_link_resolve,
    live_link_revoke,
    question_ask,
    question_update,
)
from ..models import Journey, JourneyStage, LiveLink, Question, StageTactic
from .board import board_stage


def _questions_context(journey: Journey, **extra: object) -> dict[str, object]:
    return {
        "journey": journey,
        "questions": list(
            journey.questions.select_related("journey_stage__stage", "stage_tactic__tactic")
        ),
        **extra,
    }


def _guest_choices(journey: Journey) -> dict[str, object]:
    """What a guest may ask about: the stages, and each stage's tactics."""
    return {
        "question_stages": list(
            JourneyStage.objects.filter(journey=journey)
            .select_related("stage")
            .order_by("stage__position")
        ),
        "question_tactics": list(
            StageTactic.objects.filter(journey_stage__journey=journey)
            .select_related("tactic", "journey_stage__stage")
            .order_by("journey_stage__stage__position", "position")
        ),
    }


@login_required
@require_GET
def questions_list(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The journey's questions (a live part of the editor and the client page)."""
    journey = get_journey_for(request.user, pk)
    member = membership_for(request.user)
    context = _questions_context(journey, can_answer=bool(member and member.can_edit))
    return render(request, "journeys/_questions.html", context)


@login_required
@require_POST
def question_update_view(request: HtmxHttpRequest, pk: int, question_pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    question = get_object_or_404(Question, journey=journey, pk=question_pk)
    form = QuestionUpdateForm(request.POST)
    form.is_valid()  # raw text: the service judges status and answer
    status, answer = form.cleaned_data["status"], form.cleaned_data["answer"]
    error = ""
    try:
        question_update(
            question=question,
            status=question.status if status is None else status,
            answer=answer,
        )
    except ValidationError as problem:
        error = " ".join(problem.messages)
    return render(
        request,
        "journeys/_questions.html",
        _questions_context(journey, can_answer=True, error=error),
        status=_status(request, 422) if error else 200,
    )


@login_required
@require_POST
def live_link_create_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    _link, token = live_link_create(journey=journey, user=request.user, days=1)
    url = request.build_absolute_uri(reverse("live_guest", args=[token]))
    return render(request, "journeys/_live_card.html", _live_card(journey, new_link_url=url))


@login_required
@require_POST
def live_link_revoke_view(request: HtmxHttpRequest, pk: int, live_link_pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    live_link_revoke(link=get_object_or_404(LiveLink, journey=journey, pk=live_link_pk))
    return render(request, "journeys/_live_card.html", _live_card(journey))


@login_required
@require_GET
def live_card(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey = get_journey_for(request.user, pk, edit=True)
    return render(request, "journeys/_live_card.html", _live_card(journey))


def _live_card(journey: Journey, **extra: object) -> dict[str, object]:
    links = journey.live_links.filter(revoked_at__isnull=True)[:5]
    return {"journey": journey, "live_links": links, **extra}


def _guest_link(request: HtmxHttpRequest, token: str) -> LiveLink:
    try:
        return live_link_resolve(token)
    except LinkError as error:
        raise Http404(error.message) from error


@require_GET
def live_guest(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The live read-only board for guests; `?part=` answers the live client's re-renders."""
    try:
        link = live_link_resolve(token)
    except LinkError as error:
        return render(
            request, "journeys/share_invalid.html", {"reason": error.message}, status=error.status
        )
    journey = link.journey
    part = request.GET.get("part", "")
    guest = {"guest_token": token, **_guest_choices(journey)}
    if part == "questions":
        return render(request, "journeys/_questions.html", _questions_context(journey, **guest))
    live_src_base = reverse("live_guest", args=[token])
    if part.startswith("stage:"):
        context = {"journey": journey, "view": board_stage(journey, part[6:])}
        context["live_src_base"] = live_src_base
        return render(request, "journeys/_journey_stages.html#stage-section", context)
    snapshot = journey_snapshot(journey)
    context = {
        "journey": journey,
        "snapshot": snapshot,
        "stages": snapshot.stages,
        "token": token,
        "link": link,
        "live_src_base": live_src_base,
        **_questions_context(journey, **guest),
    }
    return render(request, "journeys/live_guest.html", context)


@require_POST
def live_guest_question(request: HtmxHttpRequest, token: str) -> HttpResponse:
    link = _guest_link(request, token)
    journey = link.journey
    form = GuestQuestionForm(request.POST)
    form.is_valid()  # raw text: the lookups and question_ask judge it
    sent = form.cleaned_data
    context = _questions_context(
        journey, guest_token=token, guest_name=sent["name"][:80], **_guest_choices(journey)
    )
    if not guest_may_post(link=link, address=request.META.get("REMOTE_ADDR", "")):
        context["error"] = "You are posting very fast — wait a minute, then try again."
        return render(request, "journeys/_questions.html", context, status=_status(request, 429))
    try:
        journey_stage = get_journey_stage(journey, sent["stage"])
        tactic_pk = sent["tactic"]
        stage_tactic = get_stage_tactic(journey, id_or_404(tactic_pk)) if tactic_pk else None
        question_ask(
            link=link,
            journey_stage=journey_stage,
            stage_tactic=stage_tactic,
            author_name=sent["name"],
            text=sent["text"],
        )
    except ValidationError as problem:
        context["error"] = _first_messages(problem)
        return render(request, "journeys/_questions.html", context, status=_status(request, 422))
    except Http404:
        context["error"] = "Pick a stage (and, if you like, one of its tactics) of this journey."
        return render(request, "journeys/_questions.html", context, status=_status(request, 422))
    context["posted"] = True
    context["questions"] = _questions_context(journey)["questions"]
    return render(request, "journeys/_questions.html", context)


def _first_messages(problem: ValidationError) -> str:
    if hasattr(problem, "message_dict"):
        labels = {"author_name": "Your name", "text": "Question"}
        return " ".join(
            f"{labels.get(field, field)}: {' '.join(messages)}"
            for field, messages in problem.message_dict.items()
        )
    return " ".join(problem.messages)


def _status(request: HtmxHttpRequest, status: int) -> int:
    """htmx 2 swaps only 2xx: it gets the message with 200; a plain post gets the real status."""
    return 200 if request.htmx else status
