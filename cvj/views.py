"""Team pages for agency admins, invitation links, and signing out everywhere.

Team management is for admins only (require_admin → 404); a member or invitation id is looked up
within the admin's agency, so another agency's id is a 404 too. Every htmx action is also a plain
form post: htmx gets the section's partial back, a plain post is redirected to the team page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from .branding import agency_logo_remove, agency_settings_update
from .forms import (
    AgencyLogoActionForm,
    AgencySettingsForm,
    InvitationAcceptForm,
    InvitationForm,
    MembershipRoleForm,
)
from .http import HtmxHttpRequest
from .links import LinkError
from .models import Invitation, Membership, Role
from .team import (
    TeamError,
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_from_token,
    invitation_revoke,
    invitation_send,
    invitation_valid_for,
    membership_change_role,
    membership_deactivate,
    membership_reactivate,
    sessions_end_for_user,
    team_invitations,
    team_members,
)
from .tenancy import require_admin, require_membership

TEAM_TEMPLATE = "team/team.html"


def _team_context(admin: Membership, **extra: object) -> dict[str, object]:
    return {
        "me": admin,
        "members": team_members(agency=admin.agency),
        "invitations": team_invitations(agency=admin.agency),
        "invite_form": extra.pop("invite_form", None) or InvitationForm(agency=admin.agency),
        "businesses": admin.agency.businesses.order_by("name"),
        "roles": Role.choices,
        "valid_days": invitation_valid_for().days,
        **extra,
    }


def _done(
    request: HtmxHttpRequest, admin: Membership, section: str, *, notice: str = "", error: str = ""
) -> HttpResponse:
    """htmx: the refreshed section with the outcome in it. Plain post: back to the page."""
    if request.htmx:
        context = _team_context(admin, notice=notice, error=error)
        return render(request, f"{TEAM_TEMPLATE}#{section}", context)
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect("team")


def _get_member(request: HtmxHttpRequest, pk: int) -> tuple[Membership, Membership]:
    admin = require_admin(request.user)
    member = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, agency_id=admin.agency_id
    )
    return admin, member


def _get_invitation(request: HtmxHttpRequest, pk: int) -> tuple[Membership, Invitation]:
    admin = require_admin(request.user)
    invitation = get_object_or_404(Invitation, pk=pk, agency_id=admin.agency_id)
    return admin, invitation


def _name(member: Membership) -> str:
    return member.user.get_full_name() or member.user.username


def _send(request: HtmxHttpRequest, invitation: Invitation, token: str) -> tuple[str, str]:
    url = request.build_absolute_uri(reverse("team_invitation_accept", args=[token]))
    if invitation_send(invitation=invitation, accept_url=url):
        return f"Invitation sent to {invitation.email}.", ""
    return "", f"Couldn't email {invitation.email} just now. Try Resend in a moment."


# --- The team page ------------------------------------------------------------------------


@login_required
def team(request: HtmxHttpRequest) -> HttpResponse:
    admin = require_admin(request.user)
    return render(request, TEAM_TEMPLATE, _team_context(admin))


@login_required
@require_POST
def team_invite(request: HtmxHttpRequest) -> HttpResponse:
    admin = require_admin(request.user)
    form = InvitationForm(request.POST, agency=admin.agency)
    if form.is_valid():
        try:
            invitation, token = invitation_create(
                agency=admin.agency, invited_by=request.user, **form.cleaned_data
            )
        except TeamError as error:
            form.add_error("email", str(error))
        else:
            notice, error = _send(request, invitation, token)
            return _done(request, admin, "invitations", notice=notice, error=error)
    template = f"{TEAM_TEMPLATE}#invitations" if request.htmx else TEAM_TEMPLATE
    return render(request, template, _team_context(admin, invite_form=form))


@login_required
@require_POST
def team_invitation_resend(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    admin, old = _get_invitation(request, pk)
    if old.accepted_at or old.revoked_at:
        return _done(request, admin, "invitations", error="That invitation is no longer pending.")
    try:
        invitation, token = invitation_create(
            agency=admin.agency,
            email=old.email,
            role=old.role,
            business=old.business,
            invited_by=request.user,
        )
    except TeamError as error:
        return _done(request, admin, "invitations", error=str(error))
    notice, error = _send(request, invitation, token)
    return _done(request, admin, "invitations", notice=notice, error=error)


@login_required
@require_POST
def team_invitation_revoke(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    admin, invitation = _get_invitation(request, pk)
    invitation_revoke(invitation=invitation)
    notice = f"Invitation for {invitation.email} withdrawn; its link no longer works."
    return _done(request, admin, "invitations", notice=notice)


@login_required
@require_POST
def team_member_role(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    admin, member = _get_member(request, pk)
    form = MembershipRoleForm(request.POST, agency=admin.agency)
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
        return _done(request, admin, "members", error=error)
    try:
        member = membership_change_role(membership=member, **form.cleaned_data)
    except TeamError as error:
        return _done(request, admin, "members", error=str(error))
    if member.pk == admin.pk and member.role != Role.ADMIN:
        messages.success(request, "You are no longer an admin of this agency.")
        return HttpResponseClientRedirect(reverse("home")) if request.htmx else redirect("home")
    notice = f"{_name(member)} is now {member.get_role_display()}."
    return _done(request, admin, "members", notice=notice)


@login_required
@require_POST
def team_member_deactivate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    admin, member = _get_member(request, pk)
    try:
        membership_deactivate(membership=member, by=request.user)
    except TeamError as error:
        return _done(request, admin, "members", error=str(error))
    notice = f"{_name(member)} is deactivated and signed out everywhere."
    return _done(request, admin, "members", notice=notice)


@login_required
@require_POST
def team_member_reactivate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    admin, member = _get_member(request, pk)
    membership_reactivate(membership=member)
    return _done(request, admin, "members", notice=f"{_name(member)} can sign in again.")


# --- Accepting an invitation (no account yet) ----------------------------------------------


def _problem(
    request: HttpRequest, reason: str, invitation: Invitation | None, status: int = 200
) -> HttpResponse:
    context = {"reason": reason, "invitation": invitation}
    return render(request, "team/invitation_problem.html", context, status=status)


@require_http_methods(["GET", "POST"])
def team_invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = None
    try:
        invitation = invitation_from_token(token)
        invitation_check(invitation)
    except LinkError as problem:
        return _problem(request, problem.reason, invitation, problem.status)
    if request.user.is_authenticated:
        return _problem(request, "signed_in", invitation)
    form = InvitationAcceptForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        account = {f: form.cleaned_data[f] for f in ("username", "first_name", "last_name")}
        try:
            user = invitation_accept(
                invitation=invitation, password=form.cleaned_data["password1"], **account
            )
        except LinkError as problem:
            return _problem(request, problem.reason, invitation, problem.status)
        # Named explicitly: django-axes adds a backend, and login() must know which one.
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {invitation.agency.name}!")
        return redirect("home")
    return render(request, "team/invitation_accept.html", {"form": form, "invitation": invitation})


# --- Signing out everywhere (any signed-in user) --------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        sessions_end_for_user(user=request.user)
        logout(request)
        messages.success(request, "You're signed out on every device.")
        return redirect("login")
    return render(request, "team/logout_everywhere.html")


@login_required
@require_http_methods(["GET", "POST"])
def agency_settings(request: HtmxHttpRequest) -> HttpResponse:
    """The agency's name and logo (the logo goes on every PDF cover)."""
    admin = require_admin(request.user)
    agency = admin.agency
    error = ""
    print_form = AgencySettingsForm(instance=agency)
    if request.method == "POST":
        action = AgencyLogoActionForm(request.POST)
        if action.is_valid() and action.cleaned_data["action"] == "remove-logo":
            agency_logo_remove(agency=agency)
            messages.success(request, "Logo removed.")
            return redirect("agency_settings")
        print_form = AgencySettingsForm(request.POST, request.FILES, instance=agency)
        try:
            if not print_form.is_valid():
                raise ValidationError(print_form.problem())
            agency_settings_update(agency=agency, **print_form.cleaned_data)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, "Agency settings saved.")
            return redirect("agency_settings")
    return render(
        request,
        "team/agency_settings.html",
        {
            "agency": agency,
            "error": error,
            "print_form": print_form,
        },
        status=422 if error else 200,
    )


@login_required
def agency_logo(request: HtmxHttpRequest) -> FileResponse:
    """Members see their own agency's logo; the file path is never taken from the request."""
    member = require_membership(request.user)
    if not member.agency.logo:
        raise Http404("No logo.")
    return FileResponse(member.agency.logo.open("rb"), content_type="image/png")
