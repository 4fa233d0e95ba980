"""Autosave benchmark: the per-field autosave endpoint against the bare /ping view, same server,
same run — gunicorn (sync workers) on PostgreSQL, loaded from separate processes.

    .venv/bin/python bench/autosave.py [--duration 15] [--latency-duration 20]

(a) capacity: wrk, 50 connections, no think time: saves/s (only 200 "saved" responses count)
    against /ping requests/s. Target: ≥ 30 %.
(b) latency at a realistic pace: 200 simulated strategists each saving every 2 s (≈ 100/s),
    open loop (bench/loadgen.py): p50/p95/p99 against /ping at the same rate. Target: p95 ≤ 2×.
(c) the same saves over the live socket (issue 23): each of --servers, one process a core, one
    socket per simulated strategist on its own journey (bench/_socket_load.py); capacity (600
    sockets, each saving again once acknowledged, at most 4.5 a second — the socket's limit is 5
    frames a second) and latency at ≈ 100/s, side by side with /ping and the HTTP autosave of
    the same run. Targets:
    ≥ 30 % of /ping's rate; p95 ≤ 2× /ping's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import time
from typing import Any

import _lib

DB_NAME = "cvj_bench_autosave"
TARGET_CAPACITY_RATIO = 0.30
TARGET_P95_RATIO = 2.0


def create_journeys(count: int) -> list[int]:
    """`count` journeys for the demo business, one per simulated strategist (so nobody's saves
    conflict with anybody else's, and no two of them queue on one journey row's lock)."""
    from django.contrib.auth import get_user_model
    from django.db import connections

    from journeys import demo
    from journeys.models import Journey
    from journeys.services import journey_create

    template = Journey.objects.select_related("business", "persona", "core_offer").get(
        title=demo.DEMO_JOURNEY["title"]
    )
    owner = get_user_model().objects.get(username="strategist")
    ids = [
        journey_create(
            business=template.business,
            persona=template.persona,
            core_offer=template.core_offer,
            title=f"Bench journey {n:03d}",
            owner=owner,
        ).pk
        for n in range(count)
    ]
    connections.close_all()
    return ids


def drain(base: str) -> None:
    """Wait for the requests wrk left queued in gunicorn's backlog when it stopped: they are
    still served after wrk exits, and would otherwise land after the next reset. Sync workers
    take connections in order, so once a few sequential pings come back fast, it is empty."""
    deadline = time.monotonic() + 30
    fast = 0
    while fast < 3 and time.monotonic() < deadline:
        started = time.perf_counter()
        _lib.http_get(base, "/ping")
        fast = fast + 1 if time.perf_counter() - started < 0.1 else 0
    time.sleep(0.5)


def reset_goals(ids: list[int]) -> None:
    """Every run starts from an empty Aware goal, so the first `base` ("") matches."""
    from django.db import connections

    from journeys.models import JourneyStage

    JourneyStage.objects.filter(journey_id__in=ids, stage__slug="aware").update(goal="")
    connections.close_all()


def autosave_queries(journey_id: int) -> list[str]:
    """The SQL one save runs (in process, test Client, same database) — what each request
    costs beyond the bare view."""
    from django.contrib.auth import get_user_model
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username="strategist"))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/journeys/{journey_id}/autosave/",
            {"target": "stage:aware", "field": "notes", "value": "query count", "base": ""},
            headers={"X-CVJ-Autosave": "1"},
        )
    if response.status_code != 200:
        raise RuntimeError(f"in-process autosave: HTTP {response.status_code}")
    sql = [q["sql"] for q in queries.captured_queries]
    connections.close_all()
    return sql


def wrk(
    base: str,
    path: str,
    *,
    threads: int,
    connections: int,
    duration: int,
    script: str,
    script_args: list[str] | None = None,
) -> dict[str, float]:
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(_lib.BENCH / "wrk" / script),
        base + path,
    ]
    if script_args:
        argv += ["--", *script_args]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    drain(base)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("CVJ_WRK ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    data = {k: float(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
    seconds = data["duration_us"] / 1e6
    data["seconds"] = seconds
    data["rps"] = data["requests"] / seconds
    data["non2xx"] = data["status"]
    data["socket_errors"] = data["connect"] + data["read"] + data["write"] + data["timeout"]
    if "saved" in data:
        data["saves_per_s"] = data["saved"] / seconds
    return data


def loadgen(base: str, mode: str, args: argparse.Namespace, **extra: str) -> dict[str, Any]:
    argv = [
        sys.executable,
        str(_lib.BENCH / "loadgen.py"),
        "--base",
        base,
        "--mode",
        mode,
        "--users",
        str(args.users),
        "--interval",
        str(args.interval),
        "--duration",
        str(args.latency_duration),
    ]
    for key, value in extra.items():
        argv += [f"--{key}", value]
    result = subprocess.run(
        argv, capture_output=True, text=True, timeout=args.latency_duration + 120
    )
    if result.returncode != 0:
        raise RuntimeError(f"loadgen failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers (5)")
    parser.add_argument(
        "--asgi-processes", type=int, default=2, help="ASGI processes for the socket path (2)"
    )
    parser.add_argument(
        "--servers",
        default=f"{_lib.SERVED},daphne",
        help="ASGI servers for (c)'s socket path, compared in the one run (default: the "
        f"served one and daphne; any of {', '.join(_lib.ASGI_SERVERS)})",
    )
    parser.add_argument("--connections", type=int, default=50, help="wrk connections (50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--duration", type=int, default=15, help="wrk seconds per run (15)")
    parser.add_argument("--warmup", type=int, default=3, help="wrk warm-up seconds (3)")
    parser.add_argument("--users", type=int, default=200, help="simulated strategists (200)")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between saves (2)")
    parser.add_argument(
        "--capacity-sockets",
        type=int,
        default=600,
        help="sockets offering saves in (c)'s capacity run, 4.5/s each (600: 2,700 saves/s "
        "offered; 200 could not offer 30 %% of /ping)",
    )
    parser.add_argument("--latency-duration", type=float, default=20.0, help="seconds (20)")
    parser.add_argument(
        "--no-sync-commit",
        action="store_true",
        help="diagnostic: synchronous_commit=off on the bench database (shows the fsync share; "
        "never for production — a crash could lose the last saves)",
    )
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="no throwaway redis-server: sessions in the database (the embedded default), one "
        "more statement a save",
    )
    args = parser.parse_args()

    _lib.run_setup()
    _lib.banner("Autosave vs the bare /ping view (gunicorn + PostgreSQL)")
    load_before = _lib.load_note("before")
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(_lib.temp_dir("cvj-bench-autosave-"))
        db_url = stack.enter_context(_lib.pg_database(DB_NAME))
        # Production runs with Redis: the broker takes
        # the debounced PDF pre-renders (no worker here: they just wait in the queue).
        redis_url = "" if args.no_redis else stack.enter_context(_lib.redis_server(tmp))
        env = _lib.app_env(
            database_url=db_url, media_root=tmp / "media", redis_url=redis_url, production=True
        )
        _lib.manage(env, "migrate", "--no-input")
        _lib.manage(env, "seed_demo")
        if args.no_sync_commit:
            _lib.pg_admin(f'ALTER DATABASE "{DB_NAME}" SET synchronous_commit = off')
            _lib.step("diagnostic: synchronous_commit = off for this database")
        _lib.setup_django(env)
        journeys = max(args.users, args.threads * args.connections * 2, args.capacity_sockets)
        ids = create_journeys(journeys)
        _lib.step(f"migrated, seeded the demo and {len(ids)} journeys (one per strategist)")
        base = stack.enter_context(_lib.gunicorn(env, tmp, workers=args.workers))
        session = _lib.http_login(base, "strategist")
        _lib.step("signed in as strategist through /login/")
        results = run(args, base, session, ids)
        if redis_url:  # the socket path needs the channel layer
            results["socket"] = run_socket(args, env, tmp, session, ids, results)
        sql = autosave_queries(ids[0])
        results["queries_per_save"] = sql
        print(f"  one save runs {len(sql)} SQL statements (in process, same database):")
        for n, statement in enumerate(sql, 1):
            print(f"    {n:2}. {statement[:110]}")
    results["load"] = {"before": load_before, "after": _lib.load_note("after")}
    _lib.save_results("autosave", results)


def run(args: argparse.Namespace, base: str, session: _lib.Session, ids: list[int]) -> dict:
    id_list = ",".join(map(str, ids))
    # Sanity: one save through the same path the load uses.
    from urllib.parse import urlencode

    probe = _lib.http_request(
        base,
        "POST",
        f"/journeys/{ids[0]}/autosave/",
        body=urlencode(
            {"target": "stage:aware", "field": "goal", "value": "probe", "base": ""}
        ).encode(),
        headers=session.headers(
            **{"Content-Type": "application/x-www-form-urlencoded", "X-CVJ-Autosave": "1"}
        ),
    )
    if probe.status != 200 or '"saved"' not in probe.text:
        raise RuntimeError(f"autosave probe failed: HTTP {probe.status} {probe.text[:300]}")
    reset_goals(ids)

    # (a) capacity
    common = {"threads": args.threads, "connections": args.connections}
    wrk_args = [session.cookie, session.csrftoken, id_list, str(args.threads)]
    _lib.step(f"(a) wrk {args.connections} connections, {args.duration}s each, no think time")
    wrk(base, "/ping", duration=args.warmup, script="report.lua", **common)
    ping = wrk(base, "/ping", duration=args.duration, script="report.lua", **common)
    _lib.step(f"    /ping: {ping['rps']:,.0f} req/s")
    wrk(base, "/ping", duration=1, script="report.lua", **common)
    wrk(
        base,
        "/journeys/0/autosave/",
        duration=args.warmup,
        script="autosave.lua",
        script_args=[*wrk_args, "warm"],
        **common,
    )
    reset_goals(ids)
    save = wrk(
        base,
        "/journeys/0/autosave/",
        duration=args.duration,
        script="autosave.lua",
        script_args=[*wrk_args, "run"],
        **common,
    )
    _lib.step(f"    autosave: {save['saves_per_s']:,.0f} saves/s")
    reset_goals(ids)

    # (b) latency at a realistic pace
    rate = args.users / args.interval
    _lib.step(
        f"(b) open loop: {args.users} users × 1 request / {args.interval:g} s ≈ {rate:.0f}/s, "
        f"{args.latency_duration:g} s each"
    )
    lat_ping = loadgen(base, "ping", args)
    lat_save = loadgen(
        base,
        "autosave",
        args,
        cookie=session.cookie,
        csrf=session.csrftoken,
        ids=id_list,
        nonce="lat",
    )

    # Report
    ratio_cap = save["saves_per_s"] / ping["rps"]
    print()
    print(f"  (a) capacity — wrk -t{args.threads} -c{args.connections} -d{args.duration}s")
    _lib.table(
        ["", "/ping", "autosave"],
        [
            ["requests", int(ping["requests"]), int(save["requests"])],
            ["requests/s", ping["rps"], save["rps"]],
            ["saves/s (200 'saved' only)", "", save["saves_per_s"]],
            ["200 'unchanged'", "", int(save["unchanged"])],
            ["409 conflicts", "", int(save["conflict"])],
            ["422 invalid", "", int(save["invalid"])],
            ["other status", "", int(save["other"])],
            ["non-2xx (wrk)", int(ping["non2xx"]), int(save["non2xx"])],
            ["socket errors", int(ping["socket_errors"]), int(save["socket_errors"])],
            ["latency p50 ms", ping["p50_us"] / 1000, save["p50_us"] / 1000],
            ["latency p99 ms", ping["p99_us"] / 1000, save["p99_us"] / 1000],
        ],
    )
    print(f"  saves/s ÷ /ping req/s = {ratio_cap:.1%}")
    print(
        "  "
        + _lib.verdict(
            ratio_cap >= TARGET_CAPACITY_RATIO,
            f"capacity {ratio_cap:.1%} vs target ≥ {TARGET_CAPACITY_RATIO:.0%}",
        )
    )

    print()
    print(
        f"  (b) latency — {args.users} users every {args.interval:g} s, "
        f"{args.latency_duration:g} s, open loop (ms from scheduled send)"
    )
    lp, ls = lat_ping["latency_ms"], lat_save["latency_ms"]
    _lib.table(
        ["", "/ping", "autosave", "ratio"],
        [
            ["requests completed", lat_ping["completed"], lat_save["completed"], ""],
            ["achieved rate /s", lat_ping["achieved_rate"], lat_save["achieved_rate"], ""],
            ["p50 ms", lp["p50"], ls["p50"], f"{ls['p50'] / lp['p50']:.2f}×"],
            ["p95 ms", lp["p95"], ls["p95"], f"{ls['p95'] / lp['p95']:.2f}×"],
            ["p99 ms", lp["p99"], ls["p99"], f"{ls['p99'] / lp['p99']:.2f}×"],
            ["max ms", lp["max"], ls["max"], ""],
            [
                "service p50 / p95 ms (from actual send)",
                f"{lat_ping['service_ms']['p50']:.1f} / {lat_ping['service_ms']['p95']:.1f}",
                f"{lat_save['service_ms']['p50']:.1f} / {lat_save['service_ms']['p95']:.1f}",
                "",
            ],
            ["errors (socket/timeout)", lat_ping["errors"], lat_save["errors"], ""],
            ["dropped (server behind)", lat_ping["dropped"], lat_save["dropped"], ""],
            ["statuses", _statuses(lat_ping), _statuses(lat_save), ""],
            ["autosave results", "", _statuses(lat_save, "kinds"), ""],
            [
                "generator send lag p99 ms",
                lat_ping["send_lag_ms"]["p99"],
                lat_save["send_lag_ms"]["p99"],
                "",
            ],
        ],
    )
    ratio_p95 = ls["p95"] / lp["p95"]
    print(
        "  "
        + _lib.verdict(
            ratio_p95 <= TARGET_P95_RATIO,
            f"autosave p95 {ls['p95']:.1f} ms = {ratio_p95:.2f}× /ping p95 {lp['p95']:.1f} ms "
            f"vs target ≤ {TARGET_P95_RATIO:g}×"
            + (
                ""
                if ratio_p95 <= TARGET_P95_RATIO
                else f" (target would need p95 ≤ {lp['p95'] * TARGET_P95_RATIO:.1f} ms)"
            ),
        )
    )
    return {
        "capacity": {"ping": ping, "autosave": save, "ratio": ratio_cap},
        "latency": {"ping": lat_ping, "autosave": lat_save, "p95_ratio": ratio_p95},
        "targets": {"capacity_ratio": TARGET_CAPACITY_RATIO, "p95_ratio": TARGET_P95_RATIO},
        "params": vars(args),
    }


def socket_load(hosts: list[str], cookie: str, ids: list[int], mode: str, seconds: float,
                rate: float, out: Any, pids: list[int]) -> dict[str, Any]:  # fmt: skip
    argv = [sys.executable, str(_lib.BENCH / "_socket_load.py"), ",".join(hosts), cookie,
            ",".join(map(str, ids)), mode, str(seconds), str(rate), str(out)]  # fmt: skip
    env = {**os.environ, "CVJ_BENCH_SERVER_PIDS": ",".join(map(str, pids))}
    subprocess.run(argv, check=True, cwd=_lib.BENCH, timeout=seconds + 180, env=env)
    return json.loads(out.read_text())


def run_socket(
    args: argparse.Namespace, env: dict[str, str], tmp: Any, session: _lib.Session,
    ids: list[int], http: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    """The same saves over the live socket, on each ASGI server asked for (one process a core),
    each simulated strategist on its own journey's socket (as the editor holds one)."""
    users = ids[: args.users]
    crowd = ids[: args.capacity_sockets]
    runs: dict[str, dict[str, Any]] = {}
    for turn, kind in enumerate(args.servers.split(",")):
        name = kind if kind not in runs else f"{kind} #{turn + 1}"  # asked for again: A B B A
        with contextlib.ExitStack() as stack:
            servers = [
                stack.enter_context(_lib.asgi_server(env, tmp, kind=kind, index=i))
                for i in range(args.asgi_processes)
            ]
            hosts = [base.removeprefix("http://") for base, _proc in servers]
            _lib.step(
                f"(c) socket saves: {len(crowd)} sockets (capacity), {len(users)} (latency) on "
                f"{len(hosts)} {kind} process(es)"
            )
            pids = [p for _base, proc in servers for p in _lib.process_tree(proc.pid)]
            reset_goals(ids)
            socket_load(hosts, session.cookie, users[:20], "capacity", 3, 4.5, tmp / "warm.json",
                        pids)  # fmt: skip
            reset_goals(ids)
            capacity = socket_load(
                hosts, session.cookie, crowd, "capacity", args.duration, 4.5, tmp / "cap.json", pids
            )
            reset_goals(ids)
            latency = socket_load(
                hosts, session.cookie, users, "latency", args.latency_duration,
                1 / args.interval, tmp / "lat.json", pids,
            )  # fmt: skip
        lat = latency["latencies"]
        runs[name] = {
            "capacity": capacity | {"saves_per_s": capacity["kinds"].get("saved", 0)
                                    / capacity["seconds"]},
            # the web processes' CPU per save in the capacity window (all sockets connected)
            "server_cpu_ms_per_save": 1000 * capacity["server_cpu_s"]
            / max(1, capacity["kinds"].get("saved", 0)),
            "latency_p50_ms": _lib.percentile(lat, 50) if lat else float("nan"),
            "latency_p95_ms": _lib.percentile(lat, 95) if lat else float("nan"),
            "latency_kinds": latency["kinds"],
            "errors": f"{latency['errors']} / {latency['failed']}",
        }  # fmt: skip
    ping_rps = http["capacity"]["ping"]["rps"]
    ping_p95 = http["latency"]["ping"]["latency_ms"]["p95"]
    print()
    print(f"  (c) socket saves — {len(crowd)} / {len(users)} sockets, "
          f"{args.asgi_processes} process(es) a server")  # fmt: skip
    kinds = list(runs)
    _lib.table(
        ["", "/ping (HTTP)", "autosave (HTTP)", *[f"socket ({k})" for k in kinds]],
        [
            ["saves/s (capacity)", ping_rps, http["capacity"]["autosave"]["saves_per_s"],
             *[runs[k]["capacity"]["saves_per_s"] for k in kinds]],
            ["share of /ping", "", f"{http['capacity']['ratio']:.1%}",
             *[f"{runs[k]['capacity']['saves_per_s'] / ping_rps:.1%}" for k in kinds]],
            ["web CPU ms a save (capacity)", "", "",
             *[runs[k]["server_cpu_ms_per_save"] for k in kinds]],
            ["p95 ms at ~100/s", ping_p95, http["latency"]["autosave"]["latency_ms"]["p95"],
             *[runs[k]["latency_p95_ms"] for k in kinds]],
            ["p50 ms at ~100/s", http["latency"]["ping"]["latency_ms"]["p50"],
             http["latency"]["autosave"]["latency_ms"]["p50"],
             *[runs[k]["latency_p50_ms"] for k in kinds]],
            ["answers", "", "", *[" ".join(f"{a}:{n}" for a, n in
                                           sorted(runs[k]["latency_kinds"].items()))
                                  for k in kinds]],
            ["timeouts / failed sockets", "", "", *[runs[k]["errors"] for k in kinds]],
        ],
    )  # fmt: skip
    for kind, run_ in runs.items():
        share = run_["capacity"]["saves_per_s"] / ping_rps
        print(
            "  "
            + _lib.verdict(
                share >= TARGET_CAPACITY_RATIO,
                f"{kind}: socket capacity {share:.1%} of /ping (≥ 30 %)",
            )
        )
        ratio = run_["latency_p95_ms"] / ping_p95
        print("  " + _lib.verdict(ratio <= TARGET_P95_RATIO,
                                  f"{kind}: socket p95 {run_['latency_p95_ms']:.1f} ms = "
                                  f"{ratio:.2f}× /ping (≤ 2×)"))  # fmt: skip
    return {"servers": runs, "processes": args.asgi_processes, "capacity_sockets": len(crowd)}


def _statuses(result: dict[str, Any], key: str = "statuses") -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted(result[key].items())) or "-"


if __name__ == "__main__":
    main()
