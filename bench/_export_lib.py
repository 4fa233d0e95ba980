"""bench/export.py's journeys and browser: demo-sized journeys, a signed-in tab, edits and the
background pre-renders queued before a round's clicks."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from urllib.parse import urlencode

import _lib

STOP = threading.Event()  # set on Ctrl-C / SIGTERM so polling threads give up at once


def clone_demo(title: str) -> int:
    """A journey with exactly the demo journey's content (the seed's spec), so each renders to
    the same PDF as the demo."""
    from django.contrib.auth import get_user_model

    from journeys import demo
    from journeys.models import Journey
    from journeys.services import journey_create, offer_attach, tactic_add
    from stages.models import Tactic

    template = Journey.objects.select_related("business", "persona", "core_offer").get(
        title=demo.DEMO_JOURNEY["title"]
    )
    offers = {o.name: o for o in template.business.offers.all()}
    offer_names = {row["key"]: row["name"] for row in demo.DEMO_OFFERS}
    journey = journey_create(
        business=template.business,
        persona=template.persona,
        core_offer=template.core_offer,
        title=title,
        owner=get_user_model().objects.get(username="strategist"),
    )
    for entry in journey.stages.select_related("stage"):
        spec = demo.DEMO_JOURNEY["stages"][entry.stage.slug]
        entry.goal, entry.metric, entry.notes = spec["goal"], spec["metric"], spec["notes"]
        entry.target_conversion = Decimal(spec["target_conversion"])
        entry.save()
        for row in spec["tactics"]:
            if "library" in row:
                tactic = Tactic.objects.get(stage=entry.stage, agency=None, name=row["library"])
                tactic_add(journey_stage=entry, tactic=tactic, notes=row["notes"])
            else:
                tactic_add(
                    journey_stage=entry,
                    custom_name=row["custom"],
                    channel=row.get("channel", ""),
                    notes=row["notes"],
                )
        for key in spec["offers"]:
            offer_attach(journey_stage=entry, offer=offers[offer_names[key]])
    return journey.pk


class Browser:
    """One strategist's tab: signed-in cookies, HTMX headers."""

    def __init__(self, base: str, session: _lib.Session) -> None:
        self.base, self.session = base, session

    def post(self, path: str, form: dict[str, str], **headers: str) -> _lib.Response:
        return _lib.http_request(
            self.base,
            "POST",
            path,
            body=urlencode(form).encode(),
            headers=self.session.headers(
                **{"Content-Type": "application/x-www-form-urlencoded", **headers}
            ),
        )

    def get(self, path: str, **headers: str) -> _lib.Response:
        return _lib.http_get(self.base, path, headers={"Cookie": self.session.cookie, **headers})


def edit_title(browser: Browser, journey_id: int, old: str, new: str) -> None:
    resp = browser.post(
        f"/journeys/{journey_id}/autosave/",
        {"target": "journey", "field": "title", "value": new, "base": old},
        **{"X-CVJ-Autosave": "1"},
    )
    if resp.status != 200 or '"saved"' not in resp.text:
        raise RuntimeError(f"title autosave failed: HTTP {resp.status} {resp.text[:200]}")


def queue_prerenders(
    browser: Browser, other_ids: list[int], titles: dict[int, str], label: str, *, fifo: bool
) -> list[int]:
    """Other journeys, just edited, get their background pre-render queued right before the
    clicks (as the 30 s debounce fires for them): behind every click, as now, or — `fifo`, the
    queue before issue 23 — in arrival order, ahead of the clicks that follow."""
    from django.db import connections

    from journeys.deliverable import exports
    from journeys.models import Journey

    for journey_id in other_ids:
        new = f"{titles[journey_id].split(' · ')[0]} · {label}"
        edit_title(browser, journey_id, titles[journey_id], new)
        titles[journey_id] = new
    background = exports.BACKGROUND_PRIORITY
    if fifo:  # this process publishes them: one priority for all is the old single FIFO
        exports.BACKGROUND_PRIORITY = exports.CLICK_PRIORITY
    try:
        made = [
            exports.export_request(journey=Journey.objects.get(pk=journey_id), user=None)[0].pk
            for journey_id in other_ids
        ]
    finally:
        exports.BACKGROUND_PRIORITY = background
        connections.close_all()
    return made


def wait_rendered(export_ids: list[int], timeout: float) -> None:
    """Let the background renders finish, so the next round starts from an empty queue."""
    from django.db import connections

    from journeys.models import Export, ExportStatus

    deadline = time.monotonic() + timeout
    try:
        while Export.objects.filter(pk__in=export_ids).exclude(status=ExportStatus.DONE).exists():
            if time.monotonic() > deadline or STOP.is_set():
                raise RuntimeError("background pre-renders not done in time")
            time.sleep(0.2)
    finally:
        connections.close_all()
