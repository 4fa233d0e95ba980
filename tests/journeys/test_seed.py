"""`seed_demo`: one demo agency, three users and a complete journey; safe to run again."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cvj.models import Agency, Membership, Role
from journeys import demo
from journeys.management.commands.seed_demo import DEMO_PASSWORD
from journeys.models import Business, Journey, Offer, Persona, StageOffer, StageTactic
from stages.models import STAGE_SLUGS

pytestmark = pytest.mark.django_db

SEEDED_MODELS = (
    Agency,
    get_user_model(),
    Membership,
    Business,
    Persona,
    Offer,
    Journey,
    StageTactic,
    StageOffer,
)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._base_manager.count() for model in SEEDED_MODELS}


@pytest.fixture
def demo_journey() -> Journey:
    seed()
    return Journey.objects.get(title=demo.DEMO_JOURNEY["title"])


def test_seeding_twice_creates_nothing_new():
    seed()
    first = counts()
    seed()
    assert counts() == first
    assert first == {
        "Agency": 1,
        "User": 3,
        "Membership": 3,
        "Business": 1,
        "Persona": 1,
        "Offer": len(demo.DEMO_OFFERS),
        "Journey": 1,
        "StageTactic": sum(len(s["tactics"]) for s in demo.DEMO_JOURNEY["stages"].values()),
        "StageOffer": sum(len(s["offers"]) for s in demo.DEMO_JOURNEY["stages"].values()),
    }


def test_seed_prints_the_credentials():
    output = seed()
    for username in ("admin", "strategist", "client"):
        assert f"{username} / {DEMO_PASSWORD}" in output


def test_demo_journey_has_tactics_in_every_stage(demo_journey):
    per_stage = {
        entry.stage.slug: StageTactic.objects.filter(journey_stage=entry).count()
        for entry in demo_journey.stages.select_related("stage")
    }
    assert list(per_stage) == list(STAGE_SLUGS)
    assert all(count >= 1 for count in per_stage.values()), per_stage


def test_demo_journey_carries_four_to_six_offers_where_they_belong(demo_journey):
    uses = StageOffer.objects.filter(journey_stage__journey=demo_journey)
    assert 4 <= uses.count() <= 6
    assert 4 <= Offer.objects.filter(business=demo_journey.business).count() <= 6
    placed = set(uses.values_list("journey_stage__stage__slug", "offer__kind"))
    assert ("subscribe", "lead_magnet") in placed
    assert ("convert", "entry_point") in placed
    assert ("ascend", "core") in placed
    assert ("promote", "referral") in placed
    assert demo_journey.core_offer.kind == "core"
    assert demo_journey.persona.business_id == demo_journey.business_id


def test_demo_journey_stages_have_goals_and_conversions(demo_journey):
    entries = list(demo_journey.stages.all())
    assert len(entries) == 8
    assert all(entry.goal and entry.metric for entry in entries)
    assert all(entry.target_conversion is not None for entry in entries)


def test_the_three_demo_users_have_their_roles():
    seed()
    memberships = {
        m.user.username: m
        for m in Membership.objects.select_related("user", "agency", "business").all()
    }
    assert {name: m.role for name, m in memberships.items()} == {
        "admin": Role.ADMIN,
        "strategist": Role.STRATEGIST,
        "client": Role.CLIENT,
    }
    agency = Agency.objects.get(slug=demo.DEMO_AGENCY["slug"])
    assert {m.agency_id for m in memberships.values()} == {agency.pk}
    assert memberships["client"].business.name == demo.DEMO_BUSINESS["name"]
    assert memberships["admin"].business is None
    assert memberships["strategist"].business is None


def test_seed_does_not_reset_a_changed_password():
    seed()
    user = get_user_model().objects.get(username="strategist")
    user.set_password("changed-by-the-user-1")
    user.save()
    seed()
    user.refresh_from_db()
    assert user.check_password("changed-by-the-user-1")


def test_demo_strategist_logs_in_and_sees_the_demo_journey(client):
    seed()
    assert client.login(username="strategist", password=DEMO_PASSWORD)
    response = client.get("/")
    assert response.status_code == 200
    assert demo.DEMO_JOURNEY["title"] in response.content.decode()


def test_demo_client_sees_the_demo_journey_too(client):
    seed()
    assert client.login(username="client", password=DEMO_PASSWORD)
    response = client.get("/")
    assert response.status_code == 200
    assert demo.DEMO_JOURNEY["title"] in response.content.decode()
