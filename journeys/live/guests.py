"""Guests of a live session: "Join live" links and their questions on the map.

A live link is a signed link like a share link (cvj/links.py): expiring, revocable, and only a
hash of its secret is stored. Guests read the live board and may post questions; they never
edit. Their posts are rate-limited per link and address.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from cvj.caching import shared_cache as cache
from cvj.links import LinkError, LinkKind, LinkStatus, link_create, link_resolve
from cvj.tokens import secret_hash

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

LIVE_LINK = LinkKind(
    model=LiveLink,
    salt=LIVE_SALT,
    max_days=LIVE_MAX_DAYS,
    related=("journey__business",),
    messages={
        LinkError.INVALID: "This live link is not valid. Check that you copied all of it.",
        LinkStatus.REVOKED: "This live session link has been switched off.",
        LinkStatus.EXPIRED: "This live session link has expired. Ask for a new one.",
    },
)


def live_link_create(
    *, journey: Journey, user: AbstractBaseUser | None, days: int = 1, label: str = ""
) -> tuple[LiveLink, str]:
    """A new "Join live" link; returns it and the signed token (shown once, never stored)."""
    return link_create(kind=LIVE_LINK, days=days, journey=journey, created_by=user, label=label)


def live_link_resolve(token: str) -> LiveLink:
    """The active live link behind a token, or LinkError saying why not."""
    return link_resolve(token, kind=LIVE_LINK)


@transaction.atomic
def live_link_revoke(*, link: LiveLink) -> None:
    """Switch the link off; guests connected through it are disconnected at once."""
    link.revoke()
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
