from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cvj.models import Role
from journeys.models import StageTactic
from journeys.services import tactic_add, tactic_remove
from stages import services
from stages.models import Stage, Tactic, TacticHidden
from tests.clients import HTMX_HEADERS
from tests.factories import AgencyFactory, BusinessFactory, MembershipFactory, make_journey

pytestmark = pytest.mark.django_db


def _stage(slug: str = "aware") -> Stage:
    return Stage.objects.get(slug=slug)


def _own(agency, name: str = "Door hangers", stage: str = "aware", **extra) -> Tactic:
    return services.tactic_create(
        agency=agency, stage=_stage(stage), name=name, channel="events", **extra
    )


def _global(stage: str = "aware") -> Tactic:
    return Tactic.objects.filter(agency__isnull=True, stage__slug=stage).first()


def _login(client, member):
    client.force_login(member.user)
    return client


def _valid_post(**overrides) -> dict[str, str]:
    return {
        "name": "Van wraps",
        "channel": "paid",
        "audience": "b2c",
        "description": "",
        **overrides,
    }


# --- Reading


def test_admin_sees_own_and_global_tactics_of_the_default_stage(client, agency_admin):
    _own(agency_admin.agency, "Door hangers")
    _own(AgencyFactory(), "Rival's secret tactic")
    response = _login(client, agency_admin).get(reverse("library"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Door hangers" in body
    assert _global("aware").name in body
    assert "Rival's secret tactic" not in body
    assert 'aria-current="true"' in body and "Aware" in body
    assert reverse("library_tactic_add", args=["aware"]) in body


def test_stage_tabs_switch_the_stage(client, agency_admin):
    _own(agency_admin.agency, "Free trial call", stage="convert", commitment="time")
    response = _login(client, agency_admin).get(reverse("library_stage", args=["convert"]))
    body = response.content.decode()
    assert "Free trial call" in body
    assert "Asks for time" in body
    assert "Commitment" in body  # the column shows at Convert only


def test_unknown_stage_is_404(client, agency_admin):
    response = _login(client, agency_admin).get(reverse("library_stage", args=["nowhere"]))
    assert response.status_code == 404


def test_strategist_sees_the_library_read_only(client, strategist):
    tactic = _own(strategist.agency, "Door hangers")
    response = _login(client, strategist).get(reverse("library"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Door hangers" in body
    assert 'method="post"' not in body.split('id="tactic-table"')[1]
    assert reverse("library_tactic_add", args=["aware"]) not in body
    assert reverse("library_tactic_edit", args=[tactic.pk]) not in body
    assert "data-sortable" not in body
    assert reverse("library_import") not in body


@pytest.mark.parametrize(
    ("name", "args", "data"),
    [
        ("library_tactic_add", ["aware"], _valid_post()),
        ("library_tactic_reorder", ["aware"], {"order": []}),
        ("library_tactic_edit", "own", _valid_post()),
        ("library_tactic_archive", "own", {}),
        ("library_tactic_unarchive", "own", {}),
        ("library_tactic_move", "own", {"direction": "up"}),
        ("library_tactic_hide", "global", {}),
        ("library_tactic_unhide", "global", {}),
        ("library_import", [], {}),
    ],
)
def test_strategist_cannot_change_anything(client, strategist, name, args, data):
    own = _own(strategist.agency)
    ids = {"own": [own.pk], "global": [_global().pk]}
    url = reverse(name, args=ids[args] if isinstance(args, str) else args)
    response = _login(client, strategist).post(url, data)
    assert response.status_code == 404
    own.refresh_from_db()
    assert own.name == "Door hangers" and own.is_active
    assert not TacticHidden.objects.exists()
    assert Tactic.objects.filter(agency=strategist.agency).count() == 1


def test_strategist_cannot_open_edit_import_or_export(client, strategist):
    own = _own(strategist.agency)
    _login(client, strategist)
    assert client.get(reverse("library_tactic_edit", args=[own.pk])).status_code == 404
    assert client.get(reverse("library_import")).status_code == 404
    assert client.get(reverse("library_export")).status_code == 404


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("library", []),
        ("library_stage", ["convert"]),
        ("library_tactic_edit", "own"),
        ("library_import", []),
        ("library_export", []),
    ],
)
def test_clients_get_404_for_everything(client, client_member, name, args):
    own = _own(client_member.agency)
    url = reverse(name, args=[own.pk] if args == "own" else args)
    _login(client, client_member)
    assert client.get(url).status_code == 404
    assert client.post(url, _valid_post()).status_code in (404, 405)


def test_client_posts_are_404(client, client_member):
    own = _own(client_member.agency)
    _login(client, client_member)
    assert client.post(reverse("library_tactic_archive", args=[own.pk])).status_code == 404
    assert client.post(reverse("library_tactic_hide", args=[_global().pk])).status_code == 404
    own.refresh_from_db()
    assert own.is_active


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("library"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    response = client.post(reverse("library_tactic_add", args=["aware"]), _valid_post())
    assert response.status_code == 302
    assert not Tactic.objects.filter(name="Van wraps").exists()


# --- Adding and editing


def test_admin_adds_a_tactic(client, agency_admin):
    url = reverse("library_tactic_add", args=["aware"])
    response = _login(client, agency_admin).post(url, _valid_post(description="Rolling ads."))
    assert response.status_code == 302
    assert response.url == reverse("library_stage", args=["aware"])
    tactic = Tactic.objects.get(agency=agency_admin.agency, name="Van wraps")
    assert (tactic.channel, tactic.audience, tactic.description) == ("paid", "b2c", "Rolling ads.")
    assert tactic.stage.slug == "aware" and tactic.is_active
    assert tactic in Tactic.objects.visible_to(agency_admin.agency_id)


def test_added_tactics_go_to_the_end_of_the_stage(client, agency_admin):
    first = _own(agency_admin.agency, "First")
    _login(client, agency_admin).post(reverse("library_tactic_add", args=["aware"]), _valid_post())
    added = Tactic.objects.get(name="Van wraps")
    assert added.position > first.position


def test_add_over_htmx_returns_the_table_partial(client, agency_admin):
    url = reverse("library_tactic_add", args=["aware"])
    response = _login(client, agency_admin).post(url, _valid_post(), headers=HTMX_HEADERS)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="tactic-table"')
    assert "<html" not in body
    assert "Added “Van wraps”." in body
    assert "library-changed" in response["HX-Trigger"]


def test_duplicate_name_in_the_stage_is_a_field_error(client, agency_admin):
    _own(agency_admin.agency, "Van Wraps")
    url = reverse("library_tactic_add", args=["aware"])
    response = _login(client, agency_admin).post(url, _valid_post())
    assert response.status_code == 200
    form = response.context["form"]
    assert "already has a tactic called" in form.errors["name"][0]
    assert "already has a tactic called" in response.content.decode()
    assert Tactic.objects.filter(agency=agency_admin.agency).count() == 1


def test_the_same_name_is_fine_in_another_stage_or_agency(client, agency_admin):
    _own(agency_admin.agency, "Van wraps", stage="engage")
    _own(AgencyFactory(), "Van wraps")
    url = reverse("library_tactic_add", args=["aware"])
    _login(client, agency_admin).post(url, _valid_post())
    assert Tactic.objects.filter(agency=agency_admin.agency, name="Van wraps").count() == 2


def test_invalid_add_over_htmx_rerenders_the_partial_with_errors(client, agency_admin):
    url = reverse("library_tactic_add", args=["aware"])
    data = _valid_post(name="", channel="tv", description="x" * 1001)
    response = _login(client, agency_admin).post(url, data, headers=HTMX_HEADERS)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    errors = response.context["form"].errors
    assert set(errors) == {"name", "channel", "description"}
    assert "at most 1000 characters" in errors["description"][0]
    assert 'class="field has-error"' in response.content.decode()
    assert not Tactic.objects.filter(agency=agency_admin.agency).exists()


def test_commitment_is_only_offered_and_accepted_at_convert(client, agency_admin):
    _login(client, agency_admin)
    page = client.get(reverse("library_stage", args=["aware"]))
    assert 'name="commitment"' not in page.content.decode()
    # A forged commitment on another stage is refused by the same rule, never stored.
    forged = client.post(
        reverse("library_tactic_add", args=["aware"]), _valid_post(commitment="money")
    )
    assert "Only Convert-stage tactics ask for money or time." in forged.content.decode()
    assert not Tactic.objects.filter(name="Van wraps").exists()
    client.post(
        reverse("library_tactic_add", args=["convert"]),
        _valid_post(name="Paid pilot", commitment="money"),
    )
    assert Tactic.objects.get(name="Paid pilot").commitment == "money"


def test_service_refuses_a_commitment_outside_convert(agency):
    with pytest.raises(ValidationError) as caught:
        _own(agency, "Webinar", stage="engage", commitment="time")
    assert "commitment" in caught.value.message_dict


def test_admin_edits_own_tactic(client, agency_admin):
    tactic = _own(agency_admin.agency, "Door hangers")
    url = reverse("library_tactic_edit", args=[tactic.pk])
    _login(client, agency_admin)
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="Door hangers"' in page.content.decode()
    response = client.post(url, _valid_post(name="Door knockers", description="Say hello."))
    assert response.status_code == 302
    tactic.refresh_from_db()
    assert (tactic.name, tactic.channel, tactic.description) == (
        "Door knockers",
        "paid",
        "Say hello.",
    )


def test_edit_to_a_taken_name_rerenders_with_the_error(client, agency_admin):
    _own(agency_admin.agency, "Taken")
    tactic = _own(agency_admin.agency, "Door hangers")
    url = reverse("library_tactic_edit", args=[tactic.pk])
    response = _login(client, agency_admin).post(url, _valid_post(name="taken"))
    assert response.status_code == 200
    assert "already has a tactic called" in response.context["form"].errors["name"][0]
    assert "Edit “Door hangers”" in response.content.decode()
    tactic.refresh_from_db()
    assert tactic.name == "Door hangers"


def test_global_tactics_cannot_be_edited_or_archived(client, agency_admin):
    shared = _global()
    _login(client, agency_admin)
    assert client.get(reverse("library_tactic_edit", args=[shared.pk])).status_code == 404
    response = client.post(reverse("library_tactic_edit", args=[shared.pk]), _valid_post())
    assert response.status_code == 404
    for name in ("library_tactic_archive", "library_tactic_move"):
        url = reverse(name, args=[shared.pk])
        assert client.post(url, {"direction": "up"}).status_code == 404
    shared.refresh_from_db()
    assert shared.is_active and shared.name != "Van wraps"


def test_another_agencys_tactic_is_404_everywhere(client, agency_admin):
    foreign = _own(AgencyFactory(), "Their tactic")
    _login(client, agency_admin)
    assert client.get(reverse("library_tactic_edit", args=[foreign.pk])).status_code == 404
    for name in (
        "library_tactic_edit",
        "library_tactic_archive",
        "library_tactic_unarchive",
        "library_tactic_move",
        "library_tactic_hide",
        "library_tactic_unhide",
    ):
        response = client.post(
            reverse(name, args=[foreign.pk]), {**_valid_post(), "direction": "up"}
        )
        assert response.status_code == 404, name
    foreign.refresh_from_db()
    assert foreign.name == "Their tactic" and foreign.is_active
    assert not TacticHidden.objects.exists()


def test_own_tactics_cannot_be_hidden_only_archived(client, agency_admin):
    own = _own(agency_admin.agency)
    response = _login(client, agency_admin).post(reverse("library_tactic_hide", args=[own.pk]))
    assert response.status_code == 404


# --- Archive, order, hide


def test_admin_archives_and_unarchives_own_tactic(client, agency_admin):
    tactic = _own(agency_admin.agency)
    _login(client, agency_admin)
    response = client.post(reverse("library_tactic_archive", args=[tactic.pk]))
    assert response.status_code == 302
    tactic.refresh_from_db()
    assert not tactic.is_active
    assert tactic not in Tactic.objects.visible_to(agency_admin.agency_id)
    page = client.get(reverse("library")).content.decode()
    assert "Archived" in page and "Unarchive" in page
    client.post(reverse("library_tactic_unarchive", args=[tactic.pk]), headers=HTMX_HEADERS)
    tactic.refresh_from_db()
    assert tactic.is_active


def test_admin_reorders_with_up_and_down(client, agency_admin):
    first, second, third = (_own(agency_admin.agency, name) for name in ("One", "Two", "Three"))
    _login(client, agency_admin)
    url = reverse("library_tactic_move", args=[third.pk])
    response = client.post(url, {"direction": "up"}, headers=HTMX_HEADERS)
    assert response.status_code == 200
    assert response.content.decode().index("Three") < response.content.decode().index("Two")
    client.post(reverse("library_tactic_move", args=[first.pk]), {"direction": "down"})
    own = services.library_own_tactics(agency_id=agency_admin.agency_id, stage=_stage())
    assert [t.name for t in own] == ["Three", "One", "Two"]
    # The first one cannot go further up; nothing breaks.
    client.post(reverse("library_tactic_move", args=[own[0].pk]), {"direction": "up"})
    own = services.library_own_tactics(agency_id=agency_admin.agency_id, stage=_stage())
    assert [t.name for t in own] == ["Three", "One", "Two"]
    assert second.pk in [t.pk for t in own]


def test_move_needs_a_direction(client, agency_admin):
    tactic = _own(agency_admin.agency)
    url = reverse("library_tactic_move", args=[tactic.pk])
    assert _login(client, agency_admin).post(url, {"direction": "sideways"}).status_code == 400


def test_admin_reorders_by_drag(client, agency_admin):
    one, two, three = (_own(agency_admin.agency, name) for name in ("One", "Two", "Three"))
    url = reverse("library_tactic_reorder", args=["aware"])
    order = [three.pk, one.pk, two.pk]
    response = _login(client, agency_admin).post(url, {"order": order}, headers=HTMX_HEADERS)
    assert response.status_code == 200
    own = services.library_own_tactics(agency_id=agency_admin.agency_id, stage=_stage())
    assert [t.pk for t in own] == order


def test_reorder_with_a_stale_or_foreign_list_changes_nothing(client, agency_admin):
    one, two = _own(agency_admin.agency, "One"), _own(agency_admin.agency, "Two")
    foreign = _own(AgencyFactory(), "Foreign")
    url = reverse("library_tactic_reorder", args=["aware"])
    _login(client, agency_admin)
    response = client.post(url, {"order": [two.pk, foreign.pk]}, headers=HTMX_HEADERS)
    assert response.status_code == 200
    assert "changed meanwhile" in response.content.decode()
    own = services.library_own_tactics(agency_id=agency_admin.agency_id, stage=_stage())
    assert [t.pk for t in own] == [one.pk, two.pk]


def test_hiding_a_global_tactic_hides_it_for_that_agency_only(client, agency_admin):
    shared = _global()
    other_agency = AgencyFactory()
    _login(client, agency_admin)
    response = client.post(reverse("library_tactic_hide", args=[shared.pk]))
    assert response.status_code == 302
    assert shared not in Tactic.objects.visible_to(agency_admin.agency_id)
    assert shared in Tactic.objects.visible_to(other_agency.pk)
    assert shared in Tactic.objects.visible_to(None)
    page = client.get(reverse("library")).content.decode()
    assert "Hidden" in page and "Unhide" in page
    # Hiding twice is harmless; unhiding brings it back.
    client.post(reverse("library_tactic_hide", args=[shared.pk]))
    assert TacticHidden.objects.filter(tactic=shared).count() == 1
    response = client.post(reverse("library_tactic_unhide", args=[shared.pk]), headers=HTMX_HEADERS)
    assert response.status_code == 200
    assert shared in Tactic.objects.visible_to(agency_admin.agency_id)


def test_hidden_global_tactic_leaves_the_editor_search(client, agency_admin, journey):
    shared = _global()
    services.tactic_hide(agency=agency_admin.agency, tactic=shared)
    strategist = MembershipFactory(agency=agency_admin.agency, role=Role.STRATEGIST)
    client.force_login(strategist.user)
    url = reverse("tactic_search", args=[journey.pk, "aware"])
    response = client.get(url, {"q": shared.name}, headers=HTMX_HEADERS)
    assert response.status_code == 200
    assert shared not in response.context["results"]
    other_shared = (
        Tactic.objects.exclude(pk=shared.pk)
        .filter(agency__isnull=True, stage__slug="aware")
        .first()
    )
    response = client.get(url, {"q": other_shared.name}, headers=HTMX_HEADERS)
    assert other_shared in response.context["results"]


# --- Usage counts


def test_usage_counts_only_this_agencys_live_journeys(client, agency_admin, journey, business):
    shared = _global()
    own = _own(agency_admin.agency, "Door hangers")
    aware = journey.stages.get(stage__slug="aware")
    tactic_add(journey_stage=aware, tactic=shared)
    tactic_add(journey_stage=aware, tactic=own)
    second = make_journey(business=business, title="Second")
    second_aware = second.stages.get(stage__slug="aware")
    tactic_add(journey_stage=second_aware, tactic=shared)
    removed, _ = tactic_add(journey_stage=second_aware, tactic=own)
    tactic_remove(stage_tactic=removed)
    # Another agency's journeys don't count.
    rival = make_journey(business=BusinessFactory(agency=AgencyFactory()), title="Rival")
    tactic_add(journey_stage=rival.stages.get(stage__slug="aware"), tactic=shared)

    by_name = {
        t.name: t.journey_count
        for t in services.library_own_tactics(agency_id=agency_admin.agency_id, stage=_stage())
        + services.library_global_tactics(agency_id=agency_admin.agency_id, stage=_stage())
    }
    assert by_name[shared.name] == 2
    assert by_name["Door hangers"] == 1
    assert StageTactic.all_objects.filter(tactic=own).count() == 2

    page = _login(client, agency_admin).get(reverse("library")).content.decode()
    row = page.split("Door hangers", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">1</td>' in row


def test_library_page_query_count_does_not_grow_with_tactics(
    client, agency_admin, django_assert_max_num_queries
):
    _login(client, agency_admin)
    client.get(reverse("library"))
    for number in range(20):
        _own(agency_admin.agency, f"Tactic {number}")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("library"))
    assert response.status_code == 200


def test_changes_need_the_csrf_token(agency_admin):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agency_admin.user)
    tactic = _own(agency_admin.agency)
    response = browser.post(reverse("library_tactic_archive", args=[tactic.pk]))
    assert response.status_code == 403
    tactic.refresh_from_db()
    assert tactic.is_active
