"""The actuals CSV: a good file, every kind of bad line, all or nothing, the same file twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from journeys.actuals.csvfile import CSV_COLUMNS, MonthFigures, actuals_csv, parse_actuals_csv
from journeys.actuals.models import MonthActuals

pytestmark = pytest.mark.django_db

HEADER = ",".join(CSV_COLUMNS)
GOOD = (
    f"{HEADER}\n"
    "2026-01,10000,1100,240,50,41,17,,,1500.00,4400.00\n"
    "2026-02,12000,1500,270,45,40,18,9,4,1625.50,4811.00\n"
)


def _next_month() -> str:
    today = timezone.localdate()
    following = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    return f"{following:%Y-%m}"


def _upload(client, journey, content: bytes, name: str = "actuals.csv"):
    url = reverse("actuals_import", args=[journey.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content, "text/csv")})


def _stored(journey) -> list[tuple]:
    return list(
        MonthActuals.objects.filter(journey=journey)
        .order_by("month")
        .values_list("month", "reach", "subscribers", "advocates", "spend", "revenue", "updated_at")
    )


def test_a_good_file_imports_every_month(strategist_client, priced_journey):
    response = _upload(strategist_client, priced_journey, GOOD.encode())
    assert response.status_code == 302
    rows = _stored(priced_journey)
    assert [r[:6] for r in rows] == [
        (date(2026, 1, 1), 10000, 240, None, Decimal("1500.00"), Decimal("4400.00")),
        (date(2026, 2, 1), 12000, 270, 9, Decimal("1625.50"), Decimal("4811.00")),
    ]


def test_the_same_file_twice_changes_nothing(strategist_client, priced_journey):
    _upload(strategist_client, priced_journey, GOOD.encode())
    first = _stored(priced_journey)
    response = _upload(strategist_client, priced_journey, GOOD.encode())
    assert response.status_code == 302
    assert _stored(priced_journey) == first  # updated_at included: no row was written
    follow = strategist_client.get(response.url)
    assert "0 new, 0 changed, 2 already as in the file" in follow.content.decode()


def test_a_line_replaces_its_month_and_leaves_other_months(strategist_client, priced_journey):
    _upload(strategist_client, priced_journey, GOOD.encode())
    _upload(strategist_client, priced_journey, b"month,reach,spend\n2026-02,9000,10\n")
    rows = _stored(priced_journey)
    assert rows[0][:6] == (
        date(2026, 1, 1),
        10000,
        240,
        None,
        Decimal("1500.00"),
        Decimal("4400.00"),
    )
    # The file's line is the whole truth for its month: columns it leaves out are not measured.
    assert rows[1][:6] == (date(2026, 2, 1), 9000, None, None, Decimal("10.00"), None)


def test_columns_in_any_order_with_a_bom_and_crlf(priced_journey):
    raw = "\ufeffrevenue,month,reach\r\n12.5,2025-11,7\r\n".encode()
    parsed = parse_actuals_csv(raw, today=date(2026, 1, 15))
    assert parsed.errors == []
    assert parsed.months[0].month == date(2025, 11, 1)
    assert parsed.months[0].values["reach"] == 7
    assert parsed.months[0].values["revenue"] == Decimal("12.5")


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (f"{HEADER},awareness\n", 1, "unknown stage or column “awareness”"),
        ("month,reach,reach\n2026-01,1,2\n", 1, "the column reach appears twice"),
        ("reach\n5\n", 1, "the month column is missing"),
        (f"{HEADER}\n2026-01,-5,1,1,1,1,1,1,1,1,1\n", 2, "reach cannot be negative"),
        (f"{HEADER}\n2026-01,5,1,1,1,1,1,1,1,-1.50,1\n", 2, "spend cannot be negative"),
        (f"{HEADER}\n2026-01,5.5,1,1,1,1,1,1,1,1,1\n", 2, "reach must be a whole number"),
        (f"{HEADER}\n2026-01,5,1,1,1,1,1,1,1,1.999,1\n", 2, "spend must be an amount"),
        (f"{HEADER}\n2026-13,5,1,1,1,1,1,1,1,1,1\n", 2, "there is no month"),
        (f"{HEADER}\nMarch,5,1,1,1,1,1,1,1,1,1\n", 2, "is not written YYYY-MM"),
        (f"{HEADER}\n2026-01,5,1\n", 2, "has 3 cells where the first line names 11 columns"),
        (
            f"{HEADER}\n2026-01,5,1,1,1,1,1,1,1,1,1\n2026-01,6,1,1,1,1,1,1,1,1,1\n",
            3,
            "2026-01 is already on line 2",
        ),
        ("=cmd|' /C calc'!A0,month\n", 1, "unknown stage or column “=cmd|' /C calc'!A0”"),
    ],
)
def test_each_bad_line_is_named_and_nothing_is_imported(
    strategist_client, priced_journey, content, line, words
):
    # A good month comes first: it must not be imported either.
    response = _upload(strategist_client, priced_journey, content.encode())
    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was imported." in page
    assert f"Line {line}: " in page
    assert _stored(priced_journey) == []
    parsed = parse_actuals_csv(content.encode(), today=timezone.localdate())
    assert [(e.line, words in e.message) for e in parsed.errors if words in e.message] == [
        (line, True)
    ]


def test_a_month_in_the_future_is_refused(strategist_client, priced_journey):
    future = _next_month()
    content = f"{HEADER}\n2026-01,1,1,1,1,1,1,1,1,1,1\n{future},1,1,1,1,1,1,1,1,1,1\n"
    response = _upload(strategist_client, priced_journey, content.encode())
    assert response.status_code == 422
    assert f"Line 3: {future} has not happened yet" in response.content.decode()
    assert _stored(priced_journey) == []
    this_month = f"{timezone.localdate():%Y-%m}"
    content = f"month,reach\n{this_month},5\n"
    assert _upload(strategist_client, priced_journey, content.encode()).status_code == 302


def test_a_nul_byte_is_refused_with_its_line(strategist_client, priced_journey):
    content = f"{HEADER}\n2026-01,1,1,1,1,1,1,1,1,1,1\n2026-02,1\x00,1,1,1,1,1,1,1,1,1\n"
    response = _upload(strategist_client, priced_journey, content.encode())
    assert response.status_code == 422
    assert "Line 3: contains a NUL byte" in response.content.decode()
    assert _stored(priced_journey) == []


def test_text_that_is_not_utf8_is_refused(strategist_client, priced_journey):
    response = _upload(strategist_client, priced_journey, b"month,reach\n2026-01,5\xff\n")
    assert "Line 2: is not UTF-8 text" in response.content.decode()
    assert _stored(priced_journey) == []


def test_a_10_mb_file_is_refused_with_a_clear_message(strategist_client, priced_journey):
    content = (HEADER + "\n" + "2026-01,1,1,1,1,1,1,1,1,1,1\n" * 400_000).encode()
    assert len(content) > 10_000_000
    response = _upload(strategist_client, priced_journey, content)
    assert response.status_code == 422
    page = response.content.decode()
    assert "an actuals CSV is at most 1 MB" in page
    assert _stored(priced_journey) == []


def test_an_empty_file_names_no_month(strategist_client, priced_journey):
    response = _upload(strategist_client, priced_journey, f"{HEADER}\n\n".encode())
    assert "The file names no month." in response.content.decode()


def test_the_import_page_documents_the_layout(strategist_client, priced_journey):
    page = strategist_client.get(reverse("actuals_import", args=[priced_journey.pk]))
    text = page.content.decode()
    for column in CSV_COLUMNS:
        assert f"<code>{column}</code>" in text
    assert "importing the same file twice changes nothing" in text


def test_the_download_imports_back_unchanged(strategist_client, tracked_journey):
    response = strategist_client.get(reverse("actuals_csv", args=[tracked_journey.pk]))
    content = response.content
    assert content.decode().splitlines()[0] == HEADER
    before = _stored(tracked_journey)
    assert _upload(strategist_client, tracked_journey, content).status_code == 302
    assert _stored(tracked_journey) == before


def test_written_csv_cells_never_start_like_a_formula():
    figures = MonthFigures(date(2026, 1, 1), {"reach": 5, "spend": Decimal("1.00")})
    row = MonthFigures(figures.month, {c: figures.values.get(c) for c in CSV_COLUMNS[1:]})
    text = actuals_csv([row])
    assert text.splitlines()[1] == "2026-01,5,,,,,,,,1.00,"
    # The writer quotes through csv_safe: a formula-looking value would gain an apostrophe.
    hostile = MonthFigures(figures.month, {c: None for c in CSV_COLUMNS[1:]} | {"reach": "=1+1"})
    assert "'=1+1" in actuals_csv([hostile])


def test_hostile_text_in_a_file_is_shown_escaped(strategist_client, priced_journey):
    content = "month,<script>alert(1)</script>\n2026-01,<img src=x onerror=alert(2)>\n"
    page = _upload(strategist_client, priced_journey, content.encode()).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert _stored(priced_journey) == []
