"""Scale benchmark: the dashboard, client search and tactic-library pages on an (almost) empty
database and on one with 100 000 journeys over 10 000 businesses — 800 000 stage rows.

    .venv/bin/python bench/scale.py [--businesses 10000] [--journeys-per-business 10]
                                    [--agencies 1] [--requests 20] [--try-fixes]

By default one agency owns everything (the worst case for its strategists' dashboard);
--agencies N spreads the businesses over N agencies. Rows go in with
PostgreSQL COPY and INSERT … SELECT, columns and defaults taken from the models, so added
fields keep working. Each page: median server time of N requests (Django test Client, full
middleware) after 3 warm-up requests, EMPTY (seed_demo: one agency, one journey) vs FULL.
Target (issue 7): FULL ≤ 2× EMPTY. For a page that misses, the slowest query is EXPLAINed.
`--try-fixes` then adds candidate indexes to the throwaway database (never to the app) and
measures again, to show what an app change would buy.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import time
from typing import Any

import _lib
from _scale_world import seed

DB_NAME = "cvj_bench_scale"
TARGET_RATIO = 2.0


# fmt: off
def pages(journey_id: int) -> dict[str, str]:
    return {
        "dashboard /": "/",
        "dashboard /?q=Acme": "/?q=Acme",
        "clients /clients/?q=Acme": "/clients/?q=Acme",
        "clients /clients/": "/clients/",
        "library …/aware/library/?q=review": (
            f"/journeys/{journey_id}/stages/aware/library/?q=review"
        ),
    }


def measure(
    client: Any, path: str, requests: int, *, budget: float, warmup: int = 3
) -> dict[str, Any]:
    """Median of `requests` timed GETs after `warmup`; a page slower than the time budget
    allows gets fewer (at least 5), so the run stays bounded — the count is reported."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        if (status := client.get(path).status_code) != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}")
    times: list[float] = []
    captured: list[dict[str, str]] = []
    spent = 0.0
    while len(times) < requests and (len(times) < 5 or spent < budget):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(path)
            elapsed = time.perf_counter() - started
        times.append(elapsed)
        spent += elapsed
        captured = list(queries.captured_queries)
    return {
        "median_ms": _lib.median(times) * 1000,
        "min_ms": min(times) * 1000,
        "n": len(times),
        "queries": len(captured),
        "sql": captured,
    }


def measure_all(
    client: Any, journey_id: int, requests: int, budget: float
) -> dict[str, dict[str, Any]]:
    return {
        name: measure(client, path, requests, budget=budget)
        for name, path in pages(journey_id).items()
    }


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def diagnose(plan: str, sql: str) -> list[str]:
    """Plain-language reading of a slow query's plan, and the change that would fix it."""
    notes = []
    upper = sql.upper()
    is_count = upper.startswith("SELECT COUNT(*) FROM (")
    if "LIKE UPPER(" in upper:
        note = (
            "icontains is UPPER(col) LIKE UPPER('%…%'): no B-tree serves a leading wildcard, so "
            "every row is read. Fix: pg_trgm GIN indexes on the searched expressions, e.g. "
            "Meta.indexes += [GinIndex(OpClass(Upper('title'), name='gin_trgm_ops'), "
            "name='journey_title_trgm')], same for Business.name/industry, with "
            "TrigramExtension() in the migration."
        )
        if re.search(r"Join Filter: .*~~", plan):
            note += (
                " Here the OR spans two tables (journey title OR business name), evaluated "
                "as a join filter after joining all journeys: an index cannot help until the "
                "business half becomes its own indexed lookup, e.g. Q(title__icontains=q) | "
                "Q(business_id__in=Business.objects.filter(name__icontains=q)…values('id'))."
            )
        notes.append(note)
    if is_count and "GROUP BY" in upper:
        notes.append(
            "This is the paginator's COUNT over the *annotated* queryset: a GROUP BY that "
            "joins every journey to its 8 stages and their tactics just to count journeys. "
            "Fix in the view: count the plain queryset (journeys_for(user) with the search "
            "filter), and annotate only the 24 journeys of the page."
        )
    elif "GROUP BY" in upper and " LIMIT " in upper:
        notes.append(
            "The page query aggregates (GROUP BY) over every matching row — joining all "
            "journeys to their stages and tactics — before ORDER BY … LIMIT 24 can apply, so "
            "the (-updated_at) / (agency, name) indexes cannot stop early. Fix: take the page "
            "from the plain, indexed queryset, then compute the per-row counts for those 24 "
            "ids only (a Subquery/Count filtered on the page's ids, or one grouped query)."
        )
    return notes


