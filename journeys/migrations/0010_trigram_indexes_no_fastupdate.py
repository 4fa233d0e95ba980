"""Trigram indexes write through (fastupdate off), so no save pays for a pending-list flush.

Every autosave bumps the journey row's version and `updated_at`; `updated_at` is indexed, so
the update is never HOT and every index of the row takes a new entry — the title's GIN trigram
index included. With GIN's default fastupdate those entries queue in a pending list that the
next writer past `gin_pending_list_limit` (4 MB) merges into the index, stalling that save for
up to a second (seen as ~1 s outliers in bench/autosave.py). Writing through costs each save a
few trigram insertions instead. PostgreSQL only.
"""

from django.db import migrations

INDEXES = (
    "journeys_journey_title_trgm",
    "journeys_business_name_trgm",
    "journeys_business_industry_trgm",
)


def write_through(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = off)")


def pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("journeys", "0009_live_links_questions")]

    operations = [migrations.RunPython(write_through, pending_list)]
