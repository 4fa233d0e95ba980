"""Writing actuals: one upsert by month, shared by the grid and the CSV import."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ..models import Business, Journey
from .csvfile import MonthFigures
from .figures import FIGURE_COLUMNS
from .models import ClientActualsAccess, MonthActuals


@dataclass(frozen=True)
class SaveResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def month_actuals_list(journey: Journey) -> list[MonthActuals]:
    return list(MonthActuals.objects.filter(journey=journey).order_by("month"))


def as_figures(row: MonthActuals) -> MonthFigures:
    return MonthFigures(row.month, {c: getattr(row, c) for c in FIGURE_COLUMNS})


@transaction.atomic
def actuals_save(
    *,
    journey: Journey,
    months: Sequence[MonthFigures],
    user: AbstractBaseUser | None,
    delete: Sequence[date] = (),
) -> SaveResult:
    """Upsert each month (its figures replace what was recorded for it) and delete the months
    named in `delete`, all or nothing. A month whose figures are already stored is not touched,
    so saving the same figures again changes nothing, not even the row's updated_at."""
    existing = {
        row.month: row
        for row in MonthActuals.objects.select_for_update().filter(
            journey=journey, month__in=[m.month for m in months] + list(delete)
        )
    }
    created = updated = unchanged = 0
    for figures in months:
        row = existing.get(figures.month)
        if row is None:
            row = MonthActuals(journey=journey, month=figures.month)
            created += 1
        elif all(getattr(row, c) == figures.values.get(c) for c in FIGURE_COLUMNS):
            unchanged += 1
            continue
        else:
            updated += 1
        for column in FIGURE_COLUMNS:
            setattr(row, column, figures.values.get(column))
        row.updated_by = user if user is not None and user.is_authenticated else None
        row.full_clean(exclude=["journey"], validate_unique=False)
        row.save()
    deleted = 0
    if delete:
        deleted, _ = MonthActuals.objects.filter(journey=journey, month__in=delete).delete()
    return SaveResult(created, updated, unchanged, deleted)


@transaction.atomic
def client_actuals_access_set(
    *, business: Business, clients_may_enter: bool, user: AbstractBaseUser
) -> ClientActualsAccess:
    access, _ = ClientActualsAccess.objects.select_for_update().get_or_create(business=business)
    access.clients_may_enter = clients_may_enter
    access.changed_by = user
    access.full_clean()
    access.save()
    return access
