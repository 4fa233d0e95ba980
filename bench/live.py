"""Live benchmark, per ASGI server: the typing preview and the fan-out of saved changes.

    .venv/bin/python bench/live.py [--duration 20] [--followers 50,200] [--web 1,2]
                                   [--servers uvicorn-wsproto,daphne,granian,…]
                                   [--layers pubsub,core]

Each installed ASGI server (uvicorn with `wsproto` as cvj/serve.py runs it — the one that serves —,
daphne, uvicorn with `websockets`, hypercorn, granian) is measured in the
same run, on PostgreSQL with the channel layer on a throwaway redis-server, and with each
channels-redis layer asked for (`--layers`: "pubsub", one publish a group message fanned out by
each process; "core", one copy a member through Redis).

(a) Typing preview: one strategist's socket sends a draft frame every 100 ms (as autosave.js
    does while someone types) and `--viewers` guests receive them: ms from the frame leaving the
    typist to its arrival at each viewer. Target: p95 ≤ 150 ms with 20 viewers.
(b) Fan-out: one editor saving once a second over HTTP, N followers on the journey's socket (a
    separate process of minimal asyncio WebSocket clients, as guests through a "Join live" link,
    heartbeating every 10 s like live.js); with two web processes the followers are split
    between them, so every message crosses Redis. Figures: p50/p95 from the save's commit (the
    broadcast's `sent_at`, stamped in the on-commit hook) to each follower's receipt; memory per
    idle connection (RSS growth of the web processes with N idle sockets, divided by N); CPU of
    the web processes while the editor saves. Targets: p95 ≤ 100 ms at 200 followers on one
    process; ≤ 50 KiB per idle connection.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import _lib
from _ws import frame, read_frame, ws_open

DB_NAME = "cvj_bench_live"
TARGET_P95_MS = 100.0
TARGET_KIB_PER_CONNECTION = 50.0
TARGET_PREVIEW_P95_MS = 150.0


# --- The followers' process (bench/_ws.py is the WebSocket client).


async def _follower(
    host: str,
    port: int,
    path: str,
    stop: asyncio.Event,
    latencies: list[float],
    connected: list[int],
) -> None:
    for attempt in range(8):  # like live.js: a refused or reset handshake is retried
        if stop.is_set():
            raise RuntimeError("still not connected when the run ended")
        try:
            reader, writer = await ws_open(host, port, path)
            break
        except (OSError, RuntimeError, asyncio.IncompleteReadError):
            await asyncio.sleep(min(4.0, 0.5 * 2**attempt))
    else:
        raise RuntimeError("could not connect after 8 attempts")
    connected.append(1)

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(10)
            writer.write(frame(json.dumps({"type": "heartbeat", "stage": ""}).encode()))

    async def read() -> None:
        while True:
            opcode, payload = await read_frame(reader)
            received = time.time()
            if opcode == 1:
                message = json.loads(payload)
                if message.get("type") == "journey.changed" and message.get("sent_at"):
                    latencies.append((received - message["sent_at"]) * 1000)
            elif opcode == 9:
                writer.write(frame(payload, opcode=10))
            elif opcode == 8:
                return

    tasks = [asyncio.create_task(heartbeat()), asyncio.create_task(read())]
    try:
        await asyncio.wait(
            [asyncio.create_task(stop.wait()), *tasks], return_when="FIRST_COMPLETED"
        )
    finally:
        for task in tasks:
            task.cancel()
        writer.close()


async def _followers_main(
    targets: list[str], path: str, count: int, seconds: float, out: str
) -> None:
    until = time.time() + seconds
    stop = asyncio.Event()
    latencies: list[float] = []
    connected: list[int] = []
    tasks = []
    for n in range(count):
        host, port = targets[n % len(targets)].rsplit(":", 1)
        tasks.append(
            asyncio.create_task(_follower(host, int(port), path, stop, latencies, connected))
        )
        if n % 10 == 9:
            await asyncio.sleep(0.1)  # do not stampede the handshakes
    progress = Path(out + ".connected")

    async def report() -> None:
        while True:
            progress.write_text(str(len(connected)))
            if time.time() > until or Path(out + ".stop").exists():
                stop.set()
            await asyncio.sleep(0.25)

    reporter = asyncio.create_task(report())
    await stop.wait()
    _done, pending = await asyncio.wait(tasks, timeout=10)
    for task in pending:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    reporter.cancel()
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    Path(out).write_text(
        json.dumps({"latencies_ms": latencies, "errors": errors[:5], "failed": len(errors)})
    )


# --- The benchmark proper


def _seed(token_holder: dict[str, object]) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connections

    from journeys import demo
    from journeys.live.guests import live_link_create
    from journeys.models import Journey

    journey = Journey.objects.get(title=demo.DEMO_JOURNEY["title"])
    owner = get_user_model().objects.get(username="strategist")
    _link, token = live_link_create(journey=journey, user=owner)
    token_holder.update(journey=journey.pk, token=token)
    connections.close_all()


def _current_goal(journey_id: int) -> str:
    """The stored Aware goal: the first save's `base` (autosave's three-way check)."""
    from django.db import connections

    from journeys.models import JourneyStage
    from journeys.services import field_text

    goal = JourneyStage.objects.get(journey_id=journey_id, stage__slug="aware").goal
    connections.close_all()
    return field_text(goal)


def _fresh_redis(redis_url: str) -> None:
    """Empty the throwaway redis-server between cases: a stopped server's sockets stay in the
    journey's group (until group expiry) and its roster and link counters in the cache, and
    would weigh on the next server's figures."""
    host, port = redis_url.removeprefix("redis://").split("/")[0].split(":")
    subprocess.run(
        ["redis-cli", "-h", host, "-p", port, "FLUSHALL"], check=True, capture_output=True
    )


