"""Read-side queries for the editor: one fixed set of queries however big the journey is."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from cvj.parsing import MAX_PAGE, page_number
from stages.models import Tactic

from .models import (
    STAGE_OFFER_HEADINGS,
    STAGE_OFFER_KINDS,
    Journey,
    JourneyStage,
    JourneyStatus,
    Offer,
    StageOffer,
    StageTactic,
)
from .rules import COMPLETENESS_FIELDS, stage_completeness


@dataclass
class StageView:
    entry: JourneyStage
    tactics: list[StageTactic]
    offers: list[StageOffer]
    offer_kinds: tuple[str, ...]
    eligible_offers: list[Offer] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.entry.stage.slug

    @property
    def offer_heading(self) -> str:
        return STAGE_OFFER_HEADINGS.get(self.slug, ("", ""))[0]

    @property
    def offer_hint(self) -> str:
        return STAGE_OFFER_HEADINGS.get(self.slug, ("", ""))[1]

    @property
    def completeness(self) -> int:
        """Percent of the stage's parts that are filled in, for the progress meter."""
        return stage_completeness(
            fields=(getattr(self.entry, name) for name in COMPLETENESS_FIELDS),
            has_tactics=bool(self.tactics),
            has_offers=bool(self.offers),
            slug=self.slug,
        )


def journey_stage_views(journey: Journey) -> list[StageView]:
    """The eight stages with their tactics and offers, in 4 queries."""
    entries = (
        JourneyStage.objects.filter(journey=journey)
        .select_related("stage")
        .prefetch_related(
            Prefetch(
                "tactics",
                queryset=StageTactic.objects.select_related("tactic").order_by("position", "id"),
            ),
            Prefetch(
                "offers",
                queryset=StageOffer.objects.select_related("offer").order_by("position", "id"),
            ),
        )
        .order_by("stage__position")
    )
    business_offers = list(Offer.objects.filter(business_id=journey.business_id))
    views = []
    for entry in entries:
        entry.journey = journey
        kinds = STAGE_OFFER_KINDS.get(entry.stage.slug, ())
        offers = list(entry.offers.all())
        attached = {so.offer_id for so in offers}
        views.append(
            StageView(
                entry=entry,
                tactics=list(entry.tactics.all()),
                offers=offers,
                offer_kinds=kinds,
                eligible_offers=[
                    o for o in business_offers if o.kind in kinds and o.pk not in attached
                ],
            )
        )
    return views


class Page:
    """A page of a queryset without an exact total.

    COUNT(*) over a large agency costs more than the page itself, so pages only know whether
    there is a next one (one extra row is fetched to find out)."""

    def __init__(self, queryset: QuerySet, number: str | int | None, per_page: int) -> None:
        self.number = number if isinstance(number, int) else page_number(number)
        self.number = max(1, min(self.number, MAX_PAGE))
        offset = (self.number - 1) * per_page
        rows = list(queryset[offset : offset + per_page + 1])
        self.object_list = rows[:per_page]
        self.has_next = len(rows) > per_page
        self.has_previous = self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def journey_stage_fill(journey_ids: list[int]) -> dict[int, int]:
    """How many stages have at least one live tactic, for a page of journeys (one query)."""
    rows = (
        JourneyStage.objects.filter(journey_id__in=journey_ids)
        .filter(Q(tactics__isnull=False) & Q(tactics__removed_at__isnull=True))
        .values("journey_id")
        .annotate(filled=Count("id", distinct=True))
    )
    return {row["journey_id"]: row["filled"] for row in rows}


def finalize_blocker(journey: Journey) -> str:
    """Why the journey cannot be finalized yet ("" when it can): every stage needs a tactic."""
    with_tactics = StageTactic.objects.filter(journey_stage__journey=journey).values(
        "journey_stage_id"
    )
    empty = list(
        JourneyStage.objects.filter(journey=journey)
        .exclude(pk__in=with_tactics)
        .order_by("stage__position")
        .values_list("stage__name", flat=True)
    )
    if not empty:
        return ""
    names = (
        ", ".join(empty) if len(empty) <= 3 else f"{', '.join(empty[:3])} and {len(empty) - 3} more"
    )
    stages = "stage has" if len(empty) == 1 else "stages have"
    return f"Finalize once every stage has a tactic: {len(empty)} {stages} none yet ({names})."


def journey_status_label(journey: Journey) -> str:
    """ "Draft · saved 14:03" or "Final · v2": the internal edit counter is never shown."""
    label = JourneyStatus(journey.status).label
    if journey.status == JourneyStatus.FINAL:
        number = journey.versions.order_by("-number").values_list("number", flat=True).first()
        if number:
            return f"{label} · v{number}"
    saved = timezone.localtime(journey.updated_at)
    when = (
        saved.strftime("%H:%M")
        if saved.date() == timezone.localdate()
        else saved.strftime("%b %-d, %H:%M")
    )
    return f"{label} · saved {when}"


# --- The editor's tactic library search.


def library_tactics(journey: Journey, journey_stage: JourneyStage, query: str) -> list[Tactic]:
    """Library tactics for the stage (global + the agency's own) not yet in this stage."""
    library = Tactic.objects.visible_to(journey.business.agency_id).filter(
        stage=journey_stage.stage
    )
    if query:
        library = library.filter(Q(name__icontains=query) | Q(description__icontains=query))
    used = StageTactic.objects.filter(journey_stage=journey_stage, tactic__isnull=False)
    library = library.exclude(pk__in=used.values("tactic_id"))
    return list(library.order_by("agency_id", "position", "name")[:30])


def custom_tactic_taken(journey_stage: JourneyStage, name: str) -> bool:
    return StageTactic.objects.filter(
        journey_stage=journey_stage, custom_name__iexact=name
    ).exists()


def search_pick(
    journey: Journey, journey_stage: JourneyStage, query: str
) -> tuple[Tactic | None, str] | None:
    """What Enter in the library search adds before its results arrived: the first match for
    the text, as the list would have marked it, else the text as a custom tactic; None when
    that custom tactic is already there (a second Enter)."""
    if custom_tactic_taken(journey_stage, query):
        return None
    matches = library_tactics(journey, journey_stage, query)
    return (matches[0], "") if matches else (None, query)
