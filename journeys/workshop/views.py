"""The workshop's pages and posts: thin — parse (a form), authorize (one helper), call a
service, render a partial of templates/workshop/panel.html.

Three kinds of people: the facilitator (a strategist: `get_journey_for(..., edit=True)`), a
signed-in client (views the journey: adds ideas, votes), and a guest through a "Join live"
link (adds ideas, votes; known by a signed device cookie). A foreign or unknown id is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from cvj.http import HtmxHttpRequest
from cvj.links import LinkError
from cvj.tenancy import membership_for
from journeys.access import get_journey_for, get_journey_stage, get_library_tactic, get_stage_tactic
from journeys.live.guests import live_link_resolve
from journeys.models import Journey, LiveLink

from . import services, votes
from .clock import clock_extend, clock_toggle
from .context import fill_part, panel_context
from .forms import (
    ClockForm,
    GuestNameForm,
    IdeaForm,
    IdeaPickForm,
    RevealForm,
    RoomSettingsForm,
    VoteCastForm,
    VoteOpenForm,
)
from .models import Idea, VoteRound
from .services import Participant

DEVICE_COOKIE = "cvj_device"
NAME_COOKIE = "cvj_guest_name"
COOKIE_SALT = "cvj.workshop"
COOKIE_AGE = 30 * 24 * 3600
PARTS = {"ideas", "vote", "vote-count", "dots", "clock"}
PANEL = "workshop/panel.html"


# --- Who is asking ---------------------------------------------------------------------------


def _member(
    request: HtmxHttpRequest, pk: int, *, edit: bool = False
) -> tuple[Journey, Participant]:
    journey = get_journey_for(request.user, pk, edit=edit)
    member = membership_for(request.user)
    facilitator = bool(member and member.can_edit)
    return journey, services.participant_for_user(request.user, facilitator=facilitator)


def _device(request: HtmxHttpRequest) -> tuple[str, bool]:
    """This browser's device id (a signed cookie), and whether it is new."""
    device = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=COOKIE_SALT)
    if device and len(device) <= 32:
        return device, False
    return services.new_device_id(), True


def _guest(request: HtmxHttpRequest, token: str) -> tuple[LiveLink, Participant, bool]:
    try:
        link = live_link_resolve(token)
    except LinkError as error:
        raise Http404(error.message) from error
    device, new = _device(request)
    name = request.get_signed_cookie(NAME_COOKIE, default="", salt=COOKIE_SALT)
    request.workshop_device = device  # type: ignore[attr-defined]
    return link, services.participant_for_guest(link, device, name), new


def _with_cookies(response: HttpResponse, request: HtmxHttpRequest, name: str = "") -> HttpResponse:
    device = getattr(request, "workshop_device", "")
    if device:
        response.set_signed_cookie(
            DEVICE_COOKIE, device, salt=COOKIE_SALT, max_age=COOKIE_AGE, httponly=True,
            samesite="Lax", secure=request.is_secure(),
        )  # fmt: skip
    if name:
        response.set_signed_cookie(
            NAME_COOKIE, name, salt=COOKIE_SALT, max_age=COOKIE_AGE, httponly=True,
            samesite="Lax", secure=request.is_secure(),
        )  # fmt: skip
    return response


def _render(
    request: HtmxHttpRequest, context: dict[str, object], part: str, *, error: str = ""
) -> HttpResponse:
    context["error_" + part.replace("-", "_")] = error
    name = PANEL if part == "panel" else f"{PANEL}#{part}"
    return render(request, name, fill_part(context, part))


def _part(request: HtmxHttpRequest) -> str:
    part = request.GET.get("part", "")
    return part if part in PARTS else "panel"


def _messages(problem: ValidationError) -> str:
    if hasattr(problem, "message_dict"):
        labels = {"name": "Idea", "note": "Note", "kind": "Kind", "custom_name": "Idea"}
        return " ".join(
            f"{labels.get(field, field.capitalize())}: {' '.join(text)}"
            for field, text in problem.message_dict.items()
        )
    return " ".join(problem.messages)


# --- Signed-in people: the facilitator and the client's team -----------------------------------


def _member_context(request: HtmxHttpRequest, journey: Journey, me: Participant) -> dict:
    base = reverse("workshop_panel", args=[journey.pk])
    return panel_context(
        journey,
        me,
        urls={
            "panel": base,
            "idea": reverse("workshop_idea_add", args=[journey.pk]),
            "vote": reverse("workshop_vote_cast", args=[journey.pk]),
        },
        join_url=_join_url(request, journey) if me.facilitator else "",
    )


def _join_url(request: HtmxHttpRequest, journey: Journey) -> str:
    code = services.join_code_current(journey)
    return request.build_absolute_uri(reverse("workshop_join", args=[code.code])) if code else ""