def run_case(
    env: dict[str, str],
    logdir: Path,
    *,
    server: str,
    layer: str,
    web: int,
    followers: int,
    seconds: int,
    seed: dict,
) -> dict[str, object]:
    with contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(_lib.asgi_server(env, logdir, kind=server, index=i))
            for i in range(web)
        ]
        bases = [base for base, _proc in servers]
        pids = [p for _base, proc in servers for p in _lib.process_tree(proc.pid)]
        session = _lib.http_login(bases[0], "strategist")
        journey_id, token = seed["journey"], seed["token"]
        path = f"/ws/journeys/{journey_id}/live/?{urlencode({'token': token})}"
        # Warm every process (imports, the layer's connection pool) with one socket each.
        warm_out = logdir / "warm.json"
        hosts = ",".join(b.removeprefix("http://") for b in bases)
        subprocess.run(
            [sys.executable, __file__, "--followers-worker", hosts, path, str(20 * web), "2",
             str(warm_out)],
            check=True, cwd=_lib.REPO, env=env,
        )  # fmt: skip
        time.sleep(1)
        rss_before = sum(_lib.rss_kib(p) for p in pids)
        previous = _current_goal(journey_id)
        out = logdir / f"followers-{server}-{layer}-{web}-{followers}.json"
        total = seconds + 90
        worker = subprocess.Popen(
            [sys.executable, __file__, "--followers-worker", hosts, path, str(followers),
             str(total), str(out)],
            cwd=_lib.REPO, env=env,
        )  # fmt: skip
        progress = Path(str(out) + ".connected")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                if int(progress.read_text() or 0) >= followers:
                    break
            time.sleep(0.25)
        connected = int(progress.read_text() or 0)
        # The joins settle (authorization, presence, the roster in each hello, the group's
        # presence news) until the web processes idle; then the sockets are idle.
        settle_until = time.monotonic() + 60
        while time.monotonic() < settle_until:
            cpu_at = sum(_lib.cpu_seconds(p) for p in pids)
            time.sleep(1)
            if sum(_lib.cpu_seconds(p) for p in pids) - cpu_at < 0.05 * len(pids):
                break
        settled_s = 60 - (settle_until - time.monotonic())
        rss_idle = sum(_lib.rss_kib(p) for p in pids)
        cpu_before = sum(_lib.cpu_seconds(p) for p in pids)
        wall_before = time.monotonic()
        saves = 0
        for n in range(seconds):
            started = time.monotonic()
            value = f"Editor save {n} at {time.time():.3f}"
            response = _lib.http_request(
                bases[0],
                "POST",
                f"/journeys/{journey_id}/autosave/",
                body=urlencode(
                    {"target": "stage:aware", "field": "goal", "value": value, "base": previous}
                ).encode(),
                headers=session.headers(
                    **{"Content-Type": "application/x-www-form-urlencoded", "X-CVJ-Autosave": "1"}
                ),
            )
            if response.status == 200:
                saves += 1
                previous = value
            elif n == 0:
                _lib.step(f"autosave answered HTTP {response.status}: {response.text[:300]}")
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
        cpu = (sum(_lib.cpu_seconds(p) for p in pids) - cpu_before) / (
            time.monotonic() - wall_before
        )
        time.sleep(2)  # the last save's messages arrive
        Path(str(out) + ".stop").touch()
        worker.wait(timeout=60)
        result = json.loads(out.read_text())
    latencies = result["latencies_ms"]
    if saves and not latencies:  # nothing arrived: show why
        for _base, proc in servers:
            _lib.step(f"{proc.name} log:\n{proc.tail(30)}")
    expected = saves * connected
    return {
        "server": server,
        "layer": layer,
        "web_processes": web,
        "followers": followers,
        "connected": connected,
        "saves": saves,
        "received": len(latencies),
        "expected": expected,
        "failed_connections": result["failed"],
        "errors": result["errors"],
        "p50_ms": _lib.percentile(latencies, 50) if latencies else None,
        "p95_ms": _lib.percentile(latencies, 95) if latencies else None,
        "max_ms": max(latencies) if latencies else None,
        "kib_per_idle_connection": (rss_idle - rss_before) / max(connected, 1),
        "join_settle_s": settled_s,
        "cpu_percent_of_one_core": cpu * 100,
    }


