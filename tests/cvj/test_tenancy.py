"""Tenancy: nobody reaches another agency's work through the scoped lookups, and clients see
only their own business."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from cvj.models import Role
from cvj.tenancy import membership_for, require_admin, require_membership
from journeys.access import (
    businesses_for,
    get_business_for,
    get_journey_for,
    get_journey_stage,
    get_offer_for,
    get_persona_for,
    get_stage_offer,
    get_stage_tactic,
    journeys_for,
)
from journeys.models import Business, Journey, Offer, Persona
from journeys.services import offer_attach, tactic_add
from tests.factories import (
    AgencyFactory,
    BusinessFactory,
    MembershipFactory,
    UserFactory,
    make_journey,
)

pytestmark = pytest.mark.django_db

GETTERS = {
    "business": (get_business_for, Business),
    "journey": (get_journey_for, Journey),
    "persona": (get_persona_for, Persona),
    "offer": (get_offer_for, Offer),
}


def _final(journey: Journey) -> Journey:
    """Clients read final journeys only, so these tests look at final ones."""
    journey.status = "final"
    journey.save()
    return journey


@pytest.fixture
def journey(journey):
    return _final(journey)


@pytest.fixture
def rival_journey():
    rival = AgencyFactory(name="Rival Agency")
    return _final(make_journey(business=BusinessFactory(agency=rival), title="Rival's journey"))


@pytest.fixture
def second_journey(agency):
    """A journey for a second business of the same agency."""
    return _final(
        make_journey(business=BusinessFactory(agency=agency), title="Second client's journey")
    )


def test_client_does_not_see_drafts_of_their_own_business(client_member, journey):
    journey.status = "draft"
    journey.save()
    assert list(journeys_for(client_member.user)) == []
    journey.shared_with_client = True
    journey.save()
    assert list(journeys_for(client_member.user)) == [journey]


def objects_of(journey: Journey) -> dict[str, int]:
    return {
        "business": journey.business_id,
        "journey": journey.pk,
        "persona": journey.persona_id,
        "offer": journey.core_offer_id,
    }


def member_with(role: str, agency, business=None):
    return MembershipFactory(agency=agency, role=role, business=business)


@pytest.fixture(params=[Role.ADMIN, Role.STRATEGIST, Role.CLIENT])
def any_member(request, agency, business):
    return member_with(request.param, agency, business if request.param == Role.CLIENT else None)


# --- Another agency's work is invisible to every role.


def test_listings_never_include_another_agencys_work(any_member, journey, rival_journey):
    user = any_member.user
    assert list(businesses_for(user)) == [journey.business]
    assert list(journeys_for(user)) == [journey]
    assert not businesses_for(user).filter(pk=rival_journey.business_id).exists()
    assert not journeys_for(user).filter(pk=rival_journey.pk).exists()


@pytest.mark.parametrize("kind", list(GETTERS))
def test_getters_raise_404_for_another_agencys_ids(any_member, journey, rival_journey, kind):
    getter, _model = GETTERS[kind]
    assert getter(any_member.user, objects_of(journey)[kind]).pk == objects_of(journey)[kind]
    with pytest.raises(Http404):
        getter(any_member.user, objects_of(rival_journey)[kind])


@pytest.mark.parametrize("kind", list(GETTERS))
def test_getters_raise_404_for_unknown_ids(strategist, journey, kind):
    getter, model = GETTERS[kind]
    unknown = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    with pytest.raises(Http404):
        getter(strategist.user, unknown)


def test_staff_of_the_rival_agency_cannot_reach_our_journey(journey, rival_journey):
    rival_strategist = member_with(Role.STRATEGIST, rival_journey.business.agency)
    assert list(journeys_for(rival_strategist.user)) == [rival_journey]
    with pytest.raises(Http404):
        get_journey_for(rival_strategist.user, journey.pk, edit=True)


# --- A client sees their own business only.


def test_client_sees_only_their_own_business(client_member, journey, second_journey):
    user = client_member.user
    assert list(businesses_for(user)) == [journey.business]
    assert list(journeys_for(user)) == [journey]


@pytest.mark.parametrize("kind", list(GETTERS))
def test_client_cannot_open_a_second_business_of_their_agency(
    client_member, journey, second_journey, kind
):
    getter, _model = GETTERS[kind]
    assert getter(client_member.user, objects_of(journey)[kind]).pk == objects_of(journey)[kind]
    with pytest.raises(Http404):
        getter(client_member.user, objects_of(second_journey)[kind])


def test_staff_see_every_business_of_their_agency(
    strategist, agency_admin, journey, second_journey
):
    for member in (strategist, agency_admin):
        assert set(journeys_for(member.user)) == {journey, second_journey}
        assert set(businesses_for(member.user)) == {journey.business, second_journey.business}


# --- No membership, inactive or anonymous: nothing at all.


def no_access_users(agency) -> dict[str, object]:
    inactive = member_with(Role.STRATEGIST, agency).user
    inactive.is_active = False
    inactive.save()
    return {"no membership": UserFactory(), "inactive": inactive, "anonymous": AnonymousUser()}


def test_users_without_access_see_nothing(agency, journey):
    for label, user in no_access_users(agency).items():
        assert membership_for(user) is None, label
        assert not businesses_for(user).exists(), label
        assert not journeys_for(user).exists(), label
        for kind, (getter, _model) in GETTERS.items():
            with pytest.raises(Http404):
                getter(user, objects_of(journey)[kind])
        with pytest.raises(Http404):
            require_membership(user)


# --- Editing rights.


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STRATEGIST])
def test_staff_may_open_objects_for_editing(agency, journey, role):
    user = member_with(role, agency).user
    for kind, (getter, _model) in GETTERS.items():
        assert getter(user, objects_of(journey)[kind], edit=True).pk == objects_of(journey)[kind]
    assert require_membership(user, edit=True).can_edit is True


@pytest.mark.parametrize("kind", list(GETTERS))
def test_client_may_not_open_their_own_objects_for_editing(client_member, journey, kind):
    getter, _model = GETTERS[kind]
    with pytest.raises(Http404):
        getter(client_member.user, objects_of(journey)[kind], edit=True)


def test_only_admins_pass_require_admin(agency_admin, strategist, client_member):
    assert require_admin(agency_admin.user) == agency_admin
    for member in (strategist, client_member):
        with pytest.raises(Http404):
            require_admin(member.user)


# --- Rows inside a journey are looked up through the journey.


def test_stage_rows_of_another_journey_are_404(journey, rival_journey):
    rival_aware = get_journey_stage(rival_journey, "aware")
    rival_ascend = get_journey_stage(rival_journey, "ascend")
    rival_tactic, _ = tactic_add(journey_stage=rival_aware, custom_name="Rival tactic")
    rival_offer, _ = offer_attach(journey_stage=rival_ascend, offer=rival_journey.core_offer)
    assert get_stage_tactic(rival_journey, rival_tactic.pk) == rival_tactic
    assert get_stage_offer(rival_journey, rival_offer.pk) == rival_offer
    with pytest.raises(Http404):
        get_stage_tactic(journey, rival_tactic.pk)
    with pytest.raises(Http404):
        get_stage_offer(journey, rival_offer.pk)
    with pytest.raises(Http404):
        get_journey_stage(journey, "no-such-stage")
