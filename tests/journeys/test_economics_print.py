"""How the economics are printed: the money, price and percent rules, the offer-row text contract
(read back from the rendered PDF and multiplied out), the bottom line's honest name, and the
gross margin entered in the editor."""

from __future__ import annotations

import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from pypdf import PdfReader

from journeys.deliverable.economics import PAYMENTS_PER_MONTH
from journeys.deliverable.pdf import render_journey_html, render_journey_pdf
from journeys.deliverable.snapshot import journey_snapshot
from journeys.models import Journey
from journeys.templatetags.cvj import money, percent, price
from tests.journeys.editor_support import _autosave, _url
from tests.journeys.test_economics import small_journey  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

WORDS = "|".join(re.escape(w) for w in PAYMENTS_PER_MONTH if w)
ROW = re.compile(
    rf"(?P<n>\d[\d,]*) (?P<word>buyers?) × (?P<price>\S+)(?: (?P<words>{WORDS}))?"
    rf" = (?P<amount>\S+?)/mo"
)


def _number(text: str) -> Decimal:
    return Decimal(re.sub(r"[^\d.]", "", text)) * (-1 if "−" in text else 1)


def _reconciles(row: re.Match[str]) -> bool:
    """N × price × payments a month, rounded half up to the unit the amount is printed in."""
    amount = row["amount"]
    unit = Decimal("0.01") if "." in amount else Decimal("1")
    product = _number(row["n"]) * _number(row["price"]) * PAYMENTS_PER_MONTH[row["words"] or ""]
    return product.quantize(unit, rounding=ROUND_HALF_UP) == _number(amount)


def _text(html: str) -> str:
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return text.replace(" /mo", "/mo").replace(" ,", ",")


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        ("3853.08", "USD", "$3,853"),  # no false precision from 1,000
        ("547.2", "USD", "$547.20"),
        ("19.00", "USD", "$19"),  # cents only when there are any
        ("-1234.5", "EUR", "−€1,235"),
        ("999.996", "USD", "$1,000"),
        ("1234.5", "CHF", "CHF 1,235"),
    ],
)
def test_money_prints_whole_units_from_1000_and_cents_only_when_there_are_any(
    value, currency, shown
):
    assert money(Decimal(value), currency) == shown


def test_a_price_prints_as_set_so_a_row_multiplies_out():
    assert price(Decimal("1499.99")) == "$1,499.99"
    assert price(Decimal("1234567.89"), "EUR") == "€1,234,567.89"
    assert price(Decimal("129.00")) == "$129"


@pytest.mark.parametrize(
    ("value", "shown"), [("3.50", "3.5 %"), ("18", "18 %"), ("12.25", "12.3 %"), ("0", "0 %")]
)
def test_percentages_have_at_most_one_decimal(value, shown):
    assert percent(Decimal(value)) == shown


def test_the_printed_rows_keep_the_contract_and_multiply_out(small_journey):  # noqa: F811
    text = _text(render_journey_html(journey_snapshot(small_journey), link_stylesheet=False))
    rows = list(ROW.finditer(text))
    assert [row[0] for row in rows] == [
        "29 buyers × $19 = $551/mo",
        "10 buyers × $129 every two weeks = $2,795/mo",
        "3 buyers × $89.50 a month = $268.50/mo",
        "1 buyer × $349 = $349/mo",
    ]
    assert all(_reconciles(row) for row in rows)
    assert "Estate Upgrade offer fewer than one buyer a month at $1,499.99" in text
    assert "Total $3,964/mo" in text  # 551 + 2,795 + 268.50 + 349 = 3,963.50
    assert "few cents" not in text


def test_the_pdf_reads_back_rows_that_multiply_out(small_journey):  # noqa: F811
    rendered = render_journey_pdf(journey_snapshot(small_journey))
    reader = PdfReader(io.BytesIO(rendered.content))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    rows = list(ROW.finditer(text))
    assert len(rows) == 4
    assert all(_reconciles(row) for row in rows), [row[0] for row in rows]
    assert "Subscribe → Convert: 30 %" in text


def test_the_bottom_line_is_contribution_with_a_margin_and_never_profit(small_journey):  # noqa: F811
    text = _text(render_journey_html(journey_snapshot(small_journey), link_stylesheet=False))
    economics = text[text.index("Offer-ladder economics") :]
    assert "Contribution, first month $878" in economics
    assert "$3,964 × 60 % gross margin = $2,378, less $1,500 spend" in economics
    assert "Revenue from one month of new customers $3,964" in text  # the summary tile
    assert "profit" not in economics.lower()


def test_without_a_margin_the_pages_say_delivery_costs_are_left_out(small_journey):  # noqa: F811
    Journey.objects.filter(pk=small_journey.pk).update(gross_margin=None)
    snapshot = journey_snapshot(Journey.objects.get(pk=small_journey.pk))
    text = _text(render_journey_html(snapshot, link_stylesheet=False))
    assert "Revenue less spend, first month $2,464" in text
    assert "the cost of delivering the offers is not included" in text
    assert "Contribution" not in text


def test_the_ramp_table_prints_months_one_two_and_twelve(small_journey):  # noqa: F811
    text = _text(render_journey_html(journey_snapshot(small_journey), link_stylesheet=False))
    ramp = text[text.index("The first twelve months") :]
    # month · new · so far · paying every month · revenue · contribution · revenue so far
    assert "1 29 29 10 $3,964 $878 $3,964" in ramp
    assert "2 29 58 20 $7,027 $2,716 $10,991" in ramp
    assert "12 29 348 120 $37,662 $21,097 $249,756" in ramp


# --- The gross margin in the editor ----------------------------------------------------


def test_the_editor_offers_the_gross_margin_beside_reach_and_spend(strategist_client, journey):
    page = strategist_client.get(_url("journey_editor", journey)).text
    assert 'data-field="gross_margin"' in page
    assert "Gross margin %" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "must be a decimal number"),
        ("150", "less than or equal to 100"),
        ("-5", "greater than or equal to 0"),
        ("62.555", "no more than 2 decimal places"),
    ],
)
def test_a_bad_gross_margin_gets_a_field_error_and_loses_nothing(
    strategist_client, journey, value, message
):
    Journey.objects.filter(pk=journey.pk).update(gross_margin=Decimal("40"))
    response = _autosave(
        strategist_client, journey, target="journey", field="gross_margin", value=value, base="40"
    )
    assert response.status_code == 422
    assert response.json()["status"] == "invalid"
    assert message in response.json()["error"]
    assert Journey.objects.get(pk=journey.pk).gross_margin == Decimal("40")


def test_a_gross_margin_saves_and_blank_means_not_given(strategist_client, journey):
    saved = _autosave(
        strategist_client, journey, target="journey", field="gross_margin", value="62.5", base=""
    )
    assert saved.status_code == 200 and saved.json()["value"] == "62.5"
    assert Journey.objects.get(pk=journey.pk).gross_margin == Decimal("62.5")

    cleared = _autosave(
        strategist_client, journey, target="journey", field="gross_margin", value="", base="62.5"
    )
    assert cleared.status_code == 200
    assert Journey.objects.get(pk=journey.pk).gross_margin is None


def test_the_insights_name_contribution_once_a_margin_is_given(strategist_client, journey):
    Journey.objects.filter(pk=journey.pk).update(monthly_reach=1000, gross_margin=Decimal("50"))
    insights = strategist_client.get(
        _url("journey_insights", journey), headers={"HX-Request": "true"}
    ).text
    assert "Contribution" in insights
    assert "The first twelve months" in insights
    assert "rofit" not in insights
