"""Browsers for the view tests: the htmx request header, spelled once, and the `htmx_client`
fixture. Registered as a pytest plugin by tests/conftest.py."""

from __future__ import annotations

import pytest
from django.test import Client

from cvj.models import Membership

# What htmx sends with every request it makes; views answer it with their partial branch.
HTMX_HEADERS = {"HX-Request": "true"}


def logged_in(member: Membership, **headers: str) -> Client:
    """A browser of its own, signed in as `member` (for tests with several people at once)."""
    browser = Client(headers=headers)
    browser.force_login(member.user)
    return browser


@pytest.fixture
def htmx_client(strategist) -> Client:
    """The strategist's browser as htmx drives it: every request carries `HX-Request: true`.
    Sign in as someone else with `htmx_client.force_login(user)`."""
    return logged_in(strategist, **HTMX_HEADERS)
