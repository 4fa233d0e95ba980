from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from stages import library
from stages.models import STAGE_SLUGS, Stage, Tactic
from tests.conftest import _seed_migration

pytestmark = pytest.mark.django_db


def test_the_eight_stages_exist_in_order():
    assert list(Stage.objects.values_list("slug", flat=True)) == list(STAGE_SLUGS)
    assert list(Stage.objects.values_list("position", flat=True)) == list(range(1, 9))
    assert [s.name for s in Stage.objects.all()] == [
        "Aware", "Engage", "Subscribe", "Convert", "Excite", "Ascend", "Advocate", "Promote",
    ]  # fmt: skip


def test_stages_cannot_be_deleted_one_by_one_or_in_bulk():
    with pytest.raises(ValidationError):
        Stage.objects.get(slug="aware").delete()
    with pytest.raises(ValidationError):
        Stage.objects.all().delete()
    assert Stage.objects.count() == 8


def test_stages_cannot_be_reordered_or_added():
    aware = Stage.objects.get(slug="aware")
    aware.position = 8
    with pytest.raises(ValidationError):
        aware.save()
    with pytest.raises(ValidationError):
        Stage.objects.create(position=9, slug="extra", name="Extra", default_metric="x")


def test_stage_help_text_can_still_be_polished():
    stage = Stage.objects.get(slug="engage")
    stage.analogy = "A longer conversation."
    stage.save()
    stage.refresh_from_db()
    assert stage.analogy == "A longer conversation."


def test_global_library_has_at_least_eight_described_tactics_per_stage():
    for stage in Stage.objects.all():
        tactics = Tactic.objects.filter(stage=stage, agency__isnull=True)
        assert tactics.count() >= 8, stage.slug
        assert all(t.description.strip() for t in tactics)


def test_convert_tactics_say_whether_they_ask_for_money_or_time():
    convert = Tactic.objects.filter(stage__slug="convert", agency__isnull=True)
    assert set(convert.values_list("commitment", flat=True)) == {"money", "time"}
    others = Tactic.objects.exclude(stage__slug="convert")
    assert set(others.values_list("commitment", flat=True)) == {""}


def test_commitment_outside_convert_is_rejected():
    tactic = Tactic(
        stage=Stage.objects.get(slug="aware"), name="X", channel="social", commitment="money"
    )
    with pytest.raises(ValidationError) as error:
        tactic.full_clean()
    assert "commitment" in error.value.message_dict


def test_the_migrated_rows_are_the_library_module_today():
    """stages/library.py is the source for new data migrations: a change there without one
    (stages/0004_…) fails here, instead of silently differing between old and new databases."""
    frozen = _seed_migration()
    assert [dict(row) for row in library.STAGES] == frozen.STAGES
    assert library.TACTICS == frozen.TACTICS
    stage_fields = [f for f in library.STAGES[0]]
    assert [
        {f: getattr(stage, f) for f in stage_fields} for stage in Stage.objects.order_by("position")
    ] == library.STAGES
    rows = Tactic.objects.filter(agency__isnull=True).select_related("stage")
    assert {(t.stage.slug, t.name, t.description, t.channel) for t in rows} == {
        (t["stage"], t["name"], t["description"], t["channel"]) for t in library.TACTICS
    }


def test_the_seed_migration_does_not_import_todays_library():
    tree = ast.parse(Path(_seed_migration().__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert imported == {"django.db"}
