"""Client set-up pages: journeys home, clients, business create/detail/edit and personas."""

from __future__ import annotations

import pytest
from django.urls import reverse

from journeys.models import Business, Journey, Persona
from journeys.services import tactic_add, tactic_remove
from tests.clients import HTMX_HEADERS
from tests.factories import (
    BusinessFactory,
    make_journey,
)
from tests.journeys.setup_support import (
    _persona_post,
)

pytestmark = pytest.mark.django_db


# --- Home: the journey list


def test_home_lists_the_agencys_journeys_but_not_another_agencys(
    strategist_client, journey, other_agency_journey
):
    response = strategist_client.get(reverse("home"))
    assert response.status_code == 200
    assert journey.title in response.text
    assert other_agency_journey.title not in response.text
    assert reverse("journey_editor", args=[journey.pk]) in response.text


def test_home_counts_stages_that_have_live_tactics(strategist_client, journey):
    aware = journey.stages.get(stage__slug="aware")
    engage = journey.stages.get(stage__slug="engage")
    convert = journey.stages.get(stage__slug="convert")
    tactic_add(journey_stage=aware, custom_name="Radio spot")
    tactic_add(journey_stage=engage, custom_name="Blog")
    removed, _ = tactic_add(journey_stage=convert, custom_name="Coupon")
    tactic_remove(stage_tactic=removed)

    response = strategist_client.get(reverse("home"))

    assert "2/8 stages with tactics" in response.text


def test_home_search_matches_journey_title_or_client_name(strategist_client, business, strategist):
    make_journey(business=business, owner=strategist.user, title="Spring campaign")
    other = BusinessFactory(agency=business.agency, name="Zebra Roofing")
    make_journey(business=other, owner=strategist.user, title="Autumn push")

    by_title = strategist_client.get(reverse("home"), {"q": "spring"})
    by_client = strategist_client.get(reverse("home"), {"q": "zebra"})
    no_match = strategist_client.get(reverse("home"), {"q": "nothing-like-this"})

    assert "Spring campaign" in by_title.text
    assert "Autumn push" not in by_title.text
    assert "Autumn push" in by_client.text
    assert "Spring campaign" not in by_client.text
    assert "No journeys match" in no_match.text


def test_home_paginates_journeys_24_per_page(strategist_client, business, strategist):
    for n in range(25):
        make_journey(business=business, owner=strategist.user, title=f"Journey #{n:02d}")

    first = strategist_client.get(reverse("home"))
    second = strategist_client.get(reverse("home"), {"page": 2})

    assert first.text.count('class="card journey-card"') == 24
    assert "Page 1" in first.text and "Older →" in first.text
    assert second.text.count('class="card journey-card"') == 1
    assert "Page 2" in second.text and "Older →" not in second.text and "← Newer" in second.text


def test_a_client_sees_only_their_own_businesss_final_or_shared_journeys(
    logged_in_client_member, journey, business, strategist
):
    Journey.objects.filter(pk=journey.pk).update(status="final")
    shared = make_journey(business=business, owner=strategist.user, title="Shared early")
    Journey.objects.filter(pk=shared.pk).update(shared_with_client=True)
    draft = make_journey(business=business, owner=strategist.user, title="Still a draft")
    sibling = BusinessFactory(agency=business.agency, name="Another client")
    other = make_journey(business=sibling, owner=strategist.user, title="Not for this client")
    Journey.objects.filter(pk=other.pk).update(status="final", shared_with_client=True)

    response = logged_in_client_member.get(reverse("home"))

    assert response.status_code == 200
    assert journey.title in response.text
    assert shared.title in response.text
    assert draft.title not in response.text
    assert other.title not in response.text
    assert "Your Customer Value Journeys" in response.text
    assert reverse("journey_new") not in response.text


def test_anonymous_visitors_are_sent_to_login(client, journey):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- Clients list


