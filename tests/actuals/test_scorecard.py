"""Target vs actual worked out by hand for a small journey (tests/actuals/conftest.py), to the
cent and the tenth of a percent: in the service, on the page, in the JSON and in the PDF."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from journeys.actuals.models import MonthActuals
from journeys.actuals.scorecard import journey_scorecard
from journeys.deliverable.economics import journey_economics
from journeys.deliverable.snapshot import journey_snapshot

pytestmark = pytest.mark.django_db

# February 2026, by hand (conftest.FEBRUARY against conftest.RATES):
#   aware     1 500 / 12 000 = 12.5 %   target 10 %  → 125.0 % of target
#   engage      270 /  1 500 = 18.0 %   target 20 %  →  90.0 %
#   subscribe    45 /    270 = 16.67 %  target 25 %  →  66.7 %   ← the lowest: leaks most
#   convert      40 /     45 = 88.89 %  target 80 %  → 111.1 %
#   excite       18 /     40 = 45.0 %   target 50 %  →  90.0 %
#   ascend        9 /     18 = 50.0 %   target 50 %  → 100.0 %
#   advocate      4 /      9 = 44.44 %  target 50 %  →  88.9 %
#   promote     (referred customers are not counted) → no actual
# cost per lead 1 625.50 / 270 = 6.0204 → 6.02 (target 7.50);
# per first buyer 1 625.50 / 45 = 36.1222 → 36.12 (target 30.00); revenue 4 811.00 (6 165.00).
EXPECTED_RATES = ["12.5", "18.0", "16.7", "88.9", "45.0", "50.0", "44.4", None]
EXPECTED_SHARES = ["125.0", "90.0", "66.7", "111.1", "90.0", "100.0", "88.9", None]
TARGET_RATES = ["10", "20", "25", "80", "50", "50", "50", "20"]


def _card(journey, month=None):
    snapshot = journey_snapshot(journey)
    rows = list(MonthActuals.objects.filter(journey=journey))
    return journey_scorecard(snapshot, journey_economics(snapshot), rows, month=month)


def _as_text(values):
    return [None if v is None else str(v) for v in values]


def test_actual_conversion_and_share_of_target_to_a_tenth(tracked_journey):
    card = _card(tracked_journey)
    assert card.month == date(2026, 2, 1)
    assert card.month_number == 2
    assert _as_text(s.actual_rate for s in card.stages) == EXPECTED_RATES
    assert _as_text(s.share_of_target for s in card.stages) == EXPECTED_SHARES
    assert [s.target_rate for s in card.stages] == [Decimal(r) for r in TARGET_RATES]
    assert _as_text(s.gap_points for s in card.stages) == [
        "2.5", "-2.0", "-8.3", "8.9", "-5.0", "0.0", "-5.6", None,
    ]  # fmt: skip
    assert [s.target_people for s in card.stages] == [
        Decimal(n) for n in ("10000", "1000", "200", "50", "40", "20", "10", "5")
    ]


def test_the_stage_that_leaks_most_is_the_lowest_share_of_its_target(tracked_journey):
    leak = _card(tracked_journey).leak
    assert leak.slug == "subscribe"
    assert leak.people_short == Decimal("22.5")  # 270 × 25 % = 67.5 expected, 45 came


def test_a_shortfall_under_one_person_is_not_a_leak(priced_journey):
    from journeys.actuals.csvfile import MonthFigures
    from journeys.actuals.services import actuals_save

    # Engage 90 % of target, 2 people short; Advocate 0 % of target but 0.4 of a person.
    figures = {"reach": 1000, "engaged": 100, "subscribers": 18, "advocates": 2, "promoters": 0}
    actuals_save(
        journey=priced_journey, months=[MonthFigures(date(2026, 4, 1), figures)], user=None
    )
    card = _card(priced_journey)
    advocate = card.stages[6]
    assert (advocate.share_of_target, advocate.people_short) == (Decimal("0.0"), Decimal("1.0"))
    assert card.leak.slug == "advocate"  # 2 × 50 % = 1 whole person: it counts
    figures["advocates"] = 1  # 1 × 50 % = half a person: noise
    actuals_save(
        journey=priced_journey, months=[MonthFigures(date(2026, 4, 1), figures)], user=None
    )
    card = _card(priced_journey)
    assert card.stages[6].share_of_target == Decimal("0.0")
    assert card.leak.slug == "engage"


def test_money_target_vs_actual_to_the_cent(tracked_journey):
    money = {m.key: (m.target, m.actual, m.on_target) for m in _card(tracked_journey).money}
    assert money == {
        "cost_per_lead": (Decimal("7.50"), Decimal("6.02"), True),
        "cost_per_first_buyer": (Decimal("30.00"), Decimal("36.12"), False),
        "revenue": (Decimal("6165.00"), Decimal("4811.00"), False),
        "spend": (Decimal("1500.00"), Decimal("1625.50"), False),
    }


def test_an_earlier_month_and_its_trend(tracked_journey):
    card = _card(tracked_journey, month=date(2026, 1, 1))
    assert card.month_number == 1
    # January: 1 100 / 10 000 = 11.0 %, 240 / 1 100 = 21.8 %, 50 / 240 = 20.8 %, ...; advocates
    # and promoters not measured, so Ascend and Advocate have no actual.
    assert _as_text(s.actual_rate for s in card.stages)[:3] == ["11.0", "21.8", "20.8"]
    assert card.stages[5].actual_rate is None and card.stages[6].actual_rate is None
    trend = next(t for t in card.trends if t.key == "rate_subscribe")
    assert [p.text for p in trend.points] == ["20.8 %", "16.7 %"]
    assert trend.target_text == "25 %"
    advocate = next(t for t in card.trends if t.key == "rate_ascend")
    assert [p.text for p in advocate.points] == ["—", "50 %"]
    assert len(advocate.lines) == 1  # the line starts where the figure was first measured
    assert [t.key for t in card.trends][-4:] == [
        "cost_per_lead", "cost_per_first_buyer", "revenue", "spend",
    ]  # fmt: skip


def test_every_stage_on_target_names_no_leak(priced_journey, strategist):
    from journeys.actuals.csvfile import MonthFigures
    from journeys.actuals.services import actuals_save

    on_target = {"reach": 100, "engaged": 10, "subscribers": 2}
    actuals_save(
        journey=priced_journey, months=[MonthFigures(date(2026, 3, 1), on_target)], user=None
    )
    card = _card(priced_journey)
    assert card.leak is None
    assert card.stages[0].share_of_target == Decimal("100.0")


def _cells(html: str, row_label: str) -> list[str]:
    """The cells of the scorecard table's row whose header starts with `row_label`."""
    row = re.search(rf"<tr[^>]*>\s*<th scope=\"row\">{row_label}.*?</tr>", html, re.S)
    assert row, row_label
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[0])]


