"""The actuals CSV: the documented column layout, reading a file line by line, writing one.

Layout (also shown on the import page):
* UTF-8 (a byte-order mark is fine), comma-separated, the first line names the columns.
* `month` is required, written `YYYY-MM` (2026-03). One line per month; a month may appear only
  once in a file, and never a month that has not begun yet.
* Any of `reach, engaged, subscribers, first_buyers, excited, repeat_buyers, advocates,
  promoters` (people at each of the eight stages, whole numbers ≥ 0) and `spend, revenue`
  (amounts ≥ 0, at most two decimals, no currency sign or thousands separator), in any order.
  An empty cell, or a column left out, means "not measured".
* A line replaces everything recorded for its month, so importing the same file twice changes
  nothing. Any error refuses the whole file: each bad line is named, nothing is imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cvj.csvsafe import csv_safe

from .figures import CSV_COLUMNS, MAX_MONEY, MAX_PEOPLE, MONEY_COLUMNS, PEOPLE_COLUMNS

MAX_BYTES = 1_000_000  # a century of months is ~100 kB
MAX_LINES = 1_200
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_COUNT = re.compile(r"[0-9]{1,13}")
_AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")


@dataclass(frozen=True)
class LineError:
    line: int  # 1 is the header line
    message: str


@dataclass(frozen=True)
class MonthFigures:
    """One month's figures as read: column → value (None = not measured)."""

    month: date
    values: dict[str, int | Decimal | None]
    line: int = 0


@dataclass
class ParsedFile:
    months: list[MonthFigures] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def _shown(cell: str) -> str:
    text = cell if len(cell) <= 40 else cell[:40] + "…"
    return f"“{text}”"


def parse_month(text: str, *, today: date) -> tuple[date | None, str]:
    """(first day of the month, "") or (None, why not)."""
    match = _MONTH.fullmatch(text)
    if not match:
        return None, f"the month {_shown(text)} is not written YYYY-MM (like 2026-03)"
    year, number = int(match[1]), int(match[2])
    if not 1 <= number <= 12 or year < 1900:
        return None, f"there is no month {_shown(text)}"
    month = date(year, number, 1)
    if month > today.replace(day=1):
        return None, f"{text} has not happened yet: only past and current months are taken"
    return month, ""


def _count(column: str, cell: str) -> tuple[int | None, str]:
    if cell == "":
        return None, ""
    if cell.startswith("-") and _COUNT.fullmatch(cell[1:]):
        return None, f"{column} cannot be negative ({_shown(cell)})"
    if not _COUNT.fullmatch(cell) or int(cell) > MAX_PEOPLE:
        return None, f"{column} must be a whole number of people ({_shown(cell)})"
    return int(cell), ""


def _amount(column: str, cell: str) -> tuple[Decimal | None, str]:
    if cell == "":
        return None, ""
    if cell.startswith("-") and _AMOUNT.fullmatch(cell[1:]):
        return None, f"{column} cannot be negative ({_shown(cell)})"
    if not _AMOUNT.fullmatch(cell) or Decimal(cell) > MAX_MONEY:
        return None, f"{column} must be an amount like 1250.50 ({_shown(cell)})"
    return Decimal(cell), ""


def _header(cells: list[str]) -> tuple[list[str], list[str]]:
    """(column names, problems) of the first line."""
    names = [cell.strip().lower() for cell in cells]
    problems = []
    for name, cell in zip(names, cells, strict=True):
        if name not in CSV_COLUMNS:
            problems.append(
                f"unknown stage or column {_shown(cell.strip())} "
                f"(the columns are {', '.join(CSV_COLUMNS)})"
            )
    duplicates = sorted({n for n in names if names.count(n) > 1 and n in CSV_COLUMNS})
    problems += [f"the column {name} appears twice" for name in duplicates]
    if "month" not in names:
        problems.append("the month column is missing")
    return names, problems


def _nul_lines(raw: bytes) -> list[int]:
    return [n for n, line in enumerate(raw.split(b"\n"), start=1) if b"\x00" in line]


def parse_actuals_csv(raw: bytes, *, today: date) -> ParsedFile:
    """Read a whole file. Every problem is collected with its line; the caller imports nothing
    unless `errors` is empty."""
    parsed = ParsedFile()
    if len(raw) > MAX_BYTES:
        parsed.errors.append(LineError(0, "The file is larger than 1 MB: is it an actuals CSV?"))
        return parsed
    nul = _nul_lines(raw)
    if nul:
        parsed.errors += [LineError(n, "contains a NUL byte (is this a text file?)") for n in nul]
        return parsed
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        parsed.errors.append(LineError(line, "is not UTF-8 text (save the file as CSV UTF-8)"))
        return parsed
    lines = list(csv.reader(io.StringIO(text, newline="")))
    if not lines:
        parsed.errors.append(LineError(0, "The file is empty."))
        return parsed
    if len(lines) > MAX_LINES + 1:
        parsed.errors.append(LineError(0, f"The file has more than {MAX_LINES} months."))
        return parsed
    names, problems = _header(lines[0])
    parsed.errors += [LineError(1, problem) for problem in problems]
    if problems:
        return parsed
    seen: dict[date, int] = {}
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines (often the last one) are not months
        month_figures, line_problems = _read_line(names, cells, number, today)
        if month_figures is not None and month_figures.month in seen:
            line_problems.append(
                f"{month_figures.month:%Y-%m} is already on line {seen[month_figures.month]}"
            )
        if line_problems:
            parsed.errors += [LineError(number, problem) for problem in line_problems]
            continue
        assert month_figures is not None
        seen[month_figures.month] = number
        parsed.months.append(month_figures)
    if not parsed.months and not parsed.errors:
        parsed.errors.append(LineError(0, "The file names no month."))
    return parsed


def _read_line(
    names: list[str], cells: list[str], number: int, today: date
) -> tuple[MonthFigures | None, list[str]]:
    if len(cells) != len(names):
        return None, [f"has {len(cells)} cells where the first line names {len(names)} columns"]
    row = {name: cell.strip() for name, cell in zip(names, cells, strict=True)}
    problems: list[str] = []
    month, why = parse_month(row["month"], today=today)
    if why:
        problems.append(why)
    values: dict[str, int | Decimal | None] = {column: None for column in CSV_COLUMNS[1:]}
    for column in PEOPLE_COLUMNS:
        if column in row:
            values[column], why = _count(column, row[column])
            if why:
                problems.append(why)
    for column in MONEY_COLUMNS:
        if column in row:
            values[column], why = _amount(column, row[column])
            if why:
                problems.append(why)
    if month is None:
        return None, problems
    return MonthFigures(month, values, number), problems


def actuals_csv(months: Iterable[MonthFigures]) -> str:
    """The journey's actuals in the import layout (a file that imports back unchanged). Every
    cell goes through csv_safe, so no cell ever starts like a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(column) for column in CSV_COLUMNS])
    for month in months:
        cells = [f"{month.month:%Y-%m}"]
        cells += ["" if month.values[c] is None else str(month.values[c]) for c in CSV_COLUMNS[1:]]
        writer.writerow([csv_safe(cell) for cell in cells])
    return out.getvalue()
