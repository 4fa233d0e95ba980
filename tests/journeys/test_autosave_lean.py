"""The lean autosave path (issue 16): fewer statements, the same rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404
from django.urls import reverse

from cvj.models import Role
from cvj.team import membership_deactivate, sessions_end_for_user
from journeys.access import get_autosave_row_for
from journeys.models import Journey, JourneyStage
from journeys.services import field_save, tactic_add, tactic_remove
from stages.models import Tactic
from tests.journeys.editor_support import AUTOSAVE, _entry


def _save(client, journey: Journey, **post):
    url = reverse("journey_autosave", args=[journey.pk])
    return client.post(url, post, headers=AUTOSAVE)


def test_a_save_bumps_the_row_and_the_journey_version_in_one_statement(strategist_client, journey):
    before = _entry(journey, "aware")
    response = _save(strategist_client, journey, target="stage:aware", field="goal", value="Hi")
    assert response.json()["status"] == "saved"
    after = _entry(journey, "aware")
    assert after.goal == "Hi"
    assert after.version == before.version + 1
    journey_after = Journey.objects.get(pk=journey.pk)
    assert journey_after.version == journey.version + 1
    assert journey_after.updated_at > journey.updated_at


def test_a_write_between_read_and_save_is_a_conflict_not_an_overwrite(journey):
    # The row as the view read it says "" — but another editor has written since.
    stale = _entry(journey, "aware")
    JourneyStage.objects.filter(pk=stale.pk).update(goal="Theirs")
    result = field_save(row=stale, field="goal", value="Mine", base="", journey_id=journey.pk)
    assert result.status == "conflict"
    assert result.theirs == "Theirs"
    assert _entry(journey, "aware").goal == "Theirs"


def test_a_write_between_read_and_save_of_the_same_text_is_unchanged(journey):
    stale = _entry(journey, "aware")
    JourneyStage.objects.filter(pk=stale.pk).update(goal="Same")
    result = field_save(row=stale, field="goal", value="Same", base="", journey_id=journey.pk)
    assert result.status == "unchanged"


def test_decimals_compare_by_value_in_the_conditional_update(strategist_client, journey):
    JourneyStage.objects.filter(pk=_entry(journey, "aware").pk).update(
        target_conversion=Decimal("12.50")
    )
    response = _save(
        strategist_client,
        journey,
        target="stage:aware",
        field="target_conversion",
        value="20",
        base="12.5",
    )
    assert response.json()["status"] == "saved"
    assert _entry(journey, "aware").target_conversion == Decimal("20")


def test_a_journey_field_saves_and_bumps_once(strategist_client, journey):
    response = _save(
        strategist_client, journey, target="journey", field="title", value="New", base=journey.title
    )
    assert response.json()["status"] == "saved"
    saved = Journey.objects.get(pk=journey.pk)
    assert (saved.title, saved.version) == ("New", journey.version + 1)


def test_nul_is_still_refused_with_422(strategist_client, journey):
    response = _save(strategist_client, journey, target="stage:aware", field="goal", value="a\x00b")
    assert response.status_code == 422


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_hostile_text_is_still_refused_before_any_write(journey, bad):
    entry = _entry(journey, "aware")
    result = field_save(row=entry, field="goal", value=bad, base="", journey_id=journey.pk)
    assert result.status == "invalid"
    assert _entry(journey, "aware").version == entry.version


def test_the_length_limit_still_holds(strategist_client, journey):
    too_long = "x" * (JourneyStage._meta.get_field("goal").max_length + 1)
    response = _save(strategist_client, journey, target="stage:aware", field="goal", value=too_long)
    assert response.status_code == 422


def test_another_agencys_journey_is_not_found(strategist_client, other_agency_journey):
    response = _save(
        strategist_client, other_agency_journey, target="stage:aware", field="goal", value="x"
    )
    assert response.status_code == 404
    assert _entry(other_agency_journey, "aware").goal == ""


def test_a_demotion_to_client_takes_effect_on_the_next_save(strategist_client, strategist, journey):
    assert (
        _save(strategist_client, journey, target="stage:aware", field="goal", value="a").status_code
        == 200
    )
    strategist.role = Role.CLIENT
    strategist.business = journey.business
    strategist.save()
    response = _save(strategist_client, journey, target="stage:aware", field="goal", value="b")
    assert response.status_code == 404
    assert _entry(journey, "aware").goal == "a"


def test_deactivation_ends_the_cached_session_at_once(
    strategist_client, strategist, agency_admin, journey
):
    assert (
        _save(strategist_client, journey, target="stage:aware", field="goal", value="a").status_code
        == 200
    )
    membership_deactivate(membership=strategist, by=agency_admin.user)
    response = _save(strategist_client, journey, target="stage:aware", field="goal", value="b")
    assert response.status_code == 302  # to sign-in: the session is gone from cache and database
    assert _entry(journey, "aware").goal == "a"


def test_sign_out_everywhere_ends_the_cached_session_at_once(
    strategist_client, strategist, journey
):
    assert (
        _save(strategist_client, journey, target="stage:aware", field="goal", value="a").status_code
        == 200
    )
    assert sessions_end_for_user(user=strategist.user) == 1
    response = _save(strategist_client, journey, target="stage:aware", field="goal", value="b")
    assert response.status_code == 302


def test_a_removed_tactic_is_not_found(strategist_client, strategist, journey):
    tactic = Tactic.objects.filter(stage__slug="aware").first()
    added, _ = tactic_add(journey_stage=_entry(journey, "aware"), tactic=tactic)
    tactic_remove(stage_tactic=added)
    with pytest.raises(Http404):
        get_autosave_row_for(strategist.user, journey.pk, f"tactic:{added.pk}")


def test_an_unknown_target_is_not_found(strategist_client, journey):
    response = _save(strategist_client, journey, target="persona:1", field="goal", value="x")
    assert response.status_code == 404
