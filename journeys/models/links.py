"""Signed links that show a journey to people without an account, and the questions guests ask
through a live link."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models

from cvj.links import SignedLink
from cvj.parsing import PlainTextModel

from .map import TEXT_LONG, Journey, JourneyStage, StageTactic


class ShareLink(SignedLink):
    """A read-only link to one journey for clients without accounts."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="share_links")
    last_used_at = models.DateTimeField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Share link for {self.journey}"


class LiveLink(SignedLink):
    """A "Join live" link: the live read-only board for guests, who may ask questions."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="live_links")

    def __str__(self) -> str:
        return f"Live link for {self.journey}"


class QuestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    RESOLVED = "resolved", "Resolved"


class Question(PlainTextModel):
    """A guest's question or comment on a stage (or one of its tactics) during a live session."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="questions")
    journey_stage = models.ForeignKey(
        JourneyStage, on_delete=models.CASCADE, related_name="questions"
    )
    stage_tactic = models.ForeignKey(
        StageTactic, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    live_link = models.ForeignKey(
        LiveLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    author_name = models.CharField(max_length=80)
    text = models.TextField(max_length=1000, validators=[MaxLengthValidator(1000)])
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    answer = models.TextField(
        max_length=TEXT_LONG, validators=[MaxLengthValidator(TEXT_LONG)], blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["journey", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:40]}"
