from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from journeys.services import tactic_add
from journeys.workshop.services import join_code_create


@pytest.fixture
def join(journey, strategist):
    return join_code_create(journey=journey, user=strategist.user)


def guest_browser(join, name: str) -> Client:
    """A phone that joined through the short link and gave its name."""
    browser = Client()
    response = browser.get(reverse("workshop_join", args=[join.code]))
    assert response.status_code == 302
    browser.get(reverse("workshop_guest_panel", args=[join.token]))
    browser.post(reverse("workshop_guest_name", args=[join.token]), {"name": name})
    return browser


@pytest.fixture
def tactics(journey):
    subscribe = journey.stages.get(stage__slug="subscribe")
    return [
        tactic_add(journey_stage=subscribe, custom_name=n)[0] for n in ("Quiz", "Ebook", "Webinar")
    ]
