from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from journeys.deliverable.exports import export_request
from journeys.deliverable.sharing import SHARE_SALT, journey_finalize, share_link_create
from journeys.models import JourneyStatus, ShareLink
from journeys.services import tactic_add
from tests.clients import HTMX_HEADERS

pytestmark = pytest.mark.django_db


def test_finalizing_freezes_numbered_versions(journey, strategist):
    first = journey_finalize(journey=journey, user=strategist.user)
    second = journey_finalize(journey=journey, user=strategist.user)
    journey.refresh_from_db()
    assert journey.status == JourneyStatus.FINAL
    assert (first.number, second.number) == (1, 2)
    assert first.snapshot["title"] == journey.title
    assert [s["slug"] for s in first.snapshot["stages"]][:2] == ["aware", "engage"]


def test_client_sees_only_final_or_shared_journeys(client, journey, client_member):
    client.force_login(client_member.user)
    assert journey.title not in client.get(reverse("home")).text
    assert client.get(reverse("journey_view", args=[journey.pk])).status_code == 404
    journey.shared_with_client = True
    journey.save()
    assert journey.title in client.get(reverse("home")).text
    assert client.get(reverse("journey_view", args=[journey.pk])).status_code == 200


def _tactic_in_every_stage(journey) -> None:
    for entry in journey.stages.all():
        tactic_add(journey_stage=entry, custom_name=f"Something for {entry.stage.name}")


def test_strategist_finalizes_and_shares_from_the_status_card(strategist_client, journey):
    _tactic_in_every_stage(journey)
    url = reverse("journey_status", args=[journey.pk])
    card = strategist_client.get(url, headers=HTMX_HEADERS)
    assert card.status_code == 200 and "Finalize" in card.text and "<html" not in card.text
    strategist_client.post(url, {"action": "share"}, headers=HTMX_HEADERS)
    journey.refresh_from_db()
    assert journey.shared_with_client
    response = strategist_client.post(url, {"action": "finalize"}, headers=HTMX_HEADERS)
    journey.refresh_from_db()
    assert journey.status == "final" and "Reopen" in response.text
    assert strategist_client.post(url, {"action": "nonsense"}).status_code == 404


def test_client_cannot_change_status(client, journey, client_member):
    journey.shared_with_client = True
    journey.save()
    client.force_login(client_member.user)
    response = client.post(reverse("journey_status", args=[journey.pk]), {"action": "finalize"})
    assert response.status_code == 404


def _share_url(strategist_client, journey, days=14) -> str:
    response = strategist_client.post(
        reverse("share_link_create", args=[journey.pk]),
        {"days": days, "label": "Owner"},
        headers=HTMX_HEADERS,
    )
    assert response.status_code == 200
    start = response.text.index('value="', response.text.index("new-link-url")) + 7
    return response.text[start : response.text.index('"', start)]


def test_a_valid_share_link_shows_the_journey_and_its_pdf_without_an_account(
    strategist_client, journey, strategist, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export_request(journey=journey, user=strategist.user)
    url = _share_url(strategist_client, journey)
    page = client.get(url)
    assert page.status_code == 200
    assert journey.title in page.text and "Download PDF" in page.text
    pdf = client.get(url + "pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    link = ShareLink.objects.get()
    assert link.use_count == 2 and link.last_used_at is not None
    assert link.secret_hash not in url  # only the hash is stored, never the secret


def test_expired_share_link_says_so(strategist_client, journey, client):
    url = _share_url(strategist_client, journey)
    ShareLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(url)
    assert response.status_code == 410 and "expired" in response.text


def test_revoked_share_link_says_so(strategist_client, journey, client):
    url = _share_url(strategist_client, journey)
    link = ShareLink.objects.get()
    strategist_client.post(reverse("share_link_revoke", args=[link.pk]), headers=HTMX_HEADERS)
    response = client.get(url)
    assert response.status_code == 410 and "switched off" in response.text
    assert client.get(url + "pdf/").status_code == 410


def test_tampered_share_links_are_invalid(journey, strategist, client):
    link, token = share_link_create(journey=journey, user=strategist.user, days=7)
    forged = signing.dumps({"l": link.pk, "s": "guessed-secret"}, salt=SHARE_SALT, compress=True)
    for bad in (token[:-2] + "xx", forged, "not-a-token", token.replace(":", ".")):
        response = client.get(reverse("share_page", args=[bad]))
        assert response.status_code == 404, bad
        assert "not valid" in response.text


def test_share_link_expiry_is_bounded(journey, strategist):
    link, _ = share_link_create(journey=journey, user=strategist.user, days=10_000)
    assert link.expires_at <= timezone.now() + timedelta(days=90, minutes=1)


def test_another_agency_cannot_revoke_or_create_links(
    client, journey, strategist, other_agency_journey
):
    from tests.factories import MembershipFactory

    link, _ = share_link_create(journey=journey, user=strategist.user, days=7)
    rival = MembershipFactory(agency=other_agency_journey.business.agency)
    client.force_login(rival.user)
    assert client.post(reverse("share_link_revoke", args=[link.pk])).status_code == 404
    assert client.post(reverse("share_link_create", args=[journey.pk])).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_finalize_is_disabled_with_the_reason_until_every_stage_has_a_tactic(htmx_client, journey):
    url = reverse("journey_status", args=[journey.pk])
    for entry in journey.stages.order_by("stage__position")[:3]:
        tactic_add(journey_stage=entry, custom_name="A tactic")
    card = htmx_client.get(url)
    assert 'type="submit" disabled aria-describedby="finalize-reason">Finalize as v1' in card.text
    assert "5 stages have none yet (Convert, Excite, Ascend and 2 more)" in card.text
    refused = htmx_client.post(url, {"action": "finalize"})
    journey.refresh_from_db()
    assert journey.status == "draft" and journey.versions.count() == 0
    assert 'role="alert">Finalize once every stage has a tactic' in refused.text

    _tactic_in_every_stage(journey)
    card = htmx_client.get(url)
    assert "disabled" not in card.text.split("Finalize as v1")[0].rsplit("<button", 1)[1]
    htmx_client.post(url, {"action": "finalize"})
    journey.refresh_from_db()
    assert journey.status == "final"


def test_the_status_never_shows_the_internal_edit_counter(htmx_client, journey):
    journey.version = 7919  # four digits: never part of the "saved HH:MM" on the card
    journey.save()
    url = reverse("journey_status", args=[journey.pk])
    card = htmx_client.get(url).text
    assert re.search(r"Draft · saved \d\d:\d\d", card)
    assert "7919" not in card
    _tactic_in_every_stage(journey)
    htmx_client.post(url, {"action": "finalize"})
    htmx_client.post(url, {"action": "reopen"})
    _tactic_in_every_stage(journey)
    card = htmx_client.post(url, {"action": "finalize"}).text
    assert "Final · v2" in card and "7919" not in card
