"""One way to order rows by their `position`: the library's tactics, a stage's tactics and a
stage's offers all move and reorder through these (callers lock the rows first)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from django.core.exceptions import ValidationError
from django.db import models


class Positioned(Protocol):
    pk: int
    position: int


def moved(ids: list[int], pk: int, direction: Literal["up", "down"]) -> list[int]:
    """The ids with `pk` swapped with its neighbour; unchanged at either edge."""
    ids = list(ids)
    index = ids.index(pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    return ids


def check_same_rows(ordered_ids: list[int], rows: Sequence[Positioned], noun: str) -> None:
    """A reorder names every row once: anything else means the list changed meanwhile."""
    if sorted(ordered_ids) != sorted(row.pk for row in rows):
        raise ValidationError(f"The list of {noun} changed meanwhile; reload to reorder.")


def apply_order(
    model: type[models.Model], rows: Sequence[Positioned], ordered_ids: list[int]
) -> None:
    """Number the rows 1, 2, … in the given order, writing only those whose position changed."""
    by_id = {row.pk: row for row in rows}
    changed = []
    for position, pk in enumerate(ordered_ids, start=1):
        row = by_id[pk]
        if row.position != position:
            row.position = position
            changed.append(row)
    model._base_manager.bulk_update(changed, ["position"])
