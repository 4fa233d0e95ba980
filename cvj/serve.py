"""The web process: uvicorn serving the ASGI app (pages and the live WebSockets), set up once
for production (`docker-compose.yml`), the README's commands and the browser tests.

    python -m cvj.serve [--host 127.0.0.1] [--port 8000] [--workers 1] [--no-access-log]

uvicorn with wsproto, on uvloop and httptools: measured beside daphne, uvicorn with
`websockets`, hypercorn and granian in one run (bench/README.md, issue 23), it held the least
memory per idle socket and the lowest fan-out p95, with socket saves on a par. Per-message
compression is off: browsers ask for it and uvicorn would grant it, keeping a zlib state for
each socket, while our frames are short JSON. Behind a proxy, set FORWARDED_ALLOW_IPS (read by
uvicorn) to the proxy's address so X-Forwarded-For and -Proto are believed.
"""

from __future__ import annotations

import argparse
import os

import uvicorn

APP = "cvj.asgi:application"
# A restart waits this long for open requests; sockets are told to reconnect (1012) at once.
GRACEFUL_SHUTDOWN_S = 10


def server_options(*, access_log: bool = True) -> dict[str, object]:
    """uvicorn's settings for CVJ Mapper (the host, port and workers aside)."""
    return {
        "ws": "wsproto",
        "ws_per_message_deflate": False,
        "proxy_headers": True,
        "lifespan": "off",  # Channels' router speaks HTTP and WebSocket only
        "access_log": access_log,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cvj.serve", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("CVJ_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=1, help="web processes (1)")
    parser.add_argument("--no-access-log", action="store_true", help="no line per request")
    args = parser.parse_args(argv)
    uvicorn.run(
        APP,
        host=args.host,
        port=args.port,
        workers=args.workers,
        **server_options(access_log=not args.no_access_log),  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    main()
