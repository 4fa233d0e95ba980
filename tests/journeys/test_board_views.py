"""The board, Present and the client's pages through the test client, and their rules."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from journeys.deliverable.gaps import journey_gaps, journey_health
from journeys.deliverable.sharing import journey_finalize, share_link_create, share_link_revoke
from journeys.deliverable.snapshot import journey_snapshot
from journeys.models import Journey, JourneyStage, StageTactic
from journeys.selectors import finalize_blocker, journey_status_label
from journeys.services import offer_attach, tactic_add
from tests.clients import HTMX_HEADERS
from tests.factories import OfferFactory
from tests.journeys.editor_support import XSS, _entry

pytestmark = pytest.mark.django_db

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def _fill_first(journey: Journey, count: int) -> None:
    for entry in journey.stages.order_by("stage__position")[:count]:
        tactic_add(journey_stage=entry, custom_name=f"{entry.stage.name} tactic")


# --- The editor opens on the board


def test_the_editor_opens_on_the_board(strategist_client, journey):
    page = strategist_client.get(_url("journey_editor", journey.pk)).text
    assert page.count('class="board-col ') == 8
    assert 'id="stage-panel"' not in page
    assert 'data-view-link="board" aria-current="page"' in page


def test_a_stage_in_the_query_opens_the_stage_view(strategist_client, journey):
    page = strategist_client.get(_url("journey_editor", journey.pk), {"stage": "convert"}).text
    assert 'data-stage="convert"' in page and 'class="board-col ' not in page
    board = strategist_client.get(_url("journey_editor", journey.pk), {"view": "board"}).text
    assert board.count('class="board-col ') == 8


def test_board_columns_carry_the_live_contract(strategist_client, journey):
    entry = _entry(journey, "subscribe")
    entry.goal = "Get emails"
    entry.save()
    page = strategist_client.get(_url("journey_editor", journey.pk)).text
    src = _url("journey_board_column", journey.pk, "subscribe")
    assert f'data-live-part="stage:subscribe" data-live-src="{src}"' in page
    assert page.count('data-live-field="stage:subscribe.goal"') == 2  # the text and its field
    assert 'data-live-field="stage:subscribe.metric"' in page
    assert 'data-live-field="stage:subscribe.target_conversion"' in page
    assert 'data-live-part="rail"' in page
    # The goal is edited with the stage view's own autosave form (editor.js binds it).
    assert 'data-autosave data-target="stage:subscribe" data-field="goal"' in page


def test_a_board_goal_is_named_by_the_text_it_shows(strategist_client, journey):
    """WCAG 2.5.3 Label in Name: no aria-label hides the goal; the edit hint is a description."""
    JourneyStage.objects.filter(journey=journey, stage__slug="subscribe").update(goal="Get emails")
    JourneyStage.objects.filter(journey=journey, stage__slug="engage").update(goal="")
    page = strategist_client.get(_url("journey_editor", journey.pk)).text
    controls = re.findall(
        r'<div class="board-goal-text[^"]*" ([^>]*)data-board-edit="(\w+)"[^>]*>([^<]*)</div>', page
    )
    assert len(controls) == 8
    shown = {slug: text for _attrs, slug, text in controls}
    assert shown["subscribe"] == "Get emails" and shown["engage"] == "Click to set the goal"
    for attrs, slug, _text in controls:
        assert "aria-label" not in attrs
        assert f'aria-describedby="board-goal-hint-{slug}"' in attrs
    hint = '<span id="board-goal-hint-subscribe" hidden>Goal for Subscribe — press Enter to edit'
    assert hint in page


def test_the_board_switch_returns_the_board_for_htmx_and_redirects_otherwise(
    strategist_client, journey
):
    url = _url("journey_board", journey.pk)
    partial = strategist_client.get(url, headers=HTMX_HEADERS)
    assert partial.status_code == 200 and "<html" not in partial.text
    assert partial.text.count('class="board-col ') == 8
    plain = strategist_client.get(url)
    assert plain.status_code == 302 and plain["Location"].endswith("?view=board")


def test_a_column_is_rendered_alone(strategist_client, journey):
    tactic_add(journey_stage=_entry(journey, "engage"), custom_name=XSS)
    column = strategist_client.get(
        _url("journey_board_column", journey.pk, "engage"), headers=HTMX_HEADERS
    )
    assert column.status_code == 200
    assert column.text.strip().startswith('<section id="board-col-engage"')
    assert column.text.count('class="board-col ') == 1
    assert ESCAPED in column.text and XSS not in column.text
    slide = strategist_client.get(
        _url("journey_board_column", journey.pk, "engage"), {"mode": "slide"}, headers=HTMX_HEADERS
    )
    assert 'data-slide-id="engage"' in slide.text and "<textarea" not in slide.text
    shown = strategist_client.get(
        _url("journey_board_column", journey.pk, "engage"),
        {"mode": "present"},
        headers=HTMX_HEADERS,
    )
    assert "<input" not in shown.text and "<textarea" not in shown.text
    assert (
        strategist_client.get(_url("journey_board_column", journey.pk, "nope")).status_code == 404
    )


def test_adding_a_tactic_from_a_column_answers_with_that_column(strategist_client, journey):
    url = _url("tactic_add", journey.pk, "excite") + "?part=board"
    response = strategist_client.post(url, {"custom_name": "Welcome call"}, headers=HTMX_HEADERS)
    assert response.status_code == 200
    assert response.text.strip().startswith('<section id="board-col-excite"')
    assert "Welcome call" in response.text
    assert re.search(r'id="board-add-excite"[^>]*autofocus', response.text)
    assert "journey-shape-changed" in response["HX-Trigger"]
    assert [t.name for t in StageTactic.objects.filter(journey_stage__journey=journey)] == [
        "Welcome call"
    ]
    # Without JavaScript the post goes back to the board.
    plain = strategist_client.post(url, {"custom_name": "Thank-you card"})
    assert plain.status_code == 302 and plain["Location"].endswith("?view=board")


def test_a_bad_tactic_from_a_column_keeps_the_typed_text_and_says_why(htmx_client, journey):
    url = _url("tactic_add", journey.pk, "excite") + "?part=board"
    response = htmx_client.post(url, {"custom_name": "x" * 500})
    assert response.status_code == 200
    assert 'class="field-error" role="alert"' in response.text
    assert 'value="' + "x" * 500 + '"' in response.text


def test_reordering_in_a_column_reuses_the_reorder_endpoints(htmx_client, journey):
    entry = _entry(journey, "aware")
    first, _ = tactic_add(journey_stage=entry, custom_name="First")
    second, _ = tactic_add(journey_stage=entry, custom_name="Second")
    url = _url("tactic_reorder", journey.pk, "aware") + "?part=board"
    response = htmx_client.post(url, {"order": [second.pk, first.pk]})
    assert response.text.strip().startswith('<section id="board-col-aware"')
    assert [t.name for t in StageTactic.objects.filter(journey_stage=entry)] == ["Second", "First"]
    move = _url("tactic_move", journey.pk, first.pk) + "?part=board"
    response = htmx_client.post(move, {"direction": "up"})
    assert response.text.strip().startswith('<section id="board-col-aware"')
    assert [t.name for t in StageTactic.objects.filter(journey_stage=entry)] == ["First", "Second"]


def test_board_endpoints_of_another_agency_look_missing(htmx_client, other_agency_journey):
    pk = other_agency_journey.pk
    for url in (
        _url("journey_board", pk),
        _url("journey_board_column", pk, "aware"),
        _url("journey_present", pk),
        _url("present_part", pk, "funnel"),
        _url("journey_view_column", pk, "aware"),
    ):
        assert htmx_client.get(url).status_code == 404, url
    add = _url("tactic_add", pk, "aware") + "?part=board"
    assert htmx_client.post(add, {"custom_name": "x"}).status_code == 404


def test_a_client_reads_columns_but_never_the_editor_board(client, journey, client_member):
    journey.shared_with_client = True
    journey.save()
    client.force_login(client_member.user)
    column = client.get(_url("journey_view_column", journey.pk, "aware"), headers=HTMX_HEADERS)
    assert column.status_code == 200 and "<textarea" not in column.text
    assert client.get(_url("journey_board_column", journey.pk, "aware")).status_code == 404
    assert client.get(_url("journey_board", journey.pk), headers=HTMX_HEADERS).status_code == 404


# --- Present


def test_present_has_the_slides_and_no_form_field(strategist_client, journey):
    _fill_first(journey, 2)
    entry = _entry(journey, "aware")
    entry.goal = XSS
    entry.save()
    page = strategist_client.get(_url("journey_present", journey.pk)).text
    for tag in ("<input", "<textarea", "<select", "<form", "drag-handle", "+ Add a tactic"):
        assert tag not in page, tag
    for slide in ("board", "aware", "promote", "funnel", "opportunities"):
        assert f'data-slide-id="{slide}"' in page, slide
    assert "Next: add a first Subscribe tactic" in page
    assert "2 of 8 stages have tactics · next: a first Subscribe tactic" in page
    assert ESCAPED in page and XSS not in page
    assert 'data-slide="board"' in page
    asked = strategist_client.get(_url("journey_present", journey.pk), {"slide": "funnel"})
    assert 'data-slide="funnel"' in asked.text
    unknown = strategist_client.get(_url("journey_present", journey.pk), {"stage": "nope"})
    assert 'data-slide="board"' in unknown.text


def test_present_parts_render_alone(strategist_client, journey):
    for part in ("funnel", "opportunities"):
        response = strategist_client.get(
            _url("present_part", journey.pk, part), headers=HTMX_HEADERS
        )
        assert response.status_code == 200 and "<html" not in response.text
        assert f'data-slide-id="{part}"' in response.text
    assert strategist_client.get(_url("present_part", journey.pk, "nope")).status_code == 404


# --- The client's page and the share page


def test_the_client_page_leads_with_the_board_then_the_funnel(client, journey, client_member):
    journey.shared_with_client = True
    journey.monthly_reach = 10000
    journey.save()
    client.force_login(client_member.user)
    page = client.get(_url("journey_view", journey.pk)).text
    board, funnel, details = (
        page.index("data-board>"),
        page.index("funnel-chart"),
        page.index('id="stage-aware"'),
    )
    assert board < funnel < details
    assert "<textarea" not in page and "data-autosave" not in page
    assert journey.business.agency.name in page


def test_the_share_page_leads_with_the_board_and_shows_the_agency_logo(client, journey, strategist):
    agency = journey.business.agency
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, "PNG")
    agency.logo.save("logo.png", ContentFile(png.getvalue()))
    _link, token = share_link_create(journey=journey, user=strategist.user, days=7)
    page = client.get(_url("share_page", token)).text
    assert page.count('class="board-col ') == 8
    assert f'src="{_url("share_logo", token)}"' in page
    assert f'data-live-src="{_url("share_board_column", token, "aware")}"' in page
    logo = client.get(_url("share_logo", token))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    b"".join(logo.streaming_content)
    column = client.get(_url("share_board_column", token, "convert"))
    assert column.status_code == 200 and 'id="board-col-convert"' in column.text
    link = journey.share_links.get()
    assert link.use_count == 1  # the page counts; its logo and columns do not


def test_a_dead_share_link_shows_neither_columns_nor_logo(client, journey, strategist):
    link, token = share_link_create(journey=journey, user=strategist.user, days=7)
    share_link_revoke(link=link)
    assert client.get(_url("share_board_column", token, "aware")).status_code == 410
    assert client.get(_url("share_logo", token)).status_code == 410
    assert client.get(_url("share_logo", "not-a-token")).status_code == 404
    assert client.get(_url("share_board_column", "not-a-token", "aware")).status_code == 404


# --- Journey health, finalize gate, status label


def test_health_reads_as_progress_with_the_next_step(journey):
    _fill_first(journey, 3)
    health = journey_health(journey_snapshot(journey))
    assert health.summary == "3 of 8 stages have tactics · next: a lead magnet for Subscribe"
    assert health.opportunities[0].headline == "Next: add a lead magnet for Subscribe"
    assert health.done == 3 and len(health.checklist) == 11


def test_health_has_no_next_step_when_nothing_is_missing(journey):
    snapshot = journey_snapshot(journey)
    assert journey_gaps(snapshot)  # a new journey has gaps; with none there is no next step
    assert journey_health(snapshot, []).summary == "0 of 8 stages have tactics"


def test_a_new_journey_shows_a_checklist_not_a_wall_of_red(htmx_client, journey):
    body = htmx_client.get(_url("journey_insights", journey.pk)).text
    assert "0 of 8 stages have tactics · next: a first Aware tactic" in body
    # The severities are folded away (a closed <details>) for the strategist's own look.
    details = body.index('<details class="gap-details">')
    assert body.index("gap-critical") > details


def test_finalize_needs_a_tactic_in_every_stage(journey):
    assert finalize_blocker(journey).startswith("Finalize once every stage has a tactic: 8 ")
    _fill_first(journey, 7)
    assert finalize_blocker(journey) == (
        "Finalize once every stage has a tactic: 1 stage has none yet (Promote)."
    )
    _fill_first(journey, 8)
    assert finalize_blocker(journey) == ""


def test_the_status_label_hides_the_edit_counter(journey, strategist):
    journey.version = 35
    journey.save()
    assert re.fullmatch(r"Draft · saved \d\d:\d\d", journey_status_label(journey))
    journey_finalize(journey=journey, user=strategist.user)
    journey.refresh_from_db()
    assert journey_status_label(journey) == "Final · v1"


def test_an_offer_on_the_board_shows_its_price(strategist_client, journey):
    magnet = OfferFactory(business=journey.business, kind="lead_magnet", name="Guide", price=0)
    offer_attach(journey_stage=_entry(journey, "subscribe"), offer=magnet)
    column = strategist_client.get(_url("journey_board_column", journey.pk, "subscribe")).text
    assert "board-chip k-lead_magnet" in column and "Free" in column
