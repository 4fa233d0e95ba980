"""Autosaves over the live socket, from a separate process: one strategist's socket per journey.

    python bench/_socket_load.py HOSTS COOKIE IDS MODE SECONDS RATE OUT

HOSTS: comma-separated host:port of the ASGI processes (sockets are spread over them); COOKIE:
the signed-in strategist's Cookie header; IDS: comma-separated journey ids, one socket each;
MODE: "capacity" (each socket saves again as soon as the last save is acknowledged, at most
RATE saves a second — the live socket's own limit is 5 frames a second) or "latency" (each
socket saves once every 1/RATE seconds, open loop, from a random phase). Every save is the
Aware goal, based on the value the socket saved before, as autosave.js sends it. OUT gets JSON:
latencies (ms, from the scheduled send to the acknowledgement), answers by kind, errors, and
the CPU seconds the web processes (CVJ_BENCH_SERVER_PIDS, comma-separated) used in the window.
The window opens once every socket has been greeted.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path

import _lib
from _ws import frame, read_frame, ws_open

ACK_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 60.0


async def _socket(
    host: str, port: int, cookie: str, journey_id: int, mode: str, clock: Clock, rate: float,
    results: dict,
) -> None:  # fmt: skip
    try:
        reader, writer = await ws_open(host, port, f"/ws/journeys/{journey_id}/live/", cookie)
    except BaseException:
        clock.count()
        raise
    pending: dict[int, asyncio.Future] = {}
    greeted = asyncio.get_running_loop().create_future()

    async def read() -> None:
        while True:
            opcode, payload = await read_frame(reader)
            if opcode == 9:
                writer.write(frame(payload, opcode=10))
            elif opcode == 8:
                return
            elif opcode == 1:
                message = json.loads(payload)
                if message.get("type") == "live.hello" and not greeted.done():
                    greeted.set_result(None)
                if message.get("type") == "save.ack" and message["id"] in pending:
                    pending.pop(message["id"]).set_result(message)

    reading = asyncio.create_task(read())
    base, number = "", 0
    interval = 1.0 / rate
    try:
        try:
            await asyncio.wait_for(greeted, CONNECT_TIMEOUT_S)
        finally:
            clock.count()
        await clock.go.wait()
        next_at = clock.start + (random.random() * interval if mode == "latency" else 0)
        while next_at < clock.until:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            scheduled = next_at
            number += 1
            value = f"Socket save {journey_id}-{number}"
            future = asyncio.get_running_loop().create_future()
            pending[number] = future
            message = {"type": "save", "id": number, "target": "stage:aware", "field": "goal",
                       "value": value, "base": base, "client": "bench"}  # fmt: skip
            writer.write(frame(json.dumps(message).encode()))
            try:
                ack = await asyncio.wait_for(future, ACK_TIMEOUT_S)
            except TimeoutError:
                results["errors"] += 1
                pending.pop(number, None)
            else:
                results["latencies"].append((time.monotonic() - scheduled) * 1000)
                kind = ack["body"].get("status") or str(ack["status"])
                results["kinds"][kind] = results["kinds"].get(kind, 0) + 1
                if ack["status"] == 200:
                    base = value
            # capacity: again at once, within the socket's rate; latency: on the schedule
            next_at = (
                max(next_at + interval, time.monotonic())
                if mode == "capacity"
                else (next_at + interval)
            )
    finally:
        reading.cancel()
        writer.close()


class Clock:
    """The measured window starts once every socket has been greeted (a crowd of 600 takes
    seconds to connect and authorise: that is not saving capacity) and lasts `seconds`."""

    def __init__(self, sockets: int, seconds: float, pids: list[int]) -> None:
        self.waiting, self.seconds, self.pids = sockets, seconds, pids
        self.go = asyncio.Event()
        self.start = self.until = 0.0
        self.cpu_at_start = 0.0

    def count(self) -> None:
        """One socket greeted, or failed: the window opens when none is left to wait for."""
        self.waiting -= 1
        if self.waiting == 0:
            self.start = time.monotonic() + 0.2
            self.until = self.start + self.seconds
            self.cpu_at_start = cpu_seconds(self.pids)
            self.go.set()


def cpu_seconds(pids: list[int]) -> float:
    """The web processes' user + system CPU (pids from CVJ_BENCH_SERVER_PIDS)."""
    return sum(_lib.cpu_seconds(pid) for pid in pids)


async def main(hosts: list[str], cookie: str, ids: list[int], mode: str, seconds: float,
               rate: float, out: str) -> None:  # fmt: skip
    results: dict = {"latencies": [], "kinds": {}, "errors": 0, "failed": 0}
    pids = [int(p) for p in os.environ.get("CVJ_BENCH_SERVER_PIDS", "").split(",") if p]
    clock = Clock(len(ids), seconds, pids)
    tasks = []
    for n, journey_id in enumerate(ids):
        host, port = hosts[n % len(hosts)].rsplit(":", 1)
        tasks.append(
            asyncio.create_task(
                _socket(host, int(port), cookie, journey_id, mode, clock, rate, results)
            )
        )
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    # the window's CPU: every socket stops saving at `until` (the last acks arrive just after)
    results["server_cpu_s"] = cpu_seconds(pids) - clock.cpu_at_start
    results["failed"] = sum(isinstance(o, BaseException) for o in outcomes)
    results["first_error"] = next((repr(o) for o in outcomes if isinstance(o, BaseException)), "")
    results["seconds"] = seconds
    Path(out).write_text(json.dumps(results))


if __name__ == "__main__":
    _hosts, _cookie, _ids, _mode, _seconds, _rate, _out = sys.argv[1:8]
    asyncio.run(
        main(
            _hosts.split(","),
            _cookie,
            [int(i) for i in _ids.split(",")],
            _mode,
            float(_seconds),
            float(_rate),
            _out,
        )  # fmt: skip
    )
