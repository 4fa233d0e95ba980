"""Workshop benchmark: fifty phones dot-vote within the same ten seconds, then the close.

    .venv/bin/python bench/workshop.py [--guests 50] [--window 10]

On PostgreSQL with the channel layer on a throwaway redis-server and one web process
(cvj/serve.py), as the seeded demo journey's workshop: a join code, a vote on the whole map (3
dots each, at most 2 on one tactic, tally hidden). Each guest is a real client: it joins through
the guest pages (a device cookie, a name), holds its own live socket
(`/ws/journeys/<id>/live/?token=…`), and votes over HTTP like the page's buttons — a first dot
pair, the same post again (a double click), a third dot — at a moment spread over the window.
The strategist then closes the vote.

Figures: the vote posts' latency; from the close being sent to each phone having the final
tally on its screen (its socket hears the "vote" part, it fetches the part as live.js does, and
the HTML shows the closed tally). Checks: the stored tally equals the sum of what the phones
were told was accepted, and every screen shows exactly that tally. Target: every screen within
1 s of the close.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import _lib
from _ws import frame, read_frame, ws_open

DB_NAME = "cvj_bench_workshop"
TARGET_MS = 1000.0
TALLY = re.compile(r'data-vote-item="(\d+)"[^>]*?data-dots="(\d+)"')


def _seed() -> dict[str, object]:
    from django.contrib.auth import get_user_model
    from django.db import connections

    from journeys import demo
    from journeys.models import Journey
    from journeys.workshop.services import join_code_create
    from journeys.workshop.votes import vote_items, vote_open

    journey = Journey.objects.get(title=demo.DEMO_JOURNEY["title"])
    owner = get_user_model().objects.get(username="strategist")
    join = join_code_create(journey=journey, user=owner)
    round_ = vote_open(journey=journey, journey_stage=None, votes_per_person=3, max_per_item=2,
                       anonymous=False, tally_hidden=True)  # fmt: skip
    items = [t.pk for t in vote_items(round_)]
    connections.close_all()
    return {"journey": journey.pk, "token": join.token, "round": round_.pk, "items": items}


def _stored_tally(round_id: int) -> dict[int, int]:
    from django.db import connections

    from journeys.workshop.models import VoteRound
    from journeys.workshop.votes import vote_tally

    rows = vote_tally(VoteRound.objects.get(pk=round_id))
    connections.close_all()
    return {row.stage_tactic.pk: row.dots for row in rows if row.dots}


class Guest:
    """One phone: its cookies (device, name, CSRF) and what it was told it holds."""

    def __init__(self, n: int, base: str, token: str) -> None:
        self.name = f"Guest-{n}"
        self.base = base
        self.token = token
        csrf = secrets.token_hex(16)
        self.cookies = {"csrftoken": csrf}
        self.csrf = csrf
        self.dots: dict[int, int] = {}
        self.vote_ms: list[float] = []
        self.refused = 0

    def request(self, method: str, path: str, form: dict[str, object] | None = None) -> str:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-CSRFToken": self.csrf,
            "HX-Request": "true",
        }
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        resp = _lib.http_request(self.base, method, path, body=body, headers=headers)
        self.cookies.update(resp.cookies())
        if resp.status != 200:
            raise RuntimeError(f"{self.name}: {method} {path} → HTTP {resp.status}")
        return resp.text

    def join(self) -> None:
        self.request("GET", f"/l/{self.token}/workshop/")
        self.request("POST", f"/l/{self.token}/workshop/name/", {"name": self.name})

    def vote(self, tactic: int, dots: int) -> None:
        started = time.perf_counter()
        answer = self.request(
            "POST", f"/l/{self.token}/workshop/vote/", {"tactic": tactic, "dots": dots}
        )
        self.vote_ms.append((time.perf_counter() - started) * 1000)
        if 'role="alert"' in answer:
            self.refused += 1
        else:
            self.dots[tactic] = dots

    def screen_tally(self) -> tuple[bool, dict[int, int]]:
        html = self.request("GET", f"/l/{self.token}/workshop/?part=vote")
        closed = "data-workshop-closed" in html
        return closed, {int(t): int(d) for t, d in TALLY.findall(html) if int(d)}


async def _screen(
    guest: Guest, host: str, port: int, path: str, pool: ThreadPoolExecutor,
    ready: asyncio.Event, closing: dict[str, float], seen: dict[str, object],
    heard_ms: dict[str, float],
) -> None:  # fmt: skip
    """The phone's live socket: on a "vote" change after the close, fetch the part as live.js
    does, and note when the closed tally is on the screen."""
    reader, writer = await ws_open(host, port, path)
    loop = asyncio.get_running_loop()
    try:
        while True:
            opcode, payload = await read_frame(reader)
            if opcode == 9:  # ping
                writer.write(frame(payload, 10))
                continue
            if opcode == 8:
                raise RuntimeError(f"{guest.name}: socket closed by the server")
            if opcode != 1:
                continue
            message = json.loads(payload)
            if message.get("type") == "live.hello":
                ready.set()
            if (
                message.get("type") == "journey.changed"
                and "vote" in message.get("parts", [])
                and "at" in closing
            ):
                heard = (time.perf_counter() - closing["at"]) * 1000
                closed, tally = await loop.run_in_executor(pool, guest.screen_tally)
                if closed:
                    seen[guest.name] = ((time.perf_counter() - closing["at"]) * 1000, tally)
                    heard_ms[guest.name] = heard
                    return
    finally:
        writer.close()


async def _run(base: str, seed: dict, session: _lib.Session, guests: int, window: float) -> dict:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    path = f"/ws/journeys/{seed['journey']}/live/?{urlencode({'token': seed['token']})}"
    loop = asyncio.get_running_loop()
    phones = [Guest(n, base, seed["token"]) for n in range(guests)]
    pool = ThreadPoolExecutor(max_workers=guests + 4)
    await asyncio.gather(*(loop.run_in_executor(pool, p.join) for p in phones))
    closing: dict[str, float] = {}
    seen: dict[str, object] = {}
    heard_ms: dict[str, float] = {}
    readies = [asyncio.Event() for _ in phones]
    screens = [
        asyncio.create_task(
            _screen(p, host, int(port), path, pool, readies[i], closing, seen, heard_ms)
        )
        for i, p in enumerate(phones)
    ]  # fmt: skip
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 30)
    _lib.step(f"{guests} phones joined, each with its own live socket")

    rng = random.Random(7)
    items = seed["items"]

    def ballot(phone: Guest, at: float) -> None:
        time.sleep(at)
        first, second = rng.sample(items, 2)
        phone.vote(first, 2)
        phone.vote(first, 2)  # a double click: the same post again
        phone.vote(second, 1)

    started = time.perf_counter()
    moments = sorted(rng.uniform(0, window) for _ in phones)
    await asyncio.gather(
        *(loop.run_in_executor(pool, ballot, p, at) for p, at in zip(phones, moments, strict=True))
    )
    voting_s = time.perf_counter() - started
    closing["at"] = time.perf_counter()
    close = _lib.http_request(
        base, "POST", f"/journeys/{seed['journey']}/workshop/vote/close/",
        body=b"", headers=session.headers(**{"HX-Request": "true"}),
    )  # fmt: skip
    close_ms = (time.perf_counter() - closing["at"]) * 1000
    if close.status != 200:
        raise RuntimeError(f"close → HTTP {close.status}")
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*screens, return_exceptions=True), 10)
    for task in screens:
        task.cancel()
    pool.shutdown(wait=False, cancel_futures=True)
    expected: dict[int, int] = {}
    for phone in phones:
        for tactic, dots in phone.dots.items():
            expected[tactic] = expected.get(tactic, 0) + dots
    return {
        "phones": phones,
        "seen": seen,
        "heard_ms": list(heard_ms.values()),
        "expected": expected,
        "voting_s": voting_s,
        "close_ms": close_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--guests", type=int, default=50)
    parser.add_argument("--window", type=float, default=10.0, help="seconds the votes spread over")
    args = parser.parse_args()
    _lib.banner(f"Workshop: {args.guests} phones vote within {args.window:.0f} s, then the close")
    load_before = _lib.load_note("before")
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(_lib.temp_dir("cvj-bench-workshop-"))
        db_url = stack.enter_context(_lib.pg_database(DB_NAME))
        redis_url = stack.enter_context(_lib.redis_server(tmp))
        env = _lib.app_env(database_url=db_url, media_root=tmp / "media", redis_url=redis_url)
        env["CVJ_LIVE_LINK_MAX_SOCKETS"] = str(max(60, args.guests + 10))
        _lib.manage(env, "migrate", "--no-input")
        _lib.manage(env, "seed_demo")
        _lib.setup_django(env)
        seed = _seed()
        base, _proc = stack.enter_context(_lib.asgi_server(env, tmp))
        session = _lib.http_login(base, "strategist")
        try:
            result = asyncio.run(_run(base, seed, session, args.guests, args.window))
        except Exception:
            log = tmp / f"{_lib.SERVED}-0.log"
            print(log.read_text()[-4000:] if log.exists() else "(no server log)")
            raise
        stored = _stored_tally(seed["round"])
    load_after = _lib.load_note("after")

    phones, seen, expected = result["phones"], result["seen"], result["expected"]
    vote_ms = [ms for p in phones for ms in p.vote_ms]
    screen_ms = [ms for ms, _tally in seen.values()]
    screens_exact = sum(1 for _ms, tally in seen.values() if tally == expected)
    within = sum(1 for ms in screen_ms if ms <= TARGET_MS)
    figures = {
        "guests": len(phones),
        "vote_posts": len(vote_ms),
        "refused_posts": sum(p.refused for p in phones),
        "voting_seconds": round(result["voting_s"], 2),
        "vote_p50_ms": _lib.percentile(vote_ms, 50),
        "vote_p95_ms": _lib.percentile(vote_ms, 95),
        "close_request_ms": round(result["close_ms"], 1),
        "close_to_socket_message_p50_ms": _lib.percentile(result["heard_ms"], 50),
        "close_to_socket_message_max_ms": max(result["heard_ms"], default=None),
        "screens_with_final_tally": len(seen),
        "screens_within_1s": within,
        "close_to_screen_p50_ms": _lib.percentile(screen_ms, 50) if screen_ms else None,
        "close_to_screen_p95_ms": _lib.percentile(screen_ms, 95) if screen_ms else None,
        "close_to_screen_max_ms": max(screen_ms) if screen_ms else None,
        "dots_expected": sum(expected.values()),
        "dots_stored": sum(stored.values()),
        "stored_tally_exact": stored == expected,
        "screens_tally_exact": screens_exact,
    }
    print()
    _lib.table(["figure", "value"], [[k, v] for k, v in figures.items()])
    print("  " + _lib.verdict(stored == expected, "stored tally = what the phones were told"))
    print("  " + _lib.verdict(
        screens_exact == len(phones), f"{screens_exact}/{len(phones)} screens show that tally"
    ))  # fmt: skip
    note = f"{within}/{len(phones)} screens within {TARGET_MS:.0f} ms of the close"
    print("  " + _lib.verdict(within == len(phones), note))
    path = _lib.save_results(
        "workshop", {**figures, "load_before": load_before, "load_after": load_after}
    )
    _lib.step(f"figures saved to {path.relative_to(_lib.REPO)}")
    if not (stored == expected and screens_exact == within == len(phones)):
        sys.exit(1)


if __name__ == "__main__":
    main()
