"""Tenancy: agencies and the people who belong to them.

Every piece of client work hangs off an Agency; a user belongs to exactly one agency through
a Membership whose role decides what they may do. A client's membership names the one
business they may read.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .links import SignedLink
from .parsing import PlainTextModel


class PaperSize(models.TextChoices):
    A4 = "A4", "A4"
    LETTER = "letter", "US Letter"


class Agency(PlainTextModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    # Always a PNG we re-encoded, under a name we chose (see cvj.branding), never the upload.
    logo = models.FileField(upload_to="logos/", blank=True, max_length=200)
    paper_size = models.CharField(max_length=10, choices=PaperSize.choices, default=PaperSize.A4)
    # "#rrggbb" or ""; the PDF derives a contrast-safe shade and text colour from it.
    brand_color = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a hex colour like #1f4fd1.")],
    )
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


# The roles that may change a journey (the map, its stages and tactics).
EDITING_ROLES = (Role.ADMIN, Role.STRATEGIST)

# Clients name exactly one business; agency staff name none.
CLIENT_NAMES_ONE_BUSINESS = (Q(role="client") & Q(business__isnull=False)) | (
    ~Q(role="client") & Q(business__isnull=True)
)


def check_client_business(row: Membership | Invitation, noun: str) -> None:
    """clean() for rows that carry a role and, for clients, their business."""
    if row.role == Role.CLIENT and not row.business_id:
        raise ValidationError({"business": f"A client {noun} must name their business."})
    if row.role != Role.CLIENT and row.business_id:
        raise ValidationError({"business": f"Only client {noun}s are tied to a business."})
    if row.business_id and row.business.agency_id != row.agency_id:
        raise ValidationError({"business": "That business belongs to another agency."})


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
                condition=CLIENT_NAMES_ONE_BUSINESS,
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} at {self.agency}"

    def clean(self) -> None:
        check_client_business(self, "membership")

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_edit(self) -> bool:
        return self.role in EDITING_ROLES


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        """Not yet accepted or revoked; expired ones included, so an admin can resend them."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(SignedLink):
    """An emailed, single-use offer to join an agency with a role.

    A signed link like a share link: only a SHA-256 of the link's secret is stored, so neither
    the database nor the admin can replay a link; expiry and single use live here (not in the
    link) so they can be revoked.
    """

    USED = "used"  # a status beside the link's own: an invitation works once

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STRATEGIST)
    business = models.ForeignKey(
        "journeys.Business",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        help_text="For clients only: the one business whose journeys they will read.",
    )
    # The address is an invitation's label, and its email and the team page name the sender as
    # the one who invited: it keeps `invited_by` rather than a link's label and created_by.
    label = None
    created_by = None
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta(SignedLink.Meta):
        indexes = [models.Index(fields=["agency", "email"])]
        constraints = [
            models.CheckConstraint(
                name="invitation_client_has_business",
                condition=CLIENT_NAMES_ONE_BUSINESS,
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()} at {self.agency}"

    def clean(self) -> None:
        check_client_business(self, "invitation")

    @property
    def status(self) -> str:
        return self.USED if self.accepted_at is not None else super().status

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def revoke(self) -> bool:
        # An accepted invitation is history, not a link to switch off.
        return self._switch_off(Invitation.objects.pending().filter(pk=self.pk))
