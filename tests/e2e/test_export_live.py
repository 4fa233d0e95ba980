"""The export card follows the render over the live socket, not only by polling.

A strategist's editor shows a queued export; the render then finishes in another process (here,
the test's own, as a worker would) and the card offers "Download PDF" — with the card's once-a-
second poll blocked, so only the live message can have told the page.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from journeys.deliverable.exports import EXPORT_CARD_PART, export_render, export_request
from journeys.models import ExportStatus
from tests.e2e.asgi import IS_POSTGRES, LiveEditor, signed_in_page, start_server, stop, wait_live

pytestmark = [
    pytest.mark.skipif(not IS_POSTGRES, reason="the ASGI server shares the test database"),
    pytest.mark.skipif(
        not settings.LIVE_REDIS_URL, reason="the render's message crosses processes by Redis"
    ),
]


@pytest.fixture
def asgi_base():
    process, base, _log = start_server()
    yield base
    stop(process)


def test_a_finished_render_turns_the_open_card_to_download(
    new_context, asgi_base, strategist, journey, celery_disabled
):
    export, _created = export_request(journey=journey, user=strategist.user)
    editor = LiveEditor(signed_in_page(new_context, asgi_base, strategist.user), asgi_base)
    editor.page.route("**/exports/status/?poll=1", lambda route: route.abort())
    editor.open(journey)
    wait_live(editor.page)
    card = editor.page.locator("#export-card")
    expect(card).to_have_attribute("data-live-part", EXPORT_CARD_PART)
    expect(card).to_contain_text("Queued")

    assert export_render.run(export.pk) == "done"
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE

    expect(card.get_by_role("link", name="Download PDF")).to_be_visible(timeout=5_000)
    expect(card).to_contain_text(f"{export.pages} pages")
