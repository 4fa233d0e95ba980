"""The journey editor: full pages, HTMX partials, autosave, tactics, offers and the clock."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journeys.models import Journey, JourneyStage, Offer, StageOffer, StageTactic
from journeys.services import offer_attach, tactic_add, tactic_remove
from stages.models import Tactic
from tests.factories import BusinessFactory, OfferFactory, TacticFactory, make_journey

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
AUTOSAVE = {"X-CVJ-Autosave": "1"}
STAGE_NAMES = ["Aware", "Engage", "Subscribe", "Convert", "Excite", "Ascend", "Advocate", "Promote"]
XSS = "<script>alert(1)</script>"


def _entry(journey: Journey, slug: str) -> JourneyStage:
    return JourneyStage.objects.get(journey=journey, stage__slug=slug)


def _library(slug: str) -> list[Tactic]:
    return list(Tactic.objects.filter(stage__slug=slug, agency__isnull=True).order_by("pk"))


def _url(name: str, journey: Journey, *args: object) -> str:
    return reverse(name, args=[journey.pk, *args])


def _autosave(client: Client, journey: Journey, headers: dict[str, str] | None = None, **post):
    return client.post(
        _url("journey_autosave", journey), post, headers=AUTOSAVE if headers is None else headers
    )


def _live_tactics(journey: Journey, slug: str) -> list[StageTactic]:
    return list(StageTactic.objects.filter(journey_stage=_entry(journey, slug)))


@pytest.fixture
def stage_tactic(journey) -> StageTactic:
    """One library tactic in the journey's Aware stage."""
    added, _ = tactic_add(journey_stage=_entry(journey, "aware"), tactic=_library("aware")[0])
    return added


@pytest.fixture
def lead_magnet(journey) -> Offer:
    return OfferFactory(business=journey.business, kind="lead_magnet", name="Free checklist")


@pytest.fixture
def sibling_journey(journey, strategist) -> Journey:
    """Another journey of the same agency: its tactics and offers are foreign to `journey`."""
    return make_journey(business=journey.business, owner=strategist.user, title="Sibling")


# --- The page


def test_editor_shows_the_eight_stages_in_order(strategist_client, journey):
    response = strategist_client.get(_url("journey_editor", journey))
    assert response.status_code == 200
    rail = re.findall(r'<span class="name">(\w+)</span>', response.text)
    assert rail == STAGE_NAMES
    assert 'data-stage="aware"' in response.text
    assert '<body class="editor-page"' in response.text


def test_editor_opens_the_stage_named_in_the_query(strategist_client, journey):
    response = strategist_client.get(_url("journey_editor", journey), {"stage": "convert"})
    assert response.status_code == 200
    assert '<h2 id="stage-title">4. Convert</h2>' in response.text
    assert 'data-stage="convert"' in response.text
    assert 'data-stage="aware"' not in response.text


def test_editor_falls_back_to_the_first_stage_for_an_unknown_query(strategist_client, journey):
    response = strategist_client.get(_url("journey_editor", journey), {"stage": "nope"})
    assert response.status_code == 200
    assert '<h2 id="stage-title">1. Aware</h2>' in response.text


def test_present_shows_the_journey_without_any_form_field(strategist_client, journey):
    response = strategist_client.get(_url("journey_present", journey), {"stage": "engage"})
    assert response.status_code == 200
    assert '<body class="present-page"' in response.text
    assert 'data-slide="engage"' in response.text  # opens on the asked-for stage's slide
    for tag in ("<input", "<textarea", "<select", "data-autosave", "drag-handle"):
        assert tag not in response.text, tag
    assert response.text.count('class="board-col ') == 8


def test_editor_runs_the_library_search_without_javascript(strategist_client, journey):
    tactic = _library("engage")[0]
    response = strategist_client.get(
        _url("journey_editor", journey), {"stage": "engage", "q": tactic.name}
    )
    assert response.status_code == 200
    assert f'name="tactic" value="{tactic.pk}"' in response.text


# --- Stage panel and rail


