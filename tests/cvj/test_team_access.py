"""Team management: authorization (admin only, never across agencies), roles, deactivation,
password reset and signing out everywhere."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from cvj.models import Invitation, Role
from cvj.team import (
    TeamError,
    membership_change_role,
    sessions_end_for_user,
)
from tests.clients import HTMX_HEADERS
from tests.cvj.team_support import (
    NEW_PASSWORD,
    invite,
    sign_in,
)
from tests.factories import AgencyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


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
        reverse("team_member_role", args=[strategist.pk]),
        {"role": Role.ADMIN},
        headers=HTMX_HEADERS,
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
        headers=HTMX_HEADERS,
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
        headers=HTMX_HEADERS,
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
