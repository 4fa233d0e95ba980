"""The journey editor: library search, adding, moving, reordering and removing tactics."""

from __future__ import annotations

import re

import pytest

from journeys.models import Journey, StageTactic
from journeys.services import tactic_add, tactic_remove
from tests.factories import BusinessFactory, TacticFactory
from tests.journeys.editor_support import (
    _entry,
    _library,
    _live_tactics,
    _url,
)

pytestmark = pytest.mark.django_db


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
    htmx_client, journey, library_scope
):
    response = htmx_client.get(_url("tactic_search", journey, "aware"))

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


def test_tactic_search_filters_by_the_query(htmx_client, journey, agency):
    zeppelin = TacticFactory(agency=agency, name="Zeppelin banner")
    response = htmx_client.get(_url("tactic_search", journey, "aware"), {"q": "zeppelin"})
    assert response.status_code == 200
    assert _offered(response) == {zeppelin.pk}


def test_tactic_search_without_a_match_says_so(htmx_client, journey, agency):
    TacticFactory(agency=agency, name="Retired idea", is_active=False)
    for query in ("qqqqq", "retired"):
        response = htmx_client.get(_url("tactic_search", journey, "aware"), {"q": query})
        assert response.status_code == 200
        assert "<html" not in response.text
        assert f"No library tactic matches “{query}”" in response.text
        assert _offered(response) == set()


# --- Adding tactics


def test_adding_a_library_tactic_returns_the_tactics_partial_and_an_event(htmx_client, journey):
    tactic = _library("aware")[0]
    response = htmx_client.post(_url("tactic_add", journey, "aware"), {"tactic": tactic.pk})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="tactics"')
    assert tactic.name in response.text
    assert "journey-changed" in response["HX-Trigger"]
    assert [st.tactic_id for st in _live_tactics(journey, "aware")] == [tactic.pk]