def test_stage_panel_with_htmx_returns_the_panel_and_the_rail_out_of_band(
    strategist_client, journey
):
    response = strategist_client.get(_url("journey_stage", journey, "subscribe"), headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="stage-panel"')
    assert 'data-stage="subscribe"' in response.text
    assert re.search(r'<nav id="stage-rail"[^>]*data-hx-swap-oob="true"', response.text)
    assert re.search(r'href="\?stage=subscribe"[^>]*aria-current="true"', response.text)


def test_stage_panel_without_htmx_redirects_to_the_editor(strategist_client, journey):
    response = strategist_client.get(_url("journey_stage", journey, "excite"))
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=excite"


def test_stage_panel_for_an_unknown_stage_is_404(strategist_client, journey):
    assert strategist_client.get(
        _url("journey_stage", journey, "nope"), headers=HX
    ).status_code == (404)


def test_rail_returns_only_the_rail_with_fresh_counts(strategist_client, journey, stage_tactic):
    response = strategist_client.get(_url("journey_rail", journey), {"stage": "aware"}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<nav id="stage-rail"')
    assert "data-hx-swap-oob" not in response.text
    assert "1 tactic" in response.text


# --- Autosave


def test_autosave_saves_a_field_and_answers_json(strategist_client, journey):
    version = journey.version
    response = _autosave(
        strategist_client, journey, target="stage:aware", field="goal", value="Be known", base=""
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "saved"
    assert body["value"] == "Be known"
    assert re.fullmatch(r"\d\d:\d\d:\d\d", body["saved_at"])
    assert _entry(journey, "aware").goal == "Be known"
    journey.refresh_from_db()
    assert journey.version == version + 1


def test_autosave_of_the_same_text_is_unchanged(strategist_client, journey):
    JourneyStage.objects.filter(pk=_entry(journey, "aware").pk).update(goal="Same")
    response = _autosave(
        strategist_client, journey, target="stage:aware", field="goal", value="Same", base=""
    )
    assert response.status_code == 200
    assert response.json()["status"] == "unchanged"


def test_autosave_saves_a_decimal_conversion(strategist_client, journey):
    response = _autosave(
        strategist_client,
        journey,
        target="stage:convert",
        field="target_conversion",
        value="12.5",
        base="",
    )
    assert response.json()["status"] == "saved"
    assert _entry(journey, "convert").target_conversion == Decimal("12.5")


def test_autosave_saves_the_journey_title_and_tactic_notes(
    strategist_client, journey, stage_tactic
):
    title = _autosave(
        strategist_client, journey, target="journey", field="title", value="New", base=journey.title
    )
    notes = _autosave(
        strategist_client,
        journey,
        target=f"tactic:{stage_tactic.pk}",
        field="notes",
        value="Weekly posts",
        base="",
    )
    assert (title.status_code, notes.status_code) == (200, 200)
    journey.refresh_from_db()
    stage_tactic.refresh_from_db()
    assert journey.title == "New"
    assert stage_tactic.notes == "Weekly posts"


def test_a_stale_autosave_is_a_conflict_carrying_their_text(strategist_client, journey):
    first = _autosave(
        strategist_client, journey, target="stage:aware", field="goal", value="Theirs", base=""
    )
    second = _autosave(
        strategist_client, journey, target="stage:aware", field="goal", value="Mine", base=""
    )
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json() | {"saved_at": ""} == {
        "status": "conflict",
        "value": "Mine",
        "theirs": "Theirs",
        "error": "",
        "shape_changed": False,
        "saved_at": "",
    }
    assert _entry(journey, "aware").goal == "Theirs"


def test_edits_to_different_fields_of_one_stage_both_survive(strategist_client, journey):
    goal = _autosave(
        strategist_client, journey, target="stage:aware", field="goal", value="Goal", base=""
    )
    notes = _autosave(
        strategist_client, journey, target="stage:aware", field="notes", value="Notes", base=""
    )
    assert (goal.status_code, notes.status_code) == (200, 200)
    entry = _entry(journey, "aware")
    assert (entry.goal, entry.notes) == ("Goal", "Notes")


@pytest.mark.parametrize("value", ["150", "-1", "abc", "12.345"])
def test_an_invalid_conversion_is_refused_with_422(strategist_client, journey, value):
    response = _autosave(
        strategist_client,
        journey,
        target="stage:convert",
        field="target_conversion",
        value=value,
        base="",
    )
    assert response.status_code == 422
    assert response.json()["status"] == "invalid"
    assert response.json()["error"]
    assert _entry(journey, "convert").target_conversion is None


@pytest.mark.parametrize("field", ["notes", "goal"])
def test_overlong_text_is_refused_with_422(strategist_client, journey, field):
    response = _autosave(
        strategist_client, journey, target="stage:aware", field=field, value="x" * 4001, base=""
    )
    assert response.status_code == 422
    assert response.json()["error"]
    assert getattr(_entry(journey, "aware"), field) == ""


def test_overlong_tactic_notes_are_refused_with_422(strategist_client, journey, stage_tactic):
    response = _autosave(
        strategist_client,
        journey,
        target=f"tactic:{stage_tactic.pk}",
        field="notes",
        value="x" * 4001,
        base="",
    )
    assert response.status_code == 422
    stage_tactic.refresh_from_db()
    assert stage_tactic.notes == ""


def test_an_overlong_metric_is_refused_with_422(strategist_client, journey):
    entry = _entry(journey, "aware")
    response = _autosave(
        strategist_client,
        journey,
        target="stage:aware",
        field="metric",
        value="m" * 201,
        base=entry.metric,
    )
    assert response.status_code == 422
    assert "at most 200 characters" in response.json()["error"]
    assert _entry(journey, "aware").metric == entry.metric


@pytest.mark.parametrize(
    ("target", "field"),
    [("stage:aware", "version"), ("stage:aware", "stage"), ("journey", "status")],
)
def test_autosave_refuses_fields_the_editor_does_not_own(strategist_client, journey, target, field):
    response = _autosave(strategist_client, journey, target=target, field=field, value="2", base="")
    assert response.status_code == 422
    journey.refresh_from_db()
    assert journey.status == "draft"
    assert _entry(journey, "aware").version == 1


@pytest.mark.parametrize("target", ["", "bogus", "stage:nope", "tactic:abc", "tactic:999999"])
def test_autosave_to_an_unknown_target_is_404(strategist_client, journey, target):
    response = _autosave(
        strategist_client, journey, target=target, field="notes", value="x", base=""
    )
    assert response.status_code == 404


def test_autosave_to_a_tactic_of_another_journey_is_404(
    strategist_client, journey, sibling_journey
):
    foreign, _ = tactic_add(
        journey_stage=_entry(sibling_journey, "aware"), tactic=_library("aware")[0]
    )
    response = _autosave(
        strategist_client, journey, target=f"tactic:{foreign.pk}", field="notes", value="x", base=""
    )
    foreign.refresh_from_db()
    assert response.status_code == 404
    assert foreign.notes == ""


def test_autosave_without_javascript_saves_and_goes_back_to_the_stage(strategist_client, journey):
    response = _autosave(
        strategist_client,
        journey,
        headers={},
        target="stage:engage",
        field="goal",
        value="Start talking",
        base="",
    )
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=engage"
    assert _entry(journey, "engage").goal == "Start talking"
    assert "Saved." in strategist_client.get(response.url).text


def test_autosave_without_javascript_for_a_tactic_goes_back_to_its_stage(
    strategist_client, journey, stage_tactic
):
    response = _autosave(
        strategist_client,
        journey,
        headers={},
        target=f"tactic:{stage_tactic.pk}",
        field="notes",
        value="Plan",
        base="",
    )
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=aware"


def test_autosave_without_javascript_reports_a_conflict(strategist_client, journey):
    JourneyStage.objects.filter(pk=_entry(journey, "aware").pk).update(goal="Theirs")
    response = _autosave(
        strategist_client,
        journey,
        headers={},
        target="stage:aware",
        field="goal",
        value="Mine",
        base="",
    )
    page = strategist_client.get(response.url)
    assert response.status_code == 302
    assert "Not saved: someone changed this meanwhile" in page.text
    assert "yours was: Mine" in page.text
    assert _entry(journey, "aware").goal == "Theirs"


# --- The no-JavaScript stage form


def test_stage_save_saves_all_four_fields(strategist_client, journey):
    entry = _entry(journey, "convert")
    response = strategist_client.post(
        _url("stage_save", journey, "convert"),
        {
            "goal": "First purchase",
            "base_goal": "",
            "metric": "Orders",
            "base_metric": entry.metric,
            "target_conversion": "7.5",
            "base_target_conversion": "",
            "notes": "Coupon\r\nfor week one",
            "base_notes": "",
        },
    )
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=convert"
    entry.refresh_from_db()
    assert (entry.goal, entry.metric, entry.target_conversion, entry.notes) == (
        "First purchase",
        "Orders",
        Decimal("7.5"),
        "Coupon\nfor week one",
    )


def test_stage_save_with_a_stale_base_shows_both_versions(strategist_client, journey):
    JourneyStage.objects.filter(pk=_entry(journey, "aware").pk).update(goal="Their goal")
    response = strategist_client.post(
        _url("stage_save", journey, "aware"),
        {"goal": "My goal", "base_goal": "", "notes": "Kept", "base_notes": ""},
    )
    assert response.status_code == 409
    assert "Someone else changed this stage" in response.text
    assert "<pre>Their goal</pre>" in response.text
    assert "<pre>My goal</pre>" in response.text
    entry = _entry(journey, "aware")
    assert entry.goal == "Their goal"
    assert entry.notes == "Kept"


def test_stage_save_with_an_invalid_value_shows_the_field_error(strategist_client, journey):
    response = strategist_client.post(
        _url("stage_save", journey, "convert"),
        {"target_conversion": "150", "base_target_conversion": ""},
    )
    assert response.status_code == 422
    assert '<div class="field-error">' in response.text
    assert "less than or equal to 100" in response.text
    assert _entry(journey, "convert").target_conversion is None


def test_stage_save_refuses_overlong_notes(strategist_client, journey):
    response = strategist_client.post(
        _url("stage_save", journey, "aware"), {"notes": "x" * 4001, "base_notes": ""}
    )
    assert response.status_code == 422
    assert _entry(journey, "aware").notes == ""


def test_stage_save_for_an_unknown_stage_is_404(strategist_client, journey):
    assert strategist_client.post(
        _url("stage_save", journey, "nope"), {"goal": "x"}
    ).status_code == (404)


# --- Tactic library search


def _offered(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="tactic" value="(\d+)"', response.text)}


@pytest.fixture
def library_scope(journey, agency) -> dict[str, object]:
    """Aware's library with one tactic already used, the agency's own and a rival's tactic."""
    aware = _library("aware")
    tactic_add(journey_stage=_entry(journey, "aware"), tactic=aware[0])
    return {
        "expected": {t.pk for t in aware[1:]}
        | {TacticFactory(agency=agency, name="Our own billboard").pk},
        "used": aware[0].pk,
        "rival": TacticFactory(agency=BusinessFactory().agency, name="Rival billboard").pk,
        "other_stage": {t.pk for t in _library("engage")},
    }


def _assert_library_scope(offered: set[int], scope: dict[str, object]) -> None:
    assert offered == scope["expected"]
    assert scope["used"] not in offered
    assert scope["rival"] not in offered
    assert not offered & scope["other_stage"]


def test_tactic_search_lists_this_stages_library_without_used_ones(
    strategist_client, journey, library_scope
):
    response = strategist_client.get(_url("tactic_search", journey, "aware"), headers=HX)

    assert response.status_code == 200
    assert "<html" not in response.text
    # The partial itself (what htmx swaps outerHTML), whatever attributes its root carries.
    root = re.match(r"\s*<(\w+)\b([^>]*)>", response.text)
    assert root and root[1] == "div" and re.search(r'\bid="library-results"', root[2])
    _assert_library_scope(_offered(response), library_scope)
    assert _url("tactic_add", journey, "aware") in response.text


def test_library_search_without_javascript_lists_the_same_tactics(
    strategist_client, journey, library_scope
):
    response = strategist_client.get(_url("journey_editor", journey), {"stage": "aware", "q": ""})

    assert response.status_code == 200
    _assert_library_scope(_offered(response), library_scope)
    assert _url("tactic_add", journey, "aware") in response.text


def test_tactic_search_filters_by_the_query(strategist_client, journey, agency):
    zeppelin = TacticFactory(agency=agency, name="Zeppelin banner")
    response = strategist_client.get(
        _url("tactic_search", journey, "aware"), {"q": "zeppelin"}, headers=HX
    )
    assert response.status_code == 200
    assert _offered(response) == {zeppelin.pk}


def test_tactic_search_without_a_match_says_so(strategist_client, journey, agency):
    TacticFactory(agency=agency, name="Retired idea", is_active=False)
    for query in ("qqqqq", "retired"):
        response = strategist_client.get(
            _url("tactic_search", journey, "aware"), {"q": query}, headers=HX
        )
        assert response.status_code == 200
        assert "<html" not in response.text
        assert f"No library tactic matches “{query}”" in response.text
        assert _offered(response) == set()


# --- Adding tactics


def test_adding_a_library_tactic_returns_the_tactics_partial_and_an_event(
    strategist_client, journey
):
    tactic = _library("aware")[0]
    response = strategist_client.post(
        _url("tactic_add", journey, "aware"), {"tactic": tactic.pk}, headers=HX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="tactics"')
    assert tactic.name in response.text
    assert "journey-changed" in response["HX-Trigger"]
    assert [st.tactic_id for st in _live_tactics(journey, "aware")] == [tactic.pk]


def test_adding_a_custom_tactic_with_a_channel(strategist_client, journey):
    response = strategist_client.post(
        _url("tactic_add", journey, "engage"),
        {"custom_name": "  Local radio spot ", "channel": "events"},
        headers=HX,
    )
    assert response.status_code == 200
    assert "Local radio spot" in response.text
    assert "journey-changed" in response["HX-Trigger"]
    (added,) = _live_tactics(journey, "engage")
    assert (added.custom_name, added.channel, added.tactic_id) == (
        "Local radio spot",
        "events",
        None,
    )


def test_an_unknown_channel_is_ignored(strategist_client, journey):
    strategist_client.post(
        _url("tactic_add", journey, "engage"), {"custom_name": "Blog", "channel": "telepathy"}
    )
    (added,) = _live_tactics(journey, "engage")
    assert added.channel == ""


def test_adding_a_tactic_of_the_agencys_own_library(strategist_client, journey, agency):
    own = TacticFactory(agency=agency, name="Our own billboard")
    response = strategist_client.post(
        _url("tactic_add", journey, "aware"), {"tactic": own.pk}, headers=HX
    )
    assert response.status_code == 200
    assert [st.tactic_id for st in _live_tactics(journey, "aware")] == [own.pk]


def test_adding_a_tactic_from_another_stage_shows_an_error_and_adds_nothing(
    strategist_client, journey
):
    engage_tactic = _library("engage")[0]
    response = strategist_client.post(
        _url("tactic_add", journey, "aware"), {"tactic": engage_tactic.pk}, headers=HX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'role="alert"' in response.text
    assert "belongs to another stage, not Aware" in response.text
    assert "HX-Trigger" not in response
    assert StageTactic.all_objects.filter(journey_stage__journey=journey).count() == 0


def test_adding_another_agencys_tactic_is_a_404_and_adds_nothing(
    strategist_client, journey, other_agency_journey
):
    rival = TacticFactory(agency=other_agency_journey.business.agency, name="Rival secret")
    response = strategist_client.post(
        _url("tactic_add", journey, "aware"), {"tactic": rival.pk}, headers=HX
    )
    assert response.status_code == 404
    assert "Rival secret" not in response.text
    assert StageTactic.all_objects.filter(journey_stage__journey=journey).count() == 0


def test_an_archived_own_tactic_is_refused_with_a_clear_message(strategist_client, journey):
    own = TacticFactory(agency=journey.business.agency, name="Retired", is_active=False)
    response = strategist_client.post(
        _url("tactic_add", journey, "aware"), {"tactic": own.pk}, headers=HX
    )
    assert response.status_code == 200
    assert "not in your agency&#x27;s library" in response.text
    assert StageTactic.all_objects.filter(journey_stage__journey=journey).count() == 0


def test_adding_a_tactic_error_without_htmx_renders_the_full_page(strategist_client, journey):
    response = strategist_client.post(
        _url("tactic_add", journey, "aware"), {"tactic": _library("engage")[0].pk}
    )
    assert response.status_code == 422
    assert "<html" in response.text
    assert "belongs to another stage" in response.text


def test_adding_a_tactic_without_htmx_redirects_to_the_stage(strategist_client, journey):
    response = strategist_client.post(
        _url("tactic_add", journey, "convert"), {"custom_name": "Trial"}
    )
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=convert"
    assert len(_live_tactics(journey, "convert")) == 1


@pytest.mark.parametrize(
    ("custom_name", "message"),
    [("", "Name the tactic"), ("   ", "Name the tactic"), ("n" * 121, "under 120 characters")],
)
def test_a_custom_tactic_needs_a_sensible_name(strategist_client, journey, custom_name, message):
    response = strategist_client.post(
        _url("tactic_add", journey, "aware"), {"custom_name": custom_name}, headers=HX
    )
    assert response.status_code == 200
    assert message in response.text
    assert _live_tactics(journey, "aware") == []


@pytest.mark.parametrize("tactic", ["999999", "abc"])
def test_adding_an_unknown_tactic_is_404(strategist_client, journey, tactic):
    response = strategist_client.post(_url("tactic_add", journey, "aware"), {"tactic": tactic})
    assert response.status_code == 404


def test_double_posting_a_tactic_adds_it_once(strategist_client, journey):
    tactic = _library("aware")[0]
    url = _url("tactic_add", journey, "aware")
    first = strategist_client.post(url, {"tactic": tactic.pk}, headers=HX)
    second = strategist_client.post(url, {"tactic": tactic.pk}, headers=HX)
    strategist_client.post(url, {"custom_name": "Radio"}, headers=HX)
    strategist_client.post(url, {"custom_name": "radio "}, headers=HX)
    assert (first.status_code, second.status_code) == (200, 200)
    assert StageTactic.all_objects.filter(journey_stage__journey=journey).count() == 2


# --- Moving, reordering, removing tactics


@pytest.fixture
def three_tactics(journey) -> list[StageTactic]:
    entry = _entry(journey, "aware")
    return [tactic_add(journey_stage=entry, custom_name=name)[0] for name in ("A", "B", "C")]


def _order(journey: Journey, slug: str = "aware") -> list[str]:
    return [st.name for st in _live_tactics(journey, slug)]


def test_moving_a_tactic_up_swaps_it_with_its_neighbour(strategist_client, journey, three_tactics):
    response = strategist_client.post(
        _url("tactic_move", journey, three_tactics[2].pk), {"direction": "up"}, headers=HX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="tactics"')
    assert "journey-changed" in response["HX-Trigger"]
    assert _order(journey) == ["A", "C", "B"]


def test_moving_a_tactic_down_without_htmx_redirects(strategist_client, journey, three_tactics):
    response = strategist_client.post(
        _url("tactic_move", journey, three_tactics[0].pk), {"direction": "down"}
    )
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=aware"
    assert _order(journey) == ["B", "A", "C"]


def test_moving_the_first_tactic_up_changes_nothing(strategist_client, journey, three_tactics):
    strategist_client.post(
        _url("tactic_move", journey, three_tactics[0].pk), {"direction": "up"}, headers=HX
    )
    assert _order(journey) == ["A", "B", "C"]


@pytest.mark.parametrize(("direction", "index"), [("up", 2), ("down", 0)])
def test_a_moved_tactic_keeps_keyboard_focus_on_its_button(
    strategist_client, journey, three_tactics, direction, index
):
    moved = three_tactics[index]
    response = strategist_client.post(
        _url("tactic_move", journey, moved.pk), {"direction": direction}, headers=HX
    )
    focused = re.findall(r'<button id="([\w-]+)"[^>]*data-focus-after-swap', response.text)
    assert focused == [f"move-{direction}-{moved.pk}"]


def test_reordering_tactics_follows_the_posted_order(strategist_client, journey, three_tactics):
    a, b, c = three_tactics
    response = strategist_client.post(
        _url("tactic_reorder", journey, "aware"), {"order": [c.pk, a.pk, b.pk]}, headers=HX
    )
    assert response.status_code == 200
    assert "journey-changed" in response["HX-Trigger"]
    assert _order(journey) == ["C", "A", "B"]


def test_reordering_with_a_stale_list_shows_an_error(strategist_client, journey, three_tactics):
    a, b, _ = three_tactics
    response = strategist_client.post(
        _url("tactic_reorder", journey, "aware"), {"order": [b.pk, a.pk]}, headers=HX
    )
    assert response.status_code == 200
    assert "The list of tactics changed meanwhile" in response.text
    assert _order(journey) == ["A", "B", "C"]


def test_removing_a_tactic_offers_undo_and_restore_brings_it_back(
    strategist_client, journey, three_tactics
):
    removed = three_tactics[1]
    response = strategist_client.post(_url("tactic_remove", journey, removed.pk), headers=HX)
    assert response.status_code == 200
    assert "journey-changed" in response["HX-Trigger"]
    assert "Removed “B”." in response.text
    assert ">Undo</button>" in response.text
    assert _url("tactic_restore", journey, removed.pk) in response.text
    assert _order(journey) == ["A", "C"]

    restored = strategist_client.post(_url("tactic_restore", journey, removed.pk), headers=HX)
    assert restored.status_code == 200
    assert "journey-changed" in restored["HX-Trigger"]
    assert "Undo" not in restored.text
    assert _order(journey) == ["A", "B", "C"]


def test_removing_without_htmx_redirects_to_the_stage(strategist_client, journey, three_tactics):
    response = strategist_client.post(_url("tactic_remove", journey, three_tactics[0].pk))
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=aware"
    assert _order(journey) == ["B", "C"]


def test_a_removed_tactic_cannot_be_moved_or_removed_again(
    strategist_client, journey, three_tactics
):
    tactic_remove(stage_tactic=three_tactics[0])
    move = strategist_client.post(_url("tactic_move", journey, three_tactics[0].pk), headers=HX)
    remove = strategist_client.post(_url("tactic_remove", journey, three_tactics[0].pk), headers=HX)
    assert (move.status_code, remove.status_code) == (404, 404)


def test_tactic_ids_of_another_journey_are_404(strategist_client, journey, sibling_journey):
    foreign, _ = tactic_add(journey_stage=_entry(sibling_journey, "aware"), custom_name="Theirs")
    for name in ("tactic_move", "tactic_remove", "tactic_restore"):
        response = strategist_client.post(_url(name, journey, foreign.pk), headers=HX)
        assert response.status_code == 404, name
    foreign.refresh_from_db()
    assert foreign.removed_at is None


# --- Offers in a stage


def test_attaching_a_lead_magnet_at_subscribe(strategist_client, journey, lead_magnet):
    response = strategist_client.post(
        _url("offer_attach", journey, "subscribe"), {"offer": lead_magnet.pk}, headers=HX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="offers"')
    assert "Free checklist" in response.text
    assert "journey-changed" in response["HX-Trigger"]
    assert StageOffer.objects.filter(
        journey_stage=_entry(journey, "subscribe"), offer=lead_magnet
    ).exists()


def test_attaching_an_offer_twice_attaches_it_once(strategist_client, journey, lead_magnet):
    url = _url("offer_attach", journey, "subscribe")
    strategist_client.post(url, {"offer": lead_magnet.pk}, headers=HX)
    strategist_client.post(url, {"offer": lead_magnet.pk}, headers=HX)
    assert StageOffer.objects.filter(offer=lead_magnet).count() == 1


def test_attaching_a_core_offer_at_subscribe_is_a_clear_error(strategist_client, journey):
    response = strategist_client.post(
        _url("offer_attach", journey, "subscribe"), {"offer": journey.core_offer_id}, headers=HX
    )
    assert response.status_code == 200
    assert "The Subscribe stage takes a lead magnet, not a core offer." in response.text
    assert not StageOffer.objects.exists()


def test_attaching_the_wrong_kind_without_htmx_renders_the_page_with_the_error(
    strategist_client, journey
):
    response = strategist_client.post(
        _url("offer_attach", journey, "subscribe"), {"offer": journey.core_offer_id}
    )
    assert response.status_code == 422
    assert "<html" in response.text
    assert "The Subscribe stage takes a lead magnet, not a core offer." in response.text
    assert not StageOffer.objects.exists()


def test_attaching_an_offer_where_the_stage_takes_none_is_an_error(
    strategist_client, journey, lead_magnet
):
    response = strategist_client.post(
        _url("offer_attach", journey, "aware"), {"offer": lead_magnet.pk}, headers=HX
    )
    assert response.status_code == 200
    assert "The Aware stage carries tactics, not offers." in response.text
    assert not StageOffer.objects.exists()


def test_attaching_an_offer_of_another_business_is_404(
    strategist_client, journey, other_agency_journey
):
    sibling_offer = OfferFactory(
        business=BusinessFactory(agency=journey.business.agency), kind="lead_magnet"
    )
    rival_offer = OfferFactory(business=other_agency_journey.business, kind="lead_magnet")
    for offer_id in (sibling_offer.pk, rival_offer.pk, "abc", ""):
        response = strategist_client.post(
            _url("offer_attach", journey, "subscribe"), {"offer": offer_id}, headers=HX
        )
        assert response.status_code == 404, offer_id
    assert not StageOffer.objects.exists()


def test_attaching_without_htmx_redirects_to_the_stage(strategist_client, journey, lead_magnet):
    response = strategist_client.post(
        _url("offer_attach", journey, "subscribe"), {"offer": lead_magnet.pk}
    )
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=subscribe"


def _new_offer(**values: str) -> dict[str, str]:
    fields = {"name": "Starter kit", "kind": "entry_point", "price": "19", "currency": "USD"}
    fields.update(values)
    return {f"new-offer-{key}": value for key, value in fields.items()}


def test_creating_an_offer_inline_attaches_it(strategist_client, journey):
    response = strategist_client.post(
        _url("stage_offer_create", journey, "convert"), _new_offer(), headers=HX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="offers"')
    assert "Starter kit" in response.text
    assert "journey-changed" in response["HX-Trigger"]
    offer = Offer.objects.get(name="Starter kit")
    assert offer.business_id == journey.business_id
    assert StageOffer.objects.filter(journey_stage=_entry(journey, "convert"), offer=offer).exists()


def test_creating_an_offer_inline_keeps_its_billing_period(strategist_client, journey):
    response = strategist_client.post(
        _url("stage_offer_create", journey, "ascend"),
        _new_offer(name="Care plan", kind="ascension", billing_period="monthly"),
        headers=HX,
    )
    assert "journey-changed" in response["HX-Trigger"]
    assert Offer.objects.get(name="Care plan").billing_period == "monthly"
    page = strategist_client.get(_url("journey_editor", journey), {"stage": "ascend"}).text
    assert 'name="new-offer-billing_period"' in page


def test_creating_an_offer_inline_with_a_negative_price_shows_the_form_error(
    strategist_client, journey
):
    response = strategist_client.post(
        _url("stage_offer_create", journey, "convert"), _new_offer(price="-3"), headers=HX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "greater than or equal to 0" in response.text
    assert 'value="Starter kit"' in response.text
    assert not Offer.objects.filter(name="Starter kit").exists()


def test_creating_an_invalid_offer_inline_without_htmx_renders_the_page(strategist_client, journey):
    response = strategist_client.post(
        _url("stage_offer_create", journey, "convert"), _new_offer(price="-3")
    )
    assert response.status_code == 422
    assert "<html" in response.text
    assert "greater than or equal to 0" in response.text


def test_creating_an_offer_of_the_wrong_kind_for_the_stage_is_an_error(strategist_client, journey):
    response = strategist_client.post(
        _url("stage_offer_create", journey, "convert"), _new_offer(kind="referral"), headers=HX
    )
    assert response.status_code == 200
    assert (
        "The Convert stage takes an entry-point offer, not a referral incentive." in response.text
    )
    assert not Offer.objects.filter(name="Starter kit").exists()


@pytest.fixture
def ladder(journey) -> list[StageOffer]:
    """The Ascend ladder: the core offer, then two upsells."""
    entry = _entry(journey, "ascend")
    upsells = [
        OfferFactory(business=journey.business, kind="ascension", name=name)
        for name in ("Upsell 1", "Upsell 2")
    ]
    return [
        offer_attach(journey_stage=entry, offer=offer)[0]
        for offer in (journey.core_offer, *upsells)
    ]


def _ladder(journey: Journey) -> list[int]:
    return list(
        StageOffer.objects.filter(journey_stage=_entry(journey, "ascend"))
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )


def test_moving_an_offer_down_the_ladder(strategist_client, journey, ladder):
    core, first, second = ladder
    response = strategist_client.post(
        _url("offer_move", journey, core.pk), {"direction": "down"}, headers=HX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="offers"')
    assert "journey-changed" in response["HX-Trigger"]
    assert _ladder(journey) == [first.pk, core.pk, second.pk]


def test_reordering_the_ladder_follows_the_posted_order(strategist_client, journey, ladder):
    core, first, second = ladder
    response = strategist_client.post(
        _url("offer_reorder", journey, "ascend"),
        {"order": [second.pk, core.pk, first.pk]},
        headers=HX,
    )
    assert response.status_code == 200
    assert _ladder(journey) == [second.pk, core.pk, first.pk]


def test_reordering_the_ladder_with_a_stale_list_shows_an_error(strategist_client, journey, ladder):
    response = strategist_client.post(
        _url("offer_reorder", journey, "ascend"), {"order": [ladder[1].pk]}, headers=HX
    )
    assert response.status_code == 200
    assert "The list of offers changed meanwhile" in response.text
    assert _ladder(journey) == [so.pk for so in ladder]


def test_detaching_an_offer_keeps_the_offer(strategist_client, journey, ladder):
    response = strategist_client.post(_url("offer_detach", journey, ladder[1].pk), headers=HX)
    assert response.status_code == 200
    assert "journey-changed" in response["HX-Trigger"]
    assert _ladder(journey) == [ladder[0].pk, ladder[2].pk]
    assert Offer.objects.filter(pk=ladder[1].offer_id).exists()


def test_offer_moves_and_detach_without_htmx_redirect(strategist_client, journey, ladder):
    move = strategist_client.post(_url("offer_move", journey, ladder[0].pk), {"direction": "down"})
    detach = strategist_client.post(_url("offer_detach", journey, ladder[0].pk))
    expected = _url("journey_editor", journey) + "?stage=ascend"
    assert (move.status_code, move.url) == (302, expected)
    assert (detach.status_code, detach.url) == (302, expected)


def test_stage_offer_ids_of_another_journey_are_404(strategist_client, journey, sibling_journey):
    foreign, _ = offer_attach(
        journey_stage=_entry(sibling_journey, "ascend"), offer=sibling_journey.core_offer
    )
    for name in ("offer_move", "offer_detach"):
        response = strategist_client.post(_url(name, journey, foreign.pk), headers=HX)
        assert response.status_code == 404, name
    assert StageOffer.objects.filter(pk=foreign.pk).exists()


# --- The session clock


def test_starting_the_session_clock(strategist_client, journey):
    response = strategist_client.post(
        _url("journey_session", journey), {"stage": "engage"}, headers=HX
    )
    journey.refresh_from_db()
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="session"')
    assert 'data-running="1"' in response.text
    assert ">Pause</button>" in response.text
    assert journey.session_running_since is not None
    assert journey.status == "in_session"


def test_pausing_the_session_clock_banks_the_time(strategist_client, journey):
    Journey.objects.filter(pk=journey.pk).update(
        session_running_since=timezone.now() - timedelta(minutes=20)
    )
    response = strategist_client.post(_url("journey_session", journey), headers=HX)
    journey.refresh_from_db()
    assert journey.session_running_since is None
    assert 1200 <= journey.session_elapsed_seconds < 1260
    assert ">Resume</button>" in response.text
    assert 'name="action" value="reset"' in response.text
    assert "0:20:0" in response.text


def test_resetting_the_session_clock(strategist_client, journey):
    Journey.objects.filter(pk=journey.pk).update(session_elapsed_seconds=900)
    response = strategist_client.post(
        _url("journey_session", journey), {"action": "reset"}, headers=HX
    )
    journey.refresh_from_db()
    assert journey.session_elapsed_seconds == 0
    assert journey.session_running_since is None
    assert ">Start session</button>" in response.text


def test_the_session_clock_without_htmx_redirects_to_the_stage(strategist_client, journey):
    response = strategist_client.post(_url("journey_session", journey), {"stage": "convert"})
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=convert"


# --- Escaping


def test_html_in_fields_is_stored_verbatim_and_shown_escaped(strategist_client, journey):
    saved = _autosave(
        strategist_client, journey, target="stage:aware", field="goal", value=XSS, base=""
    )
    added = strategist_client.post(
        _url("tactic_add", journey, "aware"), {"custom_name": XSS}, headers=HX
    )
    assert saved.status_code == 200
    assert _entry(journey, "aware").goal == XSS
    assert _live_tactics(journey, "aware")[0].custom_name == XSS
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escaped in added.text
    assert "<script>alert(1)" not in added.text

    for url in (_url("journey_editor", journey), _url("journey_present", journey)):
        page = strategist_client.get(url, {"stage": "aware"})
        assert page.text.count(escaped) >= 2, url
        assert "<script>alert(1)" not in page.text, url


def test_html_in_a_removed_tactics_undo_bar_is_escaped(strategist_client, journey):
    stage_tactic, _ = tactic_add(journey_stage=_entry(journey, "aware"), custom_name=XSS)
    response = strategist_client.post(_url("tactic_remove", journey, stage_tactic.pk), headers=HX)
    assert "Removed “&lt;script&gt;" in response.text
    assert "<script>alert(1)" not in response.text


# --- Query budgets


def _fill(journey: Journey, per_stage: int) -> None:
    for entry in JourneyStage.objects.filter(journey=journey).select_related("stage", "journey"):
        library = _library(entry.stage.slug)
        for n in range(per_stage):
            if n % 2 == 0 and n // 2 < len(library):
                tactic_add(journey_stage=entry, tactic=library[n // 2], channel="email")
            else:
                tactic_add(journey_stage=entry, custom_name=f"Custom {n}", notes="Some notes")


def test_the_editor_page_costs_the_same_queries_for_1_or_80_tactics(
    strategist_client, journey, strategist, django_assert_num_queries
):
    tactic_add(journey_stage=_entry(journey, "aware"), tactic=_library("aware")[0])
    big = make_journey(business=journey.business, owner=strategist.user, title="Big")
    _fill(big, per_stage=10)
    assert StageTactic.objects.filter(journey_stage__journey=big).count() == 80
    for target in (journey, big):  # warm up anything cached once per process
        strategist_client.get(_url("journey_editor", target))

    with CaptureQueriesContext(connection) as small_queries:
        small = strategist_client.get(_url("journey_editor", journey))
    assert small.status_code == 200
    assert len(small_queries) <= 10  # the budget named in the production issue
    with django_assert_num_queries(len(small_queries)):
        response = strategist_client.get(_url("journey_editor", big), {"stage": "ascend"})
    assert response.status_code == 200
    assert response.text.count('class="tactic-item"') == 10
    assert "10 tactics" in response.text


def test_one_autosave_costs_a_small_fixed_number_of_queries(
    strategist_client, journey, django_assert_num_queries
):
    # The budget of issue 16 is 4: the session; the user; the stage row with the editing right
    # in one query; the compare-and-set with the journey version bump in one statement.
    with django_assert_num_queries(4):
        response = _autosave(
            strategist_client, journey, target="stage:aware", field="goal", value="Hi", base=""
        )
    assert response.status_code == 200
    assert response.json()["status"] == "saved"


# --- Access control


def _editor_endpoints(journey: Journey, tactic_pk: int, stage_offer_pk: int):
    """Every editor endpoint as (method, url, data) for `journey`."""
    slug = "ascend"
    return [
        ("get", _url("journey_editor", journey), {}),
        ("get", _url("journey_present", journey), {}),
        ("get", _url("journey_rail", journey), {}),
        ("get", _url("journey_stage", journey, slug), {}),
        ("get", _url("tactic_search", journey, slug), {"q": ""}),
        (
            "post",
            _url("journey_autosave", journey),
            {"target": "journey", "field": "title", "value": "Hijacked", "base": journey.title},
        ),
        ("post", _url("journey_session", journey), {}),
        ("post", _url("stage_save", journey, slug), {"goal": "Hijacked"}),
        ("post", _url("tactic_add", journey, slug), {"custom_name": "Hijacked"}),
        ("post", _url("tactic_reorder", journey, slug), {"order": [tactic_pk]}),
        ("post", _url("tactic_move", journey, tactic_pk), {"direction": "down"}),
        ("post", _url("tactic_remove", journey, tactic_pk), {}),
        ("post", _url("tactic_restore", journey, tactic_pk), {}),
        ("post", _url("offer_attach", journey, slug), {"offer": journey.core_offer_id}),
        ("post", _url("stage_offer_create", journey, slug), _new_offer(kind="ascension")),
        ("post", _url("offer_reorder", journey, slug), {"order": [stage_offer_pk]}),
        ("post", _url("offer_move", journey, stage_offer_pk), {"direction": "up"}),
        ("post", _url("offer_detach", journey, stage_offer_pk), {}),
    ]


def _seeded(journey: Journey) -> tuple[int, int]:
    entry = _entry(journey, "ascend")
    stage_tactic, _ = tactic_add(journey_stage=entry, custom_name="Existing")
    stage_offer, _ = offer_attach(journey_stage=entry, offer=journey.core_offer)
    return stage_tactic.pk, stage_offer.pk


def _untouched(journey: Journey, tactic_pk: int, stage_offer_pk: int) -> None:
    journey.refresh_from_db()
    assert journey.title != "Hijacked"
    assert journey.session_running_since is None
    assert _entry(journey, "ascend").goal == ""
    assert StageTactic.objects.filter(pk=tactic_pk).exists()
    assert StageTactic.all_objects.filter(journey_stage__journey=journey).count() == 1
    assert StageOffer.objects.filter(pk=stage_offer_pk).exists()
    assert not Offer.objects.filter(name="Starter kit").exists()


def test_every_editor_endpoint_is_404_for_another_agencys_journey(
    strategist_client, other_agency_journey
):
    ids = _seeded(other_agency_journey)
    for method, url, data in _editor_endpoints(other_agency_journey, *ids):
        for headers in ({}, HX):
            response = getattr(strategist_client, method)(url, data, headers=headers)
            assert response.status_code == 404, (method, url, headers)
    _untouched(other_agency_journey, *ids)


def test_every_stage_endpoint_is_404_for_an_unknown_stage(strategist_client, journey):
    for name in (
        "journey_stage",
        "tactic_search",
        "stage_save",
        "tactic_add",
        "tactic_reorder",
        "offer_attach",
        "stage_offer_create",
        "offer_reorder",
    ):
        method = "get" if name in ("journey_stage", "tactic_search") else "post"
        url = _url(name, journey, "nope")
        response = getattr(strategist_client, method)(url, {"custom_name": "x"}, headers=HX)
        assert response.status_code == 404, name
    assert not StageTactic.all_objects.exists()


def test_a_client_gets_404_on_every_editor_endpoint(client, client_member, journey):
    ids = _seeded(journey)
    client.force_login(client_member.user)
    for method, url, data in _editor_endpoints(journey, *ids):
        response = getattr(client, method)(url, data, headers=HX)
        assert response.status_code == 404, (method, url)
    _untouched(journey, *ids)


def test_anonymous_visitors_are_sent_to_login_from_every_editor_endpoint(client, journey):
    ids = _seeded(journey)
    login = reverse("login")
    for method, url, data in _editor_endpoints(journey, *ids):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(f"{login}?next="), (method, url)
    _untouched(journey, *ids)


def test_editor_get_endpoints_refuse_post_and_post_endpoints_refuse_get(strategist_client, journey):
    ids = _seeded(journey)
    for method, url, _ in _editor_endpoints(journey, *ids):
        other = "post" if method == "get" else "get"
        assert getattr(strategist_client, other)(url).status_code == 405, (other, url)


def test_editor_posts_need_a_csrf_token(strategist, journey):
    ids = _seeded(journey)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(strategist.user)
    posts = [e for e in _editor_endpoints(journey, *ids) if e[0] == "post"]
    for _, url, data in posts:
        for headers in (HX, AUTOSAVE, {}):
            assert csrf_client.post(url, data, headers=headers).status_code == 403, url
    _untouched(journey, *ids)

    page = csrf_client.get(_url("journey_editor", journey))
    token = str(page.context["csrf_token"])
    response = csrf_client.post(
        _url("journey_autosave", journey),
        {"target": "stage:aware", "field": "goal", "value": "With token", "base": ""},
        headers={**AUTOSAVE, "X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert _entry(journey, "aware").goal == "With token"
