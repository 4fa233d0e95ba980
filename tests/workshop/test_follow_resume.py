""" "Everyone follow me" survives the leader's reload: the lead is kept server-side (in the
cache, with the leader's user id) when their socket goes, and their next socket takes it over
and tells everyone again; only the leader ends it."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache

from journeys.live.guests import live_link_create
from journeys.live.presence import follow_state
from tests.journeys.test_live_consumers import _communicator, _connect, _cookie_for, _next

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_presence_left_over(journey) -> None:
    cache.delete_many([f"cvj-live:roster:{journey.pk}", f"cvj-live:follow:{journey.pk}"])


def test_the_lead_outlives_the_leaders_reload_until_they_end_it(journey, strategist):
    cookie = _cookie_for(strategist.user)
    _link, token = live_link_create(journey=journey, user=strategist.user)

    async def session() -> None:
        guest = _communicator(journey.pk, query=f"token={token}")
        assert (await _connect(guest))[0]
        await _next(guest, "live.hello")
        leader = _communicator(journey.pk, cookie=cookie)
        assert (await _connect(leader))[0]
        await _next(leader, "live.hello")
        await leader.send_json_to({"type": "follow", "on": True, "stage": "convert"})
        assert (await _next(guest, "live.follow"))["follow"]["stage"] == "convert"

        await leader.disconnect()  # the leader's page reloads
        assert (await _next(guest, "presence.leave"))["type"] == "presence.leave"
        assert follow_state(journey.pk)["stage"] == "convert"  # nobody told to stop following

        again = _communicator(journey.pk, cookie=cookie)
        assert (await _connect(again))[0]
        hello = await _next(again, "live.hello")
        assert hello["follow"]["id"] == hello["you"]["id"]  # this page leads now
        resumed = await _next(guest, "live.follow")
        assert resumed["follow"]["id"] == hello["you"]["id"]
        assert resumed["follow"]["stage"] == "convert"

        await again.send_json_to({"type": "follow", "on": False})  # the leader ends it
        assert (await _next(guest, "live.follow"))["follow"] is None
        await again.disconnect()
        await guest.disconnect()

    async_to_sync(session)()
    assert follow_state(journey.pk) is None


def test_another_strategist_does_not_take_over_the_lead(journey, strategist, second_member):
    cookies = _cookie_for(strategist.user), _cookie_for(second_member.user)  # (not in the loop)

    async def session() -> None:
        leader = _communicator(journey.pk, cookie=cookies[0])
        assert (await _connect(leader))[0]
        await _next(leader, "live.hello")
        await leader.send_json_to({"type": "follow", "on": True, "stage": "excite"})
        await _next(leader, "live.follow")
        other = _communicator(journey.pk, cookie=cookies[1])
        assert (await _connect(other))[0]
        hello = await _next(other, "live.hello")
        assert hello["follow"]["stage"] == "excite" and hello["follow"]["id"] != hello["you"]["id"]
        await other.disconnect()
        await leader.disconnect()

    async_to_sync(session)()


@pytest.fixture
def second_member(agency):
    from tests.factories import MembershipFactory

    return MembershipFactory(agency=agency, role="strategist")