def test_adding_a_custom_tactic_with_a_channel(htmx_client, journey):
    response = htmx_client.post(
        _url("tactic_add", journey, "engage"),
        {"custom_name": "  Local radio spot ", "channel": "events"},
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


def test_adding_a_tactic_of_the_agencys_own_library(htmx_client, journey, agency):
    own = TacticFactory(agency=agency, name="Our own billboard")
    response = htmx_client.post(_url("tactic_add", journey, "aware"), {"tactic": own.pk})
    assert response.status_code == 200
    assert [st.tactic_id for st in _live_tactics(journey, "aware")] == [own.pk]


def test_adding_a_tactic_from_another_stage_shows_an_error_and_adds_nothing(htmx_client, journey):
    engage_tactic = _library("engage")[0]
    response = htmx_client.post(_url("tactic_add", journey, "aware"), {"tactic": engage_tactic.pk})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'role="alert"' in response.text
    assert "belongs to another stage, not Aware" in response.text
    assert "HX-Trigger" not in response
    assert StageTactic.all_objects.filter(journey_stage__journey=journey).count() == 0


def test_adding_another_agencys_tactic_is_a_404_and_adds_nothing(
    htmx_client, journey, other_agency_journey
):
    rival = TacticFactory(agency=other_agency_journey.business.agency, name="Rival secret")
    response = htmx_client.post(_url("tactic_add", journey, "aware"), {"tactic": rival.pk})
    assert response.status_code == 404
    assert "Rival secret" not in response.text
    assert StageTactic.all_objects.filter(journey_stage__journey=journey).count() == 0


def test_an_archived_own_tactic_is_refused_with_a_clear_message(htmx_client, journey):
    own = TacticFactory(agency=journey.business.agency, name="Retired", is_active=False)
    response = htmx_client.post(_url("tactic_add", journey, "aware"), {"tactic": own.pk})
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
def test_a_custom_tactic_needs_a_sensible_name(htmx_client, journey, custom_name, message):
    response = htmx_client.post(_url("tactic_add", journey, "aware"), {"custom_name": custom_name})
    assert response.status_code == 200
    assert message in response.text
    assert _live_tactics(journey, "aware") == []


@pytest.mark.parametrize("tactic", ["999999", "abc"])
def test_adding_an_unknown_tactic_is_404(strategist_client, journey, tactic):
    response = strategist_client.post(_url("tactic_add", journey, "aware"), {"tactic": tactic})
    assert response.status_code == 404


def test_double_posting_a_tactic_adds_it_once(htmx_client, journey):
    tactic = _library("aware")[0]
    url = _url("tactic_add", journey, "aware")
    first = htmx_client.post(url, {"tactic": tactic.pk})
    second = htmx_client.post(url, {"tactic": tactic.pk})
    htmx_client.post(url, {"custom_name": "Radio"})
    htmx_client.post(url, {"custom_name": "radio "})
    assert (first.status_code, second.status_code) == (200, 200)
    assert StageTactic.all_objects.filter(journey_stage__journey=journey).count() == 2


# --- Moving, reordering, removing tactics


@pytest.fixture
def three_tactics(journey) -> list[StageTactic]:
    entry = _entry(journey, "aware")
    return [tactic_add(journey_stage=entry, custom_name=name)[0] for name in ("A", "B", "C")]


def _order(journey: Journey, slug: str = "aware") -> list[str]:
    return [st.name for st in _live_tactics(journey, slug)]


def test_moving_a_tactic_up_swaps_it_with_its_neighbour(htmx_client, journey, three_tactics):
    response = htmx_client.post(
        _url("tactic_move", journey, three_tactics[2].pk), {"direction": "up"}
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


def test_moving_the_first_tactic_up_changes_nothing(htmx_client, journey, three_tactics):
    htmx_client.post(_url("tactic_move", journey, three_tactics[0].pk), {"direction": "up"})
    assert _order(journey) == ["A", "B", "C"]


@pytest.mark.parametrize(("direction", "index"), [("up", 2), ("down", 0)])
def test_a_moved_tactic_keeps_keyboard_focus_on_its_button(
    htmx_client, journey, three_tactics, direction, index
):
    moved = three_tactics[index]
    response = htmx_client.post(_url("tactic_move", journey, moved.pk), {"direction": direction})
    focused = re.findall(r'<button id="([\w-]+)"[^>]*data-focus-after-swap', response.text)
    assert focused == [f"move-{direction}-{moved.pk}"]


def test_reordering_tactics_follows_the_posted_order(htmx_client, journey, three_tactics):
    a, b, c = three_tactics
    response = htmx_client.post(
        _url("tactic_reorder", journey, "aware"),
        {"order": [c.pk, a.pk, b.pk]},
    )
    assert response.status_code == 200
    assert "journey-changed" in response["HX-Trigger"]
    assert _order(journey) == ["C", "A", "B"]


def test_reordering_with_a_stale_list_shows_an_error(htmx_client, journey, three_tactics):
    a, b, _ = three_tactics
    response = htmx_client.post(_url("tactic_reorder", journey, "aware"), {"order": [b.pk, a.pk]})
    assert response.status_code == 200
    assert "The list of tactics changed meanwhile" in response.text
    assert _order(journey) == ["A", "B", "C"]


def test_removing_a_tactic_offers_undo_and_restore_brings_it_back(
    htmx_client, journey, three_tactics
):
    removed = three_tactics[1]
    response = htmx_client.post(_url("tactic_remove", journey, removed.pk))
    assert response.status_code == 200
    assert "journey-changed" in response["HX-Trigger"]
    assert "Removed “B”." in response.text
    assert ">Undo</button>" in response.text
    assert _url("tactic_restore", journey, removed.pk) in response.text
    assert _order(journey) == ["A", "C"]

    restored = htmx_client.post(_url("tactic_restore", journey, removed.pk))
    assert restored.status_code == 200
    assert "journey-changed" in restored["HX-Trigger"]
    assert "Undo" not in restored.text
    assert _order(journey) == ["A", "B", "C"]


def test_removing_without_htmx_redirects_to_the_stage(strategist_client, journey, three_tactics):
    response = strategist_client.post(_url("tactic_remove", journey, three_tactics[0].pk))
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=aware"
    assert _order(journey) == ["B", "C"]


def test_a_removed_tactic_cannot_be_moved_or_removed_again(htmx_client, journey, three_tactics):
    tactic_remove(stage_tactic=three_tactics[0])
    move = htmx_client.post(_url("tactic_move", journey, three_tactics[0].pk))
    remove = htmx_client.post(_url("tactic_remove", journey, three_tactics[0].pk))
    assert (move.status_code, remove.status_code) == (404, 404)


def test_tactic_ids_of_another_journey_are_404(htmx_client, journey, sibling_journey):
    foreign, _ = tactic_add(journey_stage=_entry(sibling_journey, "aware"), custom_name="Theirs")
    for name in ("tactic_move", "tactic_remove", "tactic_restore"):
        response = htmx_client.post(_url(name, journey, foreign.pk))
        assert response.status_code == 404, name
    foreign.refresh_from_db()
    assert foreign.removed_at is None
