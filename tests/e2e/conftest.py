"""Real-browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Every test here is marked `e2e` and runs with a transactional database (the live server thread
must see what the test wrote). The eight stages and the tactic library come from a data
migration, which a transactional test's flush would wipe, so the tests also ask for a
serialized rollback: the migrated rows are restored before each test.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from cvj.models import Role
from tests.factories import MembershipFactory

CHROMIUM = shutil.which("chromium")
TEST_PASSWORD = "pw-for-tests-123"  # what tests/factories.py gives every user
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 10_000

if CHROMIUM is None:
    pytest.skip(
        "Debian's chromium is not installed (`apt-get install -y chromium`); "
        "the e2e tests drive it instead of a Playwright-downloaded browser.",
        allow_module_level=True,
    )

expect.set_options(timeout=TIMEOUT_MS)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


class _SerialWSGIServer(WSGIServer):
    """Django's WSGI server without threads (it then closes every connection after a request)."""

    def __init__(self, *args: object, connections_override: object = None, **kwargs: object):
        super().__init__(*args, **kwargs)


class _InFlight:
    """Wraps the live server's WSGI app to count the requests it is handling."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.active = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> object:
        with self._lock:
            self.active += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self.active -= 1

    def wait_idle(self, timeout: float = 5.0, settle: float = 0.15) -> None:
        deadline = time.monotonic() + timeout
        idle_since = None
        while time.monotonic() < deadline:
            if self.active:
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= settle:
                return
            time.sleep(0.02)


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest, django_db_setup) -> Iterator[LiveServer]:
    """pytest-django's live server, started after the test database exists, and answering
    one request at a time on in-memory SQLite.

    pytest-django's own fixture can start before the test database is set up (session
    fixtures such as `base_url` pull it in first); it then misses that the database is
    in-memory SQLite, and each server thread opens its own connection to the shared-cache
    database, where concurrent writes fail at once with "database table is locked". Shared
    properly, all threads use the test's single connection, so requests must not overlap: the
    server runs without threads. PostgreSQL gives each thread its own connection and stays
    threaded.
    """
    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    if server.thread.connections_override:
        server.thread.server_class = _SerialWSGIServer
    server.start()
    httpd = server.thread.httpd
    httpd.set_app(_InFlight(httpd.get_app()))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _server_idle_before_flush(live_server) -> Iterator[None]:
    """After a test, let the server finish what the (by then closed) browser sent.

    The transactional flush comes next; on PostgreSQL a request still running (the editor
    refreshes the rail and the library in the background) can deadlock with its TRUNCATE.
    """
    yield
    live_server.thread.httpd.get_app().wait_idle()


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    """Users and logins in these tests hash with MD5: PBKDF2 costs seconds per test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fresh_failure_screenshots() -> None:
    shutil.rmtree(ARTIFACTS / "failures", ignore_errors=True)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Relative URLs in page.goto() go to the live server.

    This also replaces pytest-playwright's own `base_url`, a fixture defined as an instance
    method that pytest 9 warns about (PytestRemovedIn10Warning) and `-W error` turns into an
    error.
    """
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def new_context(new_context: Callable[..., BrowserContext]) -> Iterator[Callable]:
    """Every browser context of a test: longer timeouts, and the test errors at teardown if
    the server answered 5xx or the page threw an uncaught JavaScript error."""
    problems: list[str] = []

    def on_response(response) -> None:  # noqa: ANN001
        if response.status >= 500:
            problems.append(f"HTTP {response.status} from {response.request.method} {response.url}")

    def _new_context(**kwargs: object) -> BrowserContext:
        context = new_context(**kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("response", on_response)
        context.on("weberror", lambda error: problems.append(f"JavaScript error: {error.error}"))
        return context

    yield _new_context
    assert not problems, "\n".join(problems)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    """On a failing test, save a screenshot of every open page to test-artifacts/failures/."""
    report = yield
    browser = getattr(item, "funcargs", {}).get("browser")
    if report.when == "call" and report.failed and isinstance(browser, Browser):
        folder = ARTIFACTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.name)
        pages = [p for ctx in browser.contexts for p in ctx.pages if not p.is_closed()]
        for index, open_page in enumerate(pages, start=1):
            path = folder / f"{name}-{index}.png"
            try:
                open_page.screenshot(path=path, full_page=True, timeout=5_000)
            except Exception as error:  # noqa: BLE001 - a broken page must not hide the failure
                report.sections.append(("e2e screenshot", f"{path}: {error}"))
            else:
                report.sections.append(("e2e screenshot", str(path)))
    return report


@pytest.fixture
def login() -> Callable[..., Page]:
    """Sign a page in through the real login form; returns the page on the home page."""

    def _login(page: Page, username: str, password: str = TEST_PASSWORD) -> Page:
        page.goto("/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page).not_to_have_url(re.compile(r"/login/"))
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    return _login


@pytest.fixture
def second_strategist(agency):
    """Another strategist of the same agency, for two people editing one journey."""
    return MembershipFactory(agency=agency, role=Role.STRATEGIST)


@pytest.fixture
def signed_in(page: Page, login, strategist) -> Page:
    """A page signed in as the agency's strategist."""
    return login(page, strategist.user.username)


