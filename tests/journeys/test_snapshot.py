"""The snapshot as stored: JSON written by the hand-written serialiser before the pydantic
models (fixtures saved from its `to_json()` output, format 2) still loads, and dumps back the
same values (plus the fields added since, at their defaults)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from journeys.deliverable.snapshot import SNAPSHOT_FORMAT, JourneySnapshot, journey_snapshot
from tests.journeys import pdf_samples

FIXTURES = Path(__file__).parent / "fixtures"
STORED = ("snapshot_format2_demo.json", "snapshot_format2_stress.json")


def stored(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def _same_instant(raw: dict, dumped: dict) -> None:
    assert datetime.fromisoformat(dumped.pop("taken_at")) == datetime.fromisoformat(
        raw.pop("taken_at")
    )


def _kept(raw: object, dumped: object) -> object:
    """`dumped` cut down to the keys `raw` has (fields added later are not in old JSON)."""
    if isinstance(raw, dict) and isinstance(dumped, dict):
        return {key: _kept(value, dumped.get(key)) for key, value in raw.items()}
    if isinstance(raw, list) and isinstance(dumped, list):
        return [_kept(r, d) for r, d in zip(raw, dumped, strict=True)]
    return dumped


@pytest.mark.parametrize("name", STORED)
def test_a_snapshot_stored_by_the_old_serialiser_loads_and_dumps_back_the_same(name):
    raw = stored(name)
    snapshot = JourneySnapshot.model_validate(raw)
    dumped = snapshot.model_dump(mode="json")
    _same_instant(raw, dumped)
    assert dumped.pop("format") == SNAPSHOT_FORMAT
    raw.pop("format")
    assert _kept(raw, dumped) == raw
    assert JourneySnapshot.model_validate(snapshot.model_dump(mode="json")) == snapshot


def test_stored_values_load_with_their_types():
    snapshot = JourneySnapshot.model_validate(stored("snapshot_format2_demo.json"))
    assert snapshot.monthly_spend == Decimal("1500.00")
    assert isinstance(snapshot.stages[0].target_conversion, Decimal)
    assert snapshot.stages[0].tactics[0].monthly_budget == Decimal("150.00")
    assert isinstance(snapshot.priorities, tuple)
    assert snapshot.taken_at.tzinfo is not None


def test_a_format_one_snapshot_without_the_newer_fields_still_loads():
    raw = stored("snapshot_format2_demo.json")
    for key in ("format", "monthly_spend", "priorities", "questions", "summary", "paper_size"):
        raw.pop(key)
    for stage in raw["stages"]:
        for tactic in stage["tactics"]:
            for key in ("id", "owner_side", "start_date", "monthly_budget", "horizon", "status"):
                tactic.pop(key)
        for offer in stage["offers"]:
            offer.pop("billing_period")
    snapshot = JourneySnapshot.model_validate(raw)
    assert snapshot.monthly_spend == 0
    assert snapshot.questions == ()
    assert snapshot.paper_size == "A4"
    assert snapshot.tactics[0].monthly_budget is None


def test_a_snapshot_is_frozen():
    snapshot = pdf_samples.empty_snapshot()
    with pytest.raises(ValidationError):
        snapshot.title = "Changed"


def test_a_fresh_snapshot_round_trips(rich_journey):
    snapshot = journey_snapshot(rich_journey)
    assert JourneySnapshot.model_validate(snapshot.model_dump(mode="json")) == snapshot
    assert snapshot.model_dump(mode="json")["format"] == SNAPSHOT_FORMAT
