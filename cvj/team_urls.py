"""Team management, included at "team/"."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.team, name="team"),
    path("agency/", views.agency_settings, name="agency_settings"),
    path("agency/logo.png", views.agency_logo, name="agency_logo"),
    path("invitations/", views.team_invite, name="team_invite"),
    path(
        "invitations/<int:pk>/resend/",
        views.team_invitation_resend,
        name="team_invitation_resend",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        views.team_invitation_revoke,
        name="team_invitation_revoke",
    ),
    path("members/<int:pk>/role/", views.team_member_role, name="team_member_role"),
    path(
        "members/<int:pk>/deactivate/",
        views.team_member_deactivate,
        name="team_member_deactivate",
    ),
    path(
        "members/<int:pk>/reactivate/",
        views.team_member_reactivate,
        name="team_member_reactivate",
    ),
    # Opened by someone without an account yet: the token is the only credential.
    path("invite/<str:token>/", views.team_invitation_accept, name="team_invitation_accept"),
]
