"""Who may read and enter actuals, and the grid: a form per month, field errors, nothing lost."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cvj.models import Role
from journeys.actuals.models import ClientActualsAccess, MonthActuals
from tests.clients import logged_in
from tests.factories import BusinessFactory, MembershipFactory, make_journey

pytestmark = pytest.mark.django_db

READ_URLS = (
    "actuals_page",
    "actuals_scorecard",
    "actuals_csv",
    "actuals_json",
    "actuals_review_pdf",
)


def _url(name: str, journey) -> str:
    return reverse(name, args=[journey.pk])


def _grid(rows: list[dict[str, str]], initial: int) -> dict[str, str]:
    post = {"m-TOTAL_FORMS": str(len(rows)), "m-INITIAL_FORMS": str(initial)}
    post |= {"m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "1200"}
    for index, row in enumerate(rows):
        post |= {f"m-{index}-{key}": value for key, value in row.items()}
    return post


def test_another_agencys_journey_looks_missing(strategist_client, other_agency_journey):
    for name in READ_URLS + ("actuals_import",):
        assert strategist_client.get(_url(name, other_agency_journey)).status_code == 404
    post = _grid([{"month": "2026-01", "reach": "5"}], 0)
    assert (
        strategist_client.post(_url("actuals_page", other_agency_journey), post).status_code == 404
    )
    response = strategist_client.post(
        _url("actuals_client_access", other_agency_journey), {"clients_may_enter": "on"}
    )
    assert response.status_code == 404
    assert not MonthActuals.objects.exists() and not ClientActualsAccess.objects.exists()


def test_a_client_reads_but_enters_only_when_the_agency_allows(
    tracked_journey, client_member, strategist
):
    tracked_journey.shared_with_client = True
    tracked_journey.save()
    browser = logged_in(client_member)
    for name in READ_URLS:
        assert browser.get(_url(name, tracked_journey)).status_code == 200, name
    post = _grid([{"month": "2026-03", "reach": "5"}], 0)
    assert browser.get(_url("actuals_import", tracked_journey)).status_code == 404
    assert browser.post(_url("actuals_page", tracked_journey), post).status_code == 404
    page = browser.get(_url("actuals_page", tracked_journey)).content.decode()
    assert "Save figures" not in page and "Who enters actuals" not in page
    # A client cannot allow themselves.
    response = browser.post(
        _url("actuals_client_access", tracked_journey), {"clients_may_enter": "on"}
    )
    assert response.status_code == 404

    strategist_browser = logged_in(strategist)
    strategist_browser.post(
        _url("actuals_client_access", tracked_journey), {"clients_may_enter": "on"}
    )
    assert ClientActualsAccess.objects.get(business=tracked_journey.business).clients_may_enter
    assert browser.post(_url("actuals_page", tracked_journey), post).status_code == 302
    assert MonthActuals.objects.get(journey=tracked_journey, month=date(2026, 3, 1)).reach == 5
    assert browser.get(_url("actuals_import", tracked_journey)).status_code == 200

    strategist_browser.post(
        _url("actuals_client_access", tracked_journey), {}
    )  # unticked: off again
    assert browser.post(_url("actuals_page", tracked_journey), post).status_code == 404


def test_an_allowed_client_still_cannot_touch_another_business(agency, strategist):
    business = BusinessFactory(agency=agency)
    neighbour = make_journey(business=BusinessFactory(agency=agency))
    neighbour.shared_with_client = True
    neighbour.save()
    member = MembershipFactory(agency=agency, role=Role.CLIENT, business=business)
    ClientActualsAccess.objects.create(business=business, clients_may_enter=True)
    ClientActualsAccess.objects.create(business=neighbour.business, clients_may_enter=True)
    browser = logged_in(member)
    assert browser.get(_url("actuals_page", neighbour)).status_code == 404
    post = _grid([{"month": "2026-01", "reach": "5"}], 0)
    assert browser.post(_url("actuals_page", neighbour), post).status_code == 404


def test_unknown_ids_are_missing(strategist_client):
    for name in READ_URLS:
        assert strategist_client.get(reverse(name, args=[999999])).status_code == 404


def test_the_grid_saves_a_new_month_and_changes_one(strategist_client, tracked_journey):
    rows = [
        {"month": "2026-01", "reach": "10000", "spend": "1500.00"},  # changed: the rest blank
        {"month": "2026-02", "reach": "12000", "engaged": "1500", "subscribers": "270",
         "first_buyers": "45", "excited": "40", "repeat_buyers": "18", "advocates": "9",
         "promoters": "4", "spend": "1625.50", "revenue": "4811.00"},  # as stored
        {"month": "2026-03", "reach": "9000", "revenue": "12.30"},
    ]  # fmt: skip
    before = MonthActuals.objects.get(journey=tracked_journey, month=date(2026, 2, 1)).updated_at
    response = strategist_client.post(_url("actuals_page", tracked_journey), _grid(rows, 2))
    assert response.status_code == 302
    stored = {
        r.month: r for r in MonthActuals.objects.filter(journey=tracked_journey).order_by("month")
    }
    assert list(stored) == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert (stored[date(2026, 1, 1)].reach, stored[date(2026, 1, 1)].engaged) == (10000, None)
    assert stored[date(2026, 2, 1)].updated_at == before  # unchanged month: not written
    assert stored[date(2026, 3, 1)].revenue == Decimal("12.30")


def test_grid_errors_save_nothing_and_keep_what_was_typed(strategist_client, tracked_journey):
    future = timezone.localdate().replace(day=28).toordinal() + 10
    next_month = f"{date.fromordinal(future):%Y-%m}"
    rows = [
        {"month": "2026-01", "reach": "-3", "engaged": "77777"},
        {"month": "2026-02", "reach": "12000", "spend": "abc"},
        {"month": next_month, "reach": "5"},
    ]
    response = strategist_client.post(_url("actuals_page", tracked_journey), _grid(rows, 2))
    assert response.status_code == 422
    page = response.content.decode()
    assert "Cannot be negative." in page
    assert "2026-01 · Reach: Cannot be negative." in page  # the summary names the cell
    assert "Enter a number." in page
    assert f"{next_month} has not happened yet" in page
    assert 'value="77777"' in page and 'value="-3"' in page and 'value="abc"' in page
    assert MonthActuals.objects.get(journey=tracked_journey, month=date(2026, 1, 1)).engaged == 1100


def test_a_month_twice_in_the_grid_is_a_field_error(strategist_client, tracked_journey):
    rows = [
        {"month": "2026-01", "reach": "1"},
        {"month": "2026-02", "reach": "2"},
        {"month": "2026-01", "reach": "3"},
    ]
    response = strategist_client.post(_url("actuals_page", tracked_journey), _grid(rows, 2))
    assert response.status_code == 422
    assert "2026-01 is already in the grid." in response.content.decode()
    assert MonthActuals.objects.get(journey=tracked_journey, month=date(2026, 1, 1)).reach == 10000


def test_a_month_can_be_removed(strategist_client, tracked_journey):
    rows = [{"month": "2026-01", "DELETE": "on"}, {"month": "2026-02"}]
    rows[1] |= {"reach": "12000", "engaged": "1500", "subscribers": "270"}
    response = strategist_client.post(_url("actuals_page", tracked_journey), _grid(rows, 2))
    assert response.status_code == 302
    assert list(
        MonthActuals.objects.filter(journey=tracked_journey).values_list("month", flat=True)
    ) == [date(2026, 2, 1)]


@pytest.mark.parametrize(
    "junk", ["2026-01\x00", "-0", "<script>alert(1)</script>", "9" * 40, "２０２６-01"]
)
def test_junk_in_the_grid_is_a_field_error_never_a_500(strategist_client, tracked_journey, junk):
    rows = [{"month": junk, "reach": junk, "spend": junk}]
    response = strategist_client.post(_url("actuals_page", tracked_journey), _grid(rows, 0))
    assert response.status_code == 422
    assert "<script>alert(1)" not in response.content.decode()
    assert MonthActuals.objects.filter(journey=tracked_journey).count() == 2


def test_a_tampered_management_form_is_refused(strategist_client, tracked_journey):
    post = {"m-TOTAL_FORMS": "99999999", "m-INITIAL_FORMS": "\x00"}
    response = strategist_client.post(_url("actuals_page", tracked_journey), post)
    assert response.status_code == 422


def test_hostile_names_are_escaped_on_the_page_and_never_fetched_by_the_pdf(
    strategist_client, tracked_journey
):
    hostile = '<img src="file:///etc/passwd"><script>alert(1)</script>'
    business = tracked_journey.business
    business.name = hostile
    business.save()
    tracked_journey.title = hostile
    tracked_journey.save()
    page = strategist_client.get(_url("actuals_page", tracked_journey)).content.decode()
    assert "<script>alert(1)" not in page and '<img src="file:' not in page
    from journeys.actuals.models import MonthActuals as Rows
    from journeys.actuals.review import render_review_pdf
    from journeys.actuals.scorecard import journey_scorecard
    from journeys.deliverable.economics import journey_economics
    from journeys.deliverable.snapshot import journey_snapshot

    snapshot = journey_snapshot(tracked_journey)
    card = journey_scorecard(
        snapshot, journey_economics(snapshot), list(Rows.objects.filter(journey=tracked_journey))
    )
    rendered = render_review_pdf(snapshot, card)
    assert rendered.refused_urls == ()
    assert rendered.pages >= 1
    response = strategist_client.get(_url("actuals_review_pdf", tracked_journey))
    assert response.status_code == 200
    assert '"' not in response["Content-Disposition"].split("filename=")[1].strip('"')
