"""Live-updates benchmark: one editor saving once a second, N followers on the journey's socket.

    .venv/bin/python bench/live.py [--duration 20] [--followers 50,200] [--web 1,2]

daphne (the production ASGI server) on PostgreSQL, the channel layer on a throwaway
redis-server; with two web processes the followers are split between them, so every message
crosses Redis. The followers run in a separate process (a minimal asyncio WebSocket client, one
connection each, as guests through a "Join live" link, heartbeating every 10 s like live.js).
The editor posts real autosaves over HTTP.

Figures: p50/p95 from the save's commit (the broadcast's `sent_at`, stamped in the on-commit
hook) to each follower's receipt; memory per idle connection (RSS growth of the web processes
with N idle sockets, divided by N); CPU of the web processes while the editor saves.
Targets: p95 ≤ 100 ms at 200 followers; ≤ 50 KiB per idle connection.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import secrets
import struct
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import _lib

DB_NAME = "cvj_bench_live"
TARGET_P95_MS = 100.0
TARGET_KIB_PER_CONNECTION = 50.0


# --- The followers' process: a minimal WebSocket client (RFC 6455, text frames, ping/pong).


async def _ws_open(
    host: str, port: int, path: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(host, port)
    key = base64.b64encode(secrets.token_bytes(16)).decode()
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: http://{host}:{port}\r\n\r\n"
        ).encode()
    )
    status = await reader.readuntil(b"\r\n\r\n")
    if b" 101 " not in status.split(b"\r\n", 1)[0]:
        raise RuntimeError(f"handshake refused: {status[:80]!r}")
    return reader, writer


def _frame(payload: bytes, opcode: int = 1) -> bytes:
    mask = secrets.token_bytes(4)
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


async def _read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    first, second = await reader.readexactly(2)
    n = second & 0x7F
    if n == 126:
        n = struct.unpack("!H", await reader.readexactly(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", await reader.readexactly(8))[0]
    return first & 0x0F, await reader.readexactly(n)


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
            reader, writer = await _ws_open(host, port, path)
            break
        except (OSError, RuntimeError, asyncio.IncompleteReadError):
            await asyncio.sleep(min(4.0, 0.5 * 2**attempt))
    else:
        raise RuntimeError("could not connect after 8 attempts")
    connected.append(1)

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(10)
            writer.write(_frame(json.dumps({"type": "heartbeat", "stage": ""}).encode()))

    async def read() -> None:
        while True:
            opcode, payload = await _read_frame(reader)
            received = time.time()
            if opcode == 1:
                message = json.loads(payload)
                if message.get("type") == "journey.changed" and message.get("sent_at"):
                    latencies.append((received - message["sent_at"]) * 1000)
            elif opcode == 9:
                writer.write(_frame(payload, opcode=10))
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


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def _daphne(env: dict[str, str], logdir: Path, index: int):  # noqa: ANN202
    port = _lib.free_port()
    proc = _lib.Process(
        f"daphne-{index}",
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "-v", "0",
         "cvj.asgi:application"],
        env=env,
        log=logdir / f"daphne-{index}.log",
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _lib.wait_until(
            lambda: _lib.http_get(base, "/ping").status == 200,
            timeout=30,
            what="daphne to answer /ping",
            process=proc,
        )
        yield base, proc
    finally:
        proc.stop()


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


def run_case(
    env: dict[str, str], logdir: Path, *, web: int, followers: int, seconds: int, seed: dict
) -> dict[str, object]:
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(_daphne(env, logdir, i)) for i in range(web)]
        bases = [base for base, _proc in servers]
        pids = [proc.pid for _base, proc in servers]
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
        rss_before = sum(_rss_kib(p) for p in pids)
        previous = _current_goal(journey_id)
        out = logdir / f"followers-{web}-{followers}.json"
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
        time.sleep(4)  # the join announcements settle; the sockets are idle
        rss_idle = sum(_rss_kib(p) for p in pids)
        cpu_before = sum(_cpu_seconds(p) for p in pids)
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
        cpu = (sum(_cpu_seconds(p) for p in pids) - cpu_before) / (time.monotonic() - wall_before)
        time.sleep(2)  # the last save's messages arrive
        Path(str(out) + ".stop").touch()
        worker.wait(timeout=60)
        result = json.loads(out.read_text())
    latencies = result["latencies_ms"]
    expected = saves * connected
    return {
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
        "cpu_percent_of_one_core": cpu * 100,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds of saving per case")
    parser.add_argument("--followers", default="50,200")
    parser.add_argument("--web", default="1,2")
    args = parser.parse_args()
    _lib.banner("Live updates: one editor saving every second, N followers (daphne + Redis)")
    load_before = _lib.load_note("before")
    rows = []
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(_lib.temp_dir("cvj-bench-live-"))
        db_url = stack.enter_context(_lib.pg_database(DB_NAME))
        redis_url = stack.enter_context(_lib.redis_server(tmp))
        env = _lib.app_env(database_url=db_url, media_root=tmp / "media", redis_url=redis_url)
        _lib.manage(env, "migrate", "--no-input")
        _lib.manage(env, "seed_demo")
        _lib.setup_django(env)
        seed: dict[str, object] = {}
        _seed(seed)
        for web in [int(w) for w in args.web.split(",")]:
            for followers in [int(f) for f in args.followers.split(",")]:
                _lib.step(f"{web} web process(es), {followers} followers, {args.duration} s")
                rows.append(
                    run_case(
                        env, tmp, web=web, followers=followers, seconds=args.duration, seed=seed
                    )
                )
    load_after = _lib.load_note("after")
    _lib.table(
        ["web", "followers", "received/expected", "p50 ms", "p95 ms", "max ms", "KiB/idle conn",
         "CPU % (1 core)"],
        [
            [r["web_processes"], r["followers"], f"{r['received']}/{r['expected']}", r["p50_ms"],
             r["p95_ms"], r["max_ms"], r["kib_per_idle_connection"], r["cpu_percent_of_one_core"]]
            for r in rows
        ],
    )  # fmt: skip
    for r in rows:
        if r["failed_connections"]:
            print(f"  ! {r['failed_connections']} follower connections failed: {r['errors']}")
    at_200 = [r for r in rows if r["followers"] == 200 and r["p95_ms"] is not None]
    if at_200:
        worst = max(r["p95_ms"] for r in at_200)
        print(
            "  "
            + _lib.verdict(
                worst <= TARGET_P95_MS,
                f"p95 at 200 followers {worst:.1f} ms (≤ {TARGET_P95_MS:.0f})",
            )
        )
    worst_mem = max(r["kib_per_idle_connection"] for r in rows)
    print(
        "  "
        + _lib.verdict(
            worst_mem <= TARGET_KIB_PER_CONNECTION,
            f"{worst_mem:.1f} KiB per idle connection (≤ {TARGET_KIB_PER_CONNECTION:.0f})",
        )
    )
    path = _lib.save_results(
        "live", {"cases": rows, "load_before": load_before, "load_after": load_after}
    )
    _lib.step(f"figures saved to {path.relative_to(_lib.REPO)}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--followers-worker":
        _targets, _path, _count, _seconds, _out = sys.argv[2:7]
        asyncio.run(_followers_main(_targets.split(","), _path, int(_count), float(_seconds), _out))
    else:
        main()
