"""Intake links and answers: create, open, revoke, save as the client types, take in.

Taking in never overwrites text the persona already has unless the strategist chose to, and
refuses a field whose persona text or answer changed since the strategist looked (they choose
again, with both versions in front of them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from cvj.links import LinkError, LinkKind, LinkStatus, link_create, link_resolve
from journeys.models import Business, Persona

from .models import IntakeAnswer, IntakeLink
from .questions import BY_KEY, QUESTIONS, Question, Target

INTAKE_SALT = "cvj.intake-link"
INTAKE_MAX_DAYS = 60

INTAKE_LINK = LinkKind(
    model=IntakeLink,
    salt=INTAKE_SALT,
    max_days=INTAKE_MAX_DAYS,
    related=("business__agency",),
    messages={
        LinkError.INVALID: "This link is not valid. Check that you copied all of it.",
        LinkStatus.REVOKED: "This questionnaire has been closed by the agency. Your answers "
        "are kept; ask them for a new link if you want to add more.",
        LinkStatus.EXPIRED: "This link expired on {expires_at:%B %-d, %Y}. Your answers are "
        "kept; ask your agency for a new link if you want to add more.",
    },
)


def intake_link_create(
    *, business: Business, user: AbstractBaseUser | None, days: int, label: str = ""
) -> tuple[IntakeLink, str]:
    """A new intake link and the signed token for its URL (shown once, never stored).

    Raises ValidationError (on `label`) for text that cannot be stored."""
    return link_create(kind=INTAKE_LINK, days=days, business=business, created_by=user, label=label)


def intake_link_open(token: str) -> IntakeLink:
    """The active link behind a token, counted as opened; LinkError saying why not."""
    link = link_resolve(token, kind=INTAKE_LINK)
    now = timezone.now()
    IntakeLink.objects.filter(pk=link.pk).update(
        open_count=F("open_count") + 1,
        last_opened_at=now,
        first_opened_at=Coalesce(F("first_opened_at"), now),
    )
    return link


def intake_link_resolve(token: str) -> IntakeLink:
    """The active link behind a token (a save, not an opening); LinkError saying why not."""
    return link_resolve(token, kind=INTAKE_LINK)


def intake_link_revoke(*, link: IntakeLink) -> bool:
    """Close the link; its answers and history stay."""
    return link.revoke()


def intake_answers(link: IntakeLink) -> dict[str, IntakeAnswer]:
    """The link's saved answers by question key."""
    return {answer.question: answer for answer in link.answers.all()}


@transaction.atomic
def intake_answers_save(*, link: IntakeLink, answers: Mapping[str, str]) -> dict[str, str]:
    """Save the given answers (only those: an autosave sends one field). Returns field errors
    by question key; the answers without an error are saved."""
    errors: dict[str, str] = {}
    saved = False
    # Saves through one link take turns: a row lock cannot cover an answer not written yet, and
    # two teammates answering the same new question at once must not both insert it.
    IntakeLink.objects.select_for_update().filter(pk=link.pk).values_list("pk").first()
    existing = {a.question: a for a in link.answers.filter(question__in=answers)}
    for key, text in answers.items():
        if key not in BY_KEY:
            continue
        answer = existing.get(key) or IntakeAnswer(link=link, question=key)
        # Line endings differ between browsers; the length rule counts what is stored.
        text = text.replace("\r\n", "\n")
        if answer.text == text:
            continue  # unchanged, or blank and never answered: nothing to store
        answer.text = text
        try:
            answer.full_clean(exclude=["link"])
        except ValidationError as error:
            errors[key] = " ".join(error.messages)
            continue
        answer.save()
        saved = True
    if saved:
        IntakeLink.objects.filter(pk=link.pk).update(last_answered_at=timezone.now())
    return errors


NEW_PERSONA_NAME = "Ideal customer (from the intake)"


@transaction.atomic
def intake_persona_create(*, link: IntakeLink) -> Persona:
    """A new persona of the link's business named as the client named their avatar; the other
    answers wait on the take-in page (all of them fill empty fields there by default)."""
    named = link.answers.filter(question="avatar_name").values_list("text", flat=True).first()
    persona = Persona(business=link.business, name=(named or "").strip() or NEW_PERSONA_NAME)
    persona.full_clean()
    persona.save()
    return persona


