"""Team management: invitations (valid, reused, expired, tampered, withdrawn) and accepting them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cvj.links import LinkError
from cvj.models import Invitation, Membership, Role
from cvj.team import INVITATION_SALT, invitation_accept
from tests.clients import HTMX_HEADERS
from tests.cvj.team_support import (
    NEW_PASSWORD,
    User,
    accept_path_from,
    accept_url,
    account_form,
    invite,
)
from tests.factories import AgencyFactory, BusinessFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- Inviting --------------------------------------------------------------------------------


def test_admin_invites_by_email_and_the_email_carries_a_working_link(
    admin_client, agency, mailoutbox
):
    response = admin_client.post(
        reverse("team_invite"), {"email": "Nora@Example.com", "role": Role.STRATEGIST}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(agency=agency)
    assert invitation.email == "nora@example.com"
    assert invitation.role == Role.STRATEGIST
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nora@example.com"]
    assert agency.name in message.subject
    path = accept_path_from(message)
    assert invitation.secret_hash not in path  # only a hash is stored, never the link
    assert Client().get(path).status_code == 200


def test_inviting_a_client_requires_one_of_the_agencys_businesses(
    admin_client, agency, business, mailoutbox
):
    missing = admin_client.post(
        reverse("team_invite"), {"email": "c@example.com", "role": Role.CLIENT}
    )
    assert missing.status_code == 200
    assert b"Choose the business this client may see." in missing.content
    rival_business = BusinessFactory(agency=AgencyFactory())
    foreign = admin_client.post(
        reverse("team_invite"),
        {"email": "c@example.com", "role": Role.CLIENT, "business": rival_business.pk},
    )
    assert b"Select a valid choice" in foreign.content
    assert not Invitation.objects.exists()
    assert mailoutbox == []

    admin_client.post(
        reverse("team_invite"),
        {"email": "c@example.com", "role": Role.CLIENT, "business": business.pk},
    )
    assert Invitation.objects.get().business == business
    assert len(mailoutbox) == 1


def test_a_business_sent_with_a_non_client_role_is_dropped(admin_client, business):
    admin_client.post(
        reverse("team_invite"),
        {"email": "s@example.com", "role": Role.STRATEGIST, "business": business.pk},
    )
    assert Invitation.objects.get().business is None


def test_inviting_an_email_that_already_has_an_account_is_refused(
    admin_client, strategist, mailoutbox
):
    response = admin_client.post(
        reverse("team_invite"), {"email": strategist.user.email.upper(), "role": Role.ADMIN}
    )
    assert response.status_code == 200
    assert b"already has a CVJ Mapper account" in response.content
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_invite_over_htmx_returns_the_invitations_section(admin_client, mailoutbox):
    response = admin_client.post(
        reverse("team_invite"),
        {"email": "h@example.com", "role": Role.STRATEGIST},
        headers=HTMX_HEADERS,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="invitations"')
    assert "Invitation sent to h@example.com." in html
    assert "h@example.com" in html.split("Pending invitations")[1]
    assert "<html" not in html


def test_inviting_again_withdraws_the_earlier_link(agency, client):
    _, first = invite(agency=agency)
    _, second = invite(agency=agency)
    response = client.get(accept_url(first))
    assert response.status_code == 410
    assert b"withdrawn" in response.content
    assert client.get(accept_url(second)).status_code == 200
    assert Invitation.objects.pending().filter(revoked_at__isnull=True).count() == 1


def test_resend_issues_a_new_link_and_retires_the_old(admin_client, agency, mailoutbox):
    old, old_token = invite(agency=agency)
    response = admin_client.post(reverse("team_invitation_resend", args=[old.pk]))
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert Client().get(accept_url(old_token)).status_code == 410
    assert Client().get(accept_path_from(mailoutbox[0])).status_code == 200


def test_revoked_invitation_link_says_it_was_withdrawn(admin_client, agency):
    invitation, token = invite(agency=agency)
    response = admin_client.post(
        reverse("team_invitation_revoke", args=[invitation.pk]), headers=HTMX_HEADERS
    )
    assert response.status_code == 200
    assert b"No pending invitations." in response.content
    page = Client().get(accept_url(token))
    assert page.status_code == 410
    assert b"This invitation was withdrawn" in page.content


def test_team_page_lists_members_and_pending_invitations(
    admin_client, agency, strategist, client_member, business
):
    invite(agency=agency, email="pending@example.com")
    response = admin_client.get(reverse("team"))
    assert response.status_code == 200
    html = response.content.decode()
    for member in (strategist, client_member):
        assert member.user.email in html
    assert "pending@example.com" in html
    assert "Expires in" in html
    assert f'<option value="{business.pk}" selected>' in html  # the client's business


# --- Accepting -------------------------------------------------------------------------------


def test_accepting_a_valid_link_creates_the_user_and_membership_and_signs_in(agency, client):
    invitation, token = invite(agency=agency)
    page = client.get(accept_url(token))
    assert page.status_code == 200
    assert b"new.person@example.com" in page.content

    response = client.post(accept_url(token), account_form())
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(username="nora")
    assert user.email == "new.person@example.com"
    assert user.get_full_name() == "Nora Quinn"
    assert user.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.agency, membership.role, membership.business) == (
        agency,
        Role.STRATEGIST,
        None,
    )
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.accepted_by == user
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("home")).status_code == 200


def test_a_client_invitation_ties_the_new_membership_to_its_business(agency, business, client):
    _, token = invite(agency=agency, role=Role.CLIENT, business=business)
    client.post(accept_url(token), account_form())
    membership = Membership.objects.get(user__username="nora")
    assert (membership.role, membership.business) == (Role.CLIENT, business)


def test_accepting_checks_passwords_with_djangos_validators(agency, client):
    _, token = invite(agency=agency)
    weak = client.post(accept_url(token), account_form(password1="12345678", password2="12345678"))
    assert weak.status_code == 200
    assert b"This password is too common." in weak.content
    mismatch = client.post(accept_url(token), account_form(password2="something-else-entirely"))
    assert b"didn\xe2\x80\x99t match" in mismatch.content
    assert not User.objects.filter(username="nora").exists()
    assert Invitation.objects.get().accepted_at is None


def test_accepting_refuses_a_taken_username(agency, client, strategist):
    _, token = invite(agency=agency)
    response = client.post(accept_url(token), account_form(username=strategist.user.username))
    assert response.status_code == 200
    assert b"already exists" in response.content


def test_a_used_link_says_it_was_already_used(agency, client):
    _, token = invite(agency=agency)
    client.post(accept_url(token), account_form())
    other = Client()
    for response in (
        other.get(accept_url(token)),
        other.post(accept_url(token), account_form(username="someone-else")),
    ):
        assert response.status_code == 410
        assert b"This invitation was already used" in response.content
    assert User.objects.filter(email="new.person@example.com").count() == 1


def test_accepting_twice_through_the_service_creates_one_account(agency):
    invitation, _ = invite(agency=agency)
    invitation_accept(invitation=invitation, username="a", password=NEW_PASSWORD, first_name="A")
    with pytest.raises(LinkError) as problem:
        invitation_accept(
            invitation=invitation, username="b", password=NEW_PASSWORD, first_name="B"
        )
    assert (problem.value.reason, problem.value.status) == (Invitation.USED, 410)
    assert not User.objects.filter(username="b").exists()


def test_an_expired_link_says_it_expired(agency, client):
    invitation, token = invite(agency=agency)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    for response in (client.get(accept_url(token)), client.post(accept_url(token), account_form())):
        assert response.status_code == 410
        assert b"This invitation has expired" in response.content
    assert not User.objects.filter(username="nora").exists()


@pytest.mark.parametrize("how", ["edited", "truncated", "forged-secret", "garbage"])
def test_a_tampered_link_is_not_valid(agency, client, how):
    invitation, token = invite(agency=agency)
    tampered = {
        "edited": token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"),
        "truncated": token[: len(token) // 2],
        # A correct signature cannot be made without the secret key; even if it could, the
        # secret inside must match the stored hash.
        "forged-secret": signing.dumps({"i": invitation.pk, "s": "guess"}, salt=INVITATION_SALT),
        "garbage": "not-a-token",
    }[how]
    for response in (client.get(accept_url(tampered)), client.post(accept_url(tampered), {})):
        assert response.status_code == 404
        assert b"This invitation link isn" in response.content
    assert Invitation.objects.get().accepted_at is None


def test_accepting_when_the_email_got_an_account_meanwhile_says_so(agency, client):
    _, token = invite(agency=agency)
    UserFactory(email="new.person@example.com")
    response = client.get(accept_url(token))
    assert response.status_code == 409
    assert b"You already have an account" in response.content


def test_opening_a_link_while_signed_in_asks_to_sign_out_first(agency, strategist_client):
    _, token = invite(agency=agency)
    response = strategist_client.get(accept_url(token))
    assert response.status_code == 200
    assert b"Sign out first" in response.content
    strategist_client.post(accept_url(token), account_form())
    assert not User.objects.filter(username="nora").exists()
