"""The client's team takes part, in real browsers over real sockets (cvj.serve): a facilitator at
1280×720 and three guests on 390×844 phones join through the QR code's link, add ideas that
stay private until revealed, the facilitator accepts one as a tactic (its text intact), opens
a dot vote, everyone votes, the vote closes, and the plan's priorities follow the votes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from journeys.models import Journey, StageTactic
from journeys.services import tactic_add
from journeys.workshop.models import Ballot, Dot, Idea
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_live import IS_POSTGRES, signed_in_page, start_server, stop, wait_live

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="the ASGI server shares the test database")

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def asgi_base(journey) -> Iterator[str]:
    """The ASGI server on a free port (pages and sockets), with no presence left from an earlier
    test."""
    cache.delete_many([f"cvj-live:roster:{journey.pk}", f"cvj-live:follow:{journey.pk}"])
    process, base, _log = start_server()
    yield base
    stop(process)


HOSTILE = 'Sizing quiz <img src=x onerror="alert(1)">'


def _join(new_context, url: str, name: str) -> Page:
    phone = new_context(has_touch=True).new_page()
    phone.set_viewport_size(PHONE)
    phone.goto(url)
    expect(phone.locator("#ws-name")).to_be_visible()
    phone.locator("#ws-name").fill(name)
    phone.get_by_role("button", name="Join the session").click()
    expect(phone.locator("[data-workshop-idea-form]")).to_be_visible()
    wait_live(phone)
    return phone


def _add_idea(phone: Page, name: str, note: str = "") -> None:
    phone.locator("#idea-stage").select_option("subscribe")
    phone.locator("#idea-name").fill(name)
    phone.locator("#idea-note").fill(note)
    phone.locator("[data-idea-add]").click()
    expect(phone.locator("#workshop-ideas .idea", has_text=name.split(" <")[0])).to_be_visible()
    expect(phone.locator("#idea-name")).to_have_value("")  # cleared for the next idea


def _dot(phone: Page, tactic: StageTactic, times: int) -> None:
    item = phone.locator(f'[data-vote-item="{tactic.pk}"]')
    for n in range(1, times + 1):
        item.locator("[data-vote-plus]").click()
        expect(phone.locator(f'[data-vote-item="{tactic.pk}"]')).to_have_attribute(
            "data-mine", str(n)
        )


def test_a_facilitator_and_three_phones_ideate_vote_and_order_the_plan(
    new_context, asgi_base, journey, strategist
):
    subscribe = journey.stages.get(stage__slug="subscribe")
    ebook, webinar = (
        tactic_add(journey_stage=subscribe, custom_name=n)[0] for n in ("Ebook", "Webinar")
    )
    facilitator = signed_in_page(new_context, asgi_base, strategist.user)
    facilitator.set_viewport_size({"width": 1280, "height": 720})
    facilitator.goto(f"{asgi_base}/journeys/{journey.pk}/")
    wait_live(facilitator)

    # One step to join: the Join-live card's QR code and its short link.
    facilitator.locator("#live-card [data-join-new]").click()
    expect(facilitator.locator("#live-card .join-qr svg")).to_be_visible()
    join_url = facilitator.locator("#live-card [data-join-url]").get_attribute("href")
    assert "/j/" in join_url
    join_url = asgi_base + join_url[join_url.index("/j/") :]
    phones = [_join(new_context, join_url, name) for name in ("Ana", "Ben", "Cleo")]
    ana, ben, cleo = phones
    assert "/l/" in ana.url
    ana.reload()  # the name is asked once: this device remembers it
    expect(ana.locator("[data-workshop-idea-form]")).to_be_visible()
    expect(ana.locator("#ws-name")).to_have_count(0)
    wait_live(ana)

    # Ideas stay with their authors until the facilitator reveals the stage's ideas.
    _add_idea(ana, HOSTILE, "Five questions <b>and</b> a size")
    _add_idea(ben, "Fit guide")
    _add_idea(cleo, "Video call fitting")
    expect(ana.locator("#workshop-ideas .idea")).to_have_count(1)
    expect(ben.locator("#workshop-ideas .idea")).to_have_count(1)
    reveal = facilitator.locator('[data-idea-reveal="subscribe"]')
    expect(reveal).to_contain_text("Show 3 ideas")
    reveal.click()
    for phone in phones:
        expect(phone.locator("#workshop-ideas .idea")).to_have_count(3)
    expect(ana.locator("#workshop-ideas")).to_contain_text("Ben")

    # The facilitator accepts Ana's idea as a tactic: its name and note arrive as typed.
    idea = Idea.objects.get(author_name="Ana")
    facilitator.locator(f'[data-idea="{idea.pk}"] [data-idea-accept]').click()
    expect(facilitator.locator(f'[data-idea="{idea.pk}"]')).to_contain_text("Accepted")
    quiz = StageTactic.objects.get(journey_stage=subscribe, custom_name=HOSTILE)
    assert quiz.notes == "Five questions <b>and</b> a size"
    expect(facilitator.locator("#board-col-subscribe")).to_contain_text(HOSTILE)

    # A dot vote on Subscribe: three dots each, at most two on one tactic, tally hidden.
    facilitator.locator("#vote-stage").select_option("subscribe")
    facilitator.locator("#vote-m").fill("2")
    facilitator.locator("[data-vote-open]").click()
    expect(facilitator.locator("[data-vote-close]")).to_be_visible()
    for phone in phones:
        expect(phone.locator(f'[data-vote-item="{quiz.pk}"]')).to_be_visible()
    _dot(ana, quiz, 2)
    _dot(ana, webinar, 1)
    _dot(ben, quiz, 2)
    _dot(ben, ebook, 1)
    _dot(cleo, webinar, 2)
    ana.locator(f'[data-vote-item="{quiz.pk}"] [data-vote-plus]').click(force=True)  # no 4th dot
    expect(ana.locator("[data-workshop-dots-left]")).to_have_attribute(
        "data-workshop-dots-left", "0"
    )
    expect(facilitator.locator("#workshop-vote-count")).to_have_attribute(
        "data-workshop-voters", "3"
    )
    expect(ana.locator("[data-vote-item][data-dots]")).to_have_count(0)  # the tally is hidden
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ana.locator("#workshop-vote").scroll_into_view_if_needed()
    ana.screenshot(path=str(ARTIFACTS / "workshop-guest-phone.png"))
    facilitator.evaluate("window.scrollTo(0, 0)")
    facilitator.screenshot(path=str(ARTIFACTS / "workshop-facilitator-vote.png"))
    facilitator.locator("#workshop-vote").screenshot(
        path=str(ARTIFACTS / "workshop-facilitator-vote-panel.png")
    )

    facilitator.locator("[data-vote-close]").click()
    for phone in phones:
        expect(phone.locator("[data-workshop-closed]")).to_be_visible()
        expect(phone.locator(f'[data-vote-item="{quiz.pk}"]')).to_have_attribute("data-dots", "4")
    expect(
        facilitator.locator(f'.board-tactic[data-id="{quiz.pk}"] [data-board-dots]')
    ).to_have_attribute("data-board-dots", "4")
    assert Ballot.objects.count() == 3
    assert sum(Dot.objects.values_list("count", flat=True)) == 8
    ana.locator("#workshop-vote").scroll_into_view_if_needed()
    ana.screenshot(path=str(ARTIFACTS / "workshop-guest-phone-closed.png"))
    facilitator.evaluate("window.scrollTo(0, 0)")
    facilitator.screenshot(path=str(ARTIFACTS / "workshop-facilitator-closed.png"))

    # One clock for the room: two seconds before the intro's timebox ends the facilitator
    # starts it; every phone shows it running, then "Time's up" at the same moment.
    Journey.objects.filter(pk=journey.pk).update(session_elapsed_seconds=15 * 60 - 2)
    facilitator.locator("[data-clock-toggle]").click()
    for phone in phones:
        expect(phone.locator("[data-room-clock]")).to_have_attribute("data-running", "1")
    for phone in phones:
        expect(phone.locator("[data-room-clock-alert]")).to_contain_text("Time's up: Intro")
    expect(ana.locator("[data-room-clock-item]")).to_have_text("1. Aware")
    ana.screenshot(path=str(ARTIFACTS / "workshop-guest-phone-time-up.png"))

    # The strategist confirms: the plan's priorities follow the votes.
    facilitator.locator("[data-vote-apply]").click()
    expect(facilitator.locator("#workshop-vote")).to_contain_text("Taken into the plan")
    journey = Journey.objects.get(pk=journey.pk)
    assert journey.priorities == [quiz.pk, webinar.pk, ebook.pk]
    horizons = dict(
        StageTactic.objects.filter(pk__in=journey.priorities).values_list("pk", "horizon")
    )
    assert set(horizons.values()) == {"now"}
    facilitator.goto(f"{asgi_base}/journeys/{journey.pk}/?stage=subscribe")
    expect(facilitator.locator("#tactics")).to_contain_text(HOSTILE)
    expect(facilitator.locator(f"#tn-{quiz.pk}")).to_have_value("Five questions <b>and</b> a size")


def test_everyone_follows_the_leader_across_the_leaders_reload(
    new_context, asgi_base, journey, strategist
):
    from journeys.live.guests import live_link_create

    leader = signed_in_page(new_context, asgi_base, strategist.user)
    leader.goto(f"{asgi_base}/journeys/{journey.pk}/?stage=convert")
    wait_live(leader)
    _link, token = live_link_create(journey=journey, user=strategist.user)
    guest = new_context().new_page()
    guest.set_viewport_size(PHONE)
    guest.goto(f"{asgi_base}/l/{token}/")
    wait_live(guest)
    leader.get_by_role("button", name="Everyone follow me").click()
    expect(guest.locator("#live-guest")).to_have_attribute("data-live-followed", "convert")

    leader.reload()  # the lead goes on: the leader's new page takes it up
    wait_live(leader)
    expect(leader.locator("[data-live-lead]")).to_have_attribute("data-live-lead", "on")
    expect(guest.locator("[data-live-follow-toggle]")).to_have_attribute(
        "data-live-follow-toggle", "on"
    )
    leader.locator(".stage-tab.s-excite[data-hx-get]").first.click()
    expect(guest.locator("#live-guest")).to_have_attribute("data-live-followed", "excite")

    leader.get_by_role("button", name="Stop leading").click()  # only the leader ends it
    expect(guest.locator("[data-live-follow-toggle]")).to_have_count(0)
