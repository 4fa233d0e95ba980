from __future__ import annotations

import pytest
from django.urls import reverse

from journeys.deliverable.sharing import journey_finalize
from journeys.deliverable.versions import snapshot_diff
from journeys.models import Export
from journeys.services import tactic_add

pytestmark = pytest.mark.django_db


def test_diff_lists_field_tactic_and_offer_changes_per_stage(journey, strategist):
    v1 = journey_finalize(journey=journey, user=strategist.user)
    aware = journey.stages.get(stage__slug="aware")
    aware.goal = "Reach local parents"
    aware.save()
    tactic_add(journey_stage=aware, custom_name="Yard signs")
    v2 = journey_finalize(journey=journey, user=strategist.user)
    changes = {c.slug: c for c in snapshot_diff(v1.snapshot, v2.snapshot)}
    assert changes["aware"].fields == [("Goal", "", "Reach local parents")]
    assert changes["aware"].tactics_added == ["Yard signs"]
    assert not changes["engage"].changed
    reverse_changes = {c.slug: c for c in snapshot_diff(v2.snapshot, v1.snapshot)}
    assert reverse_changes["aware"].tactics_removed == ["Yard signs"]


def test_history_page_compares_a_version_with_now(strategist_client, journey, strategist):
    journey_finalize(journey=journey, user=strategist.user)
    tactic_add(journey_stage=journey.stages.get(stage__slug="promote"), custom_name="Referral card")
    response = strategist_client.get(reverse("journey_versions", args=[journey.pk]) + "?a=1")
    assert response.status_code == 200
    html = response.text
    assert "What changed: v1 → now" in html
    # Exactly one stage changed, and it shows the added tactic.
    assert html.count('class="diff-stage ') == 1
    assert html.index('class="diff-stage s-promote"') < html.index("<ins>+ Referral card</ins>")
    assert "No changes." not in html

    unchanged = strategist_client.get(reverse("journey_versions", args=[journey.pk]) + "?a=1&b=1")
    assert "What changed: v1 → v1" in unchanged.text and "No changes." in unchanged.text


def test_pdf_of_a_version_renders_the_frozen_snapshot(
    strategist_client, journey, strategist, django_capture_on_commit_callbacks
):
    version = journey_finalize(journey=journey, user=strategist.user)
    journey.refresh_from_db()
    journey.title = "Renamed later"
    journey.version += 1
    journey.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = strategist_client.post(reverse("version_export", args=[journey.pk, 1]))
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.journey_version == version.journey_version
    assert export.snapshot["title"] != "Renamed later"
    assert export.status == "done"


def test_versions_of_another_agency_are_404(strategist_client, other_agency_journey):
    url = reverse("journey_versions", args=[other_agency_journey.pk])
    assert strategist_client.get(url).status_code == 404
    pdf = reverse("version_export", args=[other_agency_journey.pk, 1])
    assert strategist_client.post(pdf).status_code == 404
