"""Seeding the scale benchmark's world: 100 000 journeys through COPY and INSERT … SELECT."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

import _lib

WORDS_A = (
    "Bright",
    "Blue",
    "Golden",
    "Green",
    "Summit",
    "Harbor",
    "Maple",
    "Cedar",
    "Pioneer",
    "Liberty",
    "Evergreen",
    "Silver",
    "Northern",
    "Coastal",
    "Urban",
    "Prairie",
    "Redwood",
    "Lakeside",
    "Hilltop",
    "Riverside",
    "Sunrise",
    "Keystone",
    "Granite",
    "Copper",
    "Oak",
    "Willow",
    "Falcon",
    "Beacon",
    "Atlas",
    "Horizon",
    "Metro",
    "Valley",
    "Canyon",
    "Meadow",
    "Crest",
    "Orchard",
)
WORDS_B = (
    "Plumbing",
    "Dental",
    "Bakery",
    "Fitness",
    "Roofing",
    "Landscaping",
    "Accounting",
    "Realty",
    "Pet",
    "Care",
    "Auto",
    "Repair",
    "Coffee",
    "Yoga",
    "Tutoring",
    "Law",
    "Florist",
    "Catering",
    "Photography",
    "Salon",
    "Brewery",
    "Pharmacy",
    "Optics",
    "Hardware",
    "Cycles",
    "Print",
    "Studio",
    "Consulting",
    "Insurance",
    "Chiropractic",
)
# fmt: on
INDUSTRIES = (
    "Home services",
    "Health",
    "Food & drink",
    "Professional services",
    "Retail",
    "Fitness",
    "Real estate",
    "Automotive",
)
PERSONAS = ("Busy Parent", "Small-Business Owner", "First-Time Buyer", "Retiree", "Student")


# --- Fast inserts, generic over the models' current fields


def _field_defaults(model: Any, now: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:
            defaults[field.attname] = field.get_default()
    return defaults


def copy_rows(cur: Any, model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """COPY rows (dicts by attname, ids included) into the model's table; unspecified fields
    get the model's default."""
    from django.utils import timezone

    fields = [f for f in model._meta.concrete_fields]
    defaults = _field_defaults(model, timezone.now())
    columns = ", ".join(f'"{f.column}"' for f in fields)
    names = [f.attname for f in fields]
    n = 0
    with cur.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[k] if k in row else defaults[k] for k in names])
            n += 1
    return n


def insert_select(cur: Any, model: Any, exprs: dict[str, str], from_sql: str) -> int:
    """INSERT INTO model (…) SELECT <exprs or defaults> FROM …: server-side row generation."""
    from django.utils import timezone

    defaults = _field_defaults(model, timezone.now())
    columns, selects, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(f'"{field.column}"')
        if field.attname in exprs:
            selects.append(exprs[field.attname])
        else:
            selects.append("%s")
            params.append(defaults[field.attname])
    cur.execute(
        f'INSERT INTO "{model._meta.db_table}" ({", ".join(columns)}) '
        f"SELECT {', '.join(selects)} {from_sql}",
        params,
    )
    return cur.rowcount


def next_id(cur: Any, model: Any) -> int:
    cur.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
    return cur.fetchone()[0]


def fix_sequence(cur: Any, model: Any) -> None:
    table = model._meta.db_table
    cur.execute(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
        f'(SELECT MAX(id) FROM "{table}"))'
    )


