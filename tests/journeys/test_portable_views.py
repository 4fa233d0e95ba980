"""Views for JSON download/upload, cloning and templates, through the test client."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cvj.models import Role
from journeys.models import Business, Journey, JourneyStarter, StageTactic
from journeys.portable import MAX_DOCUMENT_BYTES, journey_to_document
from journeys.starters import builtin_starter
from tests.factories import (
    AgencyFactory,
    BusinessFactory,
    MembershipFactory,
    OfferFactory,
    PersonaFactory,
    make_journey,
)


def upload(content: bytes, name: str = "journey.cvj.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


def template_bytes(slug: str = "local-service") -> bytes:
    return json.dumps(builtin_starter(slug).document).encode()


@pytest.fixture
def client_user_client(client, client_member):
    client.force_login(client_member.user)
    return client


@pytest.fixture
def foreign_template(db):
    other = make_journey(business=BusinessFactory(agency=AgencyFactory()))
    return JourneyStarter.objects.create(
        agency=other.business.agency, name="Theirs", document=journey_to_document(other)
    )


# --- Download -----------------------------------------------------------------------------


def test_export_downloads_the_document_as_an_attachment(strategist_client, journey):
    journey.business.name, journey.title = "Acme Cleaning", "Spring plan"
    journey.business.save()
    journey.save()

    response = strategist_client.get(reverse("journey_export_json", args=[journey.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="Acme Cleaning - Spring plan.cvj.json"'
    )
    assert json.loads(response.content) == journey_to_document(journey)


def test_export_file_names_drop_characters_that_break_file_systems(strategist_client, journey):
    journey.title = 'Q3: "big" push / west'
    journey.save()

    response = strategist_client.get(reverse("journey_export_json", args=[journey.pk]))

    assert 'Q3 big push  west.cvj.json"' in response["Content-Disposition"]


def test_export_of_another_agencys_journey_is_404(strategist_client, other_agency_journey):
    url = reverse("journey_export_json", args=[other_agency_journey.pk])

    assert strategist_client.get(url).status_code == 404


def test_clients_cannot_export_even_their_own_final_journey(client_user_client, journey):
    Journey.objects.filter(pk=journey.pk).update(status="final")

    response = client_user_client.get(reverse("journey_export_json", args=[journey.pk]))

    assert response.status_code == 404


def test_export_needs_a_login(client, journey):
    response = client.get(reverse("journey_export_json", args=[journey.pk]))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- Upload -------------------------------------------------------------------------------


def test_import_creates_the_journey_and_opens_its_editor(strategist_client, agency, strategist):
    response = strategist_client.post(
        reverse("journey_import_json"), {"file": upload(template_bytes())}
    )

    journey = Journey.objects.get(business__agency=agency)
    assert response.status_code == 302
    assert response["Location"] == reverse("journey_editor", args=[journey.pk])
    assert journey.owner == strategist.user
    assert journey.business.name == "Summit Plumbing & Heating"
    stages = builtin_starter("local-service").document["stages"].values()
    assert StageTactic.objects.filter(journey_stage__journey=journey).count() == sum(
        len(stage["tactics"]) for stage in stages
    )


def test_import_over_htmx_redirects_the_browser(htmx_client, agency):
    response = htmx_client.post(
        reverse("journey_import_json"),
        {"file": upload(template_bytes("saas"))},
    )

    journey = Journey.objects.get(business__agency=agency)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("journey_editor", args=[journey.pk])


def test_import_into_an_existing_client(strategist_client, business):
    response = strategist_client.post(
        reverse("journey_import_json"),
        {"file": upload(template_bytes()), "business": business.pk},
    )

    journey = Journey.objects.get(business=business)
    assert response.status_code == 302
    assert journey.persona.name == "Homeowner Dana"


def test_import_lists_every_problem_by_path_and_creates_nothing(htmx_client, agency):
    document = builtin_starter("local-service").document
    document["offers"][2]["price"] = "-3"
    document["stages"]["aware"]["tactics"][3] = {"library": {"name": "Foo"}}
    businesses_before = Business.objects.count()

    response = htmx_client.post(
        reverse("journey_import_json"),
        {"file": upload(json.dumps(document).encode())},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported." in body
    assert "<code>offers[2].price</code>: must be a decimal ≥ 0" in body
    assert (
        "<code>stages.aware.tactics[3].library</code>: no library tactic &quot;Foo&quot; at Aware"
        in body
    )
    assert "<html" not in body  # the panel only
    assert Business.objects.count() == businesses_before
    assert Journey.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b" " * (MAX_DOCUMENT_BYTES + 1), "The file is larger than 1 MB"),
        (
            b"title,stage\nfoo,aware\n",
            "The file is not valid JSON: Expecting value (line 1, column 1).",
        ),
        ('{"title": "Café"}'.encode("utf-16"), "The file is not UTF-8 text"),
        (b"[1, 2]", "The document must be a JSON object."),
        (b'{"format": "something-else"}', "must be &quot;cvj-journey&quot;"),
    ],
    ids=["too-large", "not-json", "wrong-encoding", "not-an-object", "other-format"],
)
def test_unusable_files_get_a_clear_message(strategist_client, content, message):
    response = strategist_client.post(reverse("journey_import_json"), {"file": upload(content)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Journey.objects.count() == 0


def test_import_into_another_agencys_client_is_refused(strategist_client, other_agency_journey):
    response = strategist_client.post(
        reverse("journey_import_json"),
        {"file": upload(template_bytes()), "business": other_agency_journey.business_id},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Journey.objects.count() == 1


def test_import_page_shows_the_format(strategist_client):
    response = strategist_client.get(reverse("journey_import_json"))

    assert response.status_code == 200
    assert "cvj-journey" in response.content.decode()


def test_clients_cannot_import(client_user_client):
    assert client_user_client.get(reverse("journey_import_json")).status_code == 404


# --- Clone --------------------------------------------------------------------------------


def test_clone_page_defaults_to_the_same_client_and_persona(strategist_client, journey):
    response = strategist_client.get(reverse("journey_clone", args=[journey.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert f"Same persona: {journey.persona.name}" in body
    assert f"{journey.title} (copy)" in body


def test_clone_to_another_persona_of_the_same_client(strategist_client, journey, strategist):
    other = PersonaFactory(business=journey.business, name="Retired Rita")

    response = strategist_client.post(
        reverse("journey_clone", args=[journey.pk]),
        {"business": journey.business_id, "persona": other.pk, "title": "For Rita"},
    )

    clone = Journey.objects.get(title="For Rita")
    assert response.status_code == 302
    assert response["Location"] == reverse("journey_editor", args=[clone.pk])
    assert (clone.business, clone.persona, clone.owner) == (
        journey.business,
        other,
        strategist.user,
    )


def test_clone_to_another_client_of_the_agency(htmx_client, journey, agency):
    target = BusinessFactory(agency=agency, name="Acme West")

    response = htmx_client.post(
        reverse("journey_clone", args=[journey.pk]),
        {"business": target.pk, "persona": "", "title": "West copy"},
    )

    clone = Journey.objects.get(title="West copy")
    assert response["HX-Redirect"] == reverse("journey_editor", args=[clone.pk])
    assert clone.business == target
    assert clone.persona.business == target
    assert clone.core_offer.business == target
    assert clone.core_offer.name == journey.core_offer.name


def test_changing_the_client_reloads_its_personas(htmx_client, journey, agency):
    target = BusinessFactory(agency=agency)
    PersonaFactory(business=target, name="Target Tina")

    response = htmx_client.get(
        reverse("journey_clone", args=[journey.pk]),
        {"business": target.pk},
        headers={"HX-Target": "clone-persona"},
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="clone-persona">')
    assert "Target Tina" in body
    assert journey.persona.name in body  # offered as a copy


def test_a_persona_of_another_client_is_a_form_error(strategist_client, journey, agency):
    stranger = PersonaFactory(business=BusinessFactory(agency=agency))

    response = strategist_client.post(
        reverse("journey_clone", args=[journey.pk]),
        {"business": journey.business_id, "persona": stranger.pk, "title": "Nope"},
    )

    assert response.status_code == 200
    assert "Pick a persona of this client" in response.content.decode()
    assert not Journey.objects.filter(title="Nope").exists()


def test_clone_to_another_agencys_client_is_refused(
    strategist_client, journey, other_agency_journey
):
    response = strategist_client.post(
        reverse("journey_clone", args=[journey.pk]),
        {"business": other_agency_journey.business_id, "persona": "", "title": "Nope"},
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Journey.objects.filter(title="Nope").exists()


def test_cloning_another_agencys_journey_is_404(strategist_client, other_agency_journey):
    url = reverse("journey_clone", args=[other_agency_journey.pk])

    assert strategist_client.get(url).status_code == 404
    assert strategist_client.post(url, {"title": "x"}).status_code == 404


def test_clients_cannot_clone(client_user_client, journey):
    Journey.objects.filter(pk=journey.pk).update(status="final")
    url = reverse("journey_clone", args=[journey.pk])

    assert client_user_client.get(url).status_code == 404


# --- Save as template, start from a template ----------------------------------------------


def test_save_as_template_then_start_a_journey_from_it(strategist_client, journey, agency):
    OfferFactory(business=journey.business, kind="referral", name="Give $10", price=0)
    response = strategist_client.post(
        reverse("journey_starter_save", args=[journey.pk]),
        {"name": "Our cleaning map", "description": "Biweekly clients."},
    )
    template = JourneyStarter.objects.get(agency=agency)
    assert response.status_code == 302
    assert response["Location"] == reverse("starter_list")
    assert template.document == journey_to_document(journey)

    listing = strategist_client.get(reverse("starter_list")).content.decode()
    assert "Our cleaning map" in listing
    start_url = reverse("journey_from_starter", args=["agency", template.pk])
    assert start_url in listing

    response = strategist_client.post(
        start_url, {"business": "", "new_business_name": "Sparkle & Co", "title": "Sparkle map"}
    )
    started = Journey.objects.get(title="Sparkle map")
    assert response["Location"] == reverse("journey_editor", args=[started.pk])
    assert started.business.name == "Sparkle & Co"
    assert started.business.agency == agency


def test_template_names_are_unique_per_agency(strategist_client, journey):
    url = reverse("journey_starter_save", args=[journey.pk])
    strategist_client.post(url, {"name": "Map"})

    response = strategist_client.post(url, {"name": "map"})

    assert "already has a template with this name" in response.content.decode()
    assert JourneyStarter.objects.count() == 1


def test_templates_page_lists_the_builtin_starters_and_only_our_own(
    strategist_client, foreign_template
):
    body = strategist_client.get(reverse("starter_list")).content.decode()

    for name in ("Local service business", "E-commerce shop", "B2B services / consulting", "SaaS"):
        assert name in body
    assert reverse("journey_from_starter", args=["industry", "saas"]) in body
    assert "Theirs" not in body


def test_start_page_works_without_javascript(strategist_client):
    url = reverse("journey_from_starter", args=["industry", "saas"])

    response = strategist_client.get(url)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert f'action="{url}"' in body
    assert "Restaurant GM Gabriela" in body


def test_start_form_loads_inline_over_htmx(htmx_client):
    url = reverse("journey_from_starter", args=["industry", "ecommerce"])

    response = htmx_client.get(url)

    body = response.content.decode()
    assert body.lstrip().startswith('<form class="tpl-start"')
    assert 'value="Ember &amp; Oak Coffee Roasters"' in body


def test_start_from_an_builtin_starter_for_a_new_client(htmx_client, agency):
    url = reverse("journey_from_starter", args=["industry", "b2b-consulting"])

    response = htmx_client.post(
        url,
        {"business": "", "new_business_name": "Northwind Ops", "title": "Northwind journey"},
    )

    journey = Journey.objects.get(business__agency=agency)
    assert response["HX-Redirect"] == reverse("journey_editor", args=[journey.pk])
    assert journey.business.kind == "b2b"
    assert journey.stages.filter(tactics__isnull=False).distinct().count() == 8


def test_start_from_a_template_for_an_existing_client(strategist_client, business):
    url = reverse("journey_from_starter", args=["industry", "local-service"])

    response = strategist_client.post(url, {"business": business.pk, "title": "Summit-style"})

    journey = Journey.objects.get(title="Summit-style")
    assert response.status_code == 302
    assert journey.business == business


def test_starting_for_a_new_client_with_a_taken_name_is_a_form_error(htmx_client, business):
    url = reverse("journey_from_starter", args=["industry", "saas"])

    response = htmx_client.post(
        url,
        {"business": "", "new_business_name": business.name.upper(), "title": "x"},
    )

    assert "already has a client with this name" in response.content.decode()
    assert Journey.objects.count() == 0


def test_a_stale_agency_starter_lists_its_problems(strategist_client, agency, journey):
    template = JourneyStarter.objects.create(
        agency=agency, name="Old", document={**journey_to_document(journey), "version": 7}
    )
    url = reverse("journey_from_starter", args=["agency", template.pk])

    response = strategist_client.post(url, {"business": journey.business_id, "title": "x"})

    body = response.content.decode()
    assert "Nothing was created." in body
    assert "version 7 is not supported" in body
    assert Journey.objects.count() == 1


@pytest.mark.parametrize(
    "args", [("industry", "bakery"), ("agency", "999999"), ("agency", "saas"), ("other", "saas")]
)
def test_unknown_templates_are_404(strategist_client, args):
    url = reverse("journey_from_starter", args=args)

    assert strategist_client.get(url).status_code == 404


def test_another_agencys_template_is_404(strategist_client, foreign_template):
    url = reverse("journey_from_starter", args=["agency", foreign_template.pk])

    assert strategist_client.get(url).status_code == 404
    assert strategist_client.post(url, {"title": "x"}).status_code == 404


def test_saving_another_agencys_journey_as_template_is_404(strategist_client, other_agency_journey):
    url = reverse("journey_starter_save", args=[other_agency_journey.pk])

    assert strategist_client.post(url, {"name": "Stolen"}).status_code == 404
    assert JourneyStarter.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["starter_list", "journey_import_json"], ids=["templates", "import"]
)
def test_clients_see_404_on_agency_pages(client_user_client, name):
    assert client_user_client.get(reverse(name)).status_code == 404


def test_clients_cannot_start_or_save_templates(client_user_client, journey):
    Journey.objects.filter(pk=journey.pk).update(shared_with_client=True)

    start = reverse("journey_from_starter", args=["industry", "saas"])
    save = reverse("journey_starter_save", args=[journey.pk])
    assert client_user_client.post(start, {"title": "x"}).status_code == 404
    assert client_user_client.post(save, {"name": "x"}).status_code == 404


def test_admins_may_use_templates(client, agency):
    admin = MembershipFactory(agency=agency, role=Role.ADMIN)
    client.force_login(admin.user)

    assert client.get(reverse("starter_list")).status_code == 200


def test_starters_live_under_their_code_name_and_the_old_address_redirects(strategist_client):
    assert reverse("starter_list") == "/starters/"
    old = strategist_client.get("/templates/")
    assert (old.status_code, old["Location"]) == (301, "/starters/")
    page = strategist_client.get(old["Location"])
    assert page.status_code == 200
    assert "Local service business" in page.text  # the UI still calls them templates
