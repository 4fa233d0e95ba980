"""Helpers and constants shared by the team tests (test_team*.py)."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from cvj.models import Role
from cvj.team import (
    invitation_create,
)

User = get_user_model()


NEW_PASSWORD = "violet-harbour-lantern-42"


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
