"""Services for the multi-step writes: journeys, tactics and offers in a stage, autosave, clock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from journeys import services
from journeys.models import Journey, JourneyStage, StageOffer, StageTactic
from journeys.services import (
    field_save,
    journey_create,
    offer_attach,
    offer_move,
    offer_reorder,
    session_elapsed,
    session_reset,
    session_toggle,
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

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Factories hash a password per user; the production hasher would dominate the runtime."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def entry(journey: Journey, slug: str) -> JourneyStage:
    return JourneyStage.objects.select_related("stage", "journey__business").get(
        journey=journey, stage__slug=slug
    )


def version_of(journey: Journey) -> int:
    return Journey.objects.values_list("version", flat=True).get(pk=journey.pk)


def names_in(stage_entry: JourneyStage) -> list[str]:
    return [t.name for t in StageTactic.objects.filter(journey_stage=stage_entry)]


def offer_names_in(stage_entry: JourneyStage) -> list[str]:
    return list(
        StageOffer.objects.filter(journey_stage=stage_entry).values_list("offer__name", flat=True)
    )


def add_custom(stage_entry: JourneyStage, *names: str) -> list[StageTactic]:
    return [tactic_add(journey_stage=stage_entry, custom_name=name)[0] for name in names]


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


# --- field_save: the three-way autosave


def test_save_from_the_stored_value_is_saved_and_bumps_versions(journey):
    convert = entry(journey, "convert")
    before = version_of(journey)
    result = field_save(
        row=convert, field="goal", value="Book a $19 room", base="", journey_id=journey.pk
    )
    assert (result.status, result.value, result.error) == ("saved", "Book a $19 room", "")
    convert.refresh_from_db()
    assert convert.goal == "Book a $19 room"
    assert convert.version == 2
    assert version_of(journey) == before + 1


def test_save_of_the_value_already_stored_is_unchanged(journey):
    convert = entry(journey, "convert")
    JourneyStage.objects.filter(pk=convert.pk).update(goal="Same words")
    before = version_of(journey)
    result = field_save(
        row=convert, field="goal", value="Same words", base="Older words", journey_id=journey.pk
    )
    assert (result.status, result.value) == ("unchanged", "Same words")
    convert.refresh_from_db()
    assert convert.version == 1
    assert version_of(journey) == before


def test_stale_save_returns_conflict_with_their_text(journey):
    convert = entry(journey, "convert")
    JourneyStage.objects.filter(pk=convert.pk).update(goal="Their version")
    before = version_of(journey)
    result = field_save(
        row=convert, field="goal", value="My version", base="Original", journey_id=journey.pk
    )
    assert (result.status, result.value, result.theirs) == (
        "conflict",
        "My version",
        "Their version",
    )
    convert.refresh_from_db()
    assert convert.goal == "Their version"
    assert version_of(journey) == before


def test_different_fields_of_one_row_never_conflict(journey):
    convert = entry(journey, "convert")
    loaded_goal = convert.goal
    notes = field_save(
        row=convert, field="notes", value="Colleague's notes", base="", journey_id=journey.pk
    )
    goal = field_save(
        row=convert, field="goal", value="My goal", base=loaded_goal, journey_id=journey.pk
    )
    assert (notes.status, goal.status) == ("saved", "saved")
    convert.refresh_from_db()
    assert (convert.goal, convert.notes) == ("My goal", "Colleague's notes")
    assert convert.version == 3


def test_text_over_4000_characters_is_invalid_and_not_stored(journey):
    convert = entry(journey, "convert")
    result = field_save(row=convert, field="goal", value="x" * 4001, base="", journey_id=journey.pk)
    assert result.status == "invalid"
    assert "4000" in result.error
    convert.refresh_from_db()
    assert convert.goal == ""


def test_text_of_exactly_4000_characters_is_saved(journey):
    convert = entry(journey, "convert")
    result = field_save(
        row=convert, field="notes", value="y" * 4000, base="", journey_id=journey.pk
    )
    assert result.status == "saved"
    convert.refresh_from_db()
    assert len(convert.notes) == 4000


def test_metric_over_200_characters_is_invalid_and_not_stored(journey):
    convert = entry(journey, "convert")
    metric = convert.metric
    result = field_save(
        row=convert, field="metric", value="m" * 201, base=metric, journey_id=journey.pk
    )
    assert result.status == "invalid"
    assert "at most 200 characters" in result.error
    convert.refresh_from_db()
    assert convert.metric == metric


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "must be a decimal number"),
        ("150", "less than or equal to 100"),
        ("-1", "greater than or equal to 0"),
    ],
)
def test_invalid_conversion_is_reported_and_not_stored(journey, value, message):
    convert = entry(journey, "convert")
    before = version_of(journey)
    result = field_save(
        row=convert, field="target_conversion", value=value, base="", journey_id=journey.pk
    )
    assert result.status == "invalid"
    assert message in result.error
    convert.refresh_from_db()
    assert convert.target_conversion is None
    assert version_of(journey) == before


@pytest.mark.parametrize("field", ["stage", "version", "journey", "updated_at"])
def test_fields_outside_the_autosave_list_are_refused(journey, field):
    convert = entry(journey, "convert")
    result = field_save(row=convert, field=field, value="1", base="", journey_id=journey.pk)
    assert result.status == "invalid"
    assert result.error == "This field cannot be edited here."


def test_models_outside_the_autosave_list_are_refused(journey):
    result = field_save(
        row=journey.core_offer, field="price", value="1", base="129", journey_id=journey.pk
    )
    assert result.status == "invalid"
    journey.core_offer.refresh_from_db()
    assert journey.core_offer.price == Decimal("129.00")


def test_journey_status_is_not_autosaved(journey):
    result = field_save(
        row=journey, field="status", value="final", base="draft", journey_id=journey.pk
    )
    assert result.status == "invalid"
    journey.refresh_from_db()
    assert journey.status == "draft"


def test_html_is_stored_verbatim(journey):
    convert = entry(journey, "convert")
    markup = '<script>alert("x")</script> & <b>bold</b>'
    result = field_save(row=convert, field="notes", value=markup, base="", journey_id=journey.pk)
    assert result.status == "saved"
    assert result.value == markup
    convert.refresh_from_db()
    assert convert.notes == markup


def test_crlf_line_endings_are_normalised_to_lf(journey):
    convert = entry(journey, "convert")
    result = field_save(
        row=convert, field="notes", value="line one\r\nline two", base="", journey_id=journey.pk
    )
    assert result.value == "line one\nline two"
    convert.refresh_from_db()
    assert convert.notes == "line one\nline two"
    again = field_save(
        row=convert,
        field="notes",
        value="line one\r\nline two\r\nthree",
        base="line one\r\nline two",
        journey_id=journey.pk,
    )
    assert again.status == "saved"


def test_decimal_base_with_trailing_zero_matches_the_stored_value(journey):
    convert = entry(journey, "convert")
    JourneyStage.objects.filter(pk=convert.pk).update(target_conversion=Decimal("12.5"))
    result = field_save(
        row=convert, field="target_conversion", value="20", base="12.50", journey_id=journey.pk
    )
    assert (result.status, result.value) == ("saved", "20")
    convert.refresh_from_db()
    assert convert.target_conversion == Decimal("20")


def test_clearing_a_conversion_stores_null(journey):
    convert = entry(journey, "convert")
    JourneyStage.objects.filter(pk=convert.pk).update(target_conversion=Decimal("85"))
    result = field_save(
        row=convert, field="target_conversion", value="", base="85", journey_id=journey.pk
    )
    assert (result.status, result.value) == ("saved", "")
    convert.refresh_from_db()
    assert convert.target_conversion is None


def test_journey_title_autosave_updates_the_title_and_version(journey):
    before = version_of(journey)
    result = field_save(
        row=journey, field="title", value="New title", base=journey.title, journey_id=journey.pk
    )
    assert result.status == "saved"
    journey.refresh_from_db()
    assert journey.title == "New title"
    assert journey.version > before


def test_stage_tactic_notes_autosave_bumps_the_journey(journey):
    (stage_tactic,) = add_custom(entry(journey, "aware"), "Yard signs")
    before = version_of(journey)
    result = field_save(
        row=stage_tactic, field="notes", value="48 hours", base="", journey_id=journey.pk
    )
    assert result.status == "saved"
    stage_tactic.refresh_from_db()
    assert (stage_tactic.notes, stage_tactic.version) == ("48 hours", 2)
    assert version_of(journey) == before + 1


def test_field_text_shows_decimals_without_exponent_or_trailing_zeros():
    assert services.field_text(Decimal("100.00")) == "100"
    assert services.field_text(Decimal("12.50")) == "12.5"
    assert services.field_text(None) == ""


# --- the session clock


def test_elapsed_counts_banked_seconds_plus_the_running_stretch(journey):
    start = timezone.now() - timedelta(minutes=5)
    journey.session_elapsed_seconds = 30
    journey.session_running_since = start
    assert session_elapsed(journey, now=start + timedelta(seconds=90)) == 120
    assert 330 <= session_elapsed(journey) <= 335


def test_elapsed_of_a_paused_clock_is_the_banked_time(journey):
    journey.session_elapsed_seconds = 42
    journey.session_running_since = None
    assert session_elapsed(journey) == 42


def test_elapsed_never_goes_negative_when_the_start_is_in_the_future(journey):
    journey.session_elapsed_seconds = 10
    journey.session_running_since = timezone.now() + timedelta(minutes=1)
    assert session_elapsed(journey) == 10


def test_toggle_starts_the_clock_and_moves_a_draft_into_session(journey):
    started = session_toggle(journey=journey)
    journey.refresh_from_db()
    assert journey.status == "in_session"
    assert journey.session_running_since is not None
    assert abs((timezone.now() - journey.session_running_since).total_seconds()) < 5
    assert started.session_running_since == journey.session_running_since


def test_toggle_pauses_and_banks_the_time_run(journey):
    Journey.objects.filter(pk=journey.pk).update(
        session_elapsed_seconds=10,
        session_running_since=timezone.now() - timedelta(seconds=60),
        status="in_session",
    )
    paused = session_toggle(journey=journey)
    journey.refresh_from_db()
    assert journey.session_running_since is None
    assert 70 <= journey.session_elapsed_seconds <= 75
    assert paused.session_elapsed_seconds == journey.session_elapsed_seconds
    assert session_elapsed(journey) == journey.session_elapsed_seconds


def test_starting_the_clock_keeps_a_final_journey_final(journey):
    Journey.objects.filter(pk=journey.pk).update(status="final")
    session_toggle(journey=journey)
    journey.refresh_from_db()
    assert journey.status == "final"
    assert journey.session_running_since is not None


def test_reset_clears_the_clock(journey):
    Journey.objects.filter(pk=journey.pk).update(
        session_elapsed_seconds=500, session_running_since=timezone.now()
    )
    session_reset(journey=journey)
    journey.refresh_from_db()
    assert (journey.session_elapsed_seconds, journey.session_running_since) == (0, None)
    assert session_elapsed(journey) == 0
