"""Scoped lookups: every object a view touches comes through here.

Agency members see their agency's work; clients see only their own business. Anything else,
including ids that do not exist, is a 404 — never a hint that another agency's object exists.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from cvj.models import EDITING_ROLES, Membership, Role
from cvj.parsing import choice_or_404, id_or_404
from cvj.tenancy import membership_for, require_membership
from stages.models import STAGE_SLUGS, Tactic

from .models import (
    Business,
    Export,
    Journey,
    JourneyStage,
    JourneyStatus,
    Offer,
    Persona,
    ShareLink,
    StageOffer,
    StageTactic,
)

User = AbstractBaseUser | AnonymousUser


def businesses_for(user: User) -> QuerySet[Business]:
    member = membership_for(user)
    if member is None:
        return Business.objects.none()
    scoped = Business.objects.filter(agency_id=member.agency_id)
    if member.role == Role.CLIENT:
        scoped = scoped.filter(pk=member.business_id)
    return scoped


def journeys_for(user: User) -> QuerySet[Journey]:
    member = membership_for(user)
    if member is None:
        return Journey.objects.none()
    scoped = Journey.objects.filter(business__agency_id=member.agency_id)
    if member.role == Role.CLIENT:
        # Clients read final journeys of their own business, and any shared with them early.
        scoped = scoped.filter(business_id=member.business_id).filter(
            Q(status=JourneyStatus.FINAL) | Q(shared_with_client=True)
        )
    return scoped


def get_business_for(user: User, pk: int, *, edit: bool = False) -> Business:
    require_membership(user, edit=edit)
    return get_object_or_404(businesses_for(user), pk=pk)


def get_journey_for(user: User, pk: int, *, edit: bool = False, lean: bool = False) -> Journey:
    """The journey if the user may see it (edit=True: may change it), else 404.

    lean=True skips the joined business, persona and offer: for hot paths like autosave."""
    require_membership(user, edit=edit)
    scoped = journeys_for(user)
    if not lean:
        scoped = scoped.select_related("business", "persona", "core_offer")
    return get_object_or_404(scoped, pk=pk)


def get_persona_for(user: User, pk: int, *, edit: bool = False) -> Persona:
    require_membership(user, edit=edit)
    return get_object_or_404(
        Persona.objects.select_related("business").filter(business__in=businesses_for(user)),
        pk=pk,
    )


def get_offer_for(user: User, pk: int, *, edit: bool = False) -> Offer:
    require_membership(user, edit=edit)
    return get_object_or_404(
        Offer.objects.select_related("business").filter(business__in=businesses_for(user)),
        pk=pk,
    )


def get_journey_stage(journey: Journey, slug: object) -> JourneyStage:
    """A stage of the journey by its slug; any other text (NUL included) is a 404, unqueried."""
    return get_object_or_404(
        JourneyStage.objects.select_related("stage", "journey"),
        journey=journey,
        stage__slug=choice_or_404(slug, STAGE_SLUGS),
    )


def get_stage_tactic(journey: Journey, pk: int, *, include_removed: bool = False) -> StageTactic:
    manager = StageTactic.all_objects if include_removed else StageTactic.objects
    return get_object_or_404(
        manager.select_related("journey_stage__stage", "tactic"),
        journey_stage__journey=journey,
        pk=pk,
    )


def get_stage_offer(journey: Journey, pk: int) -> StageOffer:
    return get_object_or_404(
        StageOffer.objects.select_related("journey_stage__stage", "offer"),
        journey_stage__journey=journey,
        pk=pk,
    )


def get_library_tactic(journey: Journey, pk: int) -> Tactic:
    """A global or own tactic of the journey's agency: another agency's id is as missing as an
    unknown one."""
    known = Tactic.objects.known_to(journey.business.agency_id).select_related("stage")
    return get_object_or_404(known, pk=pk)


def get_business_offer(journey: Journey, pk: int) -> Offer:
    """An offer of the journey's business."""
    return get_object_or_404(journey.business.offers.all(), pk=pk)


def get_export_for(user: User, pk: int, *, edit: bool = False) -> Export:
    """An export of a journey the user may see (clients: their own business's journeys)."""
    require_membership(user, edit=edit)
    return get_object_or_404(
        Export.objects.select_related("journey").filter(journey__in=journeys_for(user)), pk=pk
    )


def get_share_link_for(user: User, pk: int) -> ShareLink:
    require_membership(user, edit=True)
    return get_object_or_404(
        ShareLink.objects.select_related("journey").filter(journey__in=journeys_for(user)), pk=pk
    )


def parse_autosave_target(target: str) -> tuple[str, str]:
    """An autosave target's kind and key: ("journey", ""), ("stage", slug) or ("tactic", id as
    text); anything else (an unknown slug, a non-number, NUL) is a 404, unqueried."""
    kind, _, key = target.partition(":")
    if kind == "journey":
        return kind, ""
    if kind == "stage":
        return kind, choice_or_404(key, STAGE_SLUGS)
    if kind == "tactic":
        return kind, str(id_or_404(key))
    raise Http404("Unknown field.")


def get_autosave_row_for(user: User, pk: int, target: str) -> Model:
    """The row an autosave writes (the journey, a stage entry or a live tactic), in ONE query.

    The same rule as `get_journey_for(user, pk, edit=True)` + `get_journey_stage` /
    `get_stage_tactic`, folded into the row's own query: the journey's agency must have an
    editing membership (admin or strategist) of this user, read live, so a role change or a
    removal takes effect on the very next save. Foreign and unknown ids are both a 404.
    (`field_edits.compare_and_set` applies the same rule in SQL for the common case.)
    """
    if not user.is_authenticated or not user.is_active:
        raise Http404("No agency membership.")
    kind, key = parse_autosave_target(target)
    if kind == "journey":
        model, scoped, agency = Journey, Journey.objects.filter(pk=pk), "business__agency_id"
    elif kind == "stage":
        model, agency = JourneyStage, "journey__business__agency_id"
        # The stage rides along (its join is there for the filter): the live message names it.
        scoped = JourneyStage.objects.filter(journey_id=pk, stage__slug=key).select_related("stage")
    else:
        model, agency = StageTactic, "journey_stage__journey__business__agency_id"
        scoped = StageTactic.objects.filter(journey_stage__journey_id=pk, pk=int(key))
    editor = Membership.objects.filter(
        user_id=user.pk, agency_id=OuterRef(agency), role__in=EDITING_ROLES
    )
    row = next(iter(scoped.filter(Exists(editor)).order_by()[:1]), None)
    if row is None:
        raise Http404(f"No such {model._meta.verbose_name}.")
    return row
