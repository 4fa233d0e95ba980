"""Services for the multi-step writes: journeys, tactics and offers in a stage."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from journeys.models import Journey, JourneyStage, StageOffer, StageTactic
from journeys.services import (
    journey_create,
    offer_attach,
    offer_move,
    offer_reorder,
    tactic_add,
    tactic_move,
    tactic_remove,
    tactic_reorder,
    tactic_restore,
)
from stages.models import STAGE_SLUGS, Stage, Tactic
from tests.factories import (
    AgencyFactory,
    BusinessFactory,
    OfferFactory,
    PersonaFactory,
    TacticFactory,
)
from tests.journeys.services_support import (
    add_custom,
    entry,
    names_in,
    offer_names_in,
    version_of,
)

pytestmark = pytest.mark.django_db


# --- journey_create


def test_journey_create_makes_eight_stage_entries_in_stage_order(business, strategist):
    journey = journey_create(
        business=business,
        persona=PersonaFactory(business=business),
        core_offer=OfferFactory(business=business, kind="core"),
        title="Neighbour to client",
        owner=strategist.user,
    )
    entries = list(journey.stages.select_related("stage").order_by("stage__position"))
    assert len(entries) == 8
    assert JourneyStage.objects.filter(journey=journey).count() == 8
    assert [e.stage.slug for e in entries] == list(STAGE_SLUGS)
    assert [e.stage.position for e in entries] == list(range(1, 9))


def test_journey_create_presets_each_metric_from_the_stage(journey):
    expected = dict(Stage.objects.values_list("slug", "default_metric"))
    actual = dict(journey.stages.values_list("stage__slug", "metric"))
    assert actual == expected
    assert all(metric for metric in actual.values())


def test_journey_create_starts_a_draft_at_version_one(journey, strategist):
    journey.refresh_from_db()
    assert journey.status == "draft"
    assert journey.version == 1
    assert journey.owner == strategist.user
    assert journey.session_elapsed_seconds == 0


def test_journey_create_with_foreign_persona_creates_nothing(business, strategist):
    other = BusinessFactory(agency=business.agency)
    with pytest.raises(ValidationError) as excinfo:
        journey_create(
            business=business,
            persona=PersonaFactory(business=other),
            core_offer=OfferFactory(business=business, kind="core"),
            title="Broken",
            owner=strategist.user,
        )
    assert "persona" in excinfo.value.message_dict
    assert Journey.objects.count() == 0
    assert JourneyStage.objects.count() == 0


def test_journey_create_rolls_back_the_journey_when_stage_entries_fail(
    business, strategist, monkeypatch
):
    def refuse(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(JourneyStage.objects, "bulk_create", refuse)
    with pytest.raises(RuntimeError):
        journey_create(
            business=business,
            persona=PersonaFactory(business=business),
            core_offer=OfferFactory(business=business, kind="core"),
            title="Half made",
            owner=strategist.user,
        )
    assert not Journey.objects.filter(title="Half made").exists()


def test_journey_create_without_owner_is_allowed(business):
    journey = journey_create(
        business=business,
        persona=PersonaFactory(business=business),
        core_offer=OfferFactory(business=business, kind="core"),
        title="Ownerless",
        owner=None,
    )
    assert journey.owner is None
    assert journey.stages.count() == 8


# --- tactic_add


def test_library_tactic_is_added_at_the_end_of_the_stage(journey):
    aware = entry(journey, "aware")
    first, second = Tactic.objects.filter(stage=aware.stage, agency=None)[:2]
    added, created = tactic_add(journey_stage=aware, tactic=first, notes="Monthly photos")
    assert created is True
    assert (added.tactic_id, added.custom_name, added.position) == (first.pk, "", 1)
    assert added.name == first.name
    assert added.notes == "Monthly photos"
    later, _ = tactic_add(journey_stage=aware, tactic=second)
    assert later.position == 2
    assert names_in(aware) == [first.name, second.name]


def test_custom_tactic_is_stored_with_a_trimmed_name_and_channel(journey):
    aware = entry(journey, "aware")
    added, created = tactic_add(
        journey_stage=aware, custom_name="  Nextdoor posts  ", channel="social"
    )
    assert created is True
    added.refresh_from_db()
    assert (added.tactic_id, added.custom_name, added.channel) == (None, "Nextdoor posts", "social")
    assert added.channel_label == "Social media"


def test_adding_the_same_library_tactic_twice_returns_the_first(journey):
    aware = entry(journey, "aware")
    tactic = Tactic.objects.filter(stage=aware.stage, agency=None).first()
    first, created_first = tactic_add(journey_stage=aware, tactic=tactic)
    version = version_of(journey)
    again, created_again = tactic_add(journey_stage=aware, tactic=tactic)
    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert StageTactic.objects.filter(journey_stage=aware).count() == 1
    assert version_of(journey) == version


def test_adding_the_same_custom_name_in_another_case_returns_the_first(journey):
    aware = entry(journey, "aware")
    first, _ = tactic_add(journey_stage=aware, custom_name="Yard signs")
    again, created = tactic_add(journey_stage=aware, custom_name="YARD SIGNS ")
    assert created is False
    assert again.pk == first.pk
    assert StageTactic.objects.filter(journey_stage=aware).count() == 1


def test_tactic_of_another_stage_is_rejected_naming_the_stage(journey):
    aware = entry(journey, "aware")
    promote_tactic = Tactic.objects.filter(stage__slug="promote", agency=None).first()
    with pytest.raises(ValidationError) as excinfo:
        tactic_add(journey_stage=aware, tactic=promote_tactic)
    message = excinfo.value.message_dict["tactic"][0]
    assert promote_tactic.name in message
    assert "Aware" in message
    assert not StageTactic.all_objects.exists()


def test_another_agencys_tactic_is_rejected(journey):
    aware = entry(journey, "aware")
    foreign = TacticFactory(stage=aware.stage, agency=AgencyFactory(), name="Rival secret")
    with pytest.raises(ValidationError) as excinfo:
        tactic_add(journey_stage=aware, tactic=foreign)
    assert "library" in excinfo.value.message_dict["tactic"][0]
    assert not StageTactic.all_objects.exists()


def test_the_agencys_own_tactic_is_allowed(journey):
    aware = entry(journey, "aware")
    own = TacticFactory(stage=aware.stage, agency=journey.business.agency, name="House special")
    added, created = tactic_add(journey_stage=aware, tactic=own)
    assert created is True
    assert added.tactic_id == own.pk
    assert names_in(aware) == ["House special"]


def test_inactive_library_tactic_is_rejected(journey):
    aware = entry(journey, "aware")
    retired = TacticFactory(stage=aware.stage, is_active=False, name="Fax blasts")
    with pytest.raises(ValidationError) as excinfo:
        tactic_add(journey_stage=aware, tactic=retired)
    assert "tactic" in excinfo.value.message_dict
    assert not StageTactic.all_objects.exists()


def test_overlong_custom_tactic_name_is_rejected(journey):
    with pytest.raises(ValidationError) as excinfo:
        tactic_add(journey_stage=entry(journey, "aware"), custom_name="x" * 121)
    assert "custom_name" in excinfo.value.message_dict
    assert not StageTactic.all_objects.exists()


def test_tactic_add_bumps_the_journey_version(journey):
    before = version_of(journey)
    tactic_add(journey_stage=entry(journey, "engage"), custom_name="Podcast guesting")
    assert version_of(journey) == before + 1


# --- tactic_move / tactic_reorder


def test_tactic_move_up_swaps_with_the_previous_one(journey):
    aware = entry(journey, "aware")
    _a, _b, c = add_custom(aware, "A", "B", "C")
    tactic_move(stage_tactic=c, direction="up")
    assert names_in(aware) == ["A", "C", "B"]
    positions = StageTactic.objects.filter(journey_stage=aware).values_list("position", flat=True)
    assert list(positions) == [1, 2, 3]


def test_tactic_move_down_swaps_with_the_next_one(journey):
    aware = entry(journey, "aware")
    a, _b, _c = add_custom(aware, "A", "B", "C")
    before = version_of(journey)
    tactic_move(stage_tactic=a, direction="down")
    assert names_in(aware) == ["B", "A", "C"]
    assert version_of(journey) == before + 1


def test_tactic_move_past_either_edge_changes_nothing(journey):
    aware = entry(journey, "aware")
    a, _b, c = add_custom(aware, "A", "B", "C")
    before = version_of(journey)
    tactic_move(stage_tactic=a, direction="up")
    tactic_move(stage_tactic=c, direction="down")
    assert names_in(aware) == ["A", "B", "C"]
    assert version_of(journey) == before


def test_tactic_reorder_applies_the_given_order(journey):
    aware = entry(journey, "aware")
    a, b, c = add_custom(aware, "A", "B", "C")
    tactic_reorder(journey_stage=aware, ordered_ids=[c.pk, a.pk, b.pk])
    assert names_in(aware) == ["C", "A", "B"]
    positions = dict(StageTactic.objects.values_list("custom_name", "position"))
    assert positions == {"C": 1, "A": 2, "B": 3}


@pytest.mark.parametrize("change", ["missing", "extra", "foreign"])
def test_tactic_reorder_with_a_different_set_of_ids_is_rejected(journey, change):
    aware = entry(journey, "aware")
    a, b, c = add_custom(aware, "A", "B", "C")
    ids = {
        "missing": [c.pk, a.pk],
        "extra": [c.pk, a.pk, b.pk, c.pk],
        "foreign": [c.pk, a.pk, add_custom(entry(journey, "engage"), "Elsewhere")[0].pk],
    }[change]
    with pytest.raises(ValidationError) as excinfo:
        tactic_reorder(journey_stage=aware, ordered_ids=ids)
    assert "reload" in excinfo.value.messages[0]
    assert names_in(aware) == ["A", "B", "C"]


# --- tactic_remove / tactic_restore


def test_removed_tactic_is_hidden_but_kept_and_can_be_restored(journey):
    aware = entry(journey, "aware")
    a, b = add_custom(aware, "A", "B")
    before = version_of(journey)
    tactic_remove(stage_tactic=a)
    assert names_in(aware) == ["B"]
    assert not StageTactic.objects.filter(pk=a.pk).exists()
    assert StageTactic.all_objects.get(pk=a.pk).removed_at is not None
    assert version_of(journey) == before + 1

    tactic_restore(stage_tactic=a)
    assert names_in(aware) == ["A", "B"]
    assert StageTactic.objects.get(pk=a.pk).removed_at is None
    assert version_of(journey) == before + 2


def test_a_removed_tactic_does_not_block_moving_the_others(journey):
    aware = entry(journey, "aware")
    a, b, c = add_custom(aware, "A", "B", "C")
    tactic_remove(stage_tactic=b)
    tactic_move(stage_tactic=c, direction="up")
    assert names_in(aware) == ["C", "A"]


# --- offers in a stage


def test_offer_attach_is_idempotent(journey):
    ascend = entry(journey, "ascend")
    first, created = offer_attach(journey_stage=ascend, offer=journey.core_offer)
    version = version_of(journey)
    again, created_again = offer_attach(journey_stage=ascend, offer=journey.core_offer)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert StageOffer.objects.filter(journey_stage=ascend).count() == 1
    assert version_of(journey) == version


def test_offer_attach_appends_in_order_and_bumps_the_version(journey):
    ascend = entry(journey, "ascend")
    before = version_of(journey)
    bundle = OfferFactory(business=journey.business, kind="ascension", name="Bundle")
    core_use, _ = offer_attach(journey_stage=ascend, offer=journey.core_offer)
    bundle_use, _ = offer_attach(journey_stage=ascend, offer=bundle)
    assert (core_use.position, bundle_use.position) == (1, 2)
    assert offer_names_in(ascend) == [journey.core_offer.name, "Bundle"]
    assert version_of(journey) == before + 2


def attach_ladder(journey: Journey) -> tuple[JourneyStage, list[StageOffer]]:
    ascend = entry(journey, "ascend")
    uses = [
        offer_attach(
            journey_stage=ascend,
            offer=OfferFactory(business=journey.business, kind="ascension", name=name),
        )[0]
        for name in ("One", "Two", "Three")
    ]
    return ascend, uses


def test_offer_move_up_and_down_and_at_the_edges(journey):
    ascend, (one, two, three) = attach_ladder(journey)
    offer_move(stage_offer=three, direction="up")
    assert offer_names_in(ascend) == ["One", "Three", "Two"]
    offer_move(stage_offer=one, direction="down")
    assert offer_names_in(ascend) == ["Three", "One", "Two"]
    before = version_of(journey)
    offer_move(stage_offer=three, direction="up")
    offer_move(stage_offer=two, direction="down")
    assert offer_names_in(ascend) == ["Three", "One", "Two"]
    assert version_of(journey) == before


def test_offer_reorder_applies_the_order_or_refuses_a_changed_set(journey):
    ascend, (one, two, three) = attach_ladder(journey)
    offer_reorder(journey_stage=ascend, ordered_ids=[two.pk, three.pk, one.pk])
    assert offer_names_in(ascend) == ["Two", "Three", "One"]
    with pytest.raises(ValidationError):
        offer_reorder(journey_stage=ascend, ordered_ids=[one.pk, two.pk])
    assert offer_names_in(ascend) == ["Two", "Three", "One"]
