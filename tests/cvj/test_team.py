"""Team management: invitations (valid, reused, expired, tampered, withdrawn), roles, deactivation,
password reset and signing out everywhere — admin only, and never across agencies."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cvj.models import Invitation, Membership, Role
from cvj.team import (
    INVITATION_SALT,
    InvitationProblem,
    TeamError,
    invitation_accept,
    invitation_create,
    membership_change_role,
    sessions_end_for_user,
)
from tests.factories import AgencyFactory, BusinessFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "violet-harbour-lantern-42"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_client(client, agency_admin):
    client.force_login(agency_admin.user)
    return client


def accept_path_from(message) -> str:
    match = re.search(r"https?://testserver(/team/invite/[^\s/]+/)", message.body)
    assert match, message.body
    return match.group(1)


def invite(*, agency, email="new.person@example.com", role=Role.STRATEGIST, business=None):
    return invitation_create(
        agency=agency, email=email, role=role, business=business, invited_by=None
    )


def accept_url(token: str) -> str:
    return reverse("team_invitation_accept", args=[token])


def account_form(**overrides: str) -> dict[str, str]:
    return {
        "first_name": "Nora",
        "last_name": "Quinn",
        "username": "nora",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


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
    assert invitation.token_hash not in path  # only a hash is stored, never the link
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
        headers=HTMX,
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
        reverse("team_invitation_revoke", args=[invitation.pk]), headers=HTMX
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
    with pytest.raises(InvitationProblem) as problem:
        invitation_accept(
            invitation=invitation, username="b", password=NEW_PASSWORD, first_name="B"
        )
    assert problem.value.reason == InvitationProblem.USED
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


# --- Authorization ---------------------------------------------------------------------------


def team_actions(member_pk: int, invitation_pk: int) -> list[tuple[str, str, dict]]:
    return [
        ("get", reverse("team"), {}),
        ("post", reverse("team_invite"), {"email": "x@example.com", "role": Role.ADMIN}),
        ("post", reverse("team_member_role", args=[member_pk]), {"role": Role.ADMIN}),
        ("post", reverse("team_member_deactivate", args=[member_pk]), {}),
        ("post", reverse("team_member_reactivate", args=[member_pk]), {}),
        ("post", reverse("team_invitation_resend", args=[invitation_pk]), {}),
        ("post", reverse("team_invitation_revoke", args=[invitation_pk]), {}),
    ]


@pytest.mark.parametrize("role_fixture", ["strategist", "client_member"])
def test_team_management_is_for_admins_only(request, client, agency, agency_admin, role_fixture):
    member = request.getfixturevalue(role_fixture)
    invitation, _ = invite(agency=agency)
    client.force_login(member.user)
    for method, url, payload in team_actions(agency_admin.pk, invitation.pk):
        response = getattr(client, method)(url, payload)
        assert response.status_code == 404, url
    agency_admin.refresh_from_db()
    assert agency_admin.role == Role.ADMIN
    assert agency_admin.user.is_active
    assert Invitation.objects.get().revoked_at is None
    assert Invitation.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, agency, agency_admin):
    invitation, _ = invite(agency=agency)
    for method, url, payload in team_actions(agency_admin.pk, invitation.pk):
        response = getattr(client, method)(url, payload)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_another_agencys_members_and_invitations_are_404(admin_client):
    rival = AgencyFactory(name="Rival")
    rival_member = MembershipFactory(agency=rival, role=Role.ADMIN)
    rival_invitation, _ = invite(agency=rival)
    for method, url, payload in team_actions(rival_member.pk, rival_invitation.pk)[2:]:
        response = getattr(admin_client, method)(url, payload)
        assert response.status_code == 404, url
    rival_member.refresh_from_db()
    assert rival_member.role == Role.ADMIN
    assert rival_member.user.is_active
    assert Invitation.objects.get(pk=rival_invitation.pk).revoked_at is None
    page = admin_client.get(reverse("team")).content.decode()
    assert rival_member.user.email not in page


def test_team_actions_need_a_csrf_token(agency_admin, strategist):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(agency_admin.user)
    for url, payload in [
        (reverse("team_invite"), {"email": "x@example.com", "role": Role.ADMIN}),
        (reverse("team_member_role", args=[strategist.pk]), {"role": Role.ADMIN}),
        (reverse("team_member_deactivate", args=[strategist.pk]), {}),
        (reverse("logout_everywhere"), {}),
    ]:
        assert csrf_client.post(url, payload).status_code == 403, url
    strategist.refresh_from_db()
    assert strategist.role == Role.STRATEGIST
    assert strategist.user.is_active


# --- Roles and deactivation ------------------------------------------------------------------


def test_admin_changes_a_members_role(admin_client, strategist):
    response = admin_client.post(
        reverse("team_member_role", args=[strategist.pk]), {"role": Role.ADMIN}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="members"')
    assert b"is now Agency admin" in response.content
    strategist.refresh_from_db()
    assert strategist.role == Role.ADMIN


def test_making_someone_a_client_requires_their_business(admin_client, strategist, business):
    response = admin_client.post(
        reverse("team_member_role", args=[strategist.pk]), {"role": Role.CLIENT}, follow=True
    )
    assert b"Choose the business this client may see." in response.content
    strategist.refresh_from_db()
    assert strategist.role == Role.STRATEGIST

    admin_client.post(
        reverse("team_member_role", args=[strategist.pk]),
        {"role": Role.CLIENT, "business": business.pk},
    )
    strategist.refresh_from_db()
    assert (strategist.role, strategist.business) == (Role.CLIENT, business)

    admin_client.post(
        reverse("team_member_role", args=[strategist.pk]),
        {"role": Role.STRATEGIST, "business": business.pk},
    )
    strategist.refresh_from_db()
    assert (strategist.role, strategist.business) == (Role.STRATEGIST, None)


def test_the_last_admin_cannot_be_demoted(admin_client, agency_admin):
    response = admin_client.post(
        reverse("team_member_role", args=[agency_admin.pk]),
        {"role": Role.STRATEGIST},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert b"only admin" in response.content
    agency_admin.refresh_from_db()
    assert agency_admin.role == Role.ADMIN


def test_a_deactivated_admin_does_not_count_as_another_admin(agency, agency_admin):
    sleeping = MembershipFactory(agency=agency, role=Role.ADMIN)
    sleeping.user.is_active = False
    sleeping.user.save()
    with pytest.raises(TeamError):
        membership_change_role(membership=agency_admin, role=Role.STRATEGIST, business=None)


def test_an_admin_may_step_down_when_another_admin_remains(admin_client, agency, agency_admin):
    MembershipFactory(agency=agency, role=Role.ADMIN)
    response = admin_client.post(
        reverse("team_member_role", args=[agency_admin.pk]),
        {"role": Role.STRATEGIST},
        headers=HTMX,
    )
    assert response["HX-Redirect"] == reverse("home")
    agency_admin.refresh_from_db()
    assert agency_admin.role == Role.STRATEGIST
    assert admin_client.get(reverse("team")).status_code == 404


def test_a_deactivated_member_is_signed_out_and_cannot_sign_in(admin_client, strategist):
    their_browser = Client()
    their_browser.force_login(strategist.user)
    response = admin_client.post(reverse("team_member_deactivate", args=[strategist.pk]))
    assert response.status_code == 302
    strategist.user.refresh_from_db()
    assert not strategist.user.is_active

    assert their_browser.get(reverse("home"))["Location"].startswith(reverse("login"))
    attempt = sign_in(Client(), strategist.user.username, "pw-for-tests-123")
    assert attempt.status_code == 200  # the form again, not a redirect into the app
    page = admin_client.get(reverse("team")).content.decode()
    assert "Deactivated" in page
    assert reverse("team_member_reactivate", args=[strategist.pk]) in page


def test_a_reactivated_member_can_sign_in_again(admin_client, strategist):
    admin_client.post(reverse("team_member_deactivate", args=[strategist.pk]))
    admin_client.post(reverse("team_member_reactivate", args=[strategist.pk]))
    strategist.user.refresh_from_db()
    assert strategist.user.is_active
    assert sign_in(Client(), strategist.user.username, "pw-for-tests-123").status_code == 302


def test_an_admin_cannot_deactivate_themselves(admin_client, agency, agency_admin):
    MembershipFactory(agency=agency, role=Role.ADMIN)
    response = admin_client.post(
        reverse("team_member_deactivate", args=[agency_admin.pk]), follow=True
    )
    assert escape("You can't deactivate your own account.") in response.content.decode()
    agency_admin.user.refresh_from_db()
    assert agency_admin.user.is_active


# --- Password reset --------------------------------------------------------------------------


def test_password_reset_emails_a_link_that_sets_a_new_password(client, strategist, mailoutbox):
    user = strategist.user
    login_page = client.get(reverse("password_reset"))
    assert login_page.status_code == 200
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    match = re.search(r"https?://testserver(/reset/\S+/)", mailoutbox[0].body)
    assert match, mailoutbox[0].body

    form_page = client.get(match.group(1), follow=True)
    assert b"Choose a new password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert sign_in(Client(), user.username, NEW_PASSWORD).status_code == 302

    reused = Client().get(match.group(1), follow=True)
    assert b"This link doesn" in reused.content


def test_password_reset_for_an_unknown_or_deactivated_email_sends_nothing(
    client, strategist, mailoutbox
):
    strategist.user.is_active = False
    strategist.user.save()
    for email in ("nobody@example.com", strategist.user.email):
        response = client.post(reverse("password_reset"), {"email": email})
        assert response["Location"] == reverse("password_reset_done")  # same answer either way
    assert mailoutbox == []


# --- Signing out everywhere ------------------------------------------------------------------


def test_log_out_everywhere_ends_the_users_other_sessions(strategist, client_member):
    laptop, phone, someone_else = Client(), Client(), Client()
    laptop.force_login(strategist.user)
    phone.force_login(strategist.user)
    someone_else.force_login(client_member.user)
    assert phone.get(reverse("home")).status_code == 200

    assert laptop.get(reverse("logout_everywhere")).status_code == 200
    response = laptop.post(reverse("logout_everywhere"))
    assert response["Location"] == reverse("login")

    for browser in (laptop, phone):
        assert browser.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert someone_else.get(reverse("home")).status_code == 200


def test_ending_sessions_counts_only_that_users_sessions(strategist, client_member):
    for user in (strategist.user, strategist.user, client_member.user):
        Client().force_login(user)
    assert sessions_end_for_user(user=strategist.user) == 2
    assert sessions_end_for_user(user=strategist.user) == 0
    assert sessions_end_for_user(user=client_member.user) == 1
