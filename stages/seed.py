"""Idempotent seeding of the eight stages and the global tactic library.

Takes the model classes as arguments so the data migration can pass its historical models.
"""

from __future__ import annotations

from typing import Any

from .library import STAGES, TACTICS


def seed_stages_and_library(stage_model: Any, tactic_model: Any) -> tuple[int, int]:
    """Create missing stages and global tactics; return how many of each were created."""
    stages_created = 0
    by_slug = {}
    for row in STAGES:
        stage = stage_model.objects.filter(slug=row["slug"]).first()
        if stage is None:
            stage = stage_model(**row)
            # Bypass Stage.save's guard: historical models have no custom save anyway.
            stage.save()
            stages_created += 1
        by_slug[row["slug"]] = stage
    tactics_created = 0
    positions: dict[str, int] = {}
    for row in TACTICS:
        stage = by_slug[row["stage"]]
        positions[row["stage"]] = positions.get(row["stage"], 0) + 1
        _, created = tactic_model.objects.get_or_create(
            stage=stage,
            agency=None,
            name=row["name"],
            defaults={
                "description": row["description"],
                "channel": row["channel"],
                "commitment": row.get("commitment", ""),
                "audience": row.get("audience", "any"),
                "position": positions[row["stage"]],
            },
        )
        tactics_created += int(created)
    return stages_created, tactics_created
