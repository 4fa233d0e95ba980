"""Read-side queries for the editor: one fixed set of queries however big the journey is."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from .models import STAGE_OFFER_KINDS, Journey, JourneyStage, Offer, StageOffer, StageTactic


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
    def completeness(self) -> int:
        """Percent of the stage's parts that are filled in, for the progress meter."""
        parts = [
            bool(self.entry.goal.strip()),
            bool(self.entry.metric.strip()),
            self.entry.target_conversion is not None,
            bool(self.tactics),
        ]
        if self.offer_kinds:
            parts.append(bool(self.offers))
        return round(100 * sum(parts) / len(parts))


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