@contextlib.contextmanager
def timed(label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    _lib.step(f"{label} ({time.perf_counter() - started:.1f} s)")


def seed(
    db_url: str,
    businesses: int,
    per_business: int,
    agency_id: int,
    owner_id: int,
    agencies: int = 1,
) -> None:
    """Bulk rows for the strategist's agency — or, with agencies > 1, round-robin over it and
    agencies-1 new ones (a multi-tenant spread; the strategist then sees 1/agencies of it)."""
    import psycopg
    from django.utils import timezone

    from cvj.models import Agency
    from journeys.models import Business, Journey, JourneyStage, Offer, Persona, StageTactic

    rng = random.Random(2026)
    now = timezone.now()
    total = businesses * per_business
    started = time.perf_counter()
    with psycopg.connect(db_url) as conn, conn.cursor() as cur:
        b0, p0, o0, j0 = (next_id(cur, m) for m in (Business, Persona, Offer, Journey))
        agency_ids = [agency_id]
        if agencies > 1:
            a0 = next_id(cur, Agency)
            copy_rows(
                cur,
                Agency,
                (
                    {"id": a0 + i, "name": f"Agency {i + 2}", "slug": f"bench-agency-{i + 2}"}
                    for i in range(agencies - 1)
                ),
            )
            fix_sequence(cur, Agency)
            agency_ids += [a0 + i for i in range(agencies - 1)]
            _lib.step(f"{agencies - 1:,} more agencies")
        with timed(f"{businesses:,} businesses"):
            copy_rows(
                cur,
                Business,
                (
                    {
                        "id": b0 + i,
                        "agency_id": agency_ids[i % len(agency_ids)],
                        "name": f"{rng.choice(WORDS_A)} {rng.choice(WORDS_B)} {i:05d}",
                        "industry": INDUSTRIES[i % len(INDUSTRIES)],
                        "kind": "b2b" if i % 3 == 0 else "b2c",
                    }
                    for i in range(businesses)
                ),
            )
        with timed(f"{businesses:,} personas and {businesses:,} core offers"):
            copy_rows(
                cur,
                Persona,
                (
                    {
                        "id": p0 + i,
                        "business_id": b0 + i,
                        "name": PERSONAS[i % len(PERSONAS)],
                        "pains": "Not enough time.",
                    }
                    for i in range(businesses)
                ),
            )
            copy_rows(
                cur,
                Offer,
                (
                    {
                        "id": o0 + i,
                        "business_id": b0 + i,
                        "name": "Core programme",
                        "kind": "core",
                        "price": 100 + i % 900,
                    }
                    for i in range(businesses)
                ),
            )
        with timed(f"{total:,} journeys"):
            year = 365 * 24 * 3600

            def journeys() -> Iterator[dict[str, Any]]:
                for i in range(total):
                    b = i // per_business
                    updated = now - timedelta(seconds=rng.randrange(year))
                    yield {
                        "id": j0 + i,
                        "business_id": b0 + b,
                        "persona_id": p0 + b,
                        "core_offer_id": o0 + b,
                        "title": f"{PERSONAS[b % len(PERSONAS)]} journey {i % per_business + 1}",
                        "status": ("draft", "in_session", "final")[i % 3],
                        "owner_id": owner_id,
                        "version": 1 + i % 7,
                        "created_at": updated,
                        "updated_at": updated,
                    }

            copy_rows(cur, Journey, journeys())
        with timed(f"{total * 8:,} journey stages (INSERT … SELECT)"):
            insert_select(
                cur,
                JourneyStage,
                {
                    "journey_id": "j.id",
                    "stage_id": "s.id",
                    "metric": "s.default_metric",
                    "updated_at": "j.updated_at",
                },
                f"FROM journeys_journey j CROSS JOIN stages_stage s WHERE j.id >= {int(j0)}",
            )
        with timed("stage tactics: one library tactic in 2–3 stages of 3 journeys out of 5"):
            n = insert_select(
                cur,
                StageTactic,
                {"journey_stage_id": "js.id", "tactic_id": "t.id", "position": "1"},
                "FROM journeys_journeystage js "
                "JOIN stages_stage s ON s.id = js.stage_id "
                "JOIN LATERAL (SELECT id FROM stages_tactic t WHERE t.stage_id = s.id "
                "AND t.agency_id IS NULL ORDER BY t.position, t.id LIMIT 1) t ON true "
                f"WHERE js.journey_id >= {int(j0)} AND js.journey_id %% 5 < 3 "
                "AND s.position <= 2 + js.journey_id %% 2",
            )
            _lib.step(f"  {n:,} stage tactics")
        for model in (Business, Persona, Offer, Journey, JourneyStage, StageTactic):
            fix_sequence(cur, model)
        conn.commit()
    with timed("VACUUM ANALYZE"), psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    _lib.step(f"seeded in {time.perf_counter() - started:.0f} s")


# --- Measuring
