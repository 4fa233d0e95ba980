"""Two teammates answering the same new question through one link at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from journeys.intake.services import intake_answers_save, intake_link_create
from tests.factories import BusinessFactory

# Serialized rollback like the browser tests: a plain flush would re-create the content types
# that their serialized rollback then restores a second time.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_two_first_answers_to_one_question_both_save_in_turn():
    link, _ = intake_link_create(business=BusinessFactory(), user=None, days=7)
    first_saved, release_first = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                outcomes["first"] = intake_answers_save(link=link, answers={"pains": "Time."})
                first_saved.set()
                release_first.wait(5)  # still uncommitted while the second one arrives
        finally:
            connections.close_all()

    def second() -> None:
        try:
            outcomes["second"] = intake_answers_save(link=link, answers={"pains": "Money."})
        except Exception as error:  # noqa: BLE001 - the failure this test is about
            outcomes["second"] = error
        finally:
            connections.close_all()

    one = threading.Thread(target=first)
    one.start()
    assert first_saved.wait(5)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.5)
    assert two.is_alive(), "the second save should wait for the first one's link lock"
    release_first.set()
    one.join(5)
    two.join(5)
    assert outcomes == {"first": {}, "second": {}}
    assert dict(link.answers.values_list("question", "text")) == {"pains": "Money."}