async def _typing_preview(
    host: str,
    port: int,
    *,
    guest_path: str,
    editor_path: str,
    cookie: str,
    viewers: int,
    seconds: float,
) -> dict[str, object]:
    """One strategist typing (a draft frame every 100 ms, as autosave.js sends them) and
    `viewers` guests: ms from each draft leaving the typist to its arrival at each viewer."""
    latencies: list[float] = []
    done = asyncio.Event()

    async def viewer() -> None:
        reader, writer = await ws_open(host, port, guest_path)
        try:
            while not done.is_set():
                opcode, payload = await read_frame(reader)
                if opcode == 9:
                    writer.write(frame(payload, opcode=10))
                elif opcode == 1:
                    message = json.loads(payload)
                    if message.get("type") == "live.draft":
                        sent = float(message["text"].split(" ", 1)[0])
                        latencies.append((time.time() - sent) * 1000)
        finally:
            writer.close()

    tasks = [asyncio.create_task(viewer()) for _ in range(viewers)]
    reader, writer = await ws_open(host, port, editor_path, cookie)
    await asyncio.sleep(2)  # every viewer joined
    drafts = 0
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        text = f"{time.time():.6f} Be found by homeowners {drafts}"
        body = {"type": "draft", "field": "stage:aware.goal", "text": text}
        writer.write(frame(json.dumps(body).encode()))
        drafts += 1
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)
    done.set()
    writer.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"drafts": drafts, "viewers": viewers, "latencies": latencies}


