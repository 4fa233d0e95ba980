"""Query budgets for the pages a working session uses: each costs a fixed number of queries,
the same for a journey with one tactic a stage as for one with many tactics, offers and guest
questions. A budget that grows with the rows is an N+1."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from journeys.deliverable.sharing import share_link_create
from journeys.live.guests import live_link_create, question_ask
from journeys.models import Journey, JourneyStage, LiveLink
from journeys.services import offer_attach, tactic_add
from stages.models import Tactic
from tests.clients import HTMX_HEADERS, logged_in
from tests.factories import OfferFactory
from tests.journeys.editor_support import AUTOSAVE

pytestmark = pytest.mark.django_db

OFFER_KINDS = {
    "subscribe": "lead_magnet",
    "convert": "entry_point",
    "ascend": "ascension",
    "promote": "referral",
}
NEW_NAMES = (f"Welcome call {n}" for n in itertools.count())


@dataclass
class Session:
    journey: Journey
    live_link: LiveLink
    tokens: dict[str, str]
    browsers: dict[str, Client]


@pytest.fixture
def session(journey, strategist, client_member) -> Session:
    """A journey with one tactic in every stage, shared with its client, with a share link and
    a live link, and a browser for each person in the room."""
    journey.shared_with_client = True
    journey.save()
    _, share_token = share_link_create(journey=journey, user=strategist.user, days=7)
    live_link, live_token = live_link_create(journey=journey, user=strategist.user)
    room = Session(
        journey=journey,
        live_link=live_link,
        tokens={"share": share_token, "live": live_token},
        browsers={
            "strategist": logged_in(strategist),
            "htmx": logged_in(strategist, **HTMX_HEADERS),
            "client": logged_in(client_member),
            "guest": Client(),
        },
    )
    _grow(room, tactics=range(1), questions=False)
    return room


def _grow(room: Session, *, tactics: range, questions: bool = True) -> None:
    """Tactics in every stage (a library one first, then custom ones), offers where their kind
    belongs and, with `questions`, a guest's question about each new tactic."""
    journey = room.journey
    for entry in JourneyStage.objects.filter(journey=journey).select_related("stage"):
        first = Tactic.objects.filter(stage=entry.stage, agency__isnull=True).order_by("pk")[0]
        for n in tactics:
            stage_tactic, _ = tactic_add(
                journey_stage=entry,
                tactic=first if n == 0 else None,
                custom_name="" if n == 0 else f"Extra {entry.stage.slug} {n}",
                channel="email",
                notes="Weekly",
            )
            if questions:
                question_ask(
                    link=room.live_link,
                    journey_stage=entry,
                    stage_tactic=stage_tactic,
                    author_name="Guest",
                    text=f"How often, {n}?",
                )
            if entry.stage.slug in OFFER_KINDS:
                offer = OfferFactory(business=journey.business, kind=OFFER_KINDS[entry.stage.slug])
                offer_attach(journey_stage=entry, offer=offer)


@dataclass(frozen=True)
class Page:
    browser: str
    url: Callable[[Session], str]
    budget: int
    method: str = "get"
    query: Callable[[Journey], dict[str, str]] = lambda journey: {}
    headers: dict[str, str] = field(default_factory=dict)
    shows_tactics: bool = True  # the page lists the Ascend stage's tactics


def _journey_url(name: str, *args: str) -> Callable[[Session], str]:
    return lambda room: reverse(name, args=[room.journey.pk, *args])


def _token_url(name: str, kind: str) -> Callable[[Session], str]:
    return lambda room: reverse(name, args=[room.tokens[kind]])


def _goal_save(journey: Journey) -> dict[str, str]:
    goal = JourneyStage.objects.values_list("goal", flat=True).get(
        journey=journey, stage__slug="aware"
    )
    return {"target": "stage:aware", "field": "goal", "value": f"{goal}!", "base": goal}


# The session first: the session and the user; then each page's own reads. The counts are
# today's, measured; a change that moves one should say why in its commit. The read-only
# pages read the journey once, through its snapshot (Present, share, guest, client: 4–6 fewer);
# the snapshot reads what the team added (credited ideas, their vote): 2 more.
PAGES = {
    "editor-board": Page("strategist", _journey_url("journey_editor"), 9),
    "editor-stage": Page(
        "strategist", _journey_url("journey_editor"), 9, query=lambda j: {"stage": "ascend"}
    ),
    "stage-panel": Page("htmx", _journey_url("journey_stage", "ascend"), 9),
    "board-column": Page("htmx", _journey_url("journey_board_column", "ascend"), 8),
    "rail": Page(
        "htmx",
        _journey_url("journey_rail"),
        8,
        query=lambda j: {"stage": "aware"},
        shows_tactics=False,
    ),
    "autosave": Page(
        "strategist",
        _journey_url("journey_autosave"),
        3,  # session, user, and one statement: the row, the right to edit and the write
        method="post",
        query=_goal_save,
        headers=AUTOSAVE,
        shows_tactics=False,
    ),
    "tactic-add": Page(
        "htmx",
        _journey_url("tactic_add", "ascend"),
        19,
        method="post",
        query=lambda j: {"custom_name": next(NEW_NAMES)},
    ),
    "present": Page("strategist", _journey_url("journey_present"), 12),
    "plan": Page("strategist", _journey_url("journey_plan"), 13),
    "share": Page("guest", _token_url("share_page", "share"), 12),
    "live-guest": Page("guest", _token_url("live_guest", "live"), 12),
    "live-guest-stage": Page(
        "guest", _token_url("live_guest", "live"), 7, query=lambda j: {"part": "stage:ascend"}
    ),
}


def _request(room: Session, page: Page) -> Callable[[], HttpResponse]:
    """The page's request, ready to send: its form is read before the budget starts counting."""
    browser = room.browsers[page.browser]
    url, query = page.url(room), page.query(room.journey)
    return lambda: getattr(browser, page.method)(url, query, headers=page.headers)


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_a_session_page_costs_the_same_queries_for_one_or_many_tactics(
    page, session, django_assert_num_queries
):
    _request(session, page)()  # warm up anything cached once per process

    request = _request(session, page)
    with django_assert_num_queries(page.budget):
        response = request()
    assert response.status_code == 200

    _grow(session, tactics=range(1, 6))
    request = _request(session, page)
    with django_assert_num_queries(page.budget):
        response = request()
    assert response.status_code == 200
    if page.shows_tactics:
        assert "Extra ascend 5" in response.text


def test_the_client_page_costs_the_same_queries_for_one_or_many_tactics(
    session, django_assert_num_queries
):
    request = _request(session, Page("client", _journey_url("journey_view"), 16))
    request()  # warm up anything cached once per process

    with django_assert_num_queries(16):
        assert request().status_code == 200
    _grow(session, tactics=range(1, 6), questions=False)
    with django_assert_num_queries(16):
        response = request()
    assert "Extra ascend 5" in response.text


def test_the_client_page_costs_the_same_queries_for_few_or_many_guest_questions(
    session, django_assert_num_queries
):
    request = _request(session, Page("client", _journey_url("journey_view"), 16))
    _grow(session, tactics=range(1, 2))
    request()  # warm up anything cached once per process
    with CaptureQueriesContext(connection) as few:
        request()

    _grow(session, tactics=range(2, 6))
    with django_assert_num_queries(len(few)):
        request()
