"""Guests of a live session: "Join live" links and their questions on the map.

A live link works like a share link (journeys/sharing.py): signed, expiring, revocable, and only
a hash of its secret is stored. Guests read the live board and may post questions; they never
edit. Their posts are rate-limited per link and address.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cvj.tokens import link_from_token, link_token, new_secret, secret_hash

from ..changes import journey_changed
from ..models import (
    Journey,
    JourneyStage,
    LiveLink,
    Question,
    QuestionStatus,
    StageTactic,
)
from .broadcast import send_to_journey

LIVE_SALT = "cvj.live-link"
LIVE_MAX_DAYS = 7
QUESTIONS_PER_MINUTE = 5


class LiveLinkError(Exception):
    def __init__(self, reason: str, *, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@transaction.atomic
def live_link_create(
    *, journey: Journey, user: AbstractBaseUser | None, days: int = 1, label: str = ""
) -> tuple[LiveLink, str]:
    """A new "Join live" link; returns it and the signed token (shown once, never stored)."""
    days = max(1, min(int(days), LIVE_MAX_DAYS))
    secret = new_secret()
    link = LiveLink.objects.create(
        journey=journey,
        secret_hash=secret_hash(secret),
        label=label.strip()[:120],
        created_by=user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return link, link_token(link.pk, secret, salt=LIVE_SALT)


def live_link_resolve(token: str) -> LiveLink:
    queryset = LiveLink.objects.select_related("journey__business")
    link = link_from_token(token, salt=LIVE_SALT, queryset=queryset)
    if link is None:
        raise LiveLinkError(
            "This live link is not valid. Check that you copied all of it.", status=404
        )
    if link.revoked_at is not None:
        raise LiveLinkError("This live session link has been switched off.", status=410)
    if link.expires_at <= timezone.now():
        raise LiveLinkError("This live session link has expired. Ask for a new one.", status=410)
    return link


@transaction.atomic
def live_link_revoke(*, link: LiveLink) -> None:
    """Switch the link off; guests connected through it are disconnected at once."""
    LiveLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    transaction.on_commit(
        lambda: send_to_journey(link.journey_id, {"type": "live.revoked", "link": link.pk})
    )


def _journey_version(journey_id: int) -> int:
    return Journey.objects.filter(pk=journey_id).values_list("version", flat=True).first() or 0


def guest_may_post(*, link: LiveLink, address: str) -> bool:
    """At most QUESTIONS_PER_MINUTE posts per link and address; closed if the cache is down."""
    key = f"cvj-live:rate:{link.pk}:{secret_hash(address)[:16]}"
    try:
        if cache.add(key, 1, 60):
            return True
        return cache.incr(key) <= QUESTIONS_PER_MINUTE
    except Exception:  # noqa: BLE001 - without the counter we cannot tell: refuse politely
        return False


@transaction.atomic
def question_ask(
    *,
    link: LiveLink,
    journey_stage: JourneyStage,
    stage_tactic: StageTactic | None,
    author_name: str,
    text: str,
) -> Question:
    if journey_stage.journey_id != link.journey_id or (
        stage_tactic is not None and stage_tactic.journey_stage_id != journey_stage.pk
    ):
        raise ValidationError("That stage or tactic is not part of this journey.")
    question = Question(
        journey_id=link.journey_id,
        journey_stage=journey_stage,
        stage_tactic=stage_tactic,
        live_link=link,
        author_name=author_name.strip(),
        text=text.strip(),
    )
    question.full_clean()
    question.save()
    journey_changed(
        journey_id=link.journey_id,
        version=_journey_version(link.journey_id),
        parts=("questions",),
        by={"id": None, "name": question.author_name, "initials": "?", "guest": True},
    )
    return question


@transaction.atomic
def question_update(*, question: Question, status: str, answer: str | None = None) -> Question:
    """The strategist answers a question or marks it resolved (or opens it again)."""
    if status not in QuestionStatus.values:
        raise ValidationError("Unknown status.")
    question.status = status
    if answer is not None:
        question.answer = answer.strip()
        if question.answer and status == QuestionStatus.OPEN:
            question.status = QuestionStatus.ANSWERED
    question.full_clean()
    question.save(update_fields=["status", "answer", "updated_at"])
    journey_changed(
        journey_id=question.journey_id,
        version=_journey_version(question.journey_id),
        parts=("questions",),
    )
    return question
