"""Each person's dots count exactly once, whatever arrives at the same moment: double clicks,
replays after a reconnect, two tabs on one phone, and the close racing the last votes —
real threads against PostgreSQL, each with its own connection."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.urls import reverse

from journeys.workshop.models import Ballot, Dot
from journeys.workshop.votes import vote_close, vote_open, vote_tally
from tests.workshop.conftest import guest_browser

pytestmark = pytest.mark.django_db(transaction=True)

GUESTS = 12


def _in_thread(work):  # noqa: ANN001, ANN202
    def run(*args):  # noqa: ANN002, ANN202
        try:
            return work(*args)
        finally:
            connection.close()  # each thread's own connection, closed with it

    return run


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_double_clicks_count_each_persons_dots_once(journey, join, tactics):
    quiz, ebook, webinar = tactics
    vote_open(journey=journey, journey_stage=None, votes_per_person=3, max_per_item=2,
              anonymous=False, tally_hidden=True)  # fmt: skip
    phones = [guest_browser(join, f"Guest {n}") for n in range(GUESTS)]
    url = reverse("workshop_guest_vote", args=[join.token])
    start = threading.Barrier(GUESTS * 6)

    @_in_thread
    def click(phone, tactic, dots):  # noqa: ANN001, ANN202
        start.wait()
        return phone.post(url, {"tactic": tactic.pk, "dots": dots}).status_code

    # Every phone at once: the same "2 on the quiz" four times (a double click and a replay,
    # from two tabs), one "1 on the ebook", and one "2 on the webinar" that would exceed 3.
    jobs = []
    for phone in phones:
        jobs += [(phone, quiz, 2)] * 4 + [(phone, ebook, 1), (phone, webinar, 2)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        statuses = list(pool.map(lambda job: click(*job), jobs))
    assert set(statuses) == {200}

    assert Ballot.objects.count() == GUESTS  # one ballot a person, never two
    for ballot in Ballot.objects.all():
        dots = dict(Dot.objects.filter(ballot=ballot).values_list("stage_tactic_id", "count"))
        assert sum(dots.values()) <= 3
        assert dots.get(quiz.pk) == 2 or dots.get(webinar.pk) == 2  # one of the twos won
    totals = {row.stage_tactic.pk: row.dots for row in vote_tally(journey.vote_rounds.get())}
    assert sum(totals.values()) == sum(Dot.objects.values_list("count", flat=True))
    assert sum(totals.values()) <= 3 * GUESTS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_the_close_and_the_last_votes_never_cross(journey, join, tactics):
    quiz = tactics[0]
    round_ = vote_open(journey=journey, journey_stage=None, votes_per_person=3, max_per_item=2,
                       anonymous=False, tally_hidden=True)  # fmt: skip
    phones = [guest_browser(join, f"Guest {n}") for n in range(GUESTS)]
    url = reverse("workshop_guest_vote", args=[join.token])
    start = threading.Barrier(GUESTS + 1)

    @_in_thread
    def keep_voting(phone):  # noqa: ANN001, ANN202
        """Put a dot on, take it off, … until the vote is closed; the last one accepted."""
        start.wait()
        last = 0
        for turn in range(500):
            dots = 1 - turn % 2
            answer = phone.post(url, {"tactic": quiz.pk, "dots": dots}).text
            if 'role="alert"' in answer:  # "This vote has closed" / "No vote is open"
                return last
            last = dots
        raise AssertionError("the vote never closed")

    @_in_thread
    def close():  # noqa: ANN202
        start.wait()
        time.sleep(0.5)  # mid-crowd
        vote_close(round_=round_)
        return {row.stage_tactic.pk: row.dots for row in vote_tally(round_)}[quiz.pk]

    with ThreadPoolExecutor(max_workers=GUESTS + 1) as pool:
        closing = pool.submit(close)
        last_accepted = list(pool.map(keep_voting, phones))
        at_close = closing.result()
    # What each phone last saw accepted is what is stored, the close counted exactly that,
    # and nothing landed after it.
    stored = {
        ballot.voter_name: sum(ballot.dots.values_list("count", flat=True))
        for ballot in Ballot.objects.filter(round=round_)
    }
    assert [stored.get(f"Guest {n}", 0) for n in range(GUESTS)] == last_accepted
    final = {row.stage_tactic.pk: row.dots for row in vote_tally(round_)}[quiz.pk]
    assert at_close == final == sum(last_accepted)
