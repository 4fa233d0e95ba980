"""Trigram indexes so `icontains` searches stay fast at 100 000 journeys (PostgreSQL only).

`icontains` compiles to UPPER(col) LIKE UPPER('%q%'), which a B-tree cannot serve; a GIN
trigram index on UPPER(col) can. SQLite (the embedded default) skips this migration's SQL.
"""

from django.db import migrations

INDEXES = (
    ("journeys_journey_title_trgm", "journeys_journey", "title"),
    ("journeys_business_name_trgm", "journeys_business", "name"),
    ("journeys_business_industry_trgm", "journeys_business", "industry"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("journeys", "0004_journey_template")]

    operations = [migrations.RunPython(create, drop)]
