"""The editor served by a real ASGI server, for browser tests that need the live socket.

pytest-django's live server speaks WSGI only, so these helpers start the production web process
(`python -m cvj.serve`: uvicorn, set up as production runs it) on a free port against the test
database, and the browsers talk to it for pages and sockets alike. Sign-in is a session made by
the test (the server checks it like any other) rather than the login form, whose test-speed
hasher the server does not use.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from playwright.sync_api import BrowserContext, Error, Page, expect

from tests.e2e.conftest import Editor

REPO = Path(__file__).resolve().parents[2]
IS_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    env_extra: dict[str, str] | None = None, port: int | None = None
) -> tuple[subprocess.Popen, str, Path]:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "CVJ_TEST_DATABASE_NAME"}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        CELERY_TASK_ALWAYS_EAGER="1",
        **(env_extra or {}),
    )
    port = port or free_port()
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"cvj-server-{port}.log"
    with log_path.open("wb") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "cvj.serve", "--port", str(port), "--no-access-log"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/ping", timeout=1) as response:
                if response.read() == b"ok":
                    return process, base, log_path
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise AssertionError("the server did not start:\n" + log_path.read_text()[-3000:])


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            # Idle, the server exits within a second; a test need not wait out the grace
            # period an open request would get.
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class LiveEditor(Editor):
    """The editor, served by the ASGI server rather than by the (WSGI) live server."""

    def __init__(self, page: Page, base: str) -> None:
        super().__init__(page)
        self.base = base

    def open(self, journey, stage: str = "aware") -> LiveEditor:
        self.page.goto(f"{self.base}/journeys/{journey.pk}/?stage={stage}")
        self.wait_ready(stage)
        return self


def signed_in_page(new_context, base: str, user) -> Page:
    browser = Client()
    browser.force_login(user)
    context: BrowserContext = new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": browser.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]  # noqa: E501
    )
    return context.new_page()


def wait_live(page: Page) -> None:
    expect(page.locator("[data-live-socket]")).to_have_attribute("data-live-connected", "1")


class SocketSaves:
    """The page's live socket, passed through to the server, with its autosaves held back on
    demand (`holding`) and sent on `release()`, or each sent `delay_ms` late — the network
    between a page and the server."""

    def __init__(self, page: Page, *, tap_acks: bool = False) -> None:
        self.page = page
        self.holding = False
        self.delay_ms = 0.0
        self.held: list[str] = []
        self.sent: list[dict] = []
        self.server = None
        # With tap_acks, the server's acknowledgements can be held too (`holding_acks`): the
        # save reached the server, the page never hears so.
        self.tap_acks = tap_acks
        self.holding_acks = False
        self.held_acks: list[str] = []
        page.route_web_socket(re.compile(r"/ws/journeys/"), self._route)

    def _route(self, ws) -> None:  # noqa: ANN001 - Playwright's WebSocketRoute
        server = ws.connect_to_server()
        self.server = server

        def down(message: str | bytes) -> None:
            kind = json.loads(message).get("type") if isinstance(message, str) else None
            if kind == "save.ack" and self.holding_acks:
                self.held_acks.append(message)
                return
            ws.send(message)

        if self.tap_acks:
            server.on_message(down)

        def up(message: str | bytes) -> None:
            kind = json.loads(message).get("type") if isinstance(message, str) else None
            if kind == "save":
                self.sent.append(json.loads(message))
                if self.holding:
                    self.held.append(message)
                    return
                if self.delay_ms:
                    # Playwright runs each handler in a greenlet of its own: this wait holds
                    # this save only, while the page types on and other frames pass.
                    with contextlib.suppress(Error):  # the socket or the page closed meanwhile
                        self.page.wait_for_timeout(self.delay_ms)
                        server.send(message)
                    return
            server.send(message)

        ws.on_message(up)

    def release(self) -> None:
        self.holding = False
        for message in self.held:
            self.server.send(message)
        self.held.clear()
