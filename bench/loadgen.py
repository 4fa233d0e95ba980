"""Open-loop load generator: N simulated users, each sending one request every INTERVAL s.

    python bench/loadgen.py --base http://127.0.0.1:8000 --mode ping --users 200 --interval 2

A constant-pace generator (wrk2's model; wrk2 is not packaged for Debian): every user has a
random phase and then a fixed schedule. Latency is measured from the *scheduled* send time, so a
slow server cannot hide its queueing by slowing the generator down (no coordinated omission).
A user has at most one request in flight, like the editor's per-field autosave queue; if a
response comes back late, the next request goes out immediately and its latency counts the wait.
A server that cannot keep up is not waited for forever: GRACE seconds after the end, requests
still unsent are dropped and counted.

Modes:
  ping      GET /ping (the bare Django view)
  autosave  POST /journeys/<id>/autosave/ — user i owns journey ids[i % len(ids)], saves the
            stage field with `base` = the value it saved last (so conflicts mean lost saves)

Prints one JSON object (latencies in ms) on stdout. Standard library only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    service_ms: list[float] = field(default_factory=list)
    lag_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    dropped: int = 0


async def http_once(host: str, port: int, raw: bytes, timeout: float) -> tuple[int, bytes]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    try:
        writer.write(raw)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(-1), timeout)  # the server closes (sync)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, body


def build_request(args: argparse.Namespace, host: str, journey_id: str, value: str, base: str):
    if args.mode == "ping":
        return (
            f"GET /ping HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
            "User-Agent: cvj-bench-loadgen\r\n\r\n"
        ).encode()
    body = urlencode(
        {"target": args.target, "field": args.field, "value": value, "base": base}, quote_via=quote
    ).encode()
    return (
        f"POST /journeys/{journey_id}/autosave/ HTTP/1.1\r\nHost: {host}\r\n"
        "Connection: close\r\nUser-Agent: cvj-bench-loadgen\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nCookie: {args.cookie}\r\n"
        f"X-CSRFToken: {args.csrf}\r\nX-CVJ-Autosave: 1\r\n\r\n"
    ).encode() + body


async def user(
    n: int, args: argparse.Namespace, start: float, end: float, stats: Stats, ids: list[str]
) -> None:
    parts = urlsplit(args.base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    loop = asyncio.get_running_loop()
    journey_id = ids[n % len(ids)] if ids else ""
    base, seq = "", 0
    scheduled = start + random.uniform(0, args.interval)
    while scheduled < end:
        now = loop.time()
        if now > end + args.grace:  # hopelessly behind: stop, and say how much was not sent
            stats.dropped += int((end - scheduled) // args.interval) + 1
            break
        if scheduled > now:
            await asyncio.sleep(scheduled - now)
        sent = loop.time()
        seq += 1
        value = f"Goal {args.nonce} {journey_id} #{seq}"
        raw = build_request(args, f"{host}:{port}", journey_id, value, base)
        try:
            status, body = await http_once(host, port, raw, args.timeout)
        except (TimeoutError, OSError, ValueError, IndexError):
            stats.errors += 1
            scheduled += args.interval
            continue
        done = loop.time()
        stats.latencies_ms.append((done - scheduled) * 1000)
        stats.service_ms.append((done - sent) * 1000)
        stats.lag_ms.append((sent - scheduled) * 1000)
        stats.statuses[str(status)] = stats.statuses.get(str(status), 0) + 1
        if args.mode == "autosave":
            try:
                payload = json.loads(body.decode())
            except (ValueError, UnicodeDecodeError):
                payload = {"status": "unparsable"}
            kind = str(payload.get("status", "?"))
            stats.kinds[kind] = stats.kinds.get(kind, 0) + 1
            # The stored text is what the next save is edited from, as in the editor.
            if status == 200:
                base = str(payload.get("value", value))
            elif status == 409:
                base = str(payload.get("theirs", base))
        scheduled += args.interval


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": pct(values, 50),
        "p90": pct(values, 90),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "max": max(values) if values else float("nan"),
        "mean": sum(values) / len(values) if values else float("nan"),
    }


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    ids = [i for i in args.ids.split(",") if i] if args.ids else []
    if args.mode == "autosave" and not ids:
        raise SystemExit("--ids is required for --mode autosave")
    stats = Stats()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2
    end = start + args.duration
    wall = time.perf_counter()
    await asyncio.gather(*(user(n, args, start, end, stats, ids) for n in range(args.users)))
    elapsed = time.perf_counter() - wall
    completed = len(stats.latencies_ms)
    return {
        "mode": args.mode,
        "users": args.users,
        "interval_s": args.interval,
        "duration_s": args.duration,
        "offered_rate": args.users / args.interval,
        "completed": completed,
        "achieved_rate": completed / args.duration,
        "elapsed_s": elapsed,
        "errors": stats.errors,
        "dropped": stats.dropped,
        "statuses": stats.statuses,
        "kinds": stats.kinds,
        "latency_ms": summary(stats.latencies_ms),
        "service_ms": summary(stats.service_ms),
        "send_lag_ms": summary(stats.lag_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--mode", choices=("ping", "autosave"), required=True)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between requests")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument(
        "--grace", type=float, default=20.0, help="stop sending this long after the end (20 s)"
    )
    parser.add_argument("--cookie", default="")
    parser.add_argument("--csrf", default="")
    parser.add_argument("--ids", default="", help="comma-separated journey ids (autosave)")
    parser.add_argument("--target", default="stage:aware")
    parser.add_argument("--field", default="goal")
    parser.add_argument("--nonce", default="lg")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    random.seed(args.seed)
    print(json.dumps(asyncio.run(main_async(args))))


if __name__ == "__main__":
    main()
