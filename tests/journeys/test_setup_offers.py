"""Client set-up pages: offers, the new-journey form, access control and CSRF."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cvj.models import Role
from journeys.models import Business, Journey, JourneyStage, Offer, Persona
from stages.models import STAGE_SLUGS
from tests.clients import HTMX_HEADERS
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    OfferFactory,
    PersonaFactory,
)
from tests.journeys.setup_support import (
    _offer_post,
    _persona_post,
)

pytestmark = pytest.mark.django_db


# --- Offers


def test_creating_an_offer_with_htmx_returns_the_offers_section(htmx_client, business):
    response = htmx_client.post(reverse("offer_create", args=[business.pk]), _offer_post("offer"))
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="offers"')
    assert Offer.objects.filter(business=business, name="Free checklist").exists()


def test_creating_an_offer_without_htmx_redirects(strategist_client, business):
    response = strategist_client.post(
        reverse("offer_create", args=[business.pk]), _offer_post("offer", currency="eur")
    )
    assert response.status_code == 302
    offer = Offer.objects.get(business=business, name="Free checklist")
    assert offer.currency == "EUR"


def test_an_offer_with_a_negative_price_gets_a_field_error(htmx_client, business):
    response = htmx_client.post(
        reverse("offer_create", args=[business.pk]),
        _offer_post("offer", price="-5"),
    )
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.text
    assert not Offer.objects.filter(business=business).exists()


def test_an_invalid_offer_without_htmx_renders_the_full_page(strategist_client, business):
    response = strategist_client.post(
        reverse("offer_create", args=[business.pk]), _offer_post("offer", currency="US1")
    )
    assert response.status_code == 200
    assert "<html" in response.text
    assert "three-letter currency code" in response.text
    assert not Offer.objects.filter(business=business).exists()


def test_offer_edit_form_is_a_partial_for_htmx_and_a_page_otherwise(strategist_client, journey):
    url = reverse("offer_edit", args=[journey.core_offer_id])

    partial = strategist_client.get(url, headers=HTMX_HEADERS)
    page = strategist_client.get(url)

    assert partial.status_code == page.status_code == 200
    assert "<html" not in partial.text
    assert partial.text.lstrip().startswith("<form")
    assert "<html" in page.text
    assert "Edit offer" in page.text


def test_editing_an_offer_saves_it(strategist_client, journey):
    offer = journey.core_offer
    data = _offer_post(f"o{offer.pk}", name="Premium plan", kind="core", price="199.50")

    htmx = strategist_client.post(
        reverse("offer_edit", args=[offer.pk]), data, headers=HTMX_HEADERS
    )
    offer.refresh_from_db()
    plain = strategist_client.post(reverse("offer_edit", args=[offer.pk]), data)

    assert htmx.status_code == 200
    assert 'id="offers"' in htmx.text
    assert "<html" not in htmx.text
    assert (offer.name, offer.price) == ("Premium plan", Decimal("199.50"))
    assert plain.status_code == 302


def test_editing_an_offer_to_a_negative_price_gets_a_field_error(strategist_client, journey):
    offer = journey.core_offer
    response = strategist_client.post(
        reverse("offer_edit", args=[offer.pk]),
        _offer_post(f"o{offer.pk}", kind="core", price="-1"),
    )
    offer.refresh_from_db()
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.text
    assert offer.price == Decimal("129.00")


# --- New journey


def test_new_journey_creates_eight_stages_and_opens_the_editor(
    strategist_client, business, strategist
):
    persona = PersonaFactory(business=business, name="Busy Parent")
    core = OfferFactory(business=business, kind="core")

    response = strategist_client.post(
        reverse("journey_new"),
        {"business": business.pk, "persona": persona.pk, "core_offer": core.pk, "title": ""},
    )

    journey = Journey.objects.get(business=business)
    assert response.status_code == 302
    assert response.url == reverse("journey_editor", args=[journey.pk])
    assert journey.title == f"{business.name} — Busy Parent"
    assert journey.owner == strategist.user
    slugs = JourneyStage.objects.filter(journey=journey).values_list("stage__slug", flat=True)
    assert list(slugs.order_by("stage__position")) == list(STAGE_SLUGS)


def test_new_journey_keeps_a_given_title(strategist_client, business):
    persona = PersonaFactory(business=business)
    core = OfferFactory(business=business, kind="core")
    strategist_client.post(
        reverse("journey_new"),
        {"business": business.pk, "persona": persona.pk, "core_offer": core.pk, "title": "Q3"},
    )
    assert Journey.objects.get(business=business).title == "Q3"


def test_new_journey_with_htmx_redirects_the_client_side(htmx_client, business):
    persona = PersonaFactory(business=business)
    core = OfferFactory(business=business, kind="core")
    response = htmx_client.post(
        reverse("journey_new"),
        {"business": business.pk, "persona": persona.pk, "core_offer": core.pk},
    )
    journey = Journey.objects.get(business=business)
    assert response["HX-Redirect"] == reverse("journey_editor", args=[journey.pk])


def test_new_journey_refuses_a_persona_of_another_business(strategist_client, business):
    sibling = BusinessFactory(agency=business.agency)
    foreign_persona = PersonaFactory(business=sibling)
    core = OfferFactory(business=business, kind="core")

    response = strategist_client.post(
        reverse("journey_new"),
        {"business": business.pk, "persona": foreign_persona.pk, "core_offer": core.pk},
    )

    assert response.status_code == 200
    assert "Pick a persona of this business." in response.text
    assert not Journey.objects.exists()


def test_new_journey_refuses_another_agencys_business_persona_and_offer(
    strategist_client, other_agency_journey
):
    response = strategist_client.post(
        reverse("journey_new"),
        {
            "business": other_agency_journey.business_id,
            "persona": other_agency_journey.persona_id,
            "core_offer": other_agency_journey.core_offer_id,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert Journey.objects.count() == 1


def test_new_journey_refuses_an_offer_that_is_not_core(strategist_client, business):
    persona = PersonaFactory(business=business)
    lead_magnet = OfferFactory(business=business, kind="lead_magnet")
    response = strategist_client.post(
        reverse("journey_new"),
        {"business": business.pk, "persona": persona.pk, "core_offer": lead_magnet.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Journey.objects.exists()


def test_new_journey_form_preselects_the_business_from_the_query(strategist_client, business):
    response = strategist_client.get(reverse("journey_new"), {"business": business.pk})
    assert response.status_code == 200
    assert f'<option value="{business.pk}" selected>' in response.text


def test_new_journey_form_does_not_offer_another_agencys_business(
    strategist_client, business, rival_business
):
    response = strategist_client.get(reverse("journey_new"), {"business": rival_business.pk})
    assert business.name in response.text
    assert rival_business.name not in response.text


# --- Access control


def _foreign_setup_urls(journey: Journey) -> list[tuple[str, str]]:
    """Every set-up endpoint that takes an id, pointed at `journey`'s objects."""
    business, persona, offer = journey.business_id, journey.persona_id, journey.core_offer_id
    return [
        ("get", reverse("business_detail", args=[business])),
        ("get", reverse("business_edit", args=[business])),
        ("post", reverse("business_edit", args=[business])),
        ("post", reverse("persona_create", args=[business])),
        ("get", reverse("persona_edit", args=[persona])),
        ("post", reverse("persona_edit", args=[persona])),
        ("post", reverse("offer_create", args=[business])),
        ("get", reverse("offer_edit", args=[offer])),
        ("post", reverse("offer_edit", args=[offer])),
    ]