def typing_case(
    env: dict[str, str],
    logdir: Path,
    *,
    server: str,
    layer: str,
    viewers: int,
    seconds: int,
    seed: dict,
) -> dict[str, object]:
    with _lib.asgi_server(env, logdir, kind=server, index=9) as (base, _proc):
        session = _lib.http_login(base, "strategist")
        host, port = base.removeprefix("http://").rsplit(":", 1)
        journey_id, token = seed["journey"], seed["token"]
        result = asyncio.run(
            _typing_preview(
                host,
                int(port),
                guest_path=f"/ws/journeys/{journey_id}/live/?{urlencode({'token': token})}",
                editor_path=f"/ws/journeys/{journey_id}/live/",
                cookie=session.cookie,
                viewers=viewers,
                seconds=seconds,
            )
        )
    latencies = result["latencies"]
    return {
        "server": server,
        "layer": layer,
        "viewers": viewers,
        "drafts": result["drafts"],
        "received": len(latencies),
        "expected": result["drafts"] * viewers,
        "p50_ms": _lib.percentile(latencies, 50) if latencies else None,
        "p95_ms": _lib.percentile(latencies, 95) if latencies else None,
        "max_ms": max(latencies) if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds of saving per case")
    parser.add_argument("--followers", default="50,200")
    parser.add_argument("--web", default="1,2")
    parser.add_argument(
        "--servers",
        default=",".join(_lib.asgi_servers_available()),
        help="ASGI servers to compare (default: every one installed)",
    )
    parser.add_argument(
        "--layers", default="pubsub,core", help="channels-redis layers to compare (pubsub,core)"
    )
    parser.add_argument(
        "--viewers", type=int, default=20, help="typing preview viewers (20; 0 skips it)"
    )
    args = parser.parse_args()
    servers = args.servers.split(",")
    layers = args.layers.split(",")
    _lib.banner("Live: typing preview and fan-out, per ASGI server (Redis channel layer)")
    load_before = _lib.load_note("before")
    rows = []
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(_lib.temp_dir("cvj-bench-live-"))
        db_url = stack.enter_context(_lib.pg_database(DB_NAME))
        redis_url = stack.enter_context(_lib.redis_server(tmp))
        env = _lib.app_env(database_url=db_url, media_root=tmp / "media", redis_url=redis_url)
        # The followers are guests on one "Join live" link: lift its cap of sockets (a team in
        # a room, 60 by default) for a crowd of hundreds.
        env["CVJ_LIVE_LINK_MAX_SOCKETS"] = "1000"
        _lib.manage(env, "migrate", "--no-input")
        _lib.manage(env, "seed_demo")
        _lib.setup_django(env)
        seed: dict[str, object] = {}
        _seed(seed)
        typing = []
        for server in servers:
            for layer in layers:
                env["CVJ_LIVE_LAYER"] = layer
                name = f"{server}, {layer} layer"
                if args.viewers:
                    _fresh_redis(redis_url)
                    _lib.step(f"{name}: typing preview, {args.viewers} viewers, {args.duration} s")
                    typing.append(
                        typing_case(env, tmp, server=server, layer=layer, viewers=args.viewers,
                                    seconds=args.duration, seed=seed)
                    )  # fmt: skip
                for web in [int(w) for w in args.web.split(",")]:
                    for followers in [int(f) for f in args.followers.split(",")]:
                        _fresh_redis(redis_url)
                        _lib.step(f"{name}: {web} web, {followers} followers, {args.duration} s")
                        rows.append(
                            run_case(env, tmp, server=server, layer=layer, web=web,
                                     followers=followers, seconds=args.duration, seed=seed)
                        )  # fmt: skip
    load_after = _lib.load_note("after")
    print("\n  Typing preview: a draft every 100 ms, keystroke -> each viewer")
    _lib.table(
        ["server", "layer", "viewers", "received/expected", "p50 ms", "p95 ms", "max ms"],
        [
            [t["server"], t["layer"], t["viewers"], f"{t['received']}/{t['expected']}", t["p50_ms"],
             t["p95_ms"], t["max_ms"]]
            for t in typing
        ],
    )  # fmt: skip
    for t in typing:
        if t["p95_ms"] is not None:
            print("  " + _lib.verdict(
                t["p95_ms"] <= TARGET_PREVIEW_P95_MS,
                f"{t['server']} ({t['layer']}): preview p95 {t['p95_ms']:.1f} ms"
                f" (≤ {TARGET_PREVIEW_P95_MS:.0f})",
            ))  # fmt: skip
    print("\n  Fan-out: one editor saving every second")
    _lib.table(
        ["server", "layer", "web", "followers", "received/expected", "p50 ms", "p95 ms",
         "max ms", "KiB/idle conn", "join settle s", "CPU % (1 core)"],
        [
            [r["server"], r["layer"], r["web_processes"], r["followers"],
             f"{r['received']}/{r['expected']}", r["p50_ms"], r["p95_ms"], r["max_ms"],
             r["kib_per_idle_connection"], r["join_settle_s"],
             r["cpu_percent_of_one_core"]]
            for r in rows
        ],
    )  # fmt: skip
    for r in rows:
        if r["failed_connections"]:
            print(f"  ! {r['failed_connections']} follower connections failed: {r['errors']}")
    for r in rows:  # the targets are for one web process
        if r["web_processes"] != 1 or r["p95_ms"] is None:
            continue
        name = f"{r['server']} ({r['layer']}), {r['followers']} followers"
        if r["followers"] >= 200:
            print("  " + _lib.verdict(
                r["p95_ms"] <= TARGET_P95_MS,
                f"{name}: p95 {r['p95_ms']:.1f} ms (≤ {TARGET_P95_MS:.0f})",
            ))  # fmt: skip
        print("  " + _lib.verdict(
            r["kib_per_idle_connection"] <= TARGET_KIB_PER_CONNECTION,
            f"{name}: {r['kib_per_idle_connection']:.1f} KiB per idle connection"
            f" (≤ {TARGET_KIB_PER_CONNECTION:.0f})",
        ))  # fmt: skip
    path = _lib.save_results(
        "live",
        {"cases": rows, "typing": typing, "load_before": load_before, "load_after": load_after},
    )
    _lib.step(f"figures saved to {path.relative_to(_lib.REPO)}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--followers-worker":
        _targets, _path, _count, _seconds, _out = sys.argv[2:7]
        asyncio.run(_followers_main(_targets.split(","), _path, int(_count), float(_seconds), _out))
    else:
        main()
