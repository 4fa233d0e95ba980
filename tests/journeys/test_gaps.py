from __future__ import annotations

from decimal import Decimal

import pytest

from journeys.deliverable.gaps import journey_gaps
from journeys.deliverable.snapshot import journey_snapshot
from journeys.services import offer_attach, tactic_add
from stages.models import Tactic
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def rules(journey) -> set[str]:
    return {gap.rule for gap in journey_gaps(journey_snapshot(journey))}


def stage(journey, slug):
    return journey.stages.select_related("stage").get(stage__slug=slug)


@pytest.fixture
def healthy(journey):
    """Every stage has a fitting tactic and every offer slot is filled: no gaps."""
    business = journey.business
    for entry in journey.stages.select_related("stage"):
        tactic = Tactic.objects.filter(stage=entry.stage, agency__isnull=True).first()
        tactic_add(journey_stage=entry, tactic=tactic)
    tactic_add(journey_stage=stage(journey, "excite"), custom_name="Welcome email sequence")
    offer_attach(
        journey_stage=stage(journey, "subscribe"),
        offer=OfferFactory(business=business, kind="lead_magnet", price=0),
    )
    offer_attach(
        journey_stage=stage(journey, "convert"),
        offer=OfferFactory(business=business, kind="entry_point", price=19),
    )
    offer_attach(journey_stage=stage(journey, "ascend"), offer=journey.core_offer)
    return journey


def test_a_complete_journey_has_no_gaps(healthy):
    assert journey_gaps(journey_snapshot(healthy)) == []


def test_an_empty_journey_reports_every_stage_and_missing_offer(journey):
    gaps = journey_gaps(journey_snapshot(journey))
    found = {g.rule for g in gaps}
    assert {"empty_stage", "no_lead_magnet", "no_entry_point", "no_ascension"} <= found
    assert {"no_advocate", "no_promote"} <= found
    assert sum(g.rule == "empty_stage" for g in gaps) == 8
    assert gaps[0].severity == "critical"  # most severe first


def test_entry_offer_priced_at_the_core_price_is_flagged(healthy):
    entry = stage(healthy, "convert").offers.get().offer
    entry.price = healthy.core_offer.price
    entry.save()
    assert "entry_not_below_core" in rules(healthy)


def test_core_offer_pitched_at_aware_is_flagged(healthy):
    aware = stage(healthy, "aware")
    aware.goal = f"Sell the {healthy.core_offer.name} to everyone who sees us"
    aware.save()
    assert "core_too_early" in rules(healthy)


def test_excite_without_follow_up_is_a_tip(healthy):
    excite = stage(healthy, "excite")
    excite.tactics.all().delete()
    tactic_add(journey_stage=excite, custom_name="Branded tote bag")
    assert "excite_no_follow_up" in rules(healthy)


def test_excite_follow_up_rule_ignores_custom_names_on_a_follow_up_channel(healthy):
    """Twelve custom Excite tactics named the client's way, sent by email: a follow-up."""
    excite = stage(healthy, "excite")
    excite.tactics.all().delete()
    for n in range(12):
        tactic_add(journey_stage=excite, custom_name=f"Acme moment {n}", channel="email")
    assert "excite_no_follow_up" not in rules(healthy)


def test_excite_follow_up_flag_counts_whatever_the_name(healthy):
    excite = stage(healthy, "excite")
    excite.tactics.all().delete()
    tactic, _ = tactic_add(journey_stage=excite, custom_name="Le petit mot", channel="social")
    assert "excite_no_follow_up" in rules(healthy)
    tactic.is_follow_up = True
    tactic.save()
    assert "excite_no_follow_up" not in rules(healthy)


def test_a_library_excite_tactic_is_a_follow_up(healthy):
    excite = stage(healthy, "excite")
    excite.tactics.all().delete()
    library = Tactic.objects.filter(stage=excite.stage, agency__isnull=True).last()
    tactic_add(journey_stage=excite, tactic=library)
    assert "excite_no_follow_up" not in rules(healthy)


def test_persona_without_pains_or_awareness_is_flagged(healthy):
    persona = healthy.persona
    persona.pains, persona.awareness_level = "", ""
    persona.save()
    assert {"persona_no_pains", "persona_no_awareness"} <= rules(healthy)


def test_gap_messages_and_fixes_are_plain_language(journey):
    for gap in journey_gaps(journey_snapshot(journey)):
        assert gap.message.endswith((".", "!")) and gap.fix
        assert gap.severity in {"critical", "warning", "tip"}


def test_prices_do_not_need_to_be_integers(healthy):
    entry = stage(healthy, "convert").offers.get().offer
    entry.price = Decimal("128.99")
    healthy.core_offer.price = Decimal("129.00")
    healthy.core_offer.save()
    entry.save()
    assert "entry_not_below_core" not in rules(healthy)


def test_engage_content_must_fit_the_awareness_level(healthy):
    engage = stage(healthy, "engage")
    engage.tactics.all().delete()
    tactic_add(journey_stage=engage, custom_name="Competitor comparison page", channel="sales")
    persona = healthy.persona
    persona.awareness_level = "unaware"
    persona.save()
    gaps = [g for g in journey_gaps(journey_snapshot(healthy)) if g.stage == "engage"]
    assert [g.rule for g in gaps] == ["engage_awareness_mismatch"]
    assert "entertain" in gaps[0].fix
    persona.awareness_level = "product_aware"  # comparisons are right for them
    persona.save()
    assert "engage_awareness_mismatch" not in rules(healthy)


def test_empty_stage_suggestions_fit_kind_and_awareness(journey):
    from journeys.suggestions import tactic_suggestions

    journey.business.kind = "b2b"
    journey.business.save()
    journey.persona.awareness_level = "unaware"
    journey.persona.save()
    aware = stage(journey, "aware")
    suggested = tactic_suggestions(journey=journey, journey_stage=aware)
    assert 0 < len(suggested) <= 5
    assert all(t.stage_id == aware.stage_id and t.audience in ("any", "b2b") for t in suggested)
    assert suggested[0].channel in ("social", "paid", "events", "content", "partners")
