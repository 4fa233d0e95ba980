"""Hostile values into every parameter of every endpoint: never a 5xx, and a refused write
changes nothing.

The endpoints come from the real URL conf (`get_resolver()`), so a new URL is fuzzed without
being listed here. Each pattern's path converters are filled from a small world (agency A with
an admin, a strategist and a client; a journey with tactics and offers; a version, an export,
a share link, an invitation). Its parameters are found three ways, and the union is fuzzed:

* the forms (and lone htmx controls) of the rendered pages whose target resolves to it, with
  their default values — which also fill the other fields while one is fuzzed;
* the names the view's own source reads (`request.POST.get("x")`, `request.GET["x"]`,
  `"x" in request.GET`, `getlist("x")`), and the declared fields of the forms it reads the
  post with (`SomeForm(request.POST, prefix="p")`), including the module's helpers it calls;
* a class-based view's `form_class` fields (Django's login and password views).

`test_every_endpoint_that_takes_input_has_parameters` fails when a POST endpoint has no
parameter found and is not named in TAKES_NO_INPUT, so nothing new slips through unfuzzed.

Each value is sent URL-encoded exactly as a browser would (the lone surrogate as the bytes
%ED%A0%80). Every request runs inside a savepoint that is rolled back, so each one meets the
same world; a 4xx answer to a POST (or a form re-rendered with errors) must leave the database
fingerprint unchanged. Django admin (`admin/…`) is Django's own code and answers only
superusers; it is not fuzzed.

Values are a fixed list, every one sent to every parameter: an exhaustive grid finds the same
bugs as a sampling engine here, runs in a fixed time and reports every failure at once.
"""

from __future__ import annotations

import os
import time
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from stages.models import STAGE_SLUGS
from tests.fuzzing import (
    ANONYMOUS,
    MISSING,
    PATH_INT_VALUES,
    TAKES_NO_INPUT,
    VALUES,
    _crawl,
    _endpoints,
    _fuzz_world,
    _method_allowed,
    _path_kwargs,
    _Run,
    _source_names,
)

# About 2,800 requests: ~70 s of CPU; the timeout leaves room for a busy CI machine.
pytestmark = [pytest.mark.django_db, pytest.mark.timeout(1800)]


# --- The tests ----------------------------------------------------------------------------


@pytest.fixture
def fuzz(django_capture_on_commit_callbacks, monkeypatch):
    # The guests' question limit would answer 429 before the view parsed anything (and so
    # hide a 500 behind it): raised here; it has tests of its own.
    monkeypatch.setattr("journeys.live.guests.QUESTIONS_PER_MINUTE", 10**9)
    world = _fuzz_world()
    admin = Client()
    admin.force_login(world["members"]["admin"].user)
    browsers = {"admin": admin, "anonymous": Client()}
    plan = []
    for name, pattern in _endpoints():
        actor = "anonymous" if name in ANONYMOUS else "admin"
        kwargs = _path_kwargs(name, pattern, world)
        plan.append((name, pattern, actor, kwargs, reverse(name, kwargs=kwargs)))
    pages = [(actor, url) for _n, _p, actor, _k, url in plan]
    journey = world["journey"]
    pages += [
        ("admin", f"{reverse('journey_editor', args=[journey])}?stage={s}") for s in STAGE_SLUGS
    ]
    pages += [("admin", reverse("library_stage", args=[s])) for s in STAGE_SLUGS]
    forms = _crawl(browsers, pages)
    return world, browsers, plan, forms


def _values_for(default: object) -> list[tuple[str, object]]:
    """Every hostile value; for a "kind:key" parameter (autosave's `target=stage:aware`) also
    each one after the kind, where a lookup by the key would meet it."""
    values = list(VALUES.items())
    if isinstance(default, str) and ":" in default:
        kind = default.split(":", 1)[0]
        values += [
            (
                f"{kind}:{label}",
                f"{kind}:".encode() + value if isinstance(value, bytes) else f"{kind}:{value}",
            )
            for label, value in VALUES.items()
            if value is not MISSING
        ]
    return values


def _parameters(name: str, pattern: URLPattern, forms: dict) -> dict[str, dict[str, object]]:
    """method → {parameter: default value} for one endpoint."""
    found: dict[str, dict[str, object]] = {"get": {}, "post": {}}
    for form in forms.get(name, []):
        method = "post" if form["method"] == "post" else "get"
        for field, default in form["fields"].items():
            found[method].setdefault(field, default)
    for field, method in _source_names(pattern.callback).items():
        found[method.lower()].setdefault(field, "")
    return found


def test_every_endpoint_that_takes_input_has_parameters(fuzz):
    _world_, browsers, plan, forms = fuzz
    run = _Run(browsers)
    blind = []
    for name, pattern, actor, _kwargs, url in plan:
        if name in TAKES_NO_INPUT or not _method_allowed(run, actor, "post", url, name):
            continue
        found = _parameters(name, pattern, forms)
        if not (found["post"] or found["get"]):
            blind.append(name)
    assert blind == [], (
        f"POST endpoints with no parameter found (list them in TAKES_NO_INPUT): {blind}"
    )


def test_hostile_values_never_break_an_endpoint(fuzz):
    world, browsers, plan, forms = fuzz
    run = _Run(browsers)
    started = time.perf_counter()
    fuzzed: list[str] = []
    only = os.environ.get("CVJ_FUZZ_ONLY", "").split(",")  # to rerun a few while debugging
    for name, pattern, actor, kwargs, url in plan:
        if only != [""] and name not in only:
            continue
        parameters = _parameters(name, pattern, forms)
        for method in ("get", "post"):
            if not _method_allowed(run, actor, method, url, name):
                continue
            defaults = {k: ("" if v is None else v) for k, v in parameters[method].items()}
            defaults.pop("csrfmiddlewaretoken", None)  # the test client does not check it
            fuzzed.append(f"{method.upper()} {name} {sorted(defaults)}")
            for field in defaults:
                for index, (label, value) in enumerate(_values_for(defaults[field])):
                    # Every other value as an htmx request: both answer shapes get fuzzed.
                    htmx = index % 2 == 1
                    browsers[actor].defaults.update({"HTTP_HX_REQUEST": "true"} if htmx else {})
                    shape = " (htmx)" if htmx else ""
                    label = f"{method.upper()} {name} {field}={label}{shape}"
                    run.send(actor, method, url, {**defaults, field: value}, label, name)
                    browsers[actor].defaults.pop("HTTP_HX_REQUEST", None)
            # The path's own converters, with the parameters at their defaults.
            for key, original in kwargs.items():
                values = (
                    PATH_INT_VALUES
                    if isinstance(original, int)
                    else [v for v in VALUES.values() if isinstance(v, str) and v]
                )
                for value in values:
                    marker = 987654321987 if isinstance(original, int) else "PLACEHOLDER"
                    hostile = reverse(name, kwargs={**kwargs, key: marker})
                    hostile = hostile.replace(str(marker), quote(str(value), safe=""))
                    run.send(
                        actor, method, hostile, defaults, f"{method.upper()} {name} <{key}>", name
                    )
    seconds = time.perf_counter() - started
    print(f"\nfuzzed {len(fuzzed)} endpoints with {run.requests} requests in {seconds:.1f} s")
    print("\n".join(fuzzed))
    assert not run.failures, f"{len(run.failures)} failures:\n" + "\n".join(run.failures)