def try_fixes() -> list[str]:
    """Candidate indexes, on the throwaway database only (never in the app's migrations)."""
    from django.db import connection

    statements = [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX bench_journey_title_trgm ON journeys_journey "
        'USING gin (UPPER("title"::text) gin_trgm_ops)',
        "CREATE INDEX bench_business_name_trgm ON journeys_business "
        'USING gin (UPPER("name"::text) gin_trgm_ops)',
        "CREATE INDEX bench_business_industry_trgm ON journeys_business "
        'USING gin (UPPER("industry"::text) gin_trgm_ops)',
        "ANALYZE",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    return statements


def proposed_shapes(user: Any) -> dict[str, Any]:
    """The query shapes the diagnosis proposes, timed here (bench only, no app change): take
    the page from the plain indexed queryset, then count stages/journeys for its 24 rows."""
    from django.core.paginator import Paginator
    from django.db.models import Count, Q

    from journeys.access import businesses_for, journeys_for
    from journeys.models import Journey, JourneyStage

    def dashboard(query: str) -> int:
        journeys = (
            journeys_for(user)
            .select_related("business", "persona", "core_offer")
            .order_by("-updated_at")
        )
        if query:
            business_ids = list(
                businesses_for(user)
                .filter(name__icontains=query)
                .values_list("id", flat=True)[:1000]
            )
            journeys = journeys.filter(Q(title__icontains=query) | Q(business_id__in=business_ids))
        page = Paginator(journeys, 24).get_page(1)
        ids = [j.pk for j in page.object_list]
        filled = dict(
            JourneyStage.objects.filter(
                journey_id__in=ids, tactics__isnull=False, tactics__removed_at__isnull=True
            )
            .values("journey_id")
            .annotate(n=Count("id", distinct=True))
            .values_list("journey_id", "n")
        )
        return page.paginator.count + len(filled)

    def clients(query: str) -> int:
        businesses = businesses_for(user).order_by("name")
        if query:
            businesses = businesses.filter(Q(name__icontains=query) | Q(industry__icontains=query))
        page = Paginator(businesses, 24).get_page(1)
        ids = [b.pk for b in page.object_list]
        counts = dict(
            Journey.objects.filter(business_id__in=ids)
            .values("business_id")
            .annotate(n=Count("id"))
            .values_list("business_id", "n")
        )
        return page.paginator.count + len(counts)

    shapes = {
        "dashboard /": lambda: dashboard(""),
        "dashboard /?q=Acme": lambda: dashboard("Acme"),
        "clients /clients/?q=Acme": lambda: clients("Acme"),
        "clients /clients/": lambda: clients(""),
    }
    timings = {}
    for name, run in shapes.items():
        run()
        samples = []
        for _ in range(7):
            started = time.perf_counter()
            run()
            samples.append(time.perf_counter() - started)
        timings[name] = _lib.median(samples) * 1000
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--businesses", type=int, default=10_000)
    parser.add_argument("--journeys-per-business", type=int, default=10)
    parser.add_argument(
        "--agencies",
        type=int,
        default=1,
        help="spread the businesses over this many agencies (1: all in the strategist's)",
    )
    parser.add_argument("--requests", type=int, default=20, help="measured requests (20)")
    parser.add_argument(
        "--budget", type=float, default=12.0, help="seconds per page before stopping early (12)"
    )
    parser.add_argument(
        "--try-fixes", action="store_true", help="add trigram indexes and measure again"
    )
    args = parser.parse_args()

    _lib.banner("Scale: empty database vs 100k journeys (PostgreSQL, in process)")
    load_before = _lib.load_note("before")
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(_lib.temp_dir("cvj-bench-scale-"))
        db_url = stack.enter_context(_lib.pg_database(DB_NAME))
        env = _lib.app_env(database_url=db_url, media_root=tmp / "media", production=False)
        _lib.setup_django(env)
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connections
        from django.test import Client

        from journeys import demo
        from journeys.models import Journey

        call_command("migrate", verbosity=0, interactive=False)
        call_command("seed_demo", stdout=io.StringIO())
        with connections["default"].cursor() as cursor:
            cursor.execute("ANALYZE")
        user = get_user_model().objects.get(username="strategist")
        journey = Journey.objects.select_related("business").get(title=demo.DEMO_JOURNEY["title"])
        client = Client()
        client.force_login(user)
        _lib.step("EMPTY: one agency, one client, one journey — measuring")
        empty = measure_all(client, journey.pk, args.requests, args.budget)
        connections.close_all()

        seed(
            db_url,
            args.businesses,
            args.journeys_per_business,
            journey.business.agency_id,
            user.pk,
            agencies=args.agencies,
        )
        visible = Journey.objects.filter(business__agency_id=journey.business.agency_id).count()
        _lib.step(
            f"FULL: {Journey.objects.count():,} journeys, {visible:,} of them in the "
            "strategist's agency — measuring"
        )
        full = measure_all(client, journey.pk, args.requests, args.budget)
        report = report_pages(empty, full)
        fixed: dict[str, dict[str, Any]] = {}
        shapes: dict[str, float] = {}
        if args.try_fixes:
            _lib.step("--try-fixes: adding pg_trgm indexes to the throwaway database")
            statements = try_fixes()
            fixed = measure_all(client, journey.pk, args.requests, args.budget)
            print()
            print("  with trigram indexes (bench database only):")
            for sql in statements[1:-1]:
                print(f"    {sql}")
            _lib.table(
                ["page", "EMPTY ms", "FULL ms", "FULL+idx ms", "ratio"],
                [
                    [
                        name,
                        empty[name]["median_ms"],
                        full[name]["median_ms"],
                        fixed[name]["median_ms"],
                        f"{fixed[name]['median_ms'] / empty[name]['median_ms']:.2f}×",
                    ]
                    for name in empty
                ],
            )
            shapes = proposed_shapes(user)
            print("  proposed view queries (page from the plain queryset, counts for its rows),")
            print(
                "  timed alone in the bench with the trigram indexes — vs the current views' SQL:"
            )
            _lib.table(
                ["page", "current SQL ms", "proposed ms"],
                [
                    [
                        name,
                        sum(float(q["time"]) for q in full[name]["sql"]) * 1000,
                        ms,
                    ]
                    for name, ms in shapes.items()
                ],
            )
        connections.close_all()

    _lib.save_results(
        "scale",
        {
            "businesses": args.businesses,
            "agencies": args.agencies,
            "journeys": args.businesses * args.journeys_per_business,
            "pages": report,
            "with_trigram_indexes": {k: v["median_ms"] for k, v in fixed.items()},
            "proposed_shapes_ms": shapes,
            "target_ratio": TARGET_RATIO,
            "load": {"before": load_before, "after": _lib.load_note("after")},
        },
    )


def report_pages(
    empty: dict[str, dict[str, Any]], full: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    rows, report = [], {}
    for name in empty:
        e, f = empty[name], full[name]
        ratio = f["median_ms"] / e["median_ms"]
        met = ratio <= TARGET_RATIO
        report[name] = {
            "empty_ms": e["median_ms"],
            "full_ms": f["median_ms"],
            "ratio": ratio,
            "queries_empty": e["queries"],
            "queries_full": f["queries"],
            "requests": [e["n"], f["n"]],
            "met": met,
        }
        rows.append(
            [
                name,
                e["median_ms"],
                f["median_ms"],
                f"{ratio:.2f}×",
                f"{e['queries']}/{f['queries']}",
                f"{e['n']}/{f['n']}",
                "met" if met else "MISSED",
            ]
        )
    print()
    print("  median server time, ms (queries EMPTY/FULL)")
    _lib.table(["page", "EMPTY ms", "FULL ms", "ratio", "queries", "requests", "≤ 2×"], rows)
    for name, row in report.items():
        if row["met"]:
            continue
        queries = sorted(full[name]["sql"], key=lambda q: float(q["time"]), reverse=True)
        print(f"  {name}: {row['ratio']:.1f}× — its {len(queries)} queries, slowest first:")
        for q in queries:
            print(f"    {float(q['time']) * 1000:8.1f} ms  {q['sql'][:110]}")
        row["slow_queries"] = []
        for q in queries[:2]:
            if float(q["time"]) * 1000 < 10 and q is not queries[0]:
                break
            plan = explain(q["sql"])
            notes = diagnose(plan, q["sql"])
            row["slow_queries"].append(
                {"ms": float(q["time"]) * 1000, "sql": q["sql"], "plan": plan, "notes": notes}
            )
            print(f"    EXPLAIN (ANALYZE, BUFFERS) of the {float(q['time']) * 1000:.0f} ms query:")
            print(f"      {q['sql'][:600]}")
            for line in plan.splitlines()[:24]:
                print(f"        {line}")
            for note in notes:
                print(f"      → {note}")
        print()
    return report


if __name__ == "__main__":
    main()
