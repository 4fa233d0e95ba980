"""Every rule of the workshop, once: who a participant is, ideas (private until revealed,
accepted as a tactic or an offer, merged, set aside), dot votes counted exactly once, and the
vote's result taken into the plan.

Services lock what they judge (`select_for_update`) and tell open pages after commit through
`journeys.changes.journey_changed`, with parts each page re-renders for its own viewer:
"ideas", "vote", "vote-count" (the facilitator's "n people voted") and the board's
"stage:<slug>" columns (dots after a close)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cvj.tokens import secret_hash
from journeys.changes import journey_changed
from journeys.live.guests import live_link_create
from journeys.models import Journey, JourneyStage, LiveLink
from journeys.rules import STAGE_OFFER_KINDS
from journeys.selectors import library_tactics
from journeys.services import offer_create_at_stage, tactic_add
from stages.models import Tactic

from .models import (
    Idea,
    IdeaKind,
    IdeaStatus,
    JoinCode,
    Room,
)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed by hand
CODE_LENGTH = 8  # 31^8 ≈ 8.5e11 codes; unknown ones are a plain 404
IDEAS_PER_MINUTE = 10
VOTES_PER_MINUTE = 120


# --- Who takes part ------------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    """One person at one device: `key` counts their votes once, `name` is what others see."""

    key: str
    name: str
    facilitator: bool = False
    link: LiveLink | None = None


def participant_for_user(user: AbstractBaseUser, *, facilitator: bool) -> Participant:
    name = user.get_full_name() or user.get_username()
    return Participant(key=f"u{user.pk}", name=name[:80], facilitator=facilitator)


def participant_for_guest(link: LiveLink, device: str, name: str) -> Participant:
    """A guest: one per live link and device (the device id is a signed cookie)."""
    return Participant(key=f"g{link.pk}.{device[:32]}", name=name[:80] or "Guest", link=link)


def new_device_id() -> str:
    return secrets.token_urlsafe(16)


def participant_may_post(participant: Participant, *, what: str, per_minute: int) -> bool:
    """A per-person rate limit; closed if the cache is down (we cannot tell)."""
    key = f"cvj-workshop:rate:{what}:{secret_hash(participant.key)[:16]}"
    try:
        if cache.add(key, 1, 60):
            return True
        return cache.incr(key) <= per_minute
    except Exception:  # noqa: BLE001 - without the counter we cannot tell: refuse politely
        return False


def tell_room(journey_id: int, parts: Iterable[str]) -> None:
    """After commit, every open page of the journey redraws these parts for its own viewer."""
    version = Journey.objects.filter(pk=journey_id).values_list("version", flat=True).first()
    journey_changed(journey_id=journey_id, version=version or 0, parts=tuple(parts))


# --- Joining -------------------------------------------------------------------------------


@transaction.atomic
def join_code_create(*, journey: Journey, user: AbstractBaseUser | None) -> JoinCode:
    """A new "Join live" link with a short code for the QR code and the room's screen."""
    link, token = live_link_create(journey=journey, user=user, days=1, label="Join code")
    for _attempt in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                return JoinCode.objects.create(
                    journey=journey, live_link=link, code=code, token=token
                )
        except IntegrityError:  # a clash of random codes: draw again
            continue
    raise RuntimeError("Could not draw a free join code.")


def join_code_current(journey: Journey) -> JoinCode | None:
    """The newest code whose link still admits guests."""
    now = timezone.now()
    return (
        JoinCode.objects.filter(
            journey=journey, live_link__revoked_at__isnull=True, live_link__expires_at__gt=now
        )
        .select_related("live_link")
        .first()
    )


def join_code_find(code: str) -> JoinCode | None:
    """The code's join code if its link still admits guests, else None (unknown or dead)."""
    code = code.strip().upper().replace("-", "")
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    found = JoinCode.objects.select_related("live_link").filter(code=code).first()
    if found is None or not found.live_link.is_active:
        return None
    return found


