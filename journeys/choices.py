"""The fixed vocabularies of client work (stored as short strings; migrations carry them frozen)."""

from __future__ import annotations

from django.db import models


class BusinessKind(models.TextChoices):
    B2C = "b2c", "B2C — sells to consumers"
    B2B = "b2b", "B2B — sells to businesses"


class AwarenessLevel(models.TextChoices):
    UNAWARE = "unaware", "Unaware"
    PROBLEM_AWARE = "problem_aware", "Problem-aware"
    SOLUTION_AWARE = "solution_aware", "Solution-aware"
    PRODUCT_AWARE = "product_aware", "Product-aware"


class OfferKind(models.TextChoices):
    LEAD_MAGNET = "lead_magnet", "Lead magnet"
    ENTRY_POINT = "entry_point", "Entry-point offer"
    CORE = "core", "Core offer"
    ASCENSION = "ascension", "Ascension offer"
    REFERRAL = "referral", "Referral incentive"


class BillingPeriod(models.TextChoices):
    ONE_TIME = "one_time", "One-time"
    PER_VISIT = "per_visit", "Per visit"
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    YEARLY = "yearly", "Yearly"


class JourneyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_SESSION = "in_session", "In session"
    FINAL = "final", "Final"


class PlanOwner(models.TextChoices):
    AGENCY = "agency", "Agency"
    CLIENT = "client", "Client"


class PlanHorizon(models.TextChoices):
    NOW = "now", "Now (30 days)"
    NEXT = "next", "Next (60 days)"
    LATER = "later", "Later (90 days)"


HORIZON_DAYS = {"now": 30, "next": 60, "later": 90}


class PlanStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    ON_HOLD = "on_hold", "On hold"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"
