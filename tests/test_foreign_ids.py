"""Another agency's ids are indistinguishable from ids that do not exist.

Not only "404 rather than 200": the whole answer — status, content type and every byte of the
body apart from the CSRF token — is the same for a foreign id as for an unknown one, so no
name, count or wording tells a probing user that the object exists.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from journeys.models import StageOffer, StageTactic
from stages.models import Tactic
from tests.clients import HTMX_HEADERS, logged_in
from tests.factories import AgencyFactory
from tests.test_authorization_matrix import MATRIX, _url, _world

pytestmark = pytest.mark.django_db

UNKNOWN = 9_000_000_000_000  # a valid bigint that no row has
CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


def _answer(response) -> tuple[int, str, bytes]:  # noqa: ANN001
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return (
        response.status_code,
        response.get("Content-Type", ""),
        CSRF_TOKEN.sub("<csrf>", body.decode()).encode(),
    )


@pytest.fixture
def worlds():
    """Agencies A and B with one of everything (exports stay queued: no PDF is rendered)."""
    return _world(AgencyFactory(name="Agency A")), _world(AgencyFactory(name="Agency B"))


@pytest.mark.parametrize("headers", [{}, HTMX_HEADERS], ids=["plain", "htmx"])
def test_adding_a_foreign_tactic_answers_exactly_like_an_unknown_id(worlds, headers):
    mine, theirs = worlds
    browser = logged_in(mine["members"]["strategist"])
    url = reverse("tactic_add", args=[mine["journey"], "aware"])
    foreign = Tactic.objects.get(pk=theirs["own_tactic"])
    assert foreign.stage.slug == "aware"  # the same stage: only the agency differs
    before = StageTactic.all_objects.count()

    as_foreign = _answer(browser.post(url, {"tactic": foreign.pk}, headers=headers))
    as_unknown = _answer(browser.post(url, {"tactic": UNKNOWN}, headers=headers))

    assert as_foreign[0] == 404
    assert as_foreign == as_unknown
    assert foreign.name.encode() not in as_foreign[2]
    assert StageTactic.all_objects.count() == before


# Ids that arrive in a form or query string rather than in the path: (url name, kwargs from
# the world, the parameter, the other agency's object that fills it, other parameters).
BODY_IDS = [
    ("post", "offer_attach", "subscribe", "offer", "offer", {}),
    ("post", "tactic_reorder", "subscribe", "order", "tactic_pk", {}),
    ("post", "offer_reorder", "subscribe", "order", "stage_offer_pk", {}),
    ("post", "journey_autosave", None, "target", "tactic_pk", {"field": "notes", "value": "x"}),
    ("get", "journey_clone", None, "business", "business", {}),
    ("get", "journey_new", None, "business", "business", {}),
    ("post", "journey_new", None, "business", "business", {"title": "Probe"}),
    ("post", "journey_new", None, "persona", "persona", {"title": "Probe"}),
    ("post", "team_invite", None, "business", "business", {"email": "x@example.com"}),
]


def _body_url(name: str, slug: str | None, world: dict) -> str:
    if name in ("journey_new", "team_invite"):
        return reverse(name)
    args = [world["journey"], slug] if slug else [world["journey"]]
    return reverse(name, args=args)


def _value(param: str, key: str, mine: dict, pk: int) -> list[str] | str:
    if param == "target":
        return f"tactic:{pk}"
    if param == "order":  # my own rows plus one id that is not mine
        own = StageTactic if key == "tactic_pk" else StageOffer
        rows = own.objects.filter(journey_stage__journey_id=mine["journey"])
        return [str(r.pk) for r in rows] + [str(pk)]
    return str(pk)


def test_foreign_ids_in_forms_answer_exactly_like_unknown_ones(worlds):
    mine, theirs = worlds
    browser = logged_in(mine["members"]["admin"])
    different = []
    for method, name, slug, param, key, extra in BODY_IDS:
        url = _body_url(name, slug, mine)
        foreign = {**extra, param: _value(param, key, mine, theirs[key])}
        unknown = {**extra, param: _value(param, key, mine, UNKNOWN)}
        for headers in ({}, HTMX_HEADERS):
            send = getattr(browser, method)
            if _answer(send(url, foreign, headers=headers)) != _answer(
                send(url, unknown, headers=headers)
            ):
                different.append(f"{method.upper()} {name} {param} {'htmx' if headers else ''}")
    assert different == []


def _unknown_kwargs(name: str, world: dict) -> str:
    """The URL of `name` with every id the world fills replaced by one nobody has."""
    url = _url(name, world)
    for key in MATRIX[name][0]:
        value = world[key]
        if isinstance(value, int):
            url = url.replace(f"/{value}/", f"/{UNKNOWN}/", 1)
    return url


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_foreign_id_in_a_path_answers_exactly_like_an_unknown_one(worlds, method):
    mine, theirs = worlds
    browser = logged_in(mine["members"]["admin"])
    different = []
    for name, (keys, _roles) in MATRIX.items():
        if "global_tactic" in keys:  # the global library belongs to everyone
            continue
        foreign_url, unknown_url = _url(name, theirs), _unknown_kwargs(name, theirs)
        assert foreign_url != unknown_url, name
        send = getattr(browser, method)
        if _answer(send(foreign_url)) != _answer(send(unknown_url)):
            different.append(f"{method.upper()} {name}")
    assert different == []