def join_code_display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


# --- The room's settings ---------------------------------------------------------------------


def room_for(journey: Journey) -> Room:
    return Room.objects.get_or_create(journey=journey)[0]


@transaction.atomic
def room_settings_save(*, journey: Journey, show_authors: bool, sound: bool) -> Room:
    room_for(journey)
    room = Room.objects.select_for_update().get(journey=journey)
    room.show_authors, room.sound = show_authors, sound
    room.save(update_fields=["show_authors", "sound"])
    tell_room(journey.pk, ("ideas", "vote"))
    return room


@transaction.atomic
def ideas_reveal(*, journey_stage: JourneyStage, revealed: bool = True) -> Room:
    """Show (or hide again) every idea of a stage to everyone."""
    room_for(journey_stage.journey)
    room = Room.objects.select_for_update().get(journey_id=journey_stage.journey_id)
    slug = journey_stage.stage.slug
    shown = [s for s in room.revealed if s != slug] + ([slug] if revealed else [])
    room.revealed = shown
    room.save(update_fields=["revealed"])
    tell_room(journey_stage.journey_id, ("ideas",))
    return room


# --- Ideas ---------------------------------------------------------------------------------


@transaction.atomic
def idea_add(
    *, journey_stage: JourneyStage, participant: Participant, kind: str, name: str, note: str
) -> Idea:
    if kind not in IdeaKind.values:
        raise ValidationError({"kind": "Pick a tactic or an offer."})
    idea = Idea(
        journey_id=journey_stage.journey_id,
        journey_stage=journey_stage,
        kind=kind,
        name=" ".join(name.split()),
        note=note.strip(),
        participant=participant.key,
        author_name=participant.name,
        live_link=participant.link,
    )
    idea.full_clean()
    idea.save()
    tell_room(journey_stage.journey_id, ("ideas",))
    return idea


def ideas_for(journey: Journey, participant: Participant) -> list[Idea]:
    """What this participant may see: their own ideas, and every idea of a revealed stage
    (accepted, merged and set-aside ones stay visible to the facilitator only)."""
    room = room_for(journey)
    ideas = Idea.objects.filter(journey=journey).select_related(
        "journey_stage__stage", "stage_tactic"
    )
    visible = []
    for idea in ideas:
        revealed = idea.journey_stage.stage.slug in room.revealed
        if idea.participant == participant.key or (
            revealed and (participant.facilitator or idea.status == IdeaStatus.NEW)
        ):
            visible.append(idea)
    return visible


def hidden_counts(journey: Journey) -> dict[str, int]:
    """Per stage slug, how many new ideas wait unrevealed (the facilitator sees only counts)."""
    room = room_for(journey)
    counts: dict[str, int] = {}
    for slug in Idea.objects.filter(journey=journey, status=IdeaStatus.NEW).values_list(
        "journey_stage__stage__slug", flat=True
    ):
        if slug not in room.revealed:
            counts[slug] = counts.get(slug, 0) + 1
    return counts


def idea_library_match(idea: Idea) -> Tactic | None:
    """The library tactic offered first when accepting: the first match for the idea's name."""
    if idea.kind != IdeaKind.TACTIC:
        return None
    matches = library_tactics(idea.journey, idea.journey_stage, idea.name[:100])
    return matches[0] if matches else None


def _locked_new(idea: Idea) -> Idea:
    locked = Idea.objects.select_for_update().select_related("journey_stage__stage").get(pk=idea.pk)
    if locked.status != IdeaStatus.NEW:
        raise ValidationError("That idea has already been taken care of.")
    return locked


def offer_idea_kind(stage_slug: str) -> str | None:
    """The offer kind an offer idea becomes at this stage (the stage's last: at Ascend an
    ascension offer, not a second core offer); None where the stage takes no offers."""
    kinds = STAGE_OFFER_KINDS.get(stage_slug, ())
    return kinds[-1] if kinds else None


