"""The intake link a client opens without an account, and the answers given through it.

Answers live here, never straight in the persona: the strategist takes them in field by field
(journeys.intake.services.intake_take_in). One row per question, so two people of the client's
team typing different answers through the same link never overwrite each other.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from cvj.links import SignedLink
from cvj.parsing import PlainTextModel
from journeys.models import Business, Persona

from .questions import BY_KEY, QUESTIONS

ANSWER_MAX_LENGTH = max(q.max_length for q in QUESTIONS)


class IntakeLink(SignedLink):
    """A signed, expiring, revocable link to one business's intake; its history is kept."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="intake_links")
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    last_answered_at = models.DateTimeField(null=True, blank=True)

    class Meta(SignedLink.Meta):
        indexes = [models.Index(fields=["business", "-created_at"])]

    def __str__(self) -> str:
        return f"Intake link for {self.business}"


class IntakeAnswer(PlainTextModel):
    link = models.ForeignKey(IntakeLink, on_delete=models.CASCADE, related_name="answers")
    # A key of questions.QUESTIONS (checked in clean): no choices here, so rewording a question
    # needs no migration.
    question = models.CharField(max_length=40)
    text = models.TextField(
        max_length=ANSWER_MAX_LENGTH,
        validators=[MaxLengthValidator(ANSWER_MAX_LENGTH)],
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)
    # The last time the strategist took this answer in, and where to.
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_into = models.ForeignKey(
        Persona, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "question"], name="intake_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.text[:40]}"

    def clean(self) -> None:
        # Each answer is held to the length of the field it will be taken into.
        question = BY_KEY.get(self.question)
        if question is None:
            raise ValidationError({"question": "No such question."})
        if len(self.text) > question.max_length:
            raise ValidationError(
                {"text": f"Please keep this under {question.max_length} characters."}
            )
