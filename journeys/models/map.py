"""The map: businesses, their personas and offers, journeys, their stage entries and tactics,
and the starters a journey can begin from."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cvj.parsing import PlainTextModel
from stages.models import Channel, Stage, Tactic

from ..choices import (  # noqa: F401 - re-exported: the vocabulary is part of the models' API
    HORIZON_DAYS,
    AwarenessLevel,
    BillingPeriod,
    BusinessKind,
    ExportStatus,
    JourneyStatus,
    OfferKind,
    PlanHorizon,
    PlanOwner,
    PlanStatus,
)
from ..rules import STAGE_OFFER_HEADINGS, STAGE_OFFER_KINDS  # noqa: F401 - re-exported

TEXT_SHORT = 200
TEXT_LONG = 4000


class Business(PlainTextModel):
    agency = models.ForeignKey("cvj.Agency", on_delete=models.CASCADE, related_name="businesses")
    name = models.CharField(max_length=120)
    industry = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=3, choices=BusinessKind.choices, default=BusinessKind.B2C)
    website = models.URLField(max_length=300, blank=True)
    notes = models.TextField(
        max_length=TEXT_LONG, validators=[MaxLengthValidator(TEXT_LONG)], blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "businesses"
        ordering = ["name"]
        indexes = [models.Index(fields=["agency", "name"])]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="business_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Persona(PlainTextModel):
    """The customer avatar a journey is mapped for."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="personas")
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=TEXT_SHORT, blank=True)
    goals_values = models.TextField(
        "goals & values",
        max_length=TEXT_LONG,
        validators=[MaxLengthValidator(TEXT_LONG)],
        blank=True,
    )
    pains = models.TextField(
        "pain points", max_length=TEXT_LONG, validators=[MaxLengthValidator(TEXT_LONG)], blank=True
    )
    passions = models.TextField(
        max_length=TEXT_LONG, validators=[MaxLengthValidator(TEXT_LONG)], blank=True
    )
    channels = models.TextField(
        "where they get information",
        max_length=TEXT_LONG,
        validators=[MaxLengthValidator(TEXT_LONG)],
        blank=True,
    )
    objections = models.TextField(
        max_length=TEXT_LONG, validators=[MaxLengthValidator(TEXT_LONG)], blank=True
    )
    decision_role = models.CharField(
        "role in the purchase decision", max_length=TEXT_SHORT, blank=True
    )
    awareness_level = models.CharField(
        max_length=20, choices=AwarenessLevel.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Offer(PlainTextModel):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="offers")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=OfferKind.choices)
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(max_length=3, default="USD")
    # How often a buyer pays the price: economics turns it into monthly revenue and a
    # 12-month value per customer (a biweekly $129 service is not $129 a month).
    billing_period = models.CharField(
        max_length=12, choices=BillingPeriod.choices, default=BillingPeriod.ONE_TIME
    )
    format = models.CharField(max_length=TEXT_SHORT, blank=True)
    promise = models.TextField(max_length=1000, validators=[MaxLengthValidator(1000)], blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["price", "name"]
        constraints = [
            models.CheckConstraint(name="offer_price_not_negative", condition=Q(price__gte=0)),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.currency = (self.currency or "").upper()
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValidationError({"currency": "Use a three-letter currency code, e.g. USD."})


class Journey(PlainTextModel):
    """One map: one business, one persona, one core offer, through the eight stages."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="journeys")
    persona = models.ForeignKey(Persona, on_delete=models.PROTECT, related_name="journeys")
    core_offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="core_of_journeys")
    title = models.CharField(max_length=TEXT_SHORT)
    status = models.CharField(
        max_length=20, choices=JourneyStatus.choices, default=JourneyStatus.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="journeys",
    )
    # Bumped on every saved change; exports record the version they rendered.
    version = models.PositiveIntegerField(default=1)
    # Session clock: elapsed seconds banked while paused, plus a start mark while running.
    # Clients see final journeys, plus any the strategist chose to share early.
    shared_with_client = models.BooleanField(default=False)
    # Economics assumptions for the projected funnel.
    monthly_reach = models.PositiveIntegerField(
        default=0, help_text="People who see the business each month (Aware)."
    )
    monthly_spend = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Monthly acquisition spend (ads, content, events…).",
    )
    # Share of revenue left once the offer is delivered: the bottom line is contribution, not
    # revenue minus ads. Blank means "not given" (the economics then show revenue less spend).
    gross_margin = models.DecimalField(
        "gross margin %",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Share of revenue left after the cost of delivering the offers.",
    )
    # The deliverable's ending, addressed to the client: the next meeting and what happens next
    # (same tiny markup as the summary). Blank fields are left out of the PDF.
    next_meeting_at = models.DateTimeField(null=True, blank=True)
    next_steps = models.TextField(
        max_length=TEXT_LONG, validators=[MaxLengthValidator(TEXT_LONG)], blank=True
    )
    # The executive summary the strategist writes for page 2 of the PDF: plain text with a tiny
    # markup (blank line = new paragraph, "- " = list item), always rendered escaped.
    summary = models.TextField(
        max_length=TEXT_LONG, validators=[MaxLengthValidator(TEXT_LONG)], blank=True
    )
    # Up to three plan items (StageTactic ids, in order) the summary puts first.
    priorities = models.JSONField(default=list, blank=True)
    session_minutes = models.PositiveSmallIntegerField(
        default=180, validators=[MinValueValidator(15), MaxValueValidator(600)]
    )
    session_elapsed_seconds = models.PositiveIntegerField(default=0)
    session_running_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["business", "-updated_at"]),
            models.Index(fields=["-updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("journey_editor", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.persona_id and self.business_id and self.persona.business_id != self.business_id:
            errors["persona"] = "That persona belongs to another business."
        if self.core_offer_id and self.business_id:
            if self.core_offer.business_id != self.business_id:
                errors["core_offer"] = "That offer belongs to another business."
            elif self.core_offer.kind != OfferKind.CORE:
                errors["core_offer"] = "The journey's core offer must be an offer of kind 'Core'."
        if errors:
            raise ValidationError(errors)


class JourneyStage(PlainTextModel):
    """A journey's entry for one stage; all eight are created with the journey."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    goal = models.TextField(
        max_length=TEXT_LONG, validators=[MaxLengthValidator(TEXT_LONG)], blank=True
    )
    metric = models.CharField(max_length=TEXT_SHORT, blank=True)
    target_conversion = models.DecimalField(
        "target conversion %",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    notes = models.TextField(
        max_length=TEXT_LONG, validators=[MaxLengthValidator(TEXT_LONG)], blank=True
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stage__position"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "stage"], name="journey_stage_unique"),
            models.CheckConstraint(
                name="journey_stage_conversion_0_100",
                condition=Q(target_conversion__isnull=True)
                | Q(target_conversion__gte=0, target_conversion__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.journey} · {self.stage.name}"


MAX_PRIORITIES = 3


class LiveStageTacticManager(models.Manager["StageTactic"]):
    """Hides tactics removed in the editor (kept briefly so 'Undo' can restore them)."""

    def get_queryset(self) -> models.QuerySet[StageTactic]:
        return super().get_queryset().filter(removed_at__isnull=True)


class StageTactic(PlainTextModel):
    journey_stage = models.ForeignKey(
        JourneyStage, on_delete=models.CASCADE, related_name="tactics"
    )
    tactic = models.ForeignKey(
        Tactic, on_delete=models.PROTECT, null=True, blank=True, related_name="uses"
    )
    custom_name = models.CharField(max_length=120, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    notes = models.TextField(
        max_length=TEXT_LONG, validators=[MaxLengthValidator(TEXT_LONG)], blank=True
    )
    position = models.PositiveIntegerField(default=0)
    # The action plan: who does it, from when, for how much a month, how soon and how far along.
    owner_side = models.CharField(max_length=10, choices=PlanOwner.choices, blank=True)
    owner_name = models.CharField(max_length=120, blank=True)
    start_date = models.DateField(null=True, blank=True)
    monthly_budget = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    horizon = models.CharField(max_length=10, choices=PlanHorizon.choices, blank=True)
    plan_status = models.CharField(
        max_length=20, choices=PlanStatus.choices, default=PlanStatus.PLANNED
    )
    # Marks a custom-named Excite tactic as the follow-up after the first purchase (gap rule).
    is_follow_up = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = LiveStageTacticManager()
    all_objects = models.Manager()  # noqa: DJ012 - a manager, not a field

    class Meta:
        ordering = ["position", "id"]
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["journey_stage", "position"])]
        constraints = [
            models.CheckConstraint(
                name="stage_tactic_named",
                condition=Q(tactic__isnull=False) | ~Q(custom_name=""),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.custom_name or (self.tactic.name if self.tactic_id else "")

    @property
    def channel_label(self) -> str:
        code = self.channel or (self.tactic.channel if self.tactic_id else "")
        return Channel(code).label if code else ""


class StageOffer(models.Model):
    journey_stage = models.ForeignKey(JourneyStage, on_delete=models.CASCADE, related_name="offers")
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="stage_uses")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["journey_stage", "offer"], name="stage_offer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.offer} at {self.journey_stage}"

    def clean(self) -> None:
        check_offer_fits_stage(self.journey_stage, self.offer)


def check_offer_fits_stage(journey_stage: JourneyStage, offer: Offer) -> None:
    """Raise a ValidationError when the offer may not sit at this stage."""
    if offer.business_id != journey_stage.journey.business_id:
        raise ValidationError({"offer": "That offer belongs to another business."})
    allowed = STAGE_OFFER_KINDS.get(journey_stage.stage.slug, ())
    if offer.kind not in allowed:
        stage_name = journey_stage.stage.name
        if not allowed:
            message = f"The {stage_name} stage carries tactics, not offers."
        else:
            kinds = " or ".join(offer_kind_phrase(k) for k in allowed)
            message = f"The {stage_name} stage takes {kinds}, not {offer_kind_phrase(offer.kind)}."
        raise ValidationError({"offer": message})


def offer_kind_phrase(kind: str) -> str:
    """ "a lead magnet", "an entry-point offer": the kind as the rules' messages say it."""
    label = OfferKind(kind).label.lower() if kind in OfferKind.values else kind
    return f"an {label}" if label[:1] in "aeiou" else f"a {label}"


class JourneyStarter(PlainTextModel):
    """A reusable journey in the portable JSON format: an agency's own, saved from a journey.

    The built-in industry templates ship as files (journeys/starters/)."""

    agency = models.ForeignKey("cvj.Agency", on_delete=models.CASCADE, related_name="starters")
    name = models.CharField(max_length=120)
    industry = models.CharField(max_length=120, blank=True)
    description = models.TextField(
        max_length=1000, validators=[MaxLengthValidator(1000)], blank=True
    )
    document = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="journey_starter_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
