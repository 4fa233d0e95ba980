"""A journey's actual monthly figures, and whether a client may enter them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from .figures import MAX_MONEY, MAX_PEOPLE, PEOPLE


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def _people_field(label: str) -> models.PositiveBigIntegerField:
    # Blank = not measured that month (not zero): the scorecard then shows no actual rate.
    return models.PositiveBigIntegerField(
        label, null=True, blank=True, validators=[MaxValueValidator(MAX_PEOPLE)]
    )


def _money_field(label: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_MONEY)],
    )


class MonthActuals(models.Model):
    """What really happened in one calendar month of a journey: people per stage, spend and
    revenue. One row per journey and month (the first day stands for the month)."""

    journey = models.ForeignKey(
        "journeys.Journey", on_delete=models.CASCADE, related_name="monthly_actuals"
    )
    month = models.DateField(help_text="The first day of the month.")
    reach = _people_field(PEOPLE[0].label)
    engaged = _people_field(PEOPLE[1].label)
    subscribers = _people_field(PEOPLE[2].label)
    first_buyers = _people_field(PEOPLE[3].label)
    excited = _people_field(PEOPLE[4].label)
    repeat_buyers = _people_field(PEOPLE[5].label)
    advocates = _people_field(PEOPLE[6].label)
    promoters = _people_field(PEOPLE[7].label)
    spend = _money_field("spend")
    revenue = _money_field("revenue")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["month"]
        verbose_name_plural = "month actuals"
        constraints = [
            models.UniqueConstraint(fields=["journey", "month"], name="actuals_one_row_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.journey_id} · {self.month:%Y-%m}"

    def clean(self) -> None:
        if self.month is None:
            return
        if self.month.day != 1:
            raise ValidationError({"month": "A month is stored as its first day."})
        if self.month > this_month():
            raise ValidationError({"month": "That month has not happened yet."})


class ClientActualsAccess(models.Model):
    """The agency's choice, per client business: may the client's people enter actuals for
    their own journeys? No row means no: only the agency's strategists enter them."""

    business = models.OneToOneField(
        "journeys.Business", on_delete=models.CASCADE, related_name="actuals_access"
    )
    clients_may_enter = models.BooleanField(default=False)
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "client access to actuals"
        verbose_name_plural = "client access to actuals"

    def __str__(self) -> str:
        return f"{self.business_id}: clients {'may' if self.clients_may_enter else 'may not'} enter"
