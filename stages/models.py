"""The ground floor: the eight Customer Value Journey stages and the tactic library.

`stages` never imports `journeys`: the framework stands on its own, client work sits on it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from cvj.parsing import PlainTextModel

TACTIC_NAME_MAX = 120
TACTIC_DESCRIPTION_MAX = 1000

STAGE_SLUGS = ("aware", "engage", "subscribe", "convert", "excite", "ascend", "advocate", "promote")
COMMITMENT_STAGE = "convert"
COMMITMENT_ONLY_AT_CONVERT = "Only Convert-stage tactics ask for money or time."


class StageQuerySet(models.QuerySet["Stage"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError("The eight CVJ stages are fixed and cannot be deleted.")


class Stage(models.Model):
    """One of the eight fixed CVJ stages. Created by a data migration; never edited in order."""

    position = models.PositiveSmallIntegerField(unique=True)
    slug = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=40)
    customer_state = models.TextField(help_text="What the customer does and feels here.")
    business_provides = models.TextField(help_text="What the business must give them here.")
    analogy = models.TextField(help_text="The relationship analogy, for help text.")
    default_metric = models.CharField(max_length=120)
    suggested_minutes = models.PositiveSmallIntegerField(
        default=20, help_text="Suggested share of a strategy session, in minutes."
    )

    objects = StageQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                name="stage_position_1_to_8", condition=Q(position__gte=1, position__lte=8)
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = Stage.objects.filter(pk=self.pk).values_list("position", "slug").first()
            if stored and stored != (self.position, self.slug):
                raise ValidationError("A stage's position and slug are fixed.")
        elif Stage.objects.count() >= len(STAGE_SLUGS):
            raise ValidationError("There are exactly eight CVJ stages.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN201 - Django signature
        raise ValidationError("The eight CVJ stages are fixed and cannot be deleted.")

    @property
    def takes_commitment(self) -> bool:
        """Only Convert asks the customer for money or time (the entry-point offer's stage);
        the manager form, the CSV import and Tactic.clean all ask this."""
        return self.slug == COMMITMENT_STAGE


class Channel(models.TextChoices):
    SOCIAL = "social", "Social media"
    SEARCH = "search", "Search (SEO/SEM)"
    PAID = "paid", "Paid advertising"
    CONTENT = "content", "Content marketing"
    EMAIL = "email", "Email marketing"
    CRO = "cro", "Conversion-rate optimisation"
    EVENTS = "events", "Events"
    PARTNERS = "partners", "Partners & affiliates"
    SALES = "sales", "Sales & service"
    PRODUCT = "product", "Product experience"


class Commitment(models.TextChoices):
    NONE = "", "—"
    MONEY = "money", "Asks for money"
    TIME = "time", "Asks for time"


class Audience(models.TextChoices):
    ANY = "any", "B2B and B2C"
    B2B = "b2b", "Mostly B2B"
    B2C = "b2c", "Mostly B2C"


class TacticQuerySet(models.QuerySet["Tactic"]):
    def known_to(self, agency_id: int) -> TacticQuerySet:
        """The global library plus the agency's own tactics in any state: what the agency may
        name. Another agency's tactics are not here, so their ids look like missing ones."""
        return self.filter(Q(agency__isnull=True) | Q(agency_id=agency_id))

    def visible_to(self, agency_id: int | None) -> TacticQuerySet:
        """The global library plus the given agency's own tactics, active ones only, without
        the global tactics that agency chose to hide."""
        visible = self.filter(Q(agency__isnull=True) | Q(agency_id=agency_id), is_active=True)
        if agency_id is None:
            return visible
        hidden = TacticHidden.objects.filter(agency_id=agency_id).values("tactic_id")
        return visible.exclude(pk__in=hidden)


class Tactic(PlainTextModel):
    """A library tactic. No agency = the global library every agency sees."""

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="tactics")
    agency = models.ForeignKey(
        "cvj.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="tactics"
    )
    name = models.CharField(max_length=TACTIC_NAME_MAX)
    description = models.TextField(
        max_length=TACTIC_DESCRIPTION_MAX,
        validators=[MaxLengthValidator(TACTIC_DESCRIPTION_MAX)],
        blank=True,
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    commitment = models.CharField(
        max_length=10,
        choices=Commitment.choices,
        blank=True,
        default="",
        help_text="Convert stage only: does this ask for money or for time?",
    )
    audience = models.CharField(max_length=3, choices=Audience.choices, default=Audience.ANY)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TacticQuerySet.as_manager()

    class Meta:
        ordering = ["stage__position", "position", "name"]
        indexes = [models.Index(fields=["stage", "agency", "is_active", "position"])]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "name"],
                condition=Q(agency__isnull=True),
                name="tactic_global_name_unique_per_stage",
            ),
            models.UniqueConstraint(
                fields=["stage", "agency", "name"],
                condition=Q(agency__isnull=False),
                name="tactic_agency_name_unique_per_stage",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.commitment and self.stage_id and not self.stage.takes_commitment:
            raise ValidationError({"commitment": COMMITMENT_ONLY_AT_CONVERT})


class TacticHidden(models.Model):
    """A global tactic one agency chose not to offer: its strategists no longer find it in the
    editor's library search. Journeys that already use it keep it."""

    agency = models.ForeignKey(
        "cvj.Agency", on_delete=models.CASCADE, related_name="hidden_tactics"
    )
    tactic = models.ForeignKey(Tactic, on_delete=models.CASCADE, related_name="hidden_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "hidden global tactic"
        constraints = [
            models.UniqueConstraint(fields=["agency", "tactic"], name="tactic_hidden_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tactic} hidden for {self.agency}"

    def clean(self) -> None:
        if self.tactic_id and self.tactic.agency_id is not None:
            raise ValidationError(
                {"tactic": "Only global tactics are hidden; archive your own tactics instead."}
            )