def test_clients_list_searches_by_name_or_industry(strategist_client, agency):
    BusinessFactory(agency=agency, name="Acme Plumbing", industry="Trades")
    BusinessFactory(agency=agency, name="Bright Dental", industry="Healthcare")

    by_name = strategist_client.get(reverse("business_list"), {"q": "acme"})
    by_industry = strategist_client.get(reverse("business_list"), {"q": "health"})

    assert "Acme Plumbing" in by_name.text
    assert "Bright Dental" not in by_name.text
    assert "Bright Dental" in by_industry.text
    assert "Acme Plumbing" not in by_industry.text


def test_clients_list_hides_another_agencys_clients(strategist_client, business, rival_business):
    response = strategist_client.get(reverse("business_list"))
    assert business.name in response.text
    assert rival_business.name not in response.text


def test_clients_list_paginates_beyond_24_businesses(strategist_client, agency):
    for n in range(26):
        BusinessFactory(agency=agency, name=f"Client {n:02d}")

    first = strategist_client.get(reverse("business_list"))
    second = strategist_client.get(reverse("business_list"), {"page": 2})

    assert "Client 00" in first.text
    assert "Client 23" in first.text
    assert "Client 24" not in first.text
    assert "Page 1" in first.text and "Next →" in first.text
    assert "Client 24" in second.text
    assert "Client 25" in second.text
    assert "Client 00" not in second.text


def test_clients_list_answers_htmx_with_only_the_results_partial(htmx_client, agency):
    BusinessFactory(agency=agency, name="Acme Plumbing")
    BusinessFactory(agency=agency, name="Bright Dental")

    response = htmx_client.get(reverse("business_list"), {"q": "acme"})

    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="results"' in response.text
    assert "Acme Plumbing" in response.text
    assert "Bright Dental" not in response.text
    assert 'class="search-bar"' not in response.text


def test_clients_list_full_page_without_htmx(strategist_client, business):
    response = strategist_client.get(reverse("business_list"))
    assert "<html" in response.text
    assert 'id="results"' in response.text


# --- Business create / detail / edit


def test_creating_a_client_redirects_to_its_page(strategist_client, agency):
    response = strategist_client.post(
        reverse("business_create"),
        {"name": "  Acme Plumbing ", "industry": "Trades", "kind": "b2c", "website": ""},
    )
    created = Business.objects.get(agency=agency, name="Acme Plumbing")
    assert response.status_code == 302
    assert response.url == reverse("business_detail", args=[created.pk])


def test_creating_a_client_with_a_duplicate_name_shows_a_field_error(strategist_client, business):
    response = strategist_client.post(
        reverse("business_create"), {"name": business.name.upper(), "kind": "b2c"}
    )
    assert response.status_code == 200
    assert "Your agency already has a client with this name." in response.text
    assert Business.objects.filter(agency=business.agency).count() == 1


def test_another_agency_may_use_the_same_client_name(strategist_client, agency, rival_business):
    response = strategist_client.post(
        reverse("business_create"), {"name": rival_business.name, "kind": "b2c"}
    )
    assert response.status_code == 302
    assert Business.objects.filter(agency=agency, name=rival_business.name).exists()


def test_creating_a_client_with_an_overlong_name_shows_a_field_error(strategist_client, agency):
    response = strategist_client.post(
        reverse("business_create"), {"name": "x" * 121, "kind": "b2c"}
    )
    assert response.status_code == 200
    assert "at most 120 characters" in response.text
    assert not Business.objects.filter(agency=agency).exists()


def test_client_page_shows_its_personas_offers_and_journeys(strategist_client, journey):
    response = strategist_client.get(reverse("business_detail", args=[journey.business_id]))
    assert response.status_code == 200
    assert journey.business.name in response.text
    assert journey.persona.name in response.text
    assert journey.core_offer.name in response.text
    assert journey.title in response.text