def _unpadded(cells: list[str]) -> list[str]:
    return [cell.removesuffix(".00") for cell in cells]


def test_the_page_shows_the_figures(strategist_client, tracked_journey):
    html = strategist_client.get(
        reverse("actuals_page", args=[tracked_journey.pk])
    ).content.decode()
    assert "Month 2 · February 2026" in html
    assert "Leaks most: Subscribe." in html
    assert "about 23 first-time buyers fewer than the target rate brings." in html
    assert _cells(html, "Subscribe") == ["200", "270", "25 %", "16.7 %", "66.7 %"]
    assert _cells(html, "Convert") == ["50", "45", "80 %", "88.9 %", "111.1 %"]
    assert _cells(html, "Promote") == ["5", "4", "20 %", "—", "—"]
    assert _cells(html, "Cost per lead") == ["$7.50", "$6.02", "on target"]
    # Whole amounts print with or without ".00", as the economics' money rule says.
    assert _unpadded(_cells(html, "Cost per first-time buyer")) == ["$30", "$36.12", "off target"]
    assert _unpadded(_cells(html, "Revenue")) == ["$6,165", "$4,811", "off target"]
    assert 'role="img"' in html and "<figcaption" in html


def test_the_scorecard_part_shows_the_same_figures(client, client_member, tracked_journey):
    tracked_journey.shared_with_client = True
    tracked_journey.save()
    client.force_login(client_member.user)
    html = client.get(reverse("actuals_scorecard", args=[tracked_journey.pk])).content.decode()
    assert _cells(html, "Subscribe") == ["200", "270", "25 %", "16.7 %", "66.7 %"]
    assert "All months →" in html  # a client the agency has not allowed only reads