@login_required
@require_GET
def panel(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The workshop card (the editor's side, the client's page); `?part=` answers live.js."""
    journey, me = _member(request, pk)
    return _render(request, _member_context(request, journey, me), _part(request))


@login_required
@require_POST
def idea_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey, me = _member(request, pk)
    return _idea_add(request, journey, me, _member_context(request, journey, me))


def _idea_add(
    request: HtmxHttpRequest, journey: Journey, me: Participant, context: dict
) -> HttpResponse:
    form = IdeaForm(request.POST)
    form.is_valid()  # raw text: idea_add judges it
    sent = form.cleaned_data
    if not services.participant_may_post(me, what="idea", per_minute=services.IDEAS_PER_MINUTE):
        return _render(
            request, context, "ideas", error="You are adding ideas very fast — wait a minute."
        )
    try:
        services.idea_add(
            journey_stage=get_journey_stage(journey, sent["stage"] or ""),
            participant=me,
            kind=sent["kind"] or "tactic",
            name=sent["name"],
            note=sent["note"],
        )
    except ValidationError as problem:
        return _render(request, context, "ideas", error=_messages(problem))
    except Http404:
        return _render(request, context, "ideas", error="Pick one of the journey's stages.")
    return trigger_client_event(_render(request, context, "ideas"), "workshop-idea-added")


@login_required
@require_POST
def vote_cast(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey, me = _member(request, pk)
    return _vote_cast(request, journey, me, _member_context(request, journey, me))


def _vote_cast(
    request: HtmxHttpRequest, journey: Journey, me: Participant, context: dict
) -> HttpResponse:
    form = VoteCastForm(request.POST)
    if not form.is_valid():
        return _render(request, context, "vote", error="Pick a number of dots.")
    round_ = VoteRound.objects.filter(journey=journey, closed_at__isnull=True).first()
    stage_tactic = get_stage_tactic(journey, form.cleaned_data["tactic"])
    if round_ is None:
        return _render(request, context, "vote", error="No vote is open.")
    if not services.participant_may_post(me, what="vote", per_minute=services.VOTES_PER_MINUTE):
        return _render(request, context, "vote", error="Slow down a little, then vote again.")
    try:
        votes.vote_cast(
            round_=round_,
            participant=me,
            stage_tactic=stage_tactic,
            count=form.cleaned_data["dots"],
        )
    except ValidationError as problem:
        return _render(request, context, "vote", error=_messages(problem))
    return _render(request, context, "vote")


# --- The facilitator's actions -------------------------------------------------------------


def _idea(journey: Journey, raw_id: int | None) -> Idea:
    return get_object_or_404(
        Idea.objects.select_related("journey_stage__stage", "journey"), journey=journey, pk=raw_id
    )


@login_required
@require_POST
def ideas_reveal(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey, me = _member(request, pk, edit=True)
    form = RevealForm(request.POST)
    form.is_valid()
    stage = get_journey_stage(journey, form.cleaned_data.get("stage") or "")
    services.ideas_reveal(journey_stage=stage, revealed=form.cleaned_data.get("revealed", False))
    return _render(request, _member_context(request, journey, me), "ideas")


@login_required
@require_POST
def idea_accept(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The idea becomes a tactic (the library's match, if picked) or an offer."""
    return _idea_act(request, pk, "accept")


@login_required
@require_POST
def idea_merge(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _idea_act(request, pk, "merge")


@login_required
@require_POST
def idea_set_aside(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _idea_act(request, pk, "set_aside")


def _idea_act(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept (as a tactic or offer), merge into another idea, or set aside."""
    journey, me = _member(request, pk, edit=True)
    form = IdeaPickForm(request.POST)
    if not form.is_valid() and "price" in form.errors:
        error = "Price: " + " ".join(form.errors["price"])
        return _render(request, _member_context(request, journey, me), "ideas", error=error)
    idea = _idea(journey, form.cleaned_data.get("idea"))
    try:
        if action == "accept":
            tactic_pk = form.cleaned_data.get("tactic")
            tactic = get_library_tactic(journey, tactic_pk) if tactic_pk else None
            services.idea_accept(idea=idea, tactic=tactic, price=form.cleaned_data.get("price"))
        elif action == "merge":
            services.idea_merge(idea=idea, into=_idea(journey, form.cleaned_data.get("into")))
        else:
            services.idea_set_aside(idea=idea)
    except ValidationError as problem:
        return _render(
            request, _member_context(request, journey, me), "ideas", error=_messages(problem)
        )
    return _render(request, _member_context(request, journey, me), "ideas")


@login_required
@require_POST
def room_settings(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey, me = _member(request, pk, edit=True)
    form = RoomSettingsForm(request.POST)
    form.is_valid()
    services.room_settings_save(
        journey=journey,
        show_authors=form.cleaned_data.get("show_authors", False),
        sound=form.cleaned_data.get("sound", False),
    )
    return _render(request, _member_context(request, journey, me), "ideas")


@login_required
@require_POST
def vote_open(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey, me = _member(request, pk, edit=True)
    form = VoteOpenForm(request.POST)
    context = _member_context(request, journey, me)
    if not form.is_valid():
        context["vote_form"] = form
        return _render(request, context, "vote", error="Check the vote's settings.")
    sent = form.cleaned_data
    stage = get_journey_stage(journey, sent["stage"]) if sent["stage"] else None
    try:
        votes.vote_open(
            journey=journey,
            journey_stage=stage,
            votes_per_person=sent["votes_per_person"],
            max_per_item=sent["max_per_item"],
            anonymous=sent["anonymous"],
            tally_hidden=sent["tally_hidden"],
        )
    except ValidationError as problem:
        return _render(request, context, "vote", error=_messages(problem))
    return _render(request, _member_context(request, journey, me), "vote")


@login_required
@require_POST
def vote_close(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey, me = _member(request, pk, edit=True)
    round_ = VoteRound.objects.filter(journey=journey, closed_at__isnull=True).first()
    if round_ is not None:
        votes.vote_close(round_=round_)
    return _render(request, _member_context(request, journey, me), "vote")


@login_required
@require_POST
def vote_apply(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    journey, me = _member(request, pk, edit=True)
    round_ = votes.vote_current(journey)
    error = ""
    try:
        if round_ is None:
            raise ValidationError("There is no vote yet.")
        votes.vote_apply(round_=round_)
    except ValidationError as problem:
        error = _messages(problem)
    return _render(request, _member_context(request, journey, me), "vote", error=error)


@login_required
@require_POST
def room_clock(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Start or pause the session clock, or give the running timebox five more minutes."""
    journey, me = _member(request, pk, edit=True)
    form = ClockForm(request.POST)
    form.is_valid()
    if form.cleaned_data.get("action") == "extend":
        clock_extend(journey=journey)
    else:
        clock_toggle(journey=journey)
    journey.refresh_from_db()
    return _render(request, _member_context(request, journey, me), "clock")


@login_required
@require_http_methods(["GET", "POST"])
def join_card(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The QR code and short link (Present's title slide, the Join-live card); POST draws a
    new code (with a new "Join live" link)."""
    journey = get_journey_for(request.user, pk, edit=True)
    if request.method == "POST":
        services.join_code_create(journey=journey, user=request.user)
    code = services.join_code_current(journey)
    url = request.build_absolute_uri(reverse("workshop_join", args=[code.code])) if code else ""
    context = panel_context(
        journey, None, urls={}, join_url=url, present=request.GET.get("mode") == "present"
    )
    return render(request, f"{PANEL}#join", fill_part(context, "join"))


# --- Guests ----------------------------------------------------------------------------------


@require_GET
def join(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """The short link: on to the live page, at the stage the facilitator is on."""
    found = services.join_code_find(code)
    if found is None:
        raise Http404("This join code is unknown or no longer open.")
    stage = services.facilitator_stage(found.journey_id)
    url = reverse("live_guest", args=[found.token])
    return redirect(url + (f"#stage-{stage}" if stage else ""))


def _guest_context(request: HtmxHttpRequest, token: str, link: LiveLink, me: Participant) -> dict:
    base = reverse("workshop_guest_panel", args=[token])
    return panel_context(
        link.journey,
        me,
        urls={
            "panel": base,
            "idea": reverse("workshop_guest_idea", args=[token]),
            "vote": reverse("workshop_guest_vote", args=[token]),
            "name": reverse("workshop_guest_name", args=[token]),
        },
        guest_named=bool(request.get_signed_cookie(NAME_COOKIE, default="", salt=COOKIE_SALT)),
    )


@require_GET
def guest_panel(request: HtmxHttpRequest, token: str) -> HttpResponse:
    link, me, _new = _guest(request, token)
    response = _render(request, _guest_context(request, token, link, me), _part(request))
    return _with_cookies(response, request)


@require_POST
def guest_name(request: HtmxHttpRequest, token: str) -> HttpResponse:
    link, me, _new = _guest(request, token)
    form = GuestNameForm(request.POST)
    if not form.is_valid():
        context = _guest_context(request, token, link, me)
        return _with_cookies(
            _render(request, context, "panel", error=form.errors["name"][0]), request
        )
    name = form.cleaned_data["name"]
    me = services.participant_for_guest(link, request.workshop_device, name)  # type: ignore[attr-defined]
    context = _guest_context(request, token, link, me)
    context["guest_named"] = True
    return _with_cookies(_render(request, context, "panel"), request, name=name)


def _guest_posting(
    request: HtmxHttpRequest, token: str
) -> tuple[LiveLink, Participant, dict, HttpResponse | None]:
    """A guest's post: who, the panel's context, and the answer if they have no name yet."""
    link, me, _new = _guest(request, token)
    context = _guest_context(request, token, link, me)
    if context["guest_named"]:
        return link, me, context, None
    refused = _render(request, context, "panel", error="Tell the room your name first.")
    return link, me, context, _with_cookies(refused, request)


@require_POST
def guest_idea(request: HtmxHttpRequest, token: str) -> HttpResponse:
    link, me, context, refused = _guest_posting(request, token)
    if refused is not None:
        return refused
    return _with_cookies(_idea_add(request, link.journey, me, context), request)


@require_POST
def guest_vote(request: HtmxHttpRequest, token: str) -> HttpResponse:
    link, me, context, refused = _guest_posting(request, token)
    if refused is not None:
        return refused
    return _with_cookies(_vote_cast(request, link.journey, me, context), request)