def test_editing_a_client_saves_and_redirects(strategist_client, business):
    url = reverse("business_edit", args=[business.pk])
    assert strategist_client.get(url).status_code == 200

    response = strategist_client.post(
        url, {"name": business.name, "industry": "Roofing", "kind": "b2b"}
    )

    business.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("business_detail", args=[business.pk])
    assert (business.industry, business.kind) == ("Roofing", "b2b")


def test_editing_a_client_to_another_clients_name_shows_a_field_error(strategist_client, business):
    other = BusinessFactory(agency=business.agency, name="Taken Name")
    response = strategist_client.post(
        reverse("business_edit", args=[business.pk]), {"name": other.name, "kind": "b2c"}
    )
    business.refresh_from_db()
    assert response.status_code == 200
    assert "Your agency already has a client with this name." in response.text
    assert business.name != other.name


# --- Personas


def test_creating_a_persona_with_htmx_returns_the_personas_section(htmx_client, business):
    response = htmx_client.post(
        reverse("persona_create", args=[business.pk]),
        _persona_post("persona"),
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section id="personas"')
    assert "Busy Parent" in response.text
    assert Persona.objects.filter(business=business, name="Busy Parent").exists()


def test_an_invalid_persona_with_htmx_shows_errors_in_the_partial(htmx_client, business):
    response = htmx_client.post(
        reverse("persona_create", args=[business.pk]),
        _persona_post("persona", name="", role="r" * 201),
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="personas"' in response.text
    assert "This field is required." in response.text
    assert "at most 200 characters" in response.text
    assert not Persona.objects.filter(business=business).exists()


def test_an_invalid_persona_without_htmx_renders_the_full_page(strategist_client, business):
    response = strategist_client.post(
        reverse("persona_create", args=[business.pk]), _persona_post("persona", name="")
    )
    assert response.status_code == 200
    assert "<html" in response.text
    assert "This field is required." in response.text
    assert not Persona.objects.filter(business=business).exists()


def test_a_valid_persona_without_htmx_redirects_to_the_client(strategist_client, business):
    response = strategist_client.post(
        reverse("persona_create", args=[business.pk]), _persona_post("persona")
    )
    assert response.status_code == 302
    assert response.url == reverse("business_detail", args=[business.pk])
    assert Persona.objects.filter(business=business, name="Busy Parent").exists()


def test_persona_edit_form_is_a_partial_for_htmx_and_a_page_otherwise(strategist_client, journey):
    url = reverse("persona_edit", args=[journey.persona_id])

    partial = strategist_client.get(url, headers=HTMX_HEADERS)
    page = strategist_client.get(url)

    assert partial.status_code == page.status_code == 200
    assert "<html" not in partial.text
    assert partial.text.lstrip().startswith("<form")
    assert journey.persona.name in partial.text
    assert "<html" in page.text
    assert "Edit persona" in page.text


def test_saving_a_persona_with_htmx_returns_the_personas_section(htmx_client, journey):
    persona = journey.persona
    response = htmx_client.post(
        reverse("persona_edit", args=[persona.pk]),
        _persona_post(f"p{persona.pk}", name="Renamed Persona"),
    )
    persona.refresh_from_db()
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="personas"' in response.text
    assert persona.name == "Renamed Persona"


def test_saving_a_persona_without_htmx_redirects(strategist_client, journey):
    persona = journey.persona
    response = strategist_client.post(
        reverse("persona_edit", args=[persona.pk]),
        _persona_post(f"p{persona.pk}", name="Renamed Persona"),
    )
    persona.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("business_detail", args=[persona.business_id])
    assert persona.name == "Renamed Persona"


def test_an_invalid_persona_edit_re_renders_the_form_with_errors(htmx_client, journey):
    persona = journey.persona
    response = htmx_client.post(
        reverse("persona_edit", args=[persona.pk]),
        _persona_post(f"p{persona.pk}", name=""),
    )
    persona.refresh_from_db()
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "This field is required." in response.text
    assert persona.name != ""