def test_the_json_carries_the_same_figures(strategist_client, tracked_journey):
    document = strategist_client.get(reverse("actuals_json", args=[tracked_journey.pk])).json()
    assert document["month"] == "2026-02"
    assert document["leaks_most"] == "subscribe"
    assert [s["conversion_actual_percent"] for s in document["stages"]] == EXPECTED_RATES
    assert [s["share_of_target_percent"] for s in document["stages"]] == EXPECTED_SHARES
    assert document["money"]["cost_per_lead"] == {"target": "7.50", "actual": "6.02"}
    assert document["money"]["cost_per_first_buyer"] == {"target": "30.00", "actual": "36.12"}
    assert document["money"]["revenue"] == {"target": "6165.00", "actual": "4811.00"}
    assert [m["month"] for m in document["months"]] == ["2026-01", "2026-02"]
    assert document["months"][1]["spend"] == "1625.50"
    january = strategist_client.get(
        reverse("actuals_json", args=[tracked_journey.pk]) + "?month=2026-01"
    ).json()
    assert january["month_number"] == 1


def pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
        )
        return out.stdout.decode()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_review_pdf_prints_the_same_figures(strategist_client, tracked_journey):
    response = strategist_client.get(reverse("actuals_review_pdf", args=[tracked_journey.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "Month 2 review.pdf" in response["Content-Disposition"]
    text = " ".join(pdf_text(response.content).split())
    assert "Month 2 review · February 2026" in text
    assert "Leaks most: Subscribe." in text
    # The layout may wrap "(leaks most)" below its row.
    assert re.search(
        r"Subscribe · Subscribers (\(leaks most\) )?200 270 25 % 16\.7 % 66\.7 %", text
    )
    assert re.search(r"Convert · First-time buyers 50 45 80 % 88\.9 % 111\.1 %", text)
    text = text.replace(".00 ", " ")
    assert "Cost per lead $7.50 $6.02 on target" in text
    assert "Cost per first-time buyer $30 $36.12 off target" in text
    assert "Revenue $6,165 $4,811 off target" in text


def test_unknown_or_future_months_are_missing(strategist_client, tracked_journey):
    for month in ("2025-12", "2099-01", "Feb", "2026-02\x00"):
        url = reverse("actuals_page", args=[tracked_journey.pk])
        assert strategist_client.get(url, {"month": month}).status_code == 404


def test_no_actuals_no_review(strategist_client, priced_journey):
    url = reverse("actuals_review_pdf", args=[priced_journey.pk])
    response = strategist_client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("actuals_page", args=[priced_journey.pk])
    page = strategist_client.get(reverse("actuals_page", args=[priced_journey.pk]))
    assert "No actuals yet." in page.content.decode()


def test_the_browser_and_the_review_pdf_draw_the_same_charts(strategist_client, tracked_journey):
    from journeys.actuals.review import review_html

    page = strategist_client.get(
        reverse("actuals_page", args=[tracked_journey.pk])
    ).content.decode()
    printed = review_html(journey_snapshot(tracked_journey), _card(tracked_journey))
    charts = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(charts) == 12  # target vs actual, and a trend for each of 11 figures
    assert charts == re.findall(r"<svg .*?</svg>", printed, re.S)
    # Each chart is an image with a name, and the figures behind it are a table.
    assert all('role="img"' in chart for chart in charts)
    assert page.count('<div class="sr-only"><table>') == 11


def test_the_scorecard_costs_the_same_queries_for_two_months_or_two_years(
    strategist_client, tracked_journey
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from journeys.actuals.csvfile import MonthFigures
    from journeys.actuals.services import actuals_save

    url = reverse("actuals_scorecard", args=[tracked_journey.pk])
    strategist_client.get(url)  # warm the session and membership
    with CaptureQueriesContext(connection) as two_months:
        strategist_client.get(url)
    months = [
        MonthFigures(date(2024, m, 1), {"reach": 100 + m, "engaged": 10}) for m in range(1, 13)
    ]
    months += [
        MonthFigures(date(2025, m, 1), {"reach": 200 + m, "engaged": 20}) for m in range(1, 13)
    ]
    actuals_save(journey=tracked_journey, months=months, user=None)
    with CaptureQueriesContext(connection) as two_years:
        page = strategist_client.get(url).content.decode()
    assert "Month 26" in page
    assert len(two_years) == len(two_months)
