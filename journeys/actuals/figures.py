"""The figures a month of actuals records: one count of people per stage, then spend and revenue.

Named once here; the model's columns, the grid's fields, the CSV's header and the scorecard all
read these tuples, so a column cannot be spelled two ways.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from stages.models import STAGE_SLUGS


class PeopleFigure(NamedTuple):
    stage: str  # stage slug
    column: str  # model field and CSV column
    label: str  # the client's words


PEOPLE: tuple[PeopleFigure, ...] = (
    PeopleFigure("aware", "reach", "Reach"),
    PeopleFigure("engage", "engaged", "Engaged"),
    PeopleFigure("subscribe", "subscribers", "Subscribers"),
    PeopleFigure("convert", "first_buyers", "First-time buyers"),
    PeopleFigure("excite", "excited", "Excited customers"),
    PeopleFigure("ascend", "repeat_buyers", "Repeat customers"),
    PeopleFigure("advocate", "advocates", "Advocates"),
    PeopleFigure("promote", "promoters", "Promoters"),
)
assert tuple(p.stage for p in PEOPLE) == STAGE_SLUGS

PEOPLE_COLUMNS: tuple[str, ...] = tuple(p.column for p in PEOPLE)
MONEY_COLUMNS: tuple[str, ...] = ("spend", "revenue")
MONEY_LABELS = {"spend": "Spend", "revenue": "Revenue"}
FIGURE_COLUMNS: tuple[str, ...] = PEOPLE_COLUMNS + MONEY_COLUMNS
# The CSV's columns, in the order we write them; a file may list them in any order.
CSV_COLUMNS: tuple[str, ...] = ("month", *FIGURE_COLUMNS)

# Bounds: a count of people a month, and an amount of money a month.
MAX_PEOPLE = 10**12
MAX_MONEY = Decimal("999999999999.99")