class Choice(StrEnum):
    """What to do with one answer at take-in."""

    KEEP = "keep"  # leave the persona's text as it is
    USE = "use"  # the answer replaces it (or fills an empty field)
    ADD = "add"  # the answer goes below the text already there


@dataclass(frozen=True)
class TakeInRow:
    """One question beside the field it can be taken into, as the strategist sees it."""

    question: Question
    current: str
    answer: IntakeAnswer | None

    @property
    def text(self) -> str:
        return self.answer.text if self.answer else ""

    @property
    def state(self) -> str:
        """empty (no answer), same (already there, e.g. added below), new (field empty) or
        differs (both have text)."""
        if not self.text.strip():
            return "empty"
        if self.text.strip() in self.current:
            return "same"
        return "new" if not self.current.strip() else "differs"

    @property
    def default_choice(self) -> Choice:
        """Only an empty field is filled unasked; text already there is kept by default."""
        return Choice.USE if self.state == "new" else Choice.KEEP

    @property
    def seen(self) -> str:
        """A fingerprint of both texts as shown: the take-in refuses a row that changed."""
        return _fingerprint(self.current, self.text)

    @property
    def taken(self) -> bool:
        return bool(self.answer and self.answer.taken_at)


def _fingerprint(current: str, answer: str) -> str:
    return hashlib.sha256(f"{current}\x00{answer}".encode()).hexdigest()[:16]


def _target_row(question: Question, persona: Persona) -> Persona | Business:
    return persona.business if question.target == Target.BUSINESS else persona


def take_in_rows(*, link: IntakeLink, persona: Persona) -> list[TakeInRow]:
    answers = intake_answers(link)
    return [
        TakeInRow(
            question=q,
            current=str(getattr(_target_row(q, persona), q.field) or ""),
            answer=answers.get(q.key),
        )
        for q in QUESTIONS
    ]


@dataclass
class TakeInResult:
    taken: list[str] = field(default_factory=list)
    # Rows that changed since the strategist looked: shown again with both versions.
    changed: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


@transaction.atomic
def intake_take_in(
    *,
    link: IntakeLink,
    persona: Persona,
    choices: Mapping[str, str],
    seen: Mapping[str, str],
    only: Iterable[str] | None = None,
    user: AbstractBaseUser | None,
) -> TakeInResult:
    """Take the chosen answers into the persona (and its business's basics).

    `choices` maps question keys to a Choice; a key left out is kept. `seen` carries each row's
    fingerprint as shown; a row that changed since is not taken (result.changed). `only` limits
    the take-in to some questions (one field's button). Nothing is written unless asked."""
    persona = Persona.objects.select_for_update().select_related("business").get(pk=persona.pk)
    business = Business.objects.select_for_update().get(pk=persona.business_id)
    persona.business = business
    wanted = set(only) if only is not None else set(BY_KEY)
    result = TakeInResult()
    touched: dict[int, tuple[Persona | Business, list[str]]] = {}
    taken_answers: list[IntakeAnswer] = []
    for row in take_in_rows(link=link, persona=persona):
        key = row.question.key
        choice = choices.get(key, Choice.KEEP)
        if key not in wanted or choice not in (Choice.USE, Choice.ADD) or row.answer is None:
            continue
        if seen.get(key) != row.seen:
            result.changed.append(key)
            continue
        if row.state in ("empty", "same"):
            continue
        text = row.text.strip()
        if choice == Choice.ADD and row.current.strip():
            text = f"{row.current.rstrip()}\n\n{text}"
        target = _target_row(row.question, persona)
        setattr(target, row.question.field, text)
        touched.setdefault(id(target), (target, []))[1].append(row.question.field)
        result.taken.append(key)
        taken_answers.append(row.answer)
    for target, _fields in touched.values():
        try:
            target.full_clean()
        except ValidationError as error:
            by_field = error.message_dict
            for key in list(result.taken):
                question = BY_KEY[key]
                if _target_row(question, persona) is target and question.field in by_field:
                    result.errors[key] = " ".join(by_field[question.field])
    if result.errors:
        # One bad field and nothing is written (the changes above were in memory only).
        result.taken = []
        return result
    for target, fields in touched.values():
        if isinstance(target, Business):
            fields.append("updated_at")
        target.save(update_fields=fields)
    now = timezone.now()
    for answer in taken_answers:
        answer.taken_at, answer.taken_into, answer.taken_by = now, persona, user
        answer.save(update_fields=["taken_at", "taken_into", "taken_by"])
    return result
