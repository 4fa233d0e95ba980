"""Plain helpers and constants shared by the set-up view tests (test_setup_*.py)."""

from __future__ import annotations


def _persona_post(prefix: str, **values: str) -> dict[str, str]:
    fields = {"name": "Busy Parent", "role": "Homeowner", "awareness_level": "problem_aware"}
    fields.update(values)
    return {f"{prefix}-{key}": value for key, value in fields.items()}


def _offer_post(prefix: str, **values: str) -> dict[str, str]:
    fields = {"name": "Free checklist", "kind": "lead_magnet", "price": "0", "currency": "USD"}
    fields.update(values)
    return {f"{prefix}-{key}": value for key, value in fields.items()}
