"""What changed between two snapshots of a journey, stage by stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TEXT_FIELDS = (
    ("goal", "Goal"),
    ("metric", "Metric"),
    ("target_conversion", "Target %"),
    ("notes", "Notes"),
)


@dataclass
class StageChange:
    slug: str
    name: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # label, before, after
    tactics_added: list[str] = field(default_factory=list)
    tactics_removed: list[str] = field(default_factory=list)
    offers_added: list[str] = field(default_factory=list)
    offers_removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.fields
            or self.tactics_added
            or self.tactics_removed
            or self.offers_added
            or self.offers_removed
        )


def _names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]


def snapshot_diff(before: dict[str, Any], after: dict[str, Any]) -> list[StageChange]:
    """Per-stage changes from `before` to `after` (snapshot JSON, as stored on versions)."""
    old_stages = {s["slug"]: s for s in before.get("stages", [])}
    changes = []
    for new in after.get("stages", []):
        old = old_stages.get(new["slug"], {"tactics": [], "offers": []})
        change = StageChange(slug=new["slug"], name=new["name"])
        for key, label in TEXT_FIELDS:
            was, now = old.get(key) or "", new.get(key) or ""
            if str(was) != str(now):
                change.fields.append((label, str(was), str(now)))
        old_tactics, new_tactics = _names(old["tactics"]), _names(new["tactics"])
        change.tactics_added = [t for t in new_tactics if t not in old_tactics]
        change.tactics_removed = [t for t in old_tactics if t not in new_tactics]
        old_offers, new_offers = _names(old["offers"]), _names(new["offers"])
        change.offers_added = [o for o in new_offers if o not in old_offers]
        change.offers_removed = [o for o in old_offers if o not in new_offers]
        changes.append(change)
    return changes
