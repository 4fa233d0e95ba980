"""The journey editor: offers in a stage (attach, create inline, ladder) and the session clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from journeys.models import Journey, Offer, StageOffer
from journeys.services import offer_attach
from tests.clients import HTMX_HEADERS
from tests.factories import BusinessFactory, OfferFactory
from tests.journeys.editor_support import (
    _entry,
    _new_offer,
    _url,
)

pytestmark = pytest.mark.django_db


# --- Offers in a stage


def test_attaching_a_lead_magnet_at_subscribe(htmx_client, journey, lead_magnet):
    response = htmx_client.post(
        _url("offer_attach", journey, "subscribe"), {"offer": lead_magnet.pk}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="offers"')
    assert "Free checklist" in response.text
    assert "journey-changed" in response["HX-Trigger"]
    assert StageOffer.objects.filter(
        journey_stage=_entry(journey, "subscribe"), offer=lead_magnet
    ).exists()


def test_attaching_an_offer_twice_attaches_it_once(htmx_client, journey, lead_magnet):
    url = _url("offer_attach", journey, "subscribe")
    htmx_client.post(url, {"offer": lead_magnet.pk})
    htmx_client.post(url, {"offer": lead_magnet.pk})
    assert StageOffer.objects.filter(offer=lead_magnet).count() == 1


def test_attaching_a_core_offer_at_subscribe_is_a_clear_error(htmx_client, journey):
    response = htmx_client.post(
        _url("offer_attach", journey, "subscribe"),
        {"offer": journey.core_offer_id},
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
    htmx_client, journey, lead_magnet
):
    response = htmx_client.post(_url("offer_attach", journey, "aware"), {"offer": lead_magnet.pk})
    assert response.status_code == 200
    assert "The Aware stage carries tactics, not offers." in response.text
    assert not StageOffer.objects.exists()


def test_attaching_an_offer_of_another_business_is_404(htmx_client, journey, other_agency_journey):
    sibling_offer = OfferFactory(
        business=BusinessFactory(agency=journey.business.agency), kind="lead_magnet"
    )
    rival_offer = OfferFactory(business=other_agency_journey.business, kind="lead_magnet")
    for offer_id in (sibling_offer.pk, rival_offer.pk, "abc", ""):
        response = htmx_client.post(_url("offer_attach", journey, "subscribe"), {"offer": offer_id})
        assert response.status_code == 404, offer_id
    assert not StageOffer.objects.exists()


def test_attaching_without_htmx_redirects_to_the_stage(strategist_client, journey, lead_magnet):
    response = strategist_client.post(
        _url("offer_attach", journey, "subscribe"), {"offer": lead_magnet.pk}
    )
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=subscribe"


def test_creating_an_offer_inline_attaches_it(htmx_client, journey):
    response = htmx_client.post(_url("stage_offer_create", journey, "convert"), _new_offer())
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
        headers=HTMX_HEADERS,
    )
    assert "journey-changed" in response["HX-Trigger"]
    assert Offer.objects.get(name="Care plan").billing_period == "monthly"
    page = strategist_client.get(_url("journey_editor", journey), {"stage": "ascend"}).text
    assert 'name="new-offer-billing_period"' in page


def test_creating_an_offer_inline_with_a_negative_price_shows_the_form_error(htmx_client, journey):
    response = htmx_client.post(
        _url("stage_offer_create", journey, "convert"), _new_offer(price="-3")
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


def test_creating_an_offer_of_the_wrong_kind_for_the_stage_is_an_error(htmx_client, journey):
    response = htmx_client.post(
        _url("stage_offer_create", journey, "convert"),
        _new_offer(kind="referral"),
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


def test_moving_an_offer_down_the_ladder(htmx_client, journey, ladder):
    core, first, second = ladder
    response = htmx_client.post(_url("offer_move", journey, core.pk), {"direction": "down"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="offers"')
    assert "journey-changed" in response["HX-Trigger"]
    assert _ladder(journey) == [first.pk, core.pk, second.pk]


def test_reordering_the_ladder_follows_the_posted_order(htmx_client, journey, ladder):
    core, first, second = ladder
    response = htmx_client.post(
        _url("offer_reorder", journey, "ascend"),
        {"order": [second.pk, core.pk, first.pk]},
    )
    assert response.status_code == 200
    assert _ladder(journey) == [second.pk, core.pk, first.pk]


def test_reordering_the_ladder_with_a_stale_list_shows_an_error(htmx_client, journey, ladder):
    response = htmx_client.post(_url("offer_reorder", journey, "ascend"), {"order": [ladder[1].pk]})
    assert response.status_code == 200
    assert "The list of offers changed meanwhile" in response.text
    assert _ladder(journey) == [so.pk for so in ladder]


def test_detaching_an_offer_keeps_the_offer(htmx_client, journey, ladder):
    response = htmx_client.post(_url("offer_detach", journey, ladder[1].pk))
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


def test_stage_offer_ids_of_another_journey_are_404(htmx_client, journey, sibling_journey):
    foreign, _ = offer_attach(
        journey_stage=_entry(sibling_journey, "ascend"), offer=sibling_journey.core_offer
    )
    for name in ("offer_move", "offer_detach"):
        response = htmx_client.post(_url(name, journey, foreign.pk))
        assert response.status_code == 404, name
    assert StageOffer.objects.filter(pk=foreign.pk).exists()


# --- The session clock


def test_starting_the_session_clock(htmx_client, journey):
    response = htmx_client.post(_url("journey_session", journey), {"stage": "engage"})
    journey.refresh_from_db()
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="session"')
    assert 'data-running="1"' in response.text
    assert ">Pause</button>" in response.text
    assert journey.session_running_since is not None
    assert journey.status == "in_session"


def test_pausing_the_session_clock_banks_the_time(htmx_client, journey):
    Journey.objects.filter(pk=journey.pk).update(
        session_running_since=timezone.now() - timedelta(minutes=20)
    )
    response = htmx_client.post(_url("journey_session", journey))
    journey.refresh_from_db()
    assert journey.session_running_since is None
    assert 1200 <= journey.session_elapsed_seconds < 1260
    assert ">Resume</button>" in response.text
    assert 'name="action" value="reset"' in response.text
    assert "0:20:0" in response.text


def test_resetting_the_session_clock(htmx_client, journey):
    Journey.objects.filter(pk=journey.pk).update(session_elapsed_seconds=900)
    response = htmx_client.post(_url("journey_session", journey), {"action": "reset"})
    journey.refresh_from_db()
    assert journey.session_elapsed_seconds == 0
    assert journey.session_running_since is None
    assert ">Start session</button>" in response.text


def test_the_session_clock_without_htmx_redirects_to_the_stage(strategist_client, journey):
    response = strategist_client.post(_url("journey_session", journey), {"stage": "convert"})
    assert response.status_code == 302
    assert response.url == _url("journey_editor", journey) + "?stage=convert"
