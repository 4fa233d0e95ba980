"""The autosave's common case is one statement: the row, the right to edit it and the write.

Every case here sends the right `base`, so only the right to edit (or the row's existence) can
stop the one-statement write: a fold that forgot a rule would save, and these would fail.
"""

from __future__ import annotations

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import Http404

from cvj.models import Role
from journeys.autosave import autosave_field
from journeys.live.editing import UNAVAILABLE, _save_on_db_thread
from journeys.live.messages import Save
from journeys.models import Journey, StageTactic
from journeys.services import tactic_add, tactic_remove
from stages.models import Tactic
from tests.factories import AgencyFactory, BusinessFactory, MembershipFactory, make_journey
from tests.journeys.editor_support import _entry

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's"
)


def _goal(user, journey: Journey, value: str = "Be found", base: str = ""):
    return autosave_field(
        user, journey.pk, target="stage:aware", field="goal", value=value, base=base
    )


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STRATEGIST])
def test_an_editor_saves_in_one_statement(journey, role, django_assert_num_queries):
    member = MembershipFactory(agency=journey.business.agency, role=role)
    with django_assert_num_queries(1):
        answer = _goal(member.user, journey)
    assert (answer.status, answer.body["status"]) == (200, "saved")
    assert _entry(journey, "aware").goal == "Be found"
    assert Journey.objects.get(pk=journey.pk).version == journey.version + 1


def test_a_client_of_the_business_cannot_save(journey, client_member):
    with pytest.raises(Http404):
        _goal(client_member.user, journey)
    assert _entry(journey, "aware").goal == ""


def test_a_strategist_demoted_to_client_cannot_save(journey, strategist):
    _goal(strategist.user, journey, "Mine")
    strategist.role = Role.CLIENT
    strategist.business = journey.business
    strategist.save()
    with pytest.raises(Http404):
        _goal(strategist.user, journey, "Later", base="Mine")
    assert _entry(journey, "aware").goal == "Mine"


def test_a_strategist_of_another_agency_cannot_save(journey):
    rival = MembershipFactory(agency=AgencyFactory(name="Rival"), role=Role.STRATEGIST)
    with pytest.raises(Http404):
        _goal(rival.user, journey)
    assert _entry(journey, "aware").goal == ""


def test_an_inactive_user_cannot_save(journey, strategist, django_assert_num_queries):
    get_user_model().objects.filter(pk=strategist.user.pk).update(is_active=False)
    strategist.user.refresh_from_db()
    with django_assert_num_queries(0), pytest.raises(Http404):
        _goal(strategist.user, journey)


def _tactic(journey: Journey) -> StageTactic:
    tactic = Tactic.objects.filter(stage__slug="aware").first()
    added, _ = tactic_add(journey_stage=_entry(journey, "aware"), tactic=tactic)
    return added


def _notes(user, journey: Journey, tactic: StageTactic):
    return autosave_field(
        user, journey.pk, target=f"tactic:{tactic.pk}", field="notes", value="Call", base=""
    )


def test_a_tactic_saves_in_one_statement(journey, strategist, django_assert_num_queries):
    tactic = _tactic(journey)
    with django_assert_num_queries(1):
        answer = _notes(strategist.user, journey, tactic)
    assert answer.body["status"] == "saved"
    assert StageTactic.objects.get(pk=tactic.pk).notes == "Call"


def test_a_removed_tactic_is_not_saved(journey, strategist):
    tactic = _tactic(journey)
    tactic_remove(stage_tactic=tactic)
    with pytest.raises(Http404):
        _notes(strategist.user, journey, tactic)
    assert StageTactic.all_objects.get(pk=tactic.pk).notes == ""


def test_a_tactic_of_another_journey_is_not_saved_through_this_one(journey, strategist):
    other = make_journey(business=BusinessFactory(agency=journey.business.agency), title="Other")
    tactic = _tactic(other)
    with pytest.raises(Http404):
        _notes(strategist.user, journey, tactic)  # the journey in the path is not the tactic's
    assert StageTactic.objects.get(pk=tactic.pk).notes == ""


def test_an_invalid_value_from_someone_without_the_right_is_a_404_not_a_422(journey):
    rival = MembershipFactory(agency=AgencyFactory(name="Rival"), role=Role.STRATEGIST)
    with pytest.raises(Http404):
        autosave_field(
            rival.user, journey.pk, target="stage:aware", field="target_conversion",
            value="lots", base="",
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_socket_save_on_a_dead_connection_answers_503_and_the_retry_saves(journey, strategist):
    """The socket's save skips Django's per-call health check; a connection that died (here:
    terminated by the server) fails one save with a 503, which the page retries."""
    user = get_user_model().objects.get(pk=strategist.user.pk)
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
        dbname=settings["NAME"], autocommit=True,
    ) as admin:  # fmt: skip
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    message = Save(type="save", id=1, target="stage:aware", field="goal", value="Hi", base="")
    ack = _save_on_db_thread(user, journey.pk, message)
    assert (ack["status"], ack["body"]["error"]) == (503, UNAVAILABLE)
    assert connection.connection is None  # closed after the save that found out
    ack = _save_on_db_thread(user, journey.pk, message.model_copy(update={"id": 2}))
    assert (ack["status"], ack["body"]["status"]) == (200, "saved")
    assert _entry(journey, "aware").goal == "Hi"
