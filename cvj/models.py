"""Tenancy: agencies and the people who belong to them.

Every piece of client work hangs off an Agency; a user belongs to exactly one agency through
a Membership whose role decides what they may do. A client's membership names the one
business they may read.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Agency(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Agency admin"
    STRATEGIST = "strategist", "Strategist"
    CLIENT = "client", "Client"


class Membership(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STRATEGIST)
    business = models.ForeignKey(
        "journeys.Business",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="client_memberships",
        help_text="For clients only: the one business whose journeys they may read.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="membership_client_has_business",
                condition=(Q(role="client") & Q(business__isnull=False))
                | (~Q(role="client") & Q(business__isnull=True)),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} at {self.agency}"

    def clean(self) -> None:
        if self.role == Role.CLIENT and not self.business_id:
            raise ValidationError({"business": "A client membership must name their business."})
        if self.role != Role.CLIENT and self.business_id:
            raise ValidationError({"business": "Only client memberships are tied to a business."})
        if self.business_id and self.business.agency_id != self.agency_id:
            raise ValidationError({"business": "That business belongs to another agency."})

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.ADMIN, Role.STRATEGIST)
