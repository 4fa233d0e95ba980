"""The client's team at the table: join codes, ideas per stage, and dot votes.

Everything lives in the database (a restart loses nothing). A participant is named by a
`participant` key: "u<user id>" for someone signed in, "g<live link id>.<device id>" for a
guest (one key per link and device, so a guest's votes count once however often they
reconnect)."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from cvj.parsing import PlainTextModel
from journeys.models import Journey, JourneyStage, LiveLink, StageTactic

IDEA_NOTE_MAX = 1000
VOTES_MAX = 10


class JoinCode(models.Model):
    """The short link and QR code of a "Join live" link: `/j/<code>/` leads to the link.

    Like a meeting code, the code itself admits (so it is stored, unlike the link's secret,
    to be shown again on Present); it dies with its link (revoked or expired)."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="join_codes")
    live_link = models.OneToOneField(LiveLink, on_delete=models.CASCADE, related_name="join_code")
    code = models.CharField(max_length=12, unique=True)
    token = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code


class Room(models.Model):
    """A journey's workshop settings: which stages' ideas are revealed, authors shown or not,
    the timebox sound."""

    journey = models.OneToOneField(
        Journey, on_delete=models.CASCADE, primary_key=True, related_name="room"
    )
    revealed = models.JSONField(default=list, blank=True)  # stage slugs
    show_authors = models.BooleanField(default=True)
    sound = models.BooleanField(default=True)
    # Minutes the facilitator added to a stage's timebox ({stage slug: seconds}); later ones shift.
    extensions = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Room of {self.journey_id}"


class IdeaKind(models.TextChoices):
    TACTIC = "tactic", "Tactic"
    OFFER = "offer", "Offer"


class IdeaStatus(models.TextChoices):
    NEW = "new", "New"
    ACCEPTED = "accepted", "Accepted"
    MERGED = "merged", "Merged"
    SET_ASIDE = "set_aside", "Set aside"


class Idea(PlainTextModel):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="ideas")
    journey_stage = models.ForeignKey(JourneyStage, on_delete=models.CASCADE, related_name="ideas")
    kind = models.CharField(max_length=10, choices=IdeaKind.choices, default=IdeaKind.TACTIC)
    name = models.CharField(max_length=120)
    note = models.TextField(
        max_length=IDEA_NOTE_MAX, validators=[MaxLengthValidator(IDEA_NOTE_MAX)], blank=True
    )
    participant = models.CharField(max_length=80)
    author_name = models.CharField(max_length=80)
    live_link = models.ForeignKey(
        LiveLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=IdeaStatus.choices, default=IdeaStatus.NEW)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    # The tactic it became: the plan and the PDF credit it "from your team".
    stage_tactic = models.ForeignKey(
        StageTactic, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["journey", "journey_stage"])]

    def __str__(self) -> str:
        return self.name


class VoteScope(models.TextChoices):
    STAGE = "stage", "One stage's tactics"
    MAP = "map", "The whole map"


class VoteRound(models.Model):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="vote_rounds")
    journey_stage = models.ForeignKey(
        JourneyStage, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )  # empty: the whole map
    votes_per_person = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(VOTES_MAX)]
    )
    max_per_item = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(VOTES_MAX)]
    )
    anonymous = models.BooleanField(default=False)
    tally_hidden = models.BooleanField(default=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["journey"],
                condition=Q(closed_at__isnull=True),
                name="workshop_one_open_vote_per_journey",
            )
        ]

    def __str__(self) -> str:
        return f"Vote {self.pk} on {self.journey_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Ballot(PlainTextModel):
    """One participant's dots in one round: one row per person, so they count once."""

    round = models.ForeignKey(VoteRound, on_delete=models.CASCADE, related_name="ballots")
    participant = models.CharField(max_length=80)
    voter_name = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "participant"], name="workshop_one_ballot_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.round_id}"


class Dot(models.Model):
    """The dots one ballot puts on one tactic."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="dots")
    stage_tactic = models.ForeignKey(StageTactic, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(VOTES_MAX)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "stage_tactic"], name="workshop_one_dot_row_per_tactic"
            ),
            models.CheckConstraint(
                condition=Q(count__gte=1) & Q(count__lte=VOTES_MAX), name="workshop_dot_count"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} on {self.stage_tactic_id}"
