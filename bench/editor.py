"""Editor-page benchmark: SQL queries and server time of GET /journeys/<id>/ for a journey with
8 stages × 10 tactics and 8 stages × 40 tactics, in process on PostgreSQL.

    .venv/bin/python bench/editor.py [--requests 20] [--sizes 10,40]

Django's test Client drives the full middleware stack (sessions, auth, CSRF, CSP, HTMX) and
CaptureQueriesContext counts the queries; server time is the median of N requests after a
warm-up. Target (issue 7): ≤ 10 queries, the same for both sizes.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
from decimal import Decimal
from typing import Any

import _lib

DB_NAME = "cvj_bench_editor"
TARGET_QUERIES = 10


def build_journey(tactics_per_stage: int) -> int:
    """A full journey: every stage with a goal, metric, target, notes, `tactics_per_stage`
    tactics with notes (the stage's library tactics first, then custom ones) and its offers."""
    from django.contrib.auth import get_user_model

    from journeys import demo
    from journeys.models import STAGE_OFFER_KINDS, Journey
    from journeys.services import journey_create, offer_attach, tactic_add
    from stages.models import Channel, Tactic

    template = Journey.objects.select_related("business", "persona", "core_offer").get(
        title=demo.DEMO_JOURNEY["title"]
    )
    business = template.business
    journey = journey_create(
        business=business,
        persona=template.persona,
        core_offer=template.core_offer,
        title=f"Editor bench: 8 × {tactics_per_stage} tactics",
        owner=get_user_model().objects.get(username="strategist"),
    )
    channels = list(Channel.values)
    offers = list(business.offers.all())
    for entry in journey.stages.select_related("stage"):
        spec = demo.DEMO_JOURNEY["stages"][entry.stage.slug]
        entry.goal, entry.metric, entry.notes = spec["goal"], spec["metric"], spec["notes"]
        entry.target_conversion = Decimal(spec["target_conversion"])
        entry.save()
        library = list(Tactic.objects.filter(stage=entry.stage, agency=None)[:tactics_per_stage])
        for tactic in library:
            tactic_add(journey_stage=entry, tactic=tactic, notes=f"Notes for {tactic.name}.")
        for n in range(tactics_per_stage - len(library)):
            tactic_add(
                journey_stage=entry,
                custom_name=f"Custom {entry.stage.name} tactic {n + 1}",
                channel=channels[n % len(channels)],
                notes="A custom tactic the strategist typed in during the session.",
            )
        for offer in offers:
            if offer.kind in STAGE_OFFER_KINDS.get(entry.stage.slug, ()):
                offer_attach(journey_stage=entry, offer=offer)
    return journey.pk


def measure(client: Any, path: str, requests: int, warmup: int = 3) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status_code}")
    times, db_times, counts = [], [], []
    sample: list[dict[str, str]] = []
    size = 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: HTTP {response.status_code}")
        times.append(elapsed)
        counts.append(len(queries.captured_queries))
        db_times.append(sum(float(q["time"]) for q in queries.captured_queries))
        sample = list(queries.captured_queries)
        size = len(response.content)
    return {
        "path": path,
        "requests": requests,
        "queries": max(counts),
        "queries_min": min(counts),
        "median_ms": _lib.median(times) * 1000,
        "p90_ms": _lib.percentile(times, 90) * 1000,
        "min_ms": min(times) * 1000,
        "db_ms": _lib.median(db_times) * 1000,
        "bytes": size,
        "sql": [q["sql"] for q in sample],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20, help="measured requests (20)")
    parser.add_argument("--sizes", default="10,40", help="tactics per stage (10,40)")
    parser.add_argument("--show-sql", action="store_true", help="print every query")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    _lib.banner("Editor page: queries and server time (PostgreSQL, in process)")
    load_before = _lib.load_note("before")
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(_lib.temp_dir("cvj-bench-editor-"))
        db_url = stack.enter_context(_lib.pg_database(DB_NAME))
        # Development settings in process (no collectstatic manifest needed), DEBUG off.
        env = _lib.app_env(database_url=db_url, media_root=tmp / "media", production=False)
        _lib.setup_django(env)
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        call_command("migrate", verbosity=0, interactive=False)
        call_command("seed_demo", stdout=io.StringIO())
        journeys = {size: build_journey(size) for size in sizes}
        _lib.step("built journeys: " + ", ".join(f"8 × {s} tactics" for s in sizes))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        client = Client()
        client.force_login(get_user_model().objects.get(username="strategist"))
        results = {
            size: measure(client, f"/journeys/{pk}/", args.requests)
            for size, pk in journeys.items()
        }
        # The other stage panels (Ascend carries offers) for the largest journey.
        largest = max(sizes)
        panel = measure(client, f"/journeys/{journeys[largest]}/?stage=ascend", args.requests)

    rows = [
        [
            f"8 stages × {size} tactics",
            r["queries"],
            r["median_ms"],
            r["p90_ms"],
            r["db_ms"],
            f"{r['bytes'] / 1024:.0f} KiB",
        ]
        for size, r in results.items()
    ]
    rows.append(
        [
            f"  …?stage=ascend (8 × {largest})",
            panel["queries"],
            panel["median_ms"],
            panel["p90_ms"],
            panel["db_ms"],
            f"{panel['bytes'] / 1024:.0f} KiB",
        ]
    )
    print()
    print(f"  GET /journeys/<id>/ — median of {args.requests} after 3 warm-up requests")
    _lib.table(["journey", "queries", "median ms", "p90 ms", "SQL ms", "HTML"], rows)
    counts = {r["queries"] for r in results.values()} | {panel["queries"]}
    worst = max(counts)
    constant = len(counts) == 1 and all(r["queries"] == r["queries_min"] for r in results.values())
    if args.show_sql or worst > TARGET_QUERIES or not constant:
        print("  queries of the largest journey's page:")
        for n, sql in enumerate(results[largest]["sql"], 1):
            print(f"   {n:2}. {sql[:160]}")
        print()
    met = worst <= TARGET_QUERIES and constant
    print(
        "  "
        + _lib.verdict(
            met,
            f"{worst} queries, {'constant' if constant else 'NOT constant'} across sizes "
            f"vs target ≤ {TARGET_QUERIES}, constant",
        )
    )
    small, big = results[min(sizes)], results[largest]
    print(
        f"  server time grows {big['median_ms'] / small['median_ms']:.2f}× from "
        f"{min(sizes)} to {largest} tactics per stage (template rendering of the bigger rail and "
        "panel; the SQL is the same statements)"
    )
    _lib.save_results(
        "editor",
        {
            "results": {str(k): v for k, v in results.items()},
            "ascend_panel": panel,
            "target_queries": TARGET_QUERIES,
            "met": met,
            "load": {"before": load_before, "after": _lib.load_note("after")},
        },
    )


if __name__ == "__main__":
    main()
