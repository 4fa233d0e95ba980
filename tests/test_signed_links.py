"""Share links, live links and invitations are one signed link (cvj/links.py): the same create,
resolve and revoke, and every link already sent before they were one still opens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cvj.links import LinkError
from cvj.models import Invitation, Role
from cvj.team import invitation_check, invitation_create, invitation_from_token
from journeys.deliverable.sharing import share_link_create, share_link_resolve, share_link_revoke
from journeys.live.guests import live_link_create, live_link_resolve, live_link_revoke
from journeys.models import LiveLink, ShareLink

pytestmark = pytest.mark.django_db

# Written out, not imported: these are what links in inboxes and chats already carry.
OLD_SIGNING = {
    "share": ("cvj.share-link", "l"),
    "live": ("cvj.live-link", "l"),
    "invitation": ("cvj.team.invitation", "i"),
}


def _stored_the_old_way(kind: str, *, journey, agency, secret: str):
    """A row as the code before the shared model wrote it: its secret's SHA-256, nothing else."""
    fields = {
        "secret_hash": hashlib.sha256(secret.encode()).hexdigest(),
        "expires_at": timezone.now() + timedelta(days=3),
    }
    if kind == "share":
        return ShareLink.objects.create(journey=journey, **fields)
    if kind == "live":
        return LiveLink.objects.create(journey=journey, **fields)
    return Invitation.objects.create(
        agency=agency, email="early@example.com", role=Role.STRATEGIST, **fields
    )


def _page(kind: str, token: str) -> str:
    name = {"share": "share_page", "live": "live_guest", "invitation": "team_invitation_accept"}
    return reverse(name[kind], args=[token])


@pytest.mark.parametrize("kind", ["share", "live", "invitation"])
def test_a_link_signed_by_the_old_code_still_opens(kind, journey, agency):
    secret = secrets.token_urlsafe(24)
    row = _stored_the_old_way(kind, journey=journey, agency=agency, secret=secret)
    salt, key = OLD_SIGNING[kind]
    # How share_link_create, live_link_create and invitation_create signed before.
    token = signing.dumps({key: row.pk, "s": secret}, salt=salt, compress=True)

    resolved = {
        "share": lambda: share_link_resolve(token, count_use=False),
        "live": lambda: live_link_resolve(token),
        "invitation": lambda: invitation_from_token(token),
    }[kind]()

    assert resolved == row and resolved.is_active
    assert Client().get(_page(kind, token)).status_code == 200


def test_new_links_are_signed_as_before(journey, agency, strategist):
    share, share_token = share_link_create(journey=journey, user=strategist.user, days=7)
    live, live_token = live_link_create(journey=journey, user=strategist.user)
    invitation, invitation_token = invitation_create(
        agency=agency, email="new@example.com", role=Role.STRATEGIST, business=None, invited_by=None
    )
    for row, token, kind in (
        (share, share_token, "share"),
        (live, live_token, "live"),
        (invitation, invitation_token, "invitation"),
    ):
        salt, key = OLD_SIGNING[kind]
        payload = signing.loads(token, salt=salt)
        assert set(payload) == {key, "s"} and payload[key] == row.pk
        assert row.secret_hash == hashlib.sha256(payload["s"].encode()).hexdigest()


def test_a_dead_link_says_why_in_its_own_words(journey, strategist):
    share, share_token = share_link_create(journey=journey, user=strategist.user, days=7)
    live, live_token = live_link_create(journey=journey, user=strategist.user)

    for resolve, token in ((share_link_resolve, "nonsense"), (live_link_resolve, "nonsense")):
        with pytest.raises(LinkError) as invalid:
            resolve(token)
        assert (invalid.value.reason, invalid.value.status) == ("invalid", 404)
        assert "Check that you copied all of it." in invalid.value.message

    ShareLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(LinkError) as expired:
        share_link_resolve(share_token)
    assert (expired.value.reason, expired.value.status) == ("expired", 410)
    when = timezone.localtime(timezone.now() - timedelta(minutes=1))
    assert expired.value.message == (
        f"This link expired on {when:%B %-d, %Y}. Ask your agency for a new one."
    )

    live_link_revoke(link=live)
    with pytest.raises(LinkError) as revoked:
        live_link_resolve(live_token)
    assert (revoked.value.reason, revoked.value.status) == ("revoked", 410)
    assert revoked.value.message == "This live session link has been switched off."


def test_revoking_is_once_and_the_first_time_stands(journey, strategist):
    link, _ = share_link_create(journey=journey, user=strategist.user, days=7)
    assert link.status == "active"
    assert link.revoke() is True
    first = ShareLink.objects.get().revoked_at
    assert link.revoke() is False
    share_link_revoke(link=ShareLink.objects.get())
    assert ShareLink.objects.get().revoked_at == first
    assert link.status == "revoked" and not link.is_active


def test_an_accepted_invitation_is_used_and_cannot_be_revoked(agency):
    invitation, token = invitation_create(
        agency=agency, email="new@example.com", role=Role.STRATEGIST, business=None, invited_by=None
    )
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    invitation.refresh_from_db()
    assert invitation.status == Invitation.USED and not invitation.is_active
    assert invitation.revoke() is False
    with pytest.raises(LinkError) as used:
        invitation_check(invitation_from_token(token))
    assert (used.value.reason, used.value.status) == ("used", 410)


def test_every_kind_is_validated_before_it_is_stored(journey, strategist):
    for create in (share_link_create, live_link_create):
        with pytest.raises(ValidationError) as error:
            create(journey=journey, user=strategist.user, days=1, label="Bad\x00label")
        assert "label" in error.value.message_dict
    assert not ShareLink.objects.exists() and not LiveLink.objects.exists()


def test_each_kind_keeps_its_own_longest_life(journey, strategist, agency):
    share, _ = share_link_create(journey=journey, user=strategist.user, days=10_000)
    live, _ = live_link_create(journey=journey, user=None, days=10_000)
    brief, _ = live_link_create(journey=journey, user=None, days=0)
    now = timezone.now()
    assert share.expires_at <= now + timedelta(days=90)
    assert live.expires_at <= now + timedelta(days=7)
    assert brief.expires_at >= now + timedelta(hours=23)
