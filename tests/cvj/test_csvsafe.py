"""One CSV-injection guard for every CSV we write (plan export, tactic library export)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cvj.csvsafe import FORMULA_STARTS, csv_safe, csv_unquote


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+1 555", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd", "\n=cmd", '=HYPERLINK("x")'],
)
def test_a_cell_that_starts_like_a_formula_is_written_as_text(cell):
    assert csv_safe(cell) == "'" + cell
    assert csv_unquote(csv_safe(cell)) == cell


@pytest.mark.parametrize("cell", ["-12.5", "+3", "-0", "42", "Plain text", "", "a=b", "'quoted"])
def test_numbers_and_plain_text_stay_as_they_are(cell):
    assert csv_safe(cell) == cell
    assert csv_unquote(cell) == cell


def test_none_is_an_empty_cell():
    assert csv_safe(None) == ""


def test_the_guard_covers_owasps_characters():
    assert {"=", "+", "-", "@", "\t", "\r"} <= set(FORMULA_STARTS)


@pytest.mark.parametrize("path", ["journeys/deliverable/plan.py", "stages/csv_io.py"])
def test_no_csv_writer_keeps_a_character_set_of_its_own(path):

    source = (Path(__file__).resolve().parents[2] / path).read_text()
    assert '("=", "+"' not in source and "from cvj.csvsafe import" in source