def test_another_agencys_ids_are_404_on_every_set_up_endpoint(
    strategist_client, other_agency_journey
):
    for method, url in _foreign_setup_urls(other_agency_journey):
        for headers in ({}, HTMX_HEADERS):
            response = getattr(strategist_client, method)(url, headers=headers)
            assert response.status_code == 404, (method, url, headers)
    other_agency_journey.business.refresh_from_db()
    assert other_agency_journey.business.name != ""
    assert Persona.objects.filter(business=other_agency_journey.business).count() == 1


def test_another_agencys_ids_are_404_even_with_valid_data(strategist_client, other_agency_journey):
    business = other_agency_journey.business
    responses = [
        strategist_client.post(
            reverse("persona_create", args=[business.pk]), _persona_post("persona")
        ),
        strategist_client.post(reverse("offer_create", args=[business.pk]), _offer_post("offer")),
        strategist_client.post(
            reverse("business_edit", args=[business.pk]), {"name": "Hijacked", "kind": "b2c"}
        ),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    business.refresh_from_db()
    assert business.name != "Hijacked"
    assert business.personas.count() == 1
    assert business.offers.count() == 1


def test_unknown_ids_are_404(strategist_client, journey):
    for name in ("business_detail", "business_edit", "persona_edit", "offer_edit"):
        assert strategist_client.get(reverse(name, args=[999_999])).status_code == 404, name


def test_a_client_gets_404_on_every_editing_endpoint(logged_in_client_member, journey):
    urls = [
        ("get", reverse("business_list")),
        ("get", reverse("business_create")),
        ("post", reverse("business_create")),
        ("get", reverse("journey_new")),
        ("post", reverse("journey_new")),
        *_foreign_setup_urls(journey),
    ]
    for method, url in urls:
        response = getattr(logged_in_client_member, method)(url)
        assert response.status_code == 404, (method, url)


def test_an_agency_admin_may_edit_clients(client, agency_admin, business):
    client.force_login(agency_admin.user)
    assert client.get(reverse("business_detail", args=[business.pk])).status_code == 200
    assert client.get(reverse("business_list")).status_code == 200


def test_a_user_without_membership_gets_404(client, journey):
    lone = MembershipFactory(role=Role.STRATEGIST).user
    lone.membership.delete()
    client.force_login(lone)
    assert client.get(reverse("home")).status_code == 404
    assert client.get(reverse("business_detail", args=[journey.business_id])).status_code == 404


def test_anonymous_visitors_are_redirected_to_login_everywhere(client, journey):
    urls = [
        ("get", reverse("home")),
        ("get", reverse("business_list")),
        ("get", reverse("business_create")),
        ("post", reverse("business_create")),
        ("get", reverse("journey_new")),
        ("post", reverse("journey_new")),
        *_foreign_setup_urls(journey),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert response.url.startswith(reverse("login") + "?next="), (method, url)
    assert Persona.objects.count() == 1


# --- CSRF


@pytest.fixture
def csrf_client(strategist):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(strategist.user)
    return csrf_client


def test_state_changing_set_up_posts_need_a_csrf_token(csrf_client, journey, agency):
    business = journey.business
    attempts = [
        (reverse("business_create"), {"name": "Sneaky", "kind": "b2c"}),
        (reverse("persona_create", args=[business.pk]), _persona_post("persona")),
        (reverse("offer_create", args=[business.pk]), _offer_post("offer")),
        (reverse("business_edit", args=[business.pk]), {"name": "Sneaky", "kind": "b2c"}),
    ]
    for url, data in attempts:
        for headers in ({}, HTMX_HEADERS):
            assert csrf_client.post(url, data, headers=headers).status_code == 403, url
    assert not Business.objects.filter(name="Sneaky").exists()
    assert business.personas.count() == 1
    assert business.offers.count() == 1


def test_the_csrf_token_from_the_page_is_accepted(csrf_client, agency):
    page = csrf_client.get(reverse("business_create"))
    token = page.context["csrf_token"]
    response = csrf_client.post(
        reverse("business_create"),
        {"name": "Honest Co", "kind": "b2c"},
        headers={"X-CSRFToken": str(token)},
    )
    assert response.status_code == 302
    assert Business.objects.filter(agency=agency, name="Honest Co").exists()