def offer_idea_needs_price(stage_slug: str) -> bool:
    """A lead magnet is free; any other offer needs its price before the funnel counts it."""
    return offer_idea_kind(stage_slug) not in (None, "lead_magnet")


@transaction.atomic
def idea_accept(*, idea: Idea, tactic: Tactic | None = None, price: Decimal | None = None) -> Idea:
    """The idea becomes a tactic (the library's, when one is picked, else its own name) or an
    offer of the stage (with the price the facilitator gives it); its note goes along, never
    retyped."""
    locked = _locked_new(idea)
    stage = locked.journey_stage
    if locked.kind == IdeaKind.OFFER:
        slug = stage.stage.slug
        kind = offer_idea_kind(slug)
        if kind is None:
            raise ValidationError(f"{stage.stage.name} takes no offers: set this idea aside.")
        if price is None and offer_idea_needs_price(slug):
            raise ValidationError("Give the offer its price: the funnel's figures use it.")
        offer_create_at_stage(
            journey_stage=stage,
            name=locked.name,
            kind=kind,
            price=price or Decimal("0"),
            promise=locked.note[:4000],
        )
    else:
        stage_tactic, _created = tactic_add(
            journey_stage=stage,
            tactic=tactic,
            custom_name="" if tactic else locked.name,
            notes=locked.note,
        )
        locked.stage_tactic = stage_tactic
    locked.status = IdeaStatus.ACCEPTED
    locked.save(update_fields=["status", "stage_tactic"])
    tell_room(locked.journey_id, ("ideas",))
    return locked


@transaction.atomic
def idea_merge(*, idea: Idea, into: Idea) -> Idea:
    """A duplicate joins the idea it repeats (same stage); its note is kept under the other."""
    locked = _locked_new(idea)
    if into.pk == locked.pk or into.journey_stage_id != locked.journey_stage_id:
        raise ValidationError("Merge an idea into another idea of the same stage.")
    target = Idea.objects.select_for_update().get(pk=into.pk)
    if target.status == IdeaStatus.MERGED:
        raise ValidationError("That idea was itself merged; pick the one it joined.")
    if locked.note and locked.note not in target.note:
        target.note = (target.note + "\n" + locked.note).strip()[:1000]
        target.save(update_fields=["note"])
    locked.status, locked.merged_into = IdeaStatus.MERGED, target
    locked.save(update_fields=["status", "merged_into"])
    tell_room(locked.journey_id, ("ideas",))
    return locked


@transaction.atomic
def idea_set_aside(*, idea: Idea) -> Idea:
    locked = _locked_new(idea)
    locked.status = IdeaStatus.SET_ASIDE
    locked.save(update_fields=["status"])
    tell_room(locked.journey_id, ("ideas",))
    return locked


def team_credits(journey_id: int) -> dict[int, list[str]]:
    """Tactics that came from the client's team: stage tactic id → the authors' names (for the
    plan and the PDF's "from your team")."""
    credits: dict[int, list[str]] = {}
    rows = Idea.objects.filter(
        journey_id=journey_id, status=IdeaStatus.ACCEPTED, stage_tactic__isnull=False
    ).values_list("stage_tactic_id", "author_name")
    for tactic_id, author in rows:
        credits.setdefault(tactic_id, []).append(author)
    return credits


def facilitator_stage(journey_id: int) -> str:
    """Where a newcomer lands: the stage the leader asked everyone to follow, else the stage a
    strategist has open (the presence roster), else nowhere in particular."""
    from journeys.live.presence import follow_state, roster  # the live room's cache, read-only

    leading = follow_state(journey_id)
    if leading and leading.get("stage"):
        return str(leading["stage"])
    for entry in roster(journey_id):
        if not entry.get("guest") and entry.get("stage"):
            return str(entry["stage"])
    return ""