SAVED = re.compile(r"^All changes saved · \d\d:\d\d:\d\d$")
FIELD_SAVED = re.compile(r"^Saved \d\d:\d\d:\d\d$")


class Editor:
    """What a strategist sees and does in the journey editor, as locators and actions."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.status = page.locator("#save-status")
        self.panel = page.locator("#stage-panel")
        self.tactics = page.locator("#tactics .tactic-item")
        self.offers = page.locator("#offers .offer-item")

    def open(self, journey, stage: str = "aware") -> Editor:
        self.page.goto(f"/journeys/{journey.pk}/?stage={stage}")
        self.wait_ready(stage)
        return self

    def go_to_stage(self, slug: str) -> None:
        """Click the stage's tab in the rail.

        The rail replaces itself 400 ms after every save (to refresh counts and meters). A
        click whose mouse-down hits the old tab and mouse-up the new one is no click at all;
        a person clicks again, and so does this, but only when the rail was in fact replaced.
        """
        rail = self.page.locator("#stage-rail")
        for attempt in (1, 2):
            rail.evaluate("nav => { nav.dataset.clickedFrom = 'this rail'; }")
            self.page.locator(f"#stage-rail .stage-tab.s-{slug}").click()
            try:
                expect(self.panel).to_have_attribute("data-stage", slug, timeout=3_000)
                break
            except AssertionError:
                replaced = rail.evaluate("nav => nav.dataset.clickedFrom !== 'this rail'")
                if attempt == 2 or not replaced:
                    raise
        self.wait_ready(slug)

    def wait_ready(self, slug: str) -> None:
        expect(self.panel).to_have_attribute("data-stage", slug)
        # The swapped-in fields are bound by editor.js on htmx:load; typing earlier is lost.
        expect(self.box("notes")).to_have_attribute("data-autosave-bound", "1")

    def box(self, field: str):
        return self.panel.locator(f"[data-autosave][data-target^='stage:'][data-field='{field}']")

    def field(self, field: str):
        return self.box(field).locator("[data-autosave-input]")

    def field_state(self, field: str):
        return self.box(field).locator(".field-state")

    def fill_and_save(self, field: str, text: str) -> None:
        self.field(field).fill(text)
        expect(self.field_state(field)).to_have_text(FIELD_SAVED)

    def expect_all_saved(self) -> None:
        expect(self.status).to_have_text(SAVED)
        expect(self.status).to_have_attribute("data-state", "saved")


@pytest.fixture
def editor() -> Callable[[Page], Editor]:
    return Editor
